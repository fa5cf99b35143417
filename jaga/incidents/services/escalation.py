"""The SOP's activity 7 in three tiers: on our own (Staff P2TI), with the maintenance section (Kasubbag Umum
dan Keuangan), with a third party (a vendor of the institution's register, with the vendor's ticket).

A person escalates at any time, with a reason (:func:`incident_escalate`). Jaga proposes the next tier when
the time in a tier passes ``JAGA_INCIDENT_ESCALATE_AFTER`` for the incident's severity
(:func:`incidents_escalation_sweep`, every minute): once per tier, recorded on the timeline and sent as
``incident.escalation_due_umum`` or ``_vendor`` (routed to the next tier's role); its people may then take
it on. An incident waiting in Monitoring (the fix is being confirmed) is not proposed.
"""

from __future__ import annotations

import datetime as dt
import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jaga.core import clock
from jaga.incidents import events
from jaga.incidents.models import EntryKind, Incident, State, Tier, TimelineEntry, Vendor
from jaga.incidents.services.workflow import _locked, _require

logger = logging.getLogger(__name__)

ESCALATING_STATES = (State.INVESTIGATING, State.IDENTIFIED)


def _vendor_of(incident: Incident, vendor: Vendor | None) -> Vendor | None:
    if vendor is not None and vendor.institution_id != incident.site.institution_id:
        raise ValidationError({"vendor": _("Pilih vendor dari register instansi ini.")})
    return vendor


def incident_escalate(
    *,
    incident: Incident,
    user: Any,
    to_tier: int,
    reason: str,
    vendor: Vendor | None = None,
    vendor_ticket: str = "",
    at: datetime | None = None,
) -> Incident:
    """Raise the incident to ``to_tier`` (2 or 3), with a reason; at tier 3 the vendor and its ticket."""
    _require(user, incident)
    reason = reason.strip()
    errors: dict[str, str] = {}
    if to_tier not in (Tier.UMUM, Tier.VENDOR):
        errors["to_tier"] = _("Pilih tingkat 2 atau 3.")
    if not reason:
        errors["reason"] = _("Tulis alasan eskalasinya.")
    if vendor is not None and to_tier != Tier.VENDOR:
        errors["vendor"] = _("Vendor hanya untuk tingkat 3 (pihak ketiga).")
    if errors:
        raise ValidationError(errors)
    vendor = _vendor_of(incident, vendor)
    at = at or clock.now()
    with transaction.atomic():
        fresh = _locked(incident, None)
        if not fresh.is_open:
            raise ValidationError(_("Insiden ini sudah selesai."), code="resolved")
        if to_tier <= fresh.tier:
            raise ValidationError({"to_tier": _("Insiden ini sudah di %(tier)s.") % {"tier": fresh.get_tier_display()}})
        previous = fresh.tier
        fresh.tier = to_tier
        fresh.tier_since = at
        fresh.escalation_proposed_at = None
        fields = ["tier", "tier_since", "escalation_proposed_at", "version"]
        if vendor is not None:
            fresh.vendor, fresh.vendor_name = vendor, vendor.name
            fields += ["vendor", "vendor_name"]
        if vendor_ticket.strip():
            fresh.vendor_ticket = vendor_ticket.strip()[:200]
            fields.append("vendor_ticket")
        fresh.version += 1
        fresh.save(update_fields=fields)
        TimelineEntry.objects.create(
            incident=fresh, kind=EntryKind.ESCALATION, at=at, author=user, text=reason,
            data={"event": "escalated", "tier": [previous, to_tier], "vendor": fresh.vendor_name,
                  "vendor_ticket": fresh.vendor_ticket},
        )  # fmt: skip
        events.announce_escalated(fresh.pk, to_tier, reason, user.get_full_name() or user.get_username())
    return fresh


def incident_vendor_set(
    *, incident: Incident, user: Any, vendor: Vendor | None, vendor_ticket: str, at: datetime | None = None
) -> Incident:
    """Name the vendor called on and its ticket number (tier 3); recorded on the timeline."""
    _require(user, incident)
    vendor = _vendor_of(incident, vendor)
    at = at or clock.now()
    with transaction.atomic():
        fresh = _locked(incident, None)
        if fresh.tier != Tier.VENDOR:
            raise ValidationError(_("Eskalasikan dulu ke tingkat 3 (pihak ketiga)."), code="tier")
        fresh.vendor = vendor
        fresh.vendor_name = vendor.name if vendor is not None else fresh.vendor_name
        fresh.vendor_ticket = vendor_ticket.strip()[:200]
        fresh.version += 1
        fresh.save(update_fields=["vendor", "vendor_name", "vendor_ticket", "version"])
        TimelineEntry.objects.create(
            incident=fresh, kind=EntryKind.ESCALATION, at=at, author=user,
            text=_("Vendor: %(vendor)s · tiket: %(ticket)s")
            % {"vendor": fresh.vendor_name or "—", "ticket": fresh.vendor_ticket or "—"},
            data={"event": "vendor", "vendor": fresh.vendor_name, "vendor_ticket": fresh.vendor_ticket},
        )  # fmt: skip
    return fresh


def escalation_threshold_minutes(severity: str) -> int | None:
    value = settings.JAGA_INCIDENT_ESCALATE_AFTER.get(severity)
    return int(value) if value else None


def incidents_escalation_sweep(*, now: datetime) -> int:
    """Propose the next tier for every incident whose time in its tier passed its severity's threshold.

    Each proposal is claimed with a conditional UPDATE, so two schedulers never propose twice."""
    from jaga.core.sentences import say_label
    from jaga.incidents.services import _system_text

    proposed = 0
    for severity, minutes in settings.JAGA_INCIDENT_ESCALATE_AFTER.items():
        due = Incident.objects.filter(
            severity=severity, state__in=ESCALATING_STATES, tier__lt=Tier.VENDOR, escalation_proposed_at__isnull=True,
            tier_since__lte=now - dt.timedelta(minutes=minutes),
        ).values_list("pk", "tier", "tier_since")  # fmt: skip
        for pk, tier, tier_since in list(due):
            try:
                with transaction.atomic():
                    claimed = Incident.objects.filter(pk=pk, escalation_proposed_at__isnull=True, tier=tier).update(
                        escalation_proposed_at=now
                    )
                    if not claimed:
                        continue
                    in_tier = int((now - tier_since).total_seconds() // 60)
                    next_tier = Tier(tier + 1)
                    TimelineEntry.objects.create(
                        incident_id=pk, kind=EntryKind.ESCALATION, at=now,
                        text=_system_text(
                            gettext_noop("Sudah %(minutes)s menit di tingkat %(tier)s: Jaga mengusulkan %(next)s."),
                            minutes=in_tier, tier=tier, next=say_label(next_tier.label),
                        ),
                        data={"event": "proposed", "tier": [tier, tier + 1], "minutes": in_tier},
                    )  # fmt: skip
                    events.announce_escalation_due(pk, in_tier, int(next_tier), next_tier.label)
                proposed += 1
            except Exception:  # one bad incident must not stop the others
                logger.exception("incident %s: escalation proposal failed", pk)
    return proposed
