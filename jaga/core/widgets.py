"""Date and date-time inputs that read as the institution writes dates: dd/mm/yyyy, in either language.

A browser draws ``<input type="date">`` in its own locale, so an English (or headless) browser shows
MM/DD/YYYY to a court that writes 24/11/2026. These are text inputs instead, drawn in the institution's
format with a placeholder that says it ("hh/bb/tttt" for an Indonesian reader, "dd/mm/yyyy" for an English
one); the fields accept that and ISO dates (``2026-11-24``, what scripts and the API send). The catalogue's
``DATE_INPUT_FORMATS`` of both languages (jaga/formats) carry the same formats, so a form field keeps its
default parsing.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

DAY_FORMAT = "%d/%m/%Y"
MOMENT_FORMAT = "%d/%m/%Y %H.%M"


class DayInput(forms.DateInput):
    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        defaults = {
            "placeholder": _("hh/bb/tttt"),
            "inputmode": "numeric",
            "autocomplete": "off",
            "size": "10",
            "class": "date-input",
            "pattern": r"\d{1,2}[/\-]\d{1,2}[/\-]\d{4}|\d{4}-\d{2}-\d{2}",
            "title": _("Tanggal sebagai hh/bb/tttt, mis. 24/11/2026"),
        }
        super().__init__(attrs={**defaults, **(attrs or {})}, format=DAY_FORMAT)


class MomentInput(forms.DateTimeInput):
    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        defaults = {
            "placeholder": _("hh/bb/tttt jj.mm"),
            "autocomplete": "off",
            "size": "16",
            "class": "date-input",
            "pattern": r"\d{1,2}/\d{1,2}/\d{4}[ T]\d{1,2}[.:]\d{2}|\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}",
            "title": _("Tanggal dan jam sebagai hh/bb/tttt jj.mm, mis. 24/11/2026 14.05"),
        }
        super().__init__(attrs={**defaults, **(attrs or {})}, format=MOMENT_FORMAT)
