"""What was done about each detection: the incident it opened (its state and the latest action written in its
timeline) and whether its address or subnet is on the site's block list, until when, or why not. The detections
page and the visitor activity log show it beside each detection."""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from jaga.core import clock
from jaga.traffic.models import AllowedNetwork, Detection

WHY_NOT = {
    "": "",
    "site": gettext_lazy("tidak untuk diblokir (seluruh situs atau alamat login, bukan satu klien)"),
    "private": gettext_lazy("tidak diblokir: alamat privat (kemungkinan proksi atau jaringan sendiri)"),
    "allowed": gettext_lazy("tidak diblokir: ada di daftar alamat yang diizinkan"),
    "rule": gettext_lazy("hanya dicatat: aturan ini tidak membuka insiden dan tidak memblokir"),
    "expired": gettext_lazy("blokir sudah berakhir: tidak terlihat lagi selama masa blokir"),
}


@dataclass(frozen=True)
class Response:
    incident_id: int | None = None
    incident_state: str = ""  # the state's label, e.g. "Selesai"
    incident_resolved: bool = False
    action: str = ""  # the latest action or resolution note of the incident, if any
    blocked_until: dt.datetime | None = None
    why_not_blocked: str = ""  # "private", "allowed", "site", "rule", "expired", "" (blocked)


def _value(key: str) -> str | None:
    try:
        network = ipaddress.ip_network(key, strict=False)
    except ValueError:
        return None
    return str(network.network_address) if network.num_addresses == 1 else str(network)


def responses_for(detections: Iterable[Detection], *, now: dt.datetime | None = None) -> dict[int, Response]:
    """Each detection's :class:`Response`, by its id (a few queries for all of them)."""
    from jaga.incidents.models import EntryKind, Incident, TimelineEntry
    from jaga.traffic.detection.rules import rules_all
    from jaga.traffic.selectors import blocklist_entries

    found = list(detections)
    rules = {rule.key: rule for rule in rules_all()}  # once: each look-up would stat every rule file
    now = now or clock.now()
    blocked: dict[int, dict[str, dt.datetime]] = {}
    allowed: dict[int, list[ipaddress.IPv4Network | ipaddress.IPv6Network]] = {}
    for site in {d.site for d in found}:
        blocked[site.pk] = {e.value: e.expires_at for e in blocklist_entries(site=site, now=now)}
        allowed[site.pk] = [
            ipaddress.ip_network(n, strict=False)
            for n in AllowedNetwork.objects.filter(institution_id=site.institution_id).values_list("network", flat=True)
        ]
    incident_ids = {d.incident_id for d in found if d.incident_id}
    incidents = {i.pk: i for i in Incident.objects.filter(pk__in=incident_ids)}
    actions: dict[int, str] = {}
    for entry in TimelineEntry.objects.filter(incident_id__in=incident_ids, kind=EntryKind.ACTION).order_by("at"):
        actions[entry.incident_id] = entry.text  # the latest wins
    answers = {}
    for detection in found:
        incident = incidents.get(detection.incident_id or 0)
        value = _value(detection.key)
        until = blocked.get(detection.site_id, {}).get(value or "")
        why = ""
        rule = rules.get(detection.rule_key)
        if until is None:
            if detection.scope in (Detection.Scope.SITE, Detection.Scope.ENDPOINT) or value is None:
                why = "site"
            elif detection.private:
                why = "private"
            elif any(
                n.version == ipaddress.ip_network(value, strict=False).version
                and n.overlaps(ipaddress.ip_network(value, strict=False))  # type: ignore[arg-type]
                for n in allowed.get(detection.site_id, [])
            ):
                why = "allowed"
            elif rule is not None and not rule.incident:
                why = "rule"
            else:
                why = "expired"
        answers[detection.pk] = Response(
            incident_id=incident.pk if incident else None,
            incident_state=str(incident.get_state_display()) if incident else "",
            incident_resolved=bool(incident and incident.resolved_at),
            action=(incident.resolution_note or actions.get(incident.pk, "")) if incident else "",
            blocked_until=until,
            why_not_blocked=why,
        )
    return answers


def response_text(response: Response, *, when: Callable[[dt.datetime], str]) -> str:
    """The response in one line of the active language, ``when`` writing the block's end."""
    from django.utils.translation import gettext as _

    parts = []
    if response.incident_id:
        parts.append(
            _("Insiden #%(id)s (%(state)s)") % {"id": response.incident_id, "state": response.incident_state}
            + (f": {response.action.strip()[:160]}" if response.action.strip() else "")
        )
    if response.blocked_until is not None:
        parts.append(_("diblokir sampai %(when)s") % {"when": when(response.blocked_until)})
    else:
        parts.append(str(WHY_NOT[response.why_not_blocked]))
    return "; ".join(parts)
