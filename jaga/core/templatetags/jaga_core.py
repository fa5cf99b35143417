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
