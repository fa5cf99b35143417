"""The title of an incident a monitor opened (outage, stale content, a missing page, an integrity finding):
"<monitor>: <reason>", kept as a sentence (the monitor's reason is one already) so that it reads in each reader's
language; jaga/incidents/receivers.py fills the details it is made of."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

from jaga.core.sentences import Text, say, say_label

TITLE = gettext_noop("%(monitor)s: %(reason)s")


def monitor_sentence(details: dict[str, Any]) -> Text | None:
    """The title as a sentence, or None (the summary) for an incident whose details do not name the monitor."""
    from jaga.monitoring.models import MonitorStatus
    from jaga.monitoring.reasons import reason_text

    name = details.get("monitor")
    if not name:
        return None
    stored = str(details.get("reason") or "")
    reason: Text | str
    if stored:
        reason = reason_text(stored) or stored  # an older version's plain reason: as it was written
    elif details.get("status") in MonitorStatus.values:
        reason = say_label(MonitorStatus(details["status"]).label)
    else:
        return None
    return say(TITLE, monitor=str(name), reason=reason)
