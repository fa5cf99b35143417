"""What a builder produces: a document of sections, tables, charts and paragraphs, already in the report's
language, that one template turns into the web page and the PDF.

A document is plain data (strings, numbers, lists), so that an issued report keeps it as JSON
(``Report.content``) and is shown again exactly as it was issued. Charts are SVG text made by
:mod:`jaga.reports.charts`, never by the user's input.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any


class SectionState:
    OK = "ok"  # the section has data
    EMPTY = "empty"  # the app is there but had nothing in the period
    UNAVAILABLE = "unavailable"  # the app that would fill it is not installed in this Jaga yet


@dataclass
class Table:
    """A table of the letter. ``shown`` caps the rows the letter prints (the first ones: a letter to the
    Secretary lists the worst and says how many there are); its CSV always has every row."""

    key: str  # a name for its CSV file
    title: str
    headers: list[str]
    rows: list[list[str]]
    note: str = ""
    shown: int | None = None  # None: the letter prints every row

    @property
    def letter_rows(self) -> list[list[str]]:
        return self.rows if self.shown is None else self.rows[: self.shown]

    @property
    def is_capped(self) -> bool:
        return self.shown is not None and len(self.rows) > self.shown


@dataclass
class Chart:
    title: str
    svg: str
    caption: str = ""


@dataclass
class Section:
    key: str
    title: str
    state: str = SectionState.OK
    paragraphs: list[str] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)  # label, value
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)  # what the conclusions rules found in this section
    recommendations: list[str] = field(default_factory=list)


@dataclass
class Document:
    kind: str
    title: str  # "LAPORAN TENTANG ..."
    subject: str  # the letter's "Perihal"
    language: str
    institution: dict[str, str]  # name, address, city, phone, email, website, logo (data: URI or "")
    period_label: str
    period_start: str  # ISO dates
    period_end: str
    scope_label: str  # "semua situs (3)" or the site's name
    introduction: dict[str, list[str]]  # umum, maksud, ruang_lingkup, dasar
    activities: Table | None  # B. Kegiatan yang Dilaksanakan
    sections: list[Section]  # C. Hasil yang Dicapai
    conclusions: list[str]  # D. Simpulan
    recommendations: list[str]  # D. Saran
    closing: str  # E. Penutup
    addressee: str
    place: str
    date_label: str  # "24 November 2026"
    signer: dict[str, str]  # position, name, nip
    number: str = ""
    labels: dict[str, str] = field(default_factory=dict)  # the template's fixed words in the document's language

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Document:
        data = dict(data)
        data["activities"] = Table(**data["activities"]) if data.get("activities") else None
        sections = []
        for raw in data.get("sections", []):
            raw = dict(raw)
            raw["tables"] = [Table(**t) for t in raw.get("tables", [])]
            raw["charts"] = [Chart(**c) for c in raw.get("charts", [])]
            raw["facts"] = [tuple(pair) for pair in raw.get("facts", [])]
            sections.append(Section(**raw))
        data["sections"] = sections
        return cls(**data)

    def tables(self) -> list[Table]:
        """Every table of the document, for CSV downloads."""
        found = [self.activities] if self.activities else []
        for section in self.sections:
            found.extend(section.tables)
        return found


@dataclass(frozen=True)
class Period:
    """Whole days, ``start`` to ``end`` inclusive, in the institution's calendar."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def is_month(self) -> bool:
        next_day = self.end + dt.timedelta(days=1)
        return self.start.day == 1 and next_day.day == 1 and (next_day - self.start).days <= 31
