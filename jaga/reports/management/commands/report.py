"""``jaga report``: reports from the command line.

- ``build KIND --institution SLUG --period YYYY-MM [--site SLUG] [--lang id|en] --pdf FILE [--draft]``: build the
  report, issue it (its letter number, its content and PDF kept in the archive) and write the PDF to FILE;
  ``--draft`` writes an unnumbered draft and keeps nothing.
- ``evidence-pack --institution SLUG --period YYYY-MM --out FILE.zip [--lang id|en]``: the accreditation evidence
  pack of the period (see :mod:`jaga.reports.evidence`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    # Django's system checks import every URL module and API router (0.8 CPU s at every start); `jaga check`
    # and the test suite run them.
    requires_system_checks: list[str] = []
    help = "Laporan: susun dan terbitkan laporan sebagai PDF / build and issue reports as PDF"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        build = sub.add_parser("build", help="susun laporan ke PDF / build a report into a PDF")
        build.add_argument("kind", help="jenis laporan / report kind (situation, ...)")
        build.add_argument("--institution", required=True, help="kode singkat instansi / institution slug")
        build.add_argument("--period", required=True, help="YYYY-MM, YYYY-MM-DD atau/or YYYY-MM-DD..YYYY-MM-DD")
        build.add_argument("--site", default="", help="satu situs (id atau nama) / one site (id or name)")
        build.add_argument("--lang", default="id", choices=["id", "en"], help="bahasa / language")
        build.add_argument("--pdf", required=True, help="berkas PDF yang ditulis / PDF file to write")
        build.add_argument("--draft", action="store_true", help="konsep tanpa nomor, tidak disimpan / unnumbered draft")

        pack = sub.add_parser("evidence-pack", help="paket bukti akreditasi / accreditation evidence pack")
        pack.add_argument("--institution", required=True, help="kode singkat instansi / institution slug")
        pack.add_argument("--period", required=True, help="YYYY-MM, YYYY-MM-DD atau/or YYYY-MM-DD..YYYY-MM-DD")
        pack.add_argument("--out", required=True, help="berkas zip yang ditulis / zip file to write")
        pack.add_argument("--lang", default="id", choices=["id", "en"], help="bahasa / language")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "evidence-pack":
            self._evidence_pack(options)
        else:
            self._build(options)

    def _evidence_pack(self, options: dict[str, Any]) -> None:
        from jaga.core.models import Institution
        from jaga.reports.evidence import evidence_pack_write
        from jaga.reports.formatting import period_parse

        institution = Institution.objects.filter(slug=options["institution"]).first()
        if institution is None:
            raise CommandError(f"instansi {options['institution']!r} tidak ada / no such institution")
        target = Path(options["out"])
        if not target.parent.exists():
            raise CommandError(f"folder {target.parent} tidak ada / folder does not exist")
        try:
            period = period_parse(options["period"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        pack = evidence_pack_write(institution=institution, period=period, out=target, language=options["lang"])
        executions = sum(part.total for part in pack.parts)
        self.stdout.write(
            f"{target}: {target.stat().st_size} bytes, {len(pack.files)} berkas / files, "
            f"{executions} pelaksanaan / executions"
        )

    def _build(self, options: dict[str, Any]) -> None:
        from django.db import transaction

        from jaga.core.models import Institution, Site
        from jaga.reports import services
        from jaga.reports.formatting import period_parse

        institution = Institution.objects.filter(slug=options["institution"]).first()
        if institution is None:
            raise CommandError(f"instansi {options['institution']!r} tidak ada / no such institution")
        site = None
        if options["site"]:
            sites = Site.objects.filter(institution=institution)
            key = options["site"]
            site = (sites.filter(pk=int(key)) if key.isdigit() else sites.filter(name=key)).first()
            if site is None:
                raise CommandError(f"situs {key!r} tidak ada di {institution.slug} / no such site")
        target = Path(options["pdf"])
        if not target.parent.exists():
            raise CommandError(f"folder {target.parent} tidak ada / folder does not exist")
        try:
            period = period_parse(options["period"])
            if options["draft"]:
                with transaction.atomic():
                    report = services.report_create(
                        institution=institution,
                        kind=options["kind"],
                        period=period,
                        site=site,
                        language=options["lang"],
                    )
                    data = services.report_pdf_bytes(report=report)
                    transaction.set_rollback(True)
                number = "-"
            else:
                report = services.report_create(
                    institution=institution, kind=options["kind"], period=period, site=site, language=options["lang"]
                )
                report = services.report_issue(report=report)
                data = services.report_pdf_bytes(report=report)
                number = report.number
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        partial = target.with_name(target.name + ".part")
        partial.write_bytes(data)
        partial.replace(target)  # never a half-written PDF under the name asked for
        self.stdout.write(f"{target}: {len(data)} bytes, nomor / number {number}")
