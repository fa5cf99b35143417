"""Writes for content findings: one row per distinct finding, kept across checks, resolved when the kind stops
reporting it, or, for a finding that asks for a person (a page nobody made), when someone acknowledges it."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from jaga.core import clock
from jaga.monitoring.kinds.base import Status, said
from jaga.monitoring.models import Finding

if TYPE_CHECKING:
    from jaga.monitoring.services import ResultRecord

MAX_FINDING_PAGES = 500


def _fingerprint(code: str, location: str, evidence: str) -> str:
    return hashlib.sha256(f"{code}\x1f{location}\x1f{evidence}".encode()).hexdigest()


def findings_sync(records: Sequence[ResultRecord]) -> list[Finding]:
    """Keep one Finding row per distinct finding; resolve the ones the kind no longer reports.

    A failed check with no findings says nothing about content (the page could not be read): skipped.
    One read and at most one insert and one update for the whole batch. Returns the new findings that wait
    for a person (``needs_ack``): they are announced once, when first seen.
    """
    relevant = [
        r
        for r in records
        if r.outcome.findings or r.outcome.status.value not in {Status.DOWN.value, Status.PROBE_OFFLINE.value}
    ]
    if not relevant:
        return []
    reported: dict[int, dict[str, tuple[datetime, Any]]] = {}
    for record in sorted(relevant, key=lambda r: r.checked_at):  # the latest result of a monitor wins
        reported[record.monitor_id] = {
            _fingerprint(f.code, f.location, f.evidence): (record.checked_at, f) for f in record.outcome.findings
        }
    fingerprints = {fp for items in reported.values() for fp in items}
    existing: dict[tuple[int, str], Finding] = {
        (f.monitor_id, f.fingerprint): f
        for f in Finding.objects.filter(monitor_id__in=list(reported)).filter(
            Q(resolved_at__isnull=True) | Q(fingerprint__in=fingerprints)
        )
    }
    latest_at = {r.monitor_id: r.checked_at for r in sorted(relevant, key=lambda r: r.checked_at)}
    to_create: list[Finding] = []
    to_update: list[Finding] = []
    for monitor_id, items in reported.items():
        for fingerprint, (at, item) in items.items():
            row = existing.get((monitor_id, fingerprint))
            if row is None:
                to_create.append(
                    Finding(
                        monitor_id=monitor_id,
                        code=item.code[:60],
                        fingerprint=fingerprint,
                        message=item.message,
                        text=item.text,
                        location=item.location,
                        evidence=item.evidence[:5000],
                        severity=item.severity,
                        pages=item.pages[:MAX_FINDING_PAGES],
                        needs_ack=item.needs_ack,
                        first_seen=at,
                        last_seen=at,
                    )
                )
            else:
                row.last_seen, row.message, row.text, row.severity = at, item.message, item.text, item.severity
                row.pages, row.needs_ack = item.pages[:MAX_FINDING_PAGES], item.needs_ack or row.needs_ack
                if row.acknowledged_at is None:
                    row.resolved_at = None  # an acknowledged finding seen again stays acknowledged
                to_update.append(row)
    for (monitor_id, fingerprint), row in existing.items():
        if fingerprint not in reported[monitor_id] and row.resolved_at is None and not row.needs_ack:
            row.resolved_at = latest_at[monitor_id]
            to_update.append(row)
    Finding.objects.bulk_create(to_create)
    if to_update:
        Finding.objects.bulk_update(
            to_update, ["last_seen", "message", "text", "severity", "resolved_at", "pages", "needs_ack"], batch_size=500
        )
    return [row for row in to_create if row.needs_ack]


def finding_said(finding: Finding) -> str:
    """A finding's message in the active language (a finding of an older version: as it was stored)."""
    text = finding.text
    if isinstance(text, dict) and text.get("id"):
        try:
            return said(text)
        except (KeyError, TypeError, ValueError):  # a translation that lost a placeholder: the stored sentence
            return finding.message
    return finding.message


def finding_acknowledge(*, finding: Finding, user: Any) -> Finding:
    """A person has looked at the finding (a new page is theirs, a changed structure was a redesign): it closes.

    Seen again afterwards, it stays closed; a different page or change is a different finding.
    """
    if finding.acknowledged_at is None:
        now = clock.now()
        finding.acknowledged_at, finding.acknowledged_by, finding.resolved_at = now, user, finding.resolved_at or now
        finding.save(update_fields=["acknowledged_at", "acknowledged_by", "resolved_at"])
    return finding
