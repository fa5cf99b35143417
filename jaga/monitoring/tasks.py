"""Background tasks of monitoring: the 2-hour monitoring round recorded in the SOP ledger (key ``monitoring``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q
from django_tasks import task

from jaga.core import clock
from jaga.monitoring.models import CheckResult, Finding, Monitor, MonitorStatus
from jaga.monitoring.reasons import reason_read

ROUND = timedelta(hours=2)
STATUS_LABELS = {
    MonitorStatus.UP: "naik",
    MonitorStatus.DOWN: "turun",
    MonitorStatus.DEGRADED: "terganggu",
    MonitorStatus.UNKNOWN: "belum diperiksa",
    MonitorStatus.PROBE_OFFLINE: "probe luring",
    MonitorStatus.PAUSED: "dijeda",
    MonitorStatus.MAINTENANCE: "pemeliharaan",
}


def monitoring_round_summarise(*, site: Any, now: datetime) -> tuple[str, str]:
    """``(outcome, notes)`` for the site's monitors over the last two hours."""
    since = now - ROUND
    monitors = list(Monitor.objects.filter(site=site, enabled=True).order_by("name"))
    counts = CheckResult.objects.filter(monitor__site=site, checked_at__gte=since, checked_at__lte=now).aggregate(
        checks=Count("id"), failures=Count("id", filter=Q(status=MonitorStatus.DOWN))
    )
    open_findings = Finding.objects.filter(monitor__site=site, resolved_at__isnull=True)
    critical = open_findings.filter(severity=Finding.Severity.CRITICAL).count()
    statuses = [m.status for m in monitors]
    if not monitors or counts["checks"] == 0:
        outcome = "failure"  # nothing was watched: the round did not happen
    elif MonitorStatus.DOWN in statuses or critical:
        outcome = "failure" if all(s == MonitorStatus.DOWN for s in statuses) else "partial"
    elif all(s == MonitorStatus.UP for s in statuses) and not open_findings.exists():
        outcome = "success"
    else:
        outcome = "partial"
    lines = [
        f"Putaran pemantauan {since:%d-%m-%Y %H.%M}-{now:%H.%M} UTC untuk {site.name}: "
        f"{len(monitors)} monitor aktif, {counts['checks']} pemeriksaan, {counts['failures']} gagal.",
    ]
    for monitor in monitors:
        label = STATUS_LABELS.get(MonitorStatus(monitor.status), monitor.status)
        said = reason_read(monitor.status_reason, translate=False)  # the ledger's line is Indonesian
        reason = f" ({said[:200]})" if monitor.status != MonitorStatus.UP and said else ""
        lines.append(f"- {monitor.name} [{monitor.kind}]: {label}{reason}")
    total_open = open_findings.count()
    if total_open:
        lines.append(f"Temuan terbuka: {total_open} (kritis: {critical}).")
        for finding in open_findings.select_related("monitor")[:10]:
            lines.append(f"- {finding.monitor.name}: {finding.message[:200]}")
    if not monitors:
        lines.append("Tidak ada monitor aktif untuk situs ini.")
    elif counts["checks"] == 0:
        lines.append("Tidak ada pemeriksaan dalam 2 jam terakhir: periksa apakah probe berjalan.")
    return outcome, "\n".join(lines)


@task(queue_name="quick")
def monitoring_round_record(site_id: int) -> int:
    """Record the last two hours of monitoring as one execution of the SOP's monitoring activity. Returns its id."""
    from jaga.core.models import Site
    from jaga.sop.services import ledger_record

    site = Site.objects.select_related("institution").get(pk=site_id)
    now = clock.now()
    outcome, notes = monitoring_round_summarise(site=site, now=now)
    entry = ledger_record(
        activity_key="monitoring",
        institution=site.institution,
        site=site,
        performed_by=None,
        started_at=now - ROUND,
        ended_at=now,
        outcome=outcome,
        notes=notes,
    )
    return int(entry.pk)
