from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from jaga.conf import StartupError, parse_listen
from jaga.core.processes.web import web_serve


class Command(BaseCommand):
    help = "Menjalankan situs web Jaga (waitress) / serve the Jaga web site (waitress)."
    requires_system_checks = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--listen", help="HOST:PORT (bawaan / default: JAGA_LISTEN)")
        parser.add_argument("--threads", type=int, help="jumlah thread (bawaan / default: JAGA_WEB_THREADS)")

    def handle(self, *args: Any, listen: str | None, threads: int | None, **options: Any) -> None:
        host, port = settings.JAGA_LISTEN
        source = "JAGA_LISTEN"
        if listen:
            source = "--listen"
            try:
                host, port = parse_listen(listen)
            except ValueError as exc:
                raise StartupError(f"--listen {listen!r}: {exc}") from None
        if threads is not None and threads < 1:
            raise StartupError("--threads harus lebih dari 0 / must be greater than 0")
        web_serve(host=host, port=port, threads=threads or settings.JAGA_WEB_THREADS, source=source)
