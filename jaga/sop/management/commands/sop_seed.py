"""``jaga sop_seed``: store the SOP (the PN Bangil template, or a court's own text) unless it exists."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jaga.core.models import Institution
from jaga.sop.seed import DEFAULT_SOP_FILE, SopParseError
from jaga.sop.services import sop_seed_from_file


class Command(BaseCommand):
    # Django's system checks import every URL module and API router (0.8 CPU s at every start); `jaga check`
    # and the test suite run them.
    requires_system_checks: list[str] = []
    help = (
        "Menyimpan SOP dari berkas teks (bawaan: SOP Pengelolaan Website PN Bangil) sebagai templat atau SOP "
        "sebuah instansi; SOP dengan nomor yang sudah ada tidak diubah. / Stores an SOP from a text file."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--file", help="Berkas teks SOP / SOP text file (bawaan / default: the PN Bangil SOP)")
        parser.add_argument("--institution", help="Kode singkat instansi / institution slug (bawaan: templat)")

    def handle(self, *args: Any, **options: Any) -> None:
        institution = None
        if options["institution"]:
            institution = Institution.objects.filter(slug=options["institution"]).first()
            if institution is None:
                raise CommandError(
                    f"instansi {options['institution']!r} tidak ada / no institution {options['institution']!r}"
                )
        path = options["file"] or DEFAULT_SOP_FILE
        try:
            sop, created = sop_seed_from_file(path=path, institution=institution)
        except SopParseError as exc:
            raise CommandError(f"SOP tidak disimpan / SOP not stored: {exc}") from None
        owner = institution.name if institution else "templat / template"
        if created:
            self.stdout.write(f"SOP {sop.number} disimpan untuk {owner} ({sop.activities.count()} aktivitas) / stored")
        else:
            self.stdout.write(f"SOP {sop.number} sudah ada untuk {owner}, tidak diubah / already exists, unchanged")
