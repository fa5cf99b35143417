"""One template, two outputs: the letter as HTML (the page includes ``reports/_letter.html``) and as PDF."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import translation

from jaga.reports.document import Document

CSS_PATH = Path(__file__).parent / "static" / "reports" / "letter.css"


@cache
def letter_css() -> str:
    return CSS_PATH.read_text(encoding="utf-8")


def html_render(doc: Document) -> str:
    """The whole letter as a standalone HTML document (the PDF's source)."""
    with translation.override(doc.language):
        return render_to_string("reports/letter_pdf.html", {"doc": doc, "css": letter_css()})


def pdf_render(doc: Document) -> bytes:
    """The PDF of ``doc`` through WeasyPrint. Nothing is fetched: the logo is inlined and the fonts are local."""
    from weasyprint import HTML  # imported here: loading Pango costs a second that pages never need

    result = HTML(string=html_render(doc), base_url=None).write_pdf()
    assert result is not None
    return bytes(result)
