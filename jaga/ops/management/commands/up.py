from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from jaga.core.processes.up import up_run


class Command(BaseCommand):
    help = "Menjalankan dan mengawasi semua proses Jaga (JAGA_PROCESSES) / start and supervise all Jaga processes."
    requires_system_checks = []

    def handle(self, *args: Any, **options: Any) -> None:
        up_run()
