"""The register of ADK (arsip data komputer): every offline copy on CD, DVD or disk, as a page and a CSV."""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from jaga.backups.selectors import exports_for
from jaga.backups.views.common import institution_for


@login_required
def register(request: HttpRequest, slug: str) -> HttpResponse:
    institution = institution_for(request, slug)
    exports = exports_for(institution=institution)
    if request.GET.get("format") == "csv":
        return _csv(exports, slug)
    return render(request, "backups/register.html", {"institution": institution, "exports": exports})


def _csv(exports: object, slug: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="register-adk-{slug}.csv"'
    response.write("\ufeff")  # spreadsheet programs read UTF-8 only with the mark
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Dibuat"),
            _("Rencana"),
            _("Situs"),
            _("Snapshot"),
            _("Media"),
            _("Label media"),
            _("Jumlah keping"),
            _("Ukuran (bita)"),
            _("Diverifikasi"),
            _("Dibuat oleh"),
            _("Tempat penyimpanan"),
            _("Folder tujuan"),
            "SHA256SUMS",
        ]
    )
    for export in exports:  # type: ignore[attr-defined]
        writer.writerow(
            [
                timezone.localtime(export.created_at).strftime("%Y-%m-%d %H:%M"),
                export.plan.name,
                export.plan.site.name,
                export.snapshot_id[:8],
                export.get_medium_display(),
                export.label,
                export.volumes,
                export.total_bytes,
                timezone.localtime(export.verified_at).strftime("%Y-%m-%d %H:%M") if export.verified_at else "",
                str(export.made_by or ""),
                export.kept_at,
                export.path,
                export.checksums.strip(),
            ]
        )
    return response
