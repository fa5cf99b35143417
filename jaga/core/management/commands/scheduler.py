from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from jaga.core.processes.scheduler import scheduler_run


class Command(BaseCommand):
    # Django's system checks import every URL module and API router (0.8 CPU s at every start); `jaga check`
    # and the test suite run them.
    requires_system_checks: list[str] = []
    help = "Mengantrekan tugas terjadwal yang jatuh tempo / enqueue scheduled tasks when they are due."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--once", action="store_true", help="satu putaran lalu berhenti / one pass, then exit")

    def handle(self, *args: Any, once: bool, **options: Any) -> None:
        scheduler_run(interval=settings.JAGA_SCHEDULER_INTERVAL, once=once)
