"""``{{ entry.notes|ledger_notes }}``: a ledger entry's notes in the reader's language, one line each.

A line that Jaga itself wrote (a stored sentence, or one of :data:`jaga.sop.services.SYSTEM_NOTES` stored as its
Indonesian message) is read in the reader's language; a line a person wrote is shown as it was written
(:func:`jaga.sop.selectors.ledger_notes_lines`). Lines are escaped and joined with ``<br>``.
"""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from jaga.sop.selectors import ledger_notes_lines

register = template.Library()


@register.filter
def ledger_notes(notes: str) -> SafeString:
    lines = ledger_notes_lines(notes)
    return mark_safe("<br>".join(conditional_escape(line) for line in lines))  # noqa: S308 (each line escaped)
