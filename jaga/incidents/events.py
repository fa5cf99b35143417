"""The incidents app's notification event types (declared from ``IncidentsConfig.ready()``) and the messages.

Each tier is told when an incident reaches it, and when Jaga proposes it: route ``incident.escalated_umum``
and ``incident.escalation_due_umum`` to Kasubbag Umum dan Keuangan, ``incident.escalated_vendor`` and
``incident.escalation_due_vendor`` to Kasubbag PTIP (who calls the vendor), ``incident.opened`` to Staff P2TI
(docs/notifications.md). Messages are sent after the change is
committed (``transaction.on_commit``), so a rolled-back change tells nobody.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from jaga.core.notifications import event_type_register, notify
from jaga.core.sentences import sentence_read
from jaga.monitoring.reasons import Worded

OPENED = "incident.opened"
# Jaga proposes the next tier: one type per tier, so that each is routed to the next tier's role.
ESCALATION_DUE = {2: "incident.escalation_due_umum", 3: "incident.escalation_due_vendor"}
ESCALATED = {2: "incident.escalated_umum", 3: "incident.escalated_vendor"}
RESOLVED = "incident.resolved"

EVENT_TYPES = (
    (OPENED, _("Insiden dibuka"), "failure",
     _("Jaga atau petugas membuka insiden (situs turun, konten usang, deface, pencadangan gagal...).")),
    (ESCALATION_DUE[2], _("Insiden perlu dieskalasi ke Subbag Umum"), "warning",
     _("Insiden terlalu lama di tingkat 1 untuk keparahannya: Jaga mengusulkan tingkat 2 (Kasubbag Umum dan "
       "Keuangan).")),
    (ESCALATION_DUE[3], _("Insiden perlu dieskalasi ke pihak ketiga"), "warning",
     _("Insiden terlalu lama di tingkat 2 untuk keparahannya: Jaga mengusulkan tingkat 3 (vendor).")),
    (ESCALATED[2], _("Insiden dieskalasi ke Subbag Umum"), "warning",
     _("Insiden naik ke tingkat 2: Kasubbag Umum dan Keuangan ikut menangani.")),
    (ESCALATED[3], _("Insiden dieskalasi ke pihak ketiga"), "warning",
     _("Insiden naik ke tingkat 3: vendor (hosting, pengembang, penyedia koneksi) dihubungi.")),
    (RESOLVED, _("Insiden selesai"), "success",
     _("Insiden selesai: monitor memastikan situs dapat diakses, atau petugas memverifikasinya.")),
)  # fmt: skip


def incident_event_types_register() -> None:
    for key, label, severity, description in EVENT_TYPES:
        event_type_register(key, label=label, severity=severity, description=description)


def _send(incident_id: int, event_type: str, title: Any, body: Any, params: dict[str, Any]) -> None:
    from jaga.incidents.kinds.base import Severity
    from jaga.incidents.models import Incident, Tier

    incident = Incident.objects.select_related("site__institution").filter(pk=incident_id).first()
    if incident is None:
        return
    notify(
        institution=incident.site.institution, event_type=event_type, title=title, body=body, site=incident.site,
        link=incident,
        params={"summary": Worded(lambda: incident.title), "site": incident.site.name, "kind": incident.kind_label(),
                "severity": Severity(incident.severity).label, "tier": Tier(incident.tier).label,
                "number": incident.pk, **params},
    )  # fmt: skip


def announce(incident_id: int, event_type: str, title: Any, body: Any, **params: Any) -> None:
    """Send once the surrounding transaction commits (at once outside one). Never raises into the caller."""
    transaction.on_commit(lambda: _send(incident_id, event_type, title, body, params), robust=True)


def announce_opened(incident_id: int) -> None:
    announce(
        incident_id, OPENED, _("Insiden #%(number)s: %(summary)s (%(site)s)"),
        _("%(kind)s · keparahan %(severity)s · %(tier)s"),
    )  # fmt: skip


def announce_resolved(incident_id: int, note: str) -> None:
    announce(
        incident_id, RESOLVED, _("Insiden #%(number)s selesai: %(summary)s (%(site)s)"), _("%(note)s"),
        note=Worded(lambda: sentence_read(note)),
    )  # fmt: skip


def announce_escalation_due(incident_id: int, minutes: int, next_tier: int, next_label: Any) -> None:
    announce(
        incident_id, ESCALATION_DUE[next_tier], _("Insiden #%(number)s perlu dieskalasi: %(summary)s (%(site)s)"),
        _("Sudah %(minutes)s menit di %(tier)s tanpa selesai (keparahan %(severity)s). Usulan: %(next)s."),
        minutes=minutes, next=next_label,
    )  # fmt: skip


def announce_escalated(incident_id: int, tier: int, reason: str, by: str) -> None:
    announce(
        incident_id, ESCALATED[tier], _("Insiden #%(number)s dieskalasi ke %(tier)s: %(summary)s (%(site)s)"),
        _("Alasan: %(reason)s\nOleh: %(by)s"), reason=reason, by=by,
    )  # fmt: skip
