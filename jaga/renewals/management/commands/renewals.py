"""``jaga renewals``: the register's maintenance from the command line.

- ``rdap-bootstrap-refresh [--url URL]``: fetch IANA's RDAP bootstrap (dns.json) into the data folder;
- ``check [--institution SLUG] [--force]``: run the daily run now (look-ups, cases, reminders, escalation);
- ``lookup DOMAIN [--server URL]``: look one domain up through RDAP and print what the registry says.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jaga.core import http


class Command(BaseCommand):
    # Django's system checks import every URL module and API router (0.8 CPU s at every start); `jaga check`
    # and the test suite run them.
    requires_system_checks: list[str] = []
    help = "Register perpanjangan: bootstrap RDAP, pemeriksaan harian, cek satu domain / renewals register tools"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        refresh = sub.add_parser("rdap-bootstrap-refresh", help="ambil dns.json IANA / fetch IANA's dns.json")
        refresh.add_argument("--url", default="", help="alamat lain (uji) / another address (tests)")
        check = sub.add_parser("check", help="jalankan pemeriksaan harian sekarang / run the daily run now")
        check.add_argument("--institution", default="", help="kode singkat instansi / institution slug")
        check.add_argument("--force", action="store_true", help="tanpa cache RDAP / bypass the RDAP cache")
        lookup = sub.add_parser("lookup", help="cek satu domain / look one domain up")
        lookup.add_argument("domain")
        lookup.add_argument("--server", default="", help="alamat dasar server RDAP / RDAP base URL")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "rdap-bootstrap-refresh":
            self._refresh(options["url"])
        elif action == "check":
            self._check(options["institution"], options["force"])
        else:
            self._lookup(options["domain"], options["server"])

    def _refresh(self, url: str) -> None:
        from jaga.renewals.rdap.bootstrap import IANA_URL, BootstrapError, bootstrap_summary
        from jaga.renewals.rdap.client import bootstrap_refresh

        try:
            stored = bootstrap_refresh(url=url or IANA_URL)
        except (http.HttpError, BootstrapError) as exc:
            raise CommandError(
                f"bootstrap RDAP tidak diperbarui; yang lama tetap dipakai / not refreshed: {exc}"
            ) from None
        summary = bootstrap_summary(stored)
        self.stdout.write(
            f"bootstrap RDAP diperbarui / refreshed: {summary['suffixes']} TLD, terbit / published "
            f"{summary['publication'] or '-'}, {summary['path']}"
        )

    def _check(self, slug: str, force: bool) -> None:
        from jaga.core.models import Institution
        from jaga.renewals.services.daily import renewals_daily_run

        institutions = Institution.objects.filter(renewal_services__isnull=False).distinct()
        if slug:
            institutions = Institution.objects.filter(slug=slug)
            if not institutions.exists():
                raise CommandError(f"instansi {slug!r} tidak ada / no such institution")
        failures = 0
        for institution in institutions:
            report = renewals_daily_run(institution=institution, force_lookup=force)
            self.stdout.write(
                f"{institution.slug}: diperiksa {report.checked}, kasus dibuka {report.opened}, pengingat "
                f"{report.reminded}, eskalasi {report.escalated}, berakhir {report.expired}"
            )
            for failure in report.failed:
                self.stderr.write(f"  gagal / failed: {failure}")
            failures += len(report.failed)
        if failures:
            raise CommandError(f"{failures} layanan gagal diperiksa / {failures} services failed (see above)")

    def _lookup(self, domain: str, server: str) -> None:
        from django.core.exceptions import ValidationError

        from jaga.renewals.kinds.domain import registered_name
        from jaga.renewals.rdap.lookup import domain_expiry

        try:
            name = registered_name(domain)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        finding = domain_expiry(domain=name, server=server, force=True)
        self.stdout.write(f"domain: {name}")
        self.stdout.write(f"status: {finding.status}")
        self.stdout.write(
            "berakhir / expires: "
            + (finding.expires_at.isoformat() if finding.expires_at else "tidak diketahui / unknown")
        )
        self.stdout.write(f"registrar: {finding.registrar or '-'}")
        self.stdout.write(f"status registri / registry status: {', '.join(finding.statuses) or '-'}")
        self.stdout.write(f"name server: {', '.join(finding.nameservers) or '-'}")
        self.stdout.write(f"sumber / source: {finding.url or '-'}")
        if finding.error:
            self.stdout.write(f"catatan / note: {finding.error}")
        if finding.status == "failed":
            raise CommandError(finding.error)
