"""Background tasks of monitoring: the 2-hour monitoring round recorded in the SOP ledger (key ``monitoring``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext_noop as _
from django_tasks import task

from jaga.core import clock
from jaga.core.sentences import Text, say, say_label, sentence_dump
from jaga.monitoring.models import CheckResult, Finding, Monitor, MonitorStatus
from jaga.monitoring.reasons import reason_text

ROUND = timedelta(hours=2)
# The round's notes in the SOP ledger, one sentence a line (jaga.core.sentences): each reader reads them in his
# language on the SOP pages and in the evidence pack.
HEAD = _(
    "Putaran pemantauan %(start)s-%(end)s UTC untuk %(site)s: %(monitors)s monitor aktif, %(checks)s pemeriksaan, "
    "%(failures)s gagal."
)
MONITOR_LINE = _("- %(monitor)s [%(kind)s]: %(status)s")
MONITOR_LINE_WHY = _("- %(monitor)s [%(kind)s]: %(status)s (%(reason)s)")
OPEN_FINDINGS = _("Temuan terbuka: %(total)s (kritis: %(critical)s).")
FINDING_LINE = _("- %(monitor)s: %(finding)s")
NO_MONITORS = _("Tidak ada monitor aktif untuk situs ini.")
NO_CHECKS = _("Tidak ada pemeriksaan dalam 2 jam terakhir: periksa apakah probe berjalan.")
STATUS_LABELS = {
    MonitorStatus.UP: _("naik"),
    MonitorStatus.DOWN: _("turun"),
    MonitorStatus.DEGRADED: _("terganggu"),
    MonitorStatus.UNKNOWN: _("belum diperiksa"),
    MonitorStatus.PROBE_OFFLINE: _("probe luring"),
    MonitorStatus.PAUSED: _("dijeda"),
    MonitorStatus.MAINTENANCE: _("pemeliharaan"),
}


def _line(msgid: str, **args: Any) -> str:
    return sentence_dump(say(msgid, **args))


def _kind(key: str) -> Text | str:
    from jaga.monitoring.kinds import REGISTRY

    return say_label(REGISTRY.entry(key).label) if key in REGISTRY else key


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
        _line(
            HEAD, start=f"{since:%d-%m-%Y %H.%M}", end=f"{now:%H.%M}", site=site.name, monitors=len(monitors),
            checks=counts["checks"], failures=counts["failures"],
        ),
    ]  # fmt: skip
    for monitor in monitors:
        status = say(STATUS_LABELS.get(MonitorStatus(monitor.status), monitor.status))
        reason = reason_text(monitor.status_reason) or monitor.status_reason[:200]
        if monitor.status != MonitorStatus.UP and reason:
            lines.append(_line(MONITOR_LINE_WHY, monitor=monitor.name, kind=_kind(monitor.kind), status=status,
                               reason=reason))  # fmt: skip
        else:
            lines.append(_line(MONITOR_LINE, monitor=monitor.name, kind=_kind(monitor.kind), status=status))
    total_open = open_findings.count()
    if total_open:
        lines.append(_line(OPEN_FINDINGS, total=total_open, critical=critical))
        for finding in open_findings.select_related("monitor")[:10]:
            said = finding.text if isinstance(finding.text, dict) and "id" in finding.text else finding.message[:200]
            lines.append(_line(FINDING_LINE, monitor=finding.monitor.name, finding=said))
    if not monitors:
        lines.append(_line(NO_MONITORS))
    elif counts["checks"] == 0:
        lines.append(_line(NO_CHECKS))
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
