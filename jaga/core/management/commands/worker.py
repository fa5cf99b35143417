from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from jaga.core.processes.worker import worker_run


class Command(BaseCommand):
    help = "Menjalankan tugas latar belakang dari semua antrean / run background tasks from all queues."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--interval", type=float, default=1.0, help="detik antar-pemeriksaan / seconds between looks"
        )
        parser.add_argument(
            "--batch", action="store_true", help="jalankan tugas yang ada lalu berhenti / run what is queued, then exit"
        )
        parser.add_argument("--max-tasks", type=int, default=None)

    def handle(self, *args: Any, interval: float, batch: bool, max_tasks: int | None, **options: Any) -> None:
        worker_run(interval=interval, batch=batch, max_tasks=max_tasks)
