"""``{{ entry.notes|ledger_notes }}``: a ledger entry's notes in the reader's language, one line each.

A line that Jaga itself wrote (:data:`jaga.sop.services.SYSTEM_NOTES`, stored as its Indonesian message) is
translated; a line a person wrote is shown as it was written. Lines are escaped and joined with ``<br>``.
"""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from jaga.sop.services import SYSTEM_NOTES

register = template.Library()


@register.filter
def ledger_notes(notes: str) -> SafeString:
    lines = [gettext(line) if line.strip() in SYSTEM_NOTES else line for line in (notes or "").splitlines()]
    return mark_safe("<br>".join(conditional_escape(line) for line in lines))  # noqa: S308 (each line escaped)
