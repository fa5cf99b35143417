"""``jaga demo``: create the demo institution, people, SOP history, monitors and the demo court website."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from jaga.demo.services import HISTORY_DAYS, demo_base_url, demo_create


class Command(BaseCommand):
    # Django's system checks import every URL module and API router (0.8 CPU s at every start); `jaga check`
    # and the test suite run them.
    requires_system_checks: list[str] = []
    help = "Buat institusi demo dengan data contoh (idempoten) / create the demo institution with sample data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset", action="store_true", help="Hapus data demo lama lalu buat ulang / delete the old demo first."
        )
        parser.add_argument(
            "--days", type=int, default=HISTORY_DAYS, help="Lama riwayat contoh dalam hari / days of sample history."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # A fresh data folder has no tables yet: the demo is often the first thing a new user runs.
        call_command("migrate", interactive=False, verbosity=0)
        summary = demo_create(reset=options["reset"], days=max(1, options["days"]))
        out = self.stdout
        assert summary.institution is not None
        out.write(self.style.SUCCESS(f"Demo siap: {summary.institution.name} ({summary.institution.slug})"))
        out.write(f"  Situs demo (disajikan oleh Jaga sendiri): {demo_base_url()}")
        for line in summary.done:
            out.write(f"  ✓ {line}")
        for line in summary.skipped:
            out.write(self.style.WARNING(f"  – dilewati / skipped: {line}"))
        out.write("")
        out.write(self.style.WARNING("AKUN DEMO — hanya untuk percobaan, jangan dipakai di server sungguhan"))
        out.write(self.style.WARNING("DEMO ACCOUNTS — for trying Jaga only, never on a real server"))
        width = max(len(username) for username, _p, _r in summary.users)
        for username, password, role in summary.users:
            out.write(f"  {username.ljust(width)}  {password}  ({role})")
        out.write("")
        host, port = demo_base_url().split("/")[2].rsplit(":", 1)
        out.write(f"Masuk di / log in at http://{host}:{port}/login/ (Administrator dan Sekretaris memakai 2FA).")
