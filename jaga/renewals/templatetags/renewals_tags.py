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


@register.filter
def rdap_statuses(statuses: Any) -> str:
    """A registry's RDAP status values, each as a person reads it, joined with commas."""
    from jaga.renewals.rdap.statuses import rdap_status_label

    return ", ".join(str(rdap_status_label(str(status))) for status in statuses or ())
