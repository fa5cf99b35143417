from __future__ import annotations

import datetime as dt

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def durasi(value: dt.timedelta | None) -> str:
    """``2 jam``, ``1 hari 3 jam``, ``15 menit``, ``40 detik`` — never Python's ``2:00:00``."""
    if value is None:
        return "—"
    seconds = int(value.total_seconds())
    if seconds < 60:
        return _("%(n)d detik") % {"n": seconds}
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = []
    if days:
        parts.append(_("%(n)d hari") % {"n": days})
    if hours:
        parts.append(_("%(n)d jam") % {"n": hours})
    if minutes:
        parts.append(_("%(n)d menit") % {"n": minutes})
    return " ".join(parts)
