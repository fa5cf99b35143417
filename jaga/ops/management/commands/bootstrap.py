from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from jaga.ops.bootstrap import bootstrap_run


class Command(BaseCommand):
    # Django's system checks import every URL module and API router (0.8 CPU s at every start); `jaga check`
    # and the test suite run them.
    requires_system_checks: list[str] = []
    help = (
        "Menyiapkan Jaga: migrasi, SOP dasar, administrator pertama / "
        "set Jaga up: migrate, default SOP, first administrator."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        bootstrap_run(out=self.stdout, listen=settings.JAGA_LISTEN)
