"""Parse an SOP text (the layout of the PN Bangil "SOP PENGELOLAAN WEBSITE") into plain data.

The parser only reads; :func:`jaga.sop.services.sop_seed_from_file` stores. Anything it does not
understand raises :class:`SopParseError` naming the file, the line and what was expected, in
Indonesian and English, so that a court can fix its own text.

Layout understood:

- header lines ``Nomor SOP<TAB>…``, ``Tanggal Pembuatan<TAB>19 September 2016``, ``Tanggal Revisi``,
  ``Tanggal Efektif``, ``Disahkan oleh`` (dates with Indonesian or English month names);
- the title, the first line that starts with ``SOP `` after the header;
- sections headed ``Dasar Hukum :``, ``Keterkaitan :``, ``Peringatan :``, ``Kualifikasi Pelaksana :``,
  ``Peralatan/ Perlengkapan :`` whose items are numbered ``1. …`` or ``- 1 …`` (unnumbered lines
  continue the previous item);
- the activity table under ``Pencatatan dan pendataan :``: a header row starting ``No<TAB>``, a second
  header row naming the executors, then one tab-separated row per activity: number, activity, four
  executor columns (Staff P2TI, Kasubbag PTIP, Kasubbag Umum dan Keuangan, Sekretaris; any mark means
  "executes"), requirements, time ("2 jam", "15 menit", "Relatif"), output, remarks.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from jaga.core.dates import MONTHS
from jaga.core.models import Role
from jaga.sop.keys import activity_key_recurring, activity_keys_assign

DEFAULT_SOP_FILE = Path(__file__).resolve().parent / "data" / "sop-pengelolaan-website-pn-bangil.txt"

# The PN Bangil text leaves the executor columns empty (the marks were graphics in the original).
# DESIGN.md assigns them from the activities' content: the IT staff with their supervisor for the
# technical work, Finance and the Secretary for renewals, the Secretary for the situation report. They are
# given by activity key (jaga.sop.keys), so that an SOP numbering its activities differently gets the same.
DEFAULT_EXECUTORS: dict[str, list[str]] = {
    "monitoring": [Role.STAFF_P2TI, Role.KASUBBAG_PTIP],
    "backup": [Role.STAFF_P2TI, Role.KASUBBAG_PTIP],
    "traffic": [Role.STAFF_P2TI, Role.KASUBBAG_PTIP],
    "renewal": [Role.STAFF_P2TI, Role.KASUBBAG_UMUM, Role.SEKRETARIS],
    "report": [Role.STAFF_P2TI, Role.SEKRETARIS],
    "incident_action": [Role.STAFF_P2TI, Role.KASUBBAG_PTIP],
    "troubleshooting": [Role.STAFF_P2TI, Role.KASUBBAG_PTIP],
}
EXECUTOR_COLUMNS = [Role.STAFF_P2TI, Role.KASUBBAG_PTIP, Role.KASUBBAG_UMUM, Role.SEKRETARIS]

# The SOP gives time standards, not rhythms. Jaga reads the time standard of the activities whose key is
# recurring (monitoring, backup) as how often they are due; the others happen when needed.


TIME_UNITS = {
    "detik": dt.timedelta(seconds=1),
    "menit": dt.timedelta(minutes=1),
    "jam": dt.timedelta(hours=1),
    "hari": dt.timedelta(days=1),
    "minggu": dt.timedelta(weeks=1),
    "pekan": dt.timedelta(weeks=1),
    "bulan": dt.timedelta(days=30),
}
RELATIVE_WORDS = {"relatif", "relative", "-", ""}

HEADER_FIELDS = {
    "nomor sop": "number",
    "tanggal pembuatan": "created_date",
    "tanggal revisi": "revision_date",
    "tanggal efektif": "effective_date",
    "disahkan oleh": "approved_by",
}
SECTIONS = {
    "dasar hukum": "legal_bases",
    "keterkaitan": "related_sops",
    "peringatan": "warning",
    "kualifikasi pelaksana": "qualifications",
    "peralatan/perlengkapan": "equipment",
    "peralatan / perlengkapan": "equipment",
    "peralatan": "equipment",
    "pencatatan dan pendataan": "activities",
}
ITEM_RE = re.compile(r"^(?:[-•*]\s*)?(\d+)\s*[.)]?\s+(\S.*)$")
ACTIVITY_COLUMNS = 10  # No, Aktivitas, 4 executors, Persyaratan, Waktu, Output, Ket


class SopParseError(ValueError):
    """The text is not an SOP this parser understands. ``str()`` is ``file:line: message``."""

    def __init__(self, path: str, line: int, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        super().__init__(f"{path}:{line}: {message}")


@dataclass
class ParsedActivity:
    number: int
    description: str
    executors: list[str]
    requirements: str
    time_standard: dt.timedelta | None
    time_standard_label: str
    output: str
    recurrence: dt.timedelta | None
    line: int
    key: str = ""  # the activity key its description matches (jaga.sop.keys); "" when none or several


@dataclass
class ParsedSop:
    source: str
    number: str = ""
    title: str = ""
    created_date: dt.date | None = None
    revision_date: dt.date | None = None
    effective_date: dt.date | None = None
    approved_by: str = ""
    legal_bases: list[str] = field(default_factory=list)
    related_sops: list[str] = field(default_factory=list)
    warning: str = ""
    qualifications: list[str] = field(default_factory=list)
    equipment: list[str] = field(default_factory=list)
    activities: list[ParsedActivity] = field(default_factory=list)


def parse_date(text: str) -> dt.date | None:
    """``19 September 2016`` (Indonesian or English month) or ``2016-09-19``; empty is None."""
    text = text.strip().strip("*").strip()
    if not text or text == "-":
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    match = re.fullmatch(r"(\d{1,2})\s+([A-Za-z]+)\.?\s+(\d{4})", text)
    if not match or match.group(2).lower() not in MONTHS:
        raise ValueError(
            f"tanggal tidak dikenali {text!r}, diharapkan mis. '19 September 2016' / "
            f"unrecognised date {text!r}, expected e.g. '19 September 2016'"
        )
    day, month, year = int(match.group(1)), MONTHS[match.group(2).lower()], int(match.group(3))
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"tanggal tidak ada {text!r} / no such date {text!r}") from None


def parse_time_standard(text: str) -> dt.timedelta | None:
    """``2 jam``, ``15 menit``, ``1 hari``, ``Relatif`` (None)."""
    cleaned = text.strip().lower()
    if cleaned in RELATIVE_WORDS:
        return None
    match = re.fullmatch(r"(\d+(?:[.,]\d+)?)\s*([a-z]+)", cleaned)
    if not match or match.group(2) not in TIME_UNITS:
        raise ValueError(
            f"waktu tidak dikenali {text!r}, diharapkan mis. '2 jam', '15 menit' atau 'Relatif' / "
            f"unrecognised time {text!r}, expected e.g. '2 jam', '15 menit' or 'Relatif'"
        )
    amount = float(match.group(1).replace(",", "."))
    if amount <= 0:
        raise ValueError(f"waktu harus positif: {text!r} / time must be positive: {text!r}")
    return amount * TIME_UNITS[match.group(2)]


def _heading(line: str) -> str | None:
    """The section key when ``line`` is a section heading (``Dasar Hukum :``), else None."""
    stripped = line.strip().strip("*").strip()
    if not stripped.endswith(":"):
        return None
    name = re.sub(r"\s+", " ", stripped[:-1].strip().lower())
    name = re.sub(r"\s*/\s*", "/", name)
    return SECTIONS.get(name) or SECTIONS.get(name.replace("/", " / "))


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class _Parser:
    def __init__(self, text: str, source: str) -> None:
        self.lines = text.splitlines()
        self.source = source
        self.result = ParsedSop(source=source)
        self.section: str | None = None
        self.seen_sections: set[str] = set()
        self.table_header_seen = False
        self.first_section_line: int | None = None

    def fail(self, line_no: int, message: str) -> SopParseError:
        return SopParseError(self.source, line_no, message)

    def parse(self) -> ParsedSop:
        for index, raw in enumerate(self.lines, start=1):
            self.feed(index, raw.rstrip("\r"))
        return self.finish()

    def feed(self, line_no: int, line: str) -> None:
        if not line.strip():
            return
        section = _heading(line)
        if section is not None:
            if section in self.seen_sections:
                raise self.fail(line_no, f"bagian '{line.strip()}' muncul dua kali / section appears twice")
            self.seen_sections.add(section)
            self.section = section
            return
        if self.section is None:
            self.feed_header(line_no, line)
        elif self.section == "activities":
            self.feed_table(line_no, line)
        elif self.section == "warning":
            self.result.warning = _clean(f"{self.result.warning} {line}")
        else:
            self.feed_item(line_no, line, getattr(self.result, self.section))

    def feed_header(self, line_no: int, line: str) -> None:
        if "\t" in line:
            key, _, value = line.partition("\t")
            attribute = HEADER_FIELDS.get(_clean(key).lower().rstrip(":").strip())
            if attribute is None:
                return  # letterhead lines with tabs (address, phone) are not SOP data
            value = _clean(value.replace("\t", " "))
            if attribute.endswith("_date"):
                try:
                    setattr(self.result, attribute, parse_date(value))
                except ValueError as exc:
                    raise self.fail(line_no, str(exc)) from None
            else:
                setattr(self.result, attribute, value)
            return
        if _clean(line).lower().rstrip(":").strip() in HEADER_FIELDS:
            return  # a header field with nothing after it (e.g. no revision date)
        stripped = _clean(line.strip("*"))
        if not self.result.title and self.result.number and stripped.upper().startswith("SOP "):
            self.result.title = stripped

    def feed_item(self, line_no: int, line: str, items: list[str]) -> None:
        match = ITEM_RE.match(line.strip())
        if match:
            number, text = int(match.group(1)), _clean(match.group(2))
            if number != len(items) + 1:
                raise self.fail(
                    line_no,
                    f"nomor butir {number} tidak berurutan, diharapkan {len(items) + 1} / "
                    f"item number {number} out of sequence, expected {len(items) + 1}",
                )
            items.append(text)
        elif items:
            items[-1] = _clean(f"{items[-1]} {line}")
        else:
            raise self.fail(
                line_no,
                "diharapkan butir bernomor seperti '1. …' atau '- 1 …' / "
                "expected a numbered item like '1. …' or '- 1 …'",
            )

    def feed_table(self, line_no: int, line: str) -> None:
        cells = [cell.strip() for cell in line.split("\t")]
        if not self.table_header_seen:
            if cells[0].lower() != "no":
                raise self.fail(
                    line_no,
                    "diharapkan baris judul tabel yang diawali 'No<TAB>Aktivitas' / "
                    "expected the table header starting 'No<TAB>Aktivitas'",
                )
            self.table_header_seen = True
            return
        if not cells[0]:
            return  # second header row (executor names) or an empty continuation cell
        if not cells[0].isdigit():
            raise self.fail(
                line_no,
                f"diharapkan nomor aktivitas di kolom pertama, ditemukan {cells[0]!r} / "
                f"expected an activity number in the first column, found {cells[0]!r}",
            )
        if len(cells) < ACTIVITY_COLUMNS - 1:
            raise self.fail(
                line_no,
                f"baris aktivitas harus punya {ACTIVITY_COLUMNS} kolom dipisah TAB, ditemukan {len(cells)} / "
                f"an activity row needs {ACTIVITY_COLUMNS} tab-separated columns, found {len(cells)}",
            )
        number = int(cells[0])
        if number < 1 or any(activity.number == number for activity in self.result.activities):
            raise self.fail(
                line_no, f"nomor aktivitas {number} ganda atau tidak sah / duplicate or invalid activity number"
            )
        description = _clean(cells[1])
        if not description:
            raise self.fail(line_no, "kolom Aktivitas kosong / the activity column is empty")
        marked = [role for role, cell in zip(EXECUTOR_COLUMNS, cells[2:6], strict=True) if cell]
        executors = [str(role) for role in marked]  # empty: the key's defaults, once keys are assigned
        label = _clean(cells[7])
        try:
            time_standard = parse_time_standard(label)
        except ValueError as exc:
            raise self.fail(line_no, f"kolom Waktu: {exc} / column Waktu") from None
        self.result.activities.append(
            ParsedActivity(
                number=number,
                description=description,
                executors=executors,
                requirements=_clean(cells[6]),
                time_standard=time_standard,
                time_standard_label=label or "Relatif",
                output=_clean(cells[8]),
                recurrence=None,
                line=line_no,
            )
        )

    def finish(self) -> ParsedSop:
        last = len(self.lines) or 1
        if not self.result.number:
            raise self.fail(last, "baris 'Nomor SOP<TAB>…' tidak ditemukan / no 'Nomor SOP<TAB>…' line found")
        if not self.result.title:
            raise self.fail(last, "judul 'SOP …' tidak ditemukan / no 'SOP …' title line found")
        if not self.result.activities:
            raise self.fail(
                last,
                "tabel aktivitas di bawah 'Pencatatan dan pendataan :' kosong atau tidak ada / "
                "no activity table under 'Pencatatan dan pendataan :'",
            )
        keys = activity_keys_assign({activity.number: activity.description for activity in self.result.activities})
        for activity in self.result.activities:
            activity.key = keys.get(activity.number, "")
            if not activity.executors:
                activity.executors = [str(role) for role in DEFAULT_EXECUTORS.get(activity.key, [Role.STAFF_P2TI])]
            if activity_key_recurring(activity.key):
                activity.recurrence = activity.time_standard
        return self.result


def sop_parse_text(*, text: str, source: str = "<teks>") -> ParsedSop:
    return _Parser(text, source).parse()


def sop_parse_file(*, path: Path | str) -> ParsedSop:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SopParseError(str(path), 0, f"tidak dapat dibaca / cannot be read: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SopParseError(str(path), line, "bukan teks UTF-8 / not UTF-8 text") from None
    return sop_parse_text(text=text, source=str(path))
