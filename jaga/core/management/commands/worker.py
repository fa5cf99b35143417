from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from jaga.core.processes.worker import worker_run


class Command(BaseCommand):
    # Django's system checks import every URL module and API router (0.8 CPU s at every start); `jaga check`
    # and the test suite run them.
    requires_system_checks: list[str] = []
    help = (
        "Menjalankan tugas latar belakang dari antrean yang disebut (bawaan: semua) / "
        "run background tasks from the named queues (default: all)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--queue",
            action="append",
            default=[],
            metavar="NAME",
            help="antrean yang dilayani: quick, long (boleh berulang atau dipisah koma; bawaan: semua) / "
            "queue to serve: quick, long (repeat or comma-separate; default: all)",
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="detik antar-pemeriksaan / seconds between looks"
        )
        parser.add_argument(
            "--batch", action="store_true", help="jalankan tugas yang ada lalu berhenti / run what is queued, then exit"
        )
        parser.add_argument("--max-tasks", type=int, default=None)

    def handle(
        self, *args: Any, queue: list[str], interval: float, batch: bool, max_tasks: int | None, **options: Any
    ) -> None:
        worker_run(queues=queue, interval=interval, batch=batch, max_tasks=max_tasks)
