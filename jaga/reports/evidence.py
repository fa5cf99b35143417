"""The accreditation evidence pack (AMPUH): one zip, arranged by SOP activity and month, that an auditor reads
without logging in to Jaga.

::

    index.html                      what the pack holds: per activity and month, the executions, the on-time rate,
                                    and every file with its SHA-256 (a month with no execution says so)
    index.csv, SHA256SUMS           every file of the pack with its SHA-256 (``sha256sum -c SHA256SUMS``)
    aktivitas-1/2026-11/ledger.pdf  the month's ledger records of the activity (per day when there are many)
    aktivitas-1/2026-11/ledger.csv  every record, whatever their number
    aktivitas-1/2026-11/bukti/...   the records' evidence files, as uploaded
    aktivitas-5/2026-11/laporan/... the reports sent in the month, the PDFs as they were sent (never re-rendered)

Files are streamed into the zip while their hash is taken, so that a year of evidence never sits in memory; an
evidence file whose content no longer matches the SHA-256 taken at upload is packed and marked as such.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import itertools
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from jaga.core import clock
from jaga.core.models import Institution
from jaga.reports.document import Period
from jaga.reports.formatting import date_long, datetime_long, month_year, number, percent
from jaga.reports.models import Report
from jaga.reports.render import letter_css
from jaga.sop.models import Activity, EvidenceFile, LedgerEntry
from jaga.sop.selectors import activity_entries_q, ledger_notes_text, sop_for_institution

LISTED = 100  # up to this many records a month are listed one by one in the PDF; more are summed up per day
CHUNK = 1 << 20


@dataclass
class PackedFile:
    path: str
    sha256: str
    size: int
    what: str  # ledger PDF, ledger CSV, evidence, report
    note: str = ""  # e.g. the hash differs from the one taken at upload


@dataclass
class MonthPart:
    activity: Activity
    start: dt.date
    end: dt.date
    total: int = 0
    with_standard: int = 0
    on_time: int = 0
    files: list[PackedFile] = field(default_factory=list)

    @property
    def folder(self) -> str:
        return f"aktivitas-{self.activity.number}/{self.start:%Y-%m}"

    @property
    def rate(self) -> str:
        return percent(100.0 * self.on_time / self.with_standard, 1) if self.with_standard else "–"


@dataclass
class Pack:
    institution: Institution
    period: Period
    parts: list[MonthPart]
    files: list[PackedFile]
    made_at: dt.datetime


def months(period: Period) -> Iterator[tuple[dt.date, dt.date]]:
    """The calendar months of the period, clipped to it."""
    start = period.start
    while start <= period.end:
        next_month = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        yield start, min(next_month - dt.timedelta(days=1), period.end)
        start = next_month


class _Writer:
    """Writes members into the zip, each streamed through SHA-256."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.files: list[PackedFile] = []
        self.names: set[str] = set()

    def _unique(self, path: str) -> str:
        candidate, n = path, 1
        while candidate in self.names:
            stem, dot, ext = path.rpartition(".")
            candidate = f"{stem}-{n}.{ext}" if dot else f"{path}-{n}"
            n += 1
        self.names.add(candidate)
        return candidate

    def add_bytes(self, path: str, data: bytes, *, what: str, listed: bool = True) -> PackedFile:
        return self.add_stream(path, io.BytesIO(data), what=what, listed=listed)

    def add_stream(self, path: str, source: IO[bytes], *, what: str, listed: bool = True, note: str = "") -> PackedFile:
        path = self._unique(path)
        digest, size = hashlib.sha256(), 0
        with self.archive.open(path, "w", force_zip64=True) as target:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                target.write(chunk)
                size += len(chunk)
        packed = PackedFile(path=path, sha256=digest.hexdigest(), size=size, what=what, note=note)
        if listed:
            self.files.append(packed)
        return packed


def _safe_name(name: str) -> str:
    keep = "".join(c if c.isalnum() or c in "._-" else "_" for c in Path(name).name)
    return keep.strip("._") or "berkas"


def _entries(institution: Institution, activity: Activity, since: dt.datetime, until: dt.datetime) -> Any:
    return (
        LedgerEntry.objects.filter(activity_entries_q(activity), institution=institution)
        .filter(started_at__gte=since, started_at__lt=until)
        .select_related("performed_by", "site")
        .order_by("started_at", "pk")
    )


def _outcome(entry: LedgerEntry) -> str:
    return str(entry.get_outcome_display())


def _standard(entry: LedgerEntry) -> str:
    if entry.met_standard is None:
        return "–"
    return _("ya") if entry.met_standard else _("tidak")


def _ledger_csv(entries: list[LedgerEntry], tz: ZoneInfo) -> bytes:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(
        [_("Mulai"), _("Selesai"), _("Durasi (detik)"), _("Memenuhi mutu baku"), _("Hasil"), _("Pelaksana"),
         _("Situs"), _("Output"), _("Catatan"), _("Berkas bukti")]
    )  # fmt: skip
    for entry in entries:
        writer.writerow(
            [
                entry.started_at.astimezone(tz).isoformat(timespec="seconds"),
                entry.ended_at.astimezone(tz).isoformat(timespec="seconds") if entry.ended_at else "",
                int(entry.duration.total_seconds()) if entry.duration is not None else "",
                _standard(entry),
                _outcome(entry),
                entry.performer_label,
                entry.site.name if entry.site else "",
                entry.output_repr,
                ledger_notes_text(entry.notes),
                len(entry.evidence.all()),
            ]
        )
    return buffer.getvalue().encode("utf-8")


def _ledger_rows(entries: list[LedgerEntry], tz: ZoneInfo) -> tuple[bool, list[list[str]]]:
    """The month's rows for its PDF: one per record up to ``LISTED``, else one per day."""
    rows: list[list[str]] = []
    if len(entries) <= LISTED:
        for entry in entries:
            rows.append(
                [
                    datetime_long(entry.started_at.astimezone(tz)),
                    _duration(entry.duration),
                    _standard(entry),
                    _outcome(entry),
                    entry.performer_label,
                    entry.site.name if entry.site else "—",
                    (entry.output_repr or ledger_notes_text(entry.notes))[:120],
                ]
            )
        return True, rows
    per_day: dict[dt.date, list[LedgerEntry]] = {}
    for entry in entries:
        per_day.setdefault(entry.started_at.astimezone(tz).date(), []).append(entry)
    for day, found in sorted(per_day.items()):
        rows.append(
            [
                date_long(day),
                number(len(found)),
                number(len([e for e in found if e.met_standard])),
                number(len([e for e in found if e.outcome != "success"])),
                f"{found[0].started_at.astimezone(tz):%H.%M} – {found[-1].started_at.astimezone(tz):%H.%M}",
            ]
        )
    return False, rows


def _ledger_pdfs(activity: Activity, institution: Institution, months: list[dict[str, Any]]) -> list[bytes]:
    """One PDF per month of the activity. The months are laid out as one document (a page break before each)
    and cut into one PDF each by the page their anchor is on: one layout instead of one per month."""
    from weasyprint import HTML  # loaded on first use (Pango costs a second)

    html = render_to_string(
        "reports/evidence/ledger.html",
        {
            "css": letter_css(),
            "institution": institution,
            "activity": activity,
            "months": months,
            "limit": LISTED,
            "language": translation.get_language(),
        },
    )
    document = HTML(string=html, base_url=None).render()
    starts = [
        next(index for index, page in enumerate(document.pages) if month["anchor"] in page.anchors) for month in months
    ]
    bounds = [*starts, len(document.pages)]
    pdfs = []
    for first, last in itertools.pairwise(bounds):
        result = document.copy(document.pages[first:last]).write_pdf()
        assert result is not None
        pdfs.append(bytes(result))
    return pdfs


def _duration(value: dt.timedelta | None) -> str:
    if value is None:
        return "–"
    minutes = round(value.total_seconds() / 60)
    if minutes < 120:
        return _("%(n)s menit") % {"n": number(minutes)}
    return _("%(n)s jam") % {"n": number(round(minutes / 60))}


def _month_part(
    writer: _Writer, institution: Institution, activity: Activity, start: dt.date, end: dt.date, tz: ZoneInfo
) -> tuple[MonthPart, dict[str, Any]]:
    """The month's CSV, evidence files and reports, written now; what its PDF will show (written later)."""
    part = MonthPart(activity=activity, start=start, end=end)
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    entries = list(_entries(institution, activity, since, until).prefetch_related("evidence"))
    part.total = len(entries)
    part.with_standard = len([e for e in entries if e.met_standard is not None])
    part.on_time = len([e for e in entries if e.met_standard])
    listed, rows = _ledger_rows(entries, tz)
    page = {
        "anchor": f"bulan-{start:%Y-%m}",
        "month": month_year(start),
        "part": part,
        "listed": listed,
        "rows": rows,
        "count": number(len(entries)),
    }
    part.files.append(writer.add_bytes(f"{part.folder}/ledger.csv", _ledger_csv(entries, tz), what="ledger_csv"))
    for entry in entries:
        for evidence in entry.evidence.all():
            part.files.append(_evidence(writer, part, entry, evidence))
    if activity.key == "report":
        for report in (
            Report.objects.filter(institution=institution, sent_at__gte=since, sent_at__lt=until)
            .exclude(pdf="")
            .order_by("sent_at", "pk")
        ):
            with report.pdf.open("rb") as handle:
                packed = writer.add_stream(
                    f"{part.folder}/laporan/{_safe_name(report.number.replace('/', '-'))}.pdf", handle, what="report"
                )
            if packed.sha256 != report.pdf_sha256:
                packed.note = _("SHA-256 berbeda dari saat dikirim")
            part.files.append(packed)
    return part, page


def _activity_parts(
    writer: _Writer, institution: Institution, activity: Activity, period: Period, tz: ZoneInfo
) -> list[MonthPart]:
    made = [_month_part(writer, institution, activity, start, end, tz) for start, end in months(period)]
    pdfs = _ledger_pdfs(activity, institution, [page for _part, page in made])
    for (part, _page), pdf in zip(made, pdfs, strict=True):
        part.files.insert(0, writer.add_bytes(f"{part.folder}/ledger.pdf", pdf, what="ledger_pdf"))
    return [part for part, _page in made]


def _evidence(writer: _Writer, part: MonthPart, entry: LedgerEntry, evidence: EvidenceFile) -> PackedFile:
    path = f"{part.folder}/bukti/{entry.pk}-{_safe_name(evidence.original_name)}"
    try:
        with evidence.file.open("rb") as handle:
            packed = writer.add_stream(path, handle, what="evidence")
    except (OSError, ValueError):
        packed = writer.add_bytes(path + ".hilang.txt", _("Berkas bukti tidak ditemukan di penyimpanan.").encode(),
                                  what="evidence")  # fmt: skip
        packed.note = _("berkas tidak ditemukan")
        return packed
    if packed.sha256 != evidence.sha256:
        packed.note = _("SHA-256 berbeda dari saat diunggah")
    return packed


def evidence_pack_write(
    *,
    institution: Institution,
    period: Period,
    out: Path,
    language: str = "id",
    now: dt.datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Pack:
    """Write the pack of ``period`` to ``out`` (through ``out.part``, renamed when complete). ``progress`` is
    told (steps done, steps in all) after each activity and after the index."""
    now = now or clock.now()
    tz = ZoneInfo(institution.time_zone)
    partial = out.with_name(out.name + ".part")
    with translation.override(language):
        sop = sop_for_institution(institution=institution)
        activities = list(sop.activities.order_by("number"))
        try:
            with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
                writer = _Writer(archive)
                steps = len(activities) + 1
                parts: list[MonthPart] = []
                for done, activity in enumerate(activities, 1):
                    parts.extend(_activity_parts(writer, institution, activity, period, tz))
                    if progress is not None:
                        progress(done, steps)
                pack = Pack(institution=institution, period=period, parts=parts, files=writer.files, made_at=now)
                index = render_to_string(
                    "reports/evidence/index.html",
                    {
                        "pack": pack,
                        "sop": sop,
                        "activities": [
                            (activity, [part for part in parts if part.activity.pk == activity.pk])
                            for activity in activities
                        ],
                        "period": f"{date_long(period.start)} – {date_long(period.end)}",
                        "made_at": datetime_long(now.astimezone(tz)),
                        "language": language,
                    },
                )
                writer.add_bytes("index.html", index.encode("utf-8"), what="index")
                listing = io.StringIO()
                rows = csv.writer(listing)
                rows.writerow(["path", "sha256", "size", "what", "note"])
                for packed in writer.files:
                    rows.writerow([packed.path, packed.sha256, packed.size, packed.what, packed.note])
                writer.add_bytes("index.csv", listing.getvalue().encode("utf-8"), what="index", listed=False)
                sums = "".join(f"{packed.sha256}  {packed.path}\n" for packed in writer.files)
                writer.add_bytes("SHA256SUMS", sums.encode("utf-8"), what="index", listed=False)
            if progress is not None:
                progress(steps, steps)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    partial.replace(out)
    return pack
