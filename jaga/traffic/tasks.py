"""Background jobs of the traffic app (django-tasks, the ``long`` queue: a big log may take a while)."""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

SCHEDULE_KEY = "traffic:ingest"
RETENTION_KEY = "traffic:retention"


@task(queue_name="long")
def traffic_sites_ingest() -> str:
    """The scheduled round: every site's configured access logs read and analysed (``traffic_sites_round``)."""
    from jaga.traffic.services.rounds import traffic_sites_round

    result = traffic_sites_round()
    summary = f"{result.sites} sites, {result.lines} lines, {result.findings} findings"
    if result.failed:
        # A failure is never recorded as success: the task fails, naming each site, after the others ran.
        raise RuntimeError(f"{summary}; failed: " + "; ".join(result.failed))
    return summary


@task(queue_name="long")
def traffic_retention() -> str:
    """The nightly retention: days of lines past JAGA_TRAFFIC_RETENTION_DAYS summed into TrafficDay, then deleted."""
    from jaga.core.models import Site
    from jaga.traffic import s3store
    from jaga.traffic.services.retention import traffic_retention_apply

    result = traffic_retention_apply()
    summary = f"{len(result.days_deleted)} days deleted, {len(result.days_waiting)} waiting for their detection round"
    if s3store.configured():  # the bucket's copy loses the same days
        deleted = sum(
            s3store.store_sync(site=site).deleted for site in Site.objects.filter(traffic_runs__isnull=False).distinct()
        )
        summary += f"; {deleted} files deleted from the bucket"
    return summary


def traffic_schedules_ensure() -> None:
    """Declared at every scheduler start (``startup_register``): the retention every night at 02.30, and the
    round every JAGA_TRAFFIC_INTERVAL seconds (0 turns the round off)."""
    from jaga.core.models import Schedule
    from jaga.core.scheduling import Calendar, schedule_ensure

    schedule_ensure(
        key=RETENTION_KEY, task_path="jaga.traffic.tasks.traffic_retention", calendar=Calendar.daily("02:30")
    )
    interval = int(settings.JAGA_TRAFFIC_INTERVAL)
    if interval <= 0:
        Schedule.objects.filter(key=SCHEDULE_KEY).delete()
        return
    schedule_ensure(key=SCHEDULE_KEY, task_path="jaga.traffic.tasks.traffic_sites_ingest", interval_seconds=interval)
