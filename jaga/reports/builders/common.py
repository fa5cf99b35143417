"""The parts every letter shares: letterhead, A. Pendahuluan, D. Simpulan dan Saran drafted from the sections'
findings, E. Penutup and the signature block."""

from __future__ import annotations

import base64
import mimetypes

from django.utils.translation import gettext as _

from jaga.reports.builders.base import BuildContext
from jaga.reports.document import Document, Section, SectionState, Table
from jaga.reports.formatting import date_long, period_label
from jaga.sop.selectors import sop_for_institution


def logo_data_uri(institution: object) -> str:
    """The institution's logo inlined (the page and the PDF need no file access); "" without one."""
    logo = getattr(institution, "logo", None)
    if not logo:
        return ""
    try:
        with logo.open("rb") as handle:
            data = handle.read()
    except (OSError, ValueError):
        return ""
    mime = mimetypes.guess_type(logo.name)[0] or "image/png"
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def legal_bases(ctx: BuildContext) -> list[str]:
    sop = sop_for_institution(institution=ctx.institution)
    bases = [basis.text for basis in sop.legal_bases.filter(replaced_by__isnull=True).order_by("order", "pk")]
    bases.append(_("%(title)s nomor %(number)s.") % {"title": sop.title, "number": sop.number})
    return bases


def scope_label(ctx: BuildContext) -> str:
    if ctx.site is not None:
        return f"{ctx.site.name} ({ctx.site.base_url})"
    return ", ".join(f"{site.name} ({site.base_url})" for site in ctx.sites) or _("belum ada situs")


def conclusions_draft(sections: list[Section]) -> tuple[list[str], list[str]]:
    """Rules, not guesses: each section's findings become conclusions and its recommendations the advice."""
    conclusions: list[str] = []
    recommendations: list[str] = []
    for section in sections:
        conclusions.extend(section.findings)
        recommendations.extend(item for item in section.recommendations if item not in recommendations)
    unavailable = [section.title for section in sections if section.state == SectionState.UNAVAILABLE]
    if not conclusions:
        conclusions.append(
            _("Website dalam keadaan baik: tidak ada temuan yang memerlukan tindak lanjut pada periode ini.")
        )
    if unavailable:
        conclusions.append(
            _("Bagian berikut belum dapat dilaporkan oleh Jaga: %(names)s.") % {"names": "; ".join(unavailable)}
        )
    if not recommendations:
        recommendations.append(_("Lanjutkan pemantauan, pencadangan dan pembaruan konten sesuai SOP."))
    return conclusions, recommendations


def _edited(text: str) -> tuple[list[str], list[str]] | None:
    """The person's own conclusions: lines, with a line "Saran:" (or "Recommendations:") before the advice."""
    if not text.strip():
        return None
    conclusions: list[str] = []
    recommendations: list[str] = []
    target = conclusions
    for line in text.splitlines():
        stripped = line.strip().lstrip("-•").strip()
        if not stripped:
            continue
        if stripped.rstrip(":").lower() in {"saran", "recommendations", "simpulan", "conclusions"}:
            target = recommendations if stripped.lower().startswith(("saran", "recommend")) else conclusions
            continue
        target.append(stripped)
    return conclusions, recommendations


def conclusions_text(conclusions: list[str], recommendations: list[str]) -> str:
    """The drafted conclusions as the text a person edits (the inverse of the edited form's reading)."""
    return "\n".join([*conclusions, "", _("Saran") + ":", *recommendations])


def document_make(
    ctx: BuildContext,
    *,
    kind: str,
    title: str,
    subject: str,
    purpose: str,
    activities: Table | None,
    sections: list[Section],
    scope: str | None = None,
    scope_line: str | None = None,
) -> Document:
    """The letter; ``scope`` and ``scope_line`` replace the sites in "Ruang Lingkup" (the overview covers
    courts, not sites)."""
    institution = ctx.institution
    scope = scope if scope is not None else scope_label(ctx)
    period = period_label(ctx.period)
    if scope_line is None:
        scope_line = _("Laporan ini mencakup periode %(period)s untuk situs berikut: %(scope)s.") % {
            "period": period,
            "scope": scope,
        }
    conclusions, recommendations = conclusions_draft(sections)
    edited = _edited(ctx.conclusions_text)
    if edited is not None:
        conclusions, recommendations = edited
    issued_on = ctx.now.astimezone(ctx.tz).date()
    return Document(
        kind=kind,
        title=title,
        subject=subject,
        language=ctx.language,
        institution={
            "name": institution.name,
            "address": institution.address,
            "city": institution.city,
            "phone": institution.phone,
            "email": institution.email,
            "website": institution.website,
            "logo": logo_data_uri(institution),
        },
        period_label=period,
        period_start=ctx.period.start.isoformat(),
        period_end=ctx.period.end.isoformat(),
        scope_label=scope,
        introduction={
            "umum": [
                _(
                    "%(institution)s mengelola website sebagai sarana keterbukaan informasi publik. Pengelolaannya "
                    "dipantau terus-menerus oleh Jaga sesuai SOP pengelolaan website."
                )
                % {"institution": institution.name}
            ],
            "maksud": [purpose],
            "ruang_lingkup": [scope_line],
            "dasar": legal_bases(ctx),
        },
        activities=activities,
        sections=sections,
        conclusions=conclusions,
        recommendations=recommendations,
        closing=_("Demikian laporan ini disampaikan untuk menjadi bahan pertimbangan dan tindak lanjut."),
        addressee=_("Yth. Sekretaris %(institution)s") % {"institution": institution.name},
        place=institution.city,
        date_label=date_long(issued_on),
        signer={
            "position": ctx.signer.get("position") or _("Kasubbag Perencanaan, TI dan Pelaporan"),
            "name": ctx.signer.get("name", ""),
            "nip": ctx.signer.get("nip", ""),
        },
        number=ctx.number,
        labels={
            "number": _("Nomor"),
            "subject": _("Perihal"),
            "period": _("Periode"),
            "to": _("Kepada"),
            "a": _("A. Pendahuluan"),
            "umum": _("Umum"),
            "maksud": _("Maksud dan Tujuan"),
            "ruang_lingkup": _("Ruang Lingkup"),
            "dasar": _("Dasar"),
            "b": _("B. Kegiatan yang Dilaksanakan"),
            "c": _("C. Hasil yang Dicapai"),
            "d": _("D. Simpulan dan Saran"),
            "simpulan": _("Simpulan"),
            "saran": _("Saran"),
            "e": _("E. Penutup"),
            "nip": _("NIP"),
            "draft": _("KONSEP — belum bernomor"),
            "phone": _("Telepon"),
            "unavailable": _("belum tersedia"),
            "empty": _("tidak ada data"),
            "page": _("Halaman"),
        },
    )
