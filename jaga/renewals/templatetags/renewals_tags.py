from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def absolute(value: Any) -> Any:
    """``-5`` → ``5`` (days ago read as a count)."""
    try:
        return abs(int(value))
    except (TypeError, ValueError):
        return value
