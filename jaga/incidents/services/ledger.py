"""Each resolved incident is evidence in the SOP ledger, as two executions:

- activity 6 (``incident_action``, "take problem-solving actions"): the first response, from the opening to
  the moment someone took it on (to the resolution when nobody did);
- activity 7 (``troubleshooting``, "troubleshoot independently, with the maintenance section or a third
  party"; output "website access available"): from then to the resolution, naming the tiers it went through.

Both name the incident as their output and carry its timeline as an evidence file.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext_noop, override

from jaga.core.sentences import say, say_label, sentence_dump, sentence_load, sentence_read
from jaga.incidents.models import Incident, Tier

logger = logging.getLogger(__name__)

VENDOR = gettext_noop("; vendor %(vendor)s, tiket %(ticket)s")
FIRST_RESPONSE = gettext_noop("Tanggapan pertama insiden #%(pk)s: %(summary)s")
TROUBLESHOOTING = gettext_noop("Penanganan insiden #%(pk)s melalui %(tiers)s%(vendor)s. %(note)s")


def timeline_text(incident: Incident) -> str:
    """The timeline as plain text, oldest first, times in the institution's zone (the evidence file)."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(incident.site.institution.time_zone)
    lines = [
        f"Insiden #{incident.pk}: {incident.summary}",
        f"Situs: {incident.site.name} ({incident.site.base_url})",
        f"Jenis: {incident.kind_label()} · keparahan: {incident.get_severity_display()}",
        "",
    ]
    for entry in incident.timeline.select_related("author").order_by("at", "pk"):
        who = (entry.author.get_full_name() or entry.author.get_username()) if entry.author else "Jaga"
        when = timezone.localtime(entry.at, zone).strftime("%Y-%m-%d %H.%M")
        text = " ".join(sentence_read(entry.text).split()) if entry.text else ""
        lines.append(f"{when} · {entry.get_kind_display()} · {who}" + (f" · {text}" if text else ""))
    return "\n".join(lines) + "\n"


def incident_ledger_record(*, incident: Incident) -> list[Any]:
    """Record the incident's first response (activity 6) and troubleshooting (activity 7). A ledger that
    cannot take them (no activity with the key in the court's SOP) is logged and never blocks resolving."""
    from jaga.sop.services import LedgerError, ledger_record

    if incident.resolved_at is None:
        return []
    institution = incident.site.institution
    responded = min(incident.acknowledged_at or incident.resolved_at, incident.resolved_at)
    with override("id"):
        evidence = timeline_text(incident).encode()
    # The notes are sentences (jaga.core.sentences), read on the SOP pages in each reader's language.
    tiers = [say_label(Tier(t).label) for t in range(Tier.MANDIRI, incident.tier + 1)]
    vendor = (
        say(VENDOR, vendor=incident.vendor_name, ticket=incident.vendor_ticket or "—") if incident.vendor_name else ""
    )
    title = incident.title_sentence()
    first_notes = sentence_dump(say(FIRST_RESPONSE, pk=incident.pk, summary=title))
    note = sentence_load(incident.resolution_note) or " ".join(incident.resolution_note.split())[:2000]
    trouble_notes = sentence_dump(say(TROUBLESHOOTING, pk=incident.pk, tiers=tiers, vendor=vendor, note=note))
    recorded = []
    for key, started, ended, notes in (
        ("incident_action", incident.opened_at, responded, first_notes),
        ("troubleshooting", responded, incident.resolved_at, trouble_notes),
    ):
        try:
            recorded.append(
                ledger_record(
                    activity_key=key,
                    institution=institution,
                    site=incident.site,
                    performed_by=incident.handler or incident.resolved_by,
                    started_at=started,
                    ended_at=ended,
                    outcome="success",
                    output=incident,
                    notes=notes,
                    evidence_files=[ContentFile(evidence, name=f"insiden-{incident.pk}-linimasa.txt")],
                )
            )
        except LedgerError:
            logger.exception("incident %s: could not record %s in the SOP ledger", incident.pk, key)
    return recorded
