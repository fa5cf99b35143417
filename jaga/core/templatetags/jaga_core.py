from __future__ import annotations

import datetime
from typing import Any

from django import template

register = template.Library()


@register.filter
def minutes(value: Any) -> int:
    """A timedelta (or seconds) as whole minutes, rounded up: the lock-out message says 'N menit'."""
    if isinstance(value, datetime.timedelta):
        seconds = value.total_seconds()
    else:
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            return 0
    return int(-(-seconds // 60))


@register.filter
def audit_via(value: Any) -> str:
    """An audit event's ``via`` (``token: skrip``, ``worker``...) in the reader's language."""
    from jaga.core.audit import via_label

    return via_label(str(value or ""))


@register.filter
def with_errors(fields: Any) -> list[tuple[Any, Any]]:
    """The (field, errors) pairs of a form template's ``fields`` that have errors (the error summary)."""
    return [(field, errors) for field, errors in fields or () if errors]
