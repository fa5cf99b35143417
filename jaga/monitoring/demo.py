"""The monitoring app's part of ``jaga demo``: monitors of the demo court site, with 30 days of history."""

from __future__ import annotations

import datetime as dt
import logging
import random
from typing import Any

from django.db import transaction

from jaga.core.demo import DemoContext
from jaga.core.models import Institution, NotificationChannel, NotificationRoute, Site
from jaga.monitoring import rollups
from jaga.monitoring.kinds import REGISTRY
from jaga.monitoring.kinds.http import REASONS as HTTP
from jaga.monitoring.models import CheckResult, Monitor, MonitorStatus, Rollup, StatusChange
from jaga.monitoring.reasons import reason_dump
from jaga.monitoring.services import monitor_create

logger = logging.getLogger(__name__)


def demo_fill(*, ctx: DemoContext) -> None:
    from jaga.monitoring.demo_checks import content_checks_run

    ctx.done.append(_monitors_ensure(ctx.site, ctx.now, ctx.days))
    try:
        with transaction.atomic():  # a savepoint: what failed is undone, the rest of the step stays
            ctx.done.append(content_checks_run(site=ctx.site))
    except Exception as error:  # the monitors and their history stand without it
        logger.exception("the demo's content checks failed")
        ctx.skipped.append(f"pemeriksaan isi di situs demo: {error}")
    ctx.done.append(notifications_ensure(institution=ctx.institution, site=ctx.site, base_url=ctx.base_url))


def _monitor_specs(base: str) -> list[tuple[str, str, dict[str, Any]]]:
    sitemap = f"{base}sitemap.xml"
    return [
        ("Beranda (HTTP)", "http", {"url": base, "keyword": "Pengadilan Negeri Contoh"}),
        (
            "Kesegaran konten",
            "freshness",
            {"url": base, "max_age_days": 7, "feed_url": f"{base}feed/", "sitemap_url": sitemap},
        ),
        ("Halaman wajib", "required_pages", {"base_url": base}),  # the SK KMA 2-144/2022 checklist
        ("Integritas konten", "integrity", {"url": base, "use_sitemap": True, "sitemap_url": sitemap, "max_pages": 10}),
    ]


def _monitors_ensure(site: Site, now: dt.datetime, days: int) -> str:
    made, skipped = [], []
    for name, kind, config in _monitor_specs(site.base_url):
        monitor = Monitor.objects.filter(site=site, kind=kind).first()
        if monitor is None:
            try:
                monitor = monitor_create(
                    site=site, name=name, kind=kind, config=_config_fit(kind, config), interval_seconds=60
                )
            except Exception as error:  # the kind may not exist yet, or want other settings
                skipped.append(f"{kind} ({error})")
                continue
            _history_create(monitor, now, days)
        made.append(kind)
    rollups.uptime_summaries_refresh(now=now)  # dashboards of many monitors read these summaries
    text = f"monitor: {', '.join(made) or '-'}; TLS dilewati (situs demo memakai http di loopback)"
    if skipped:
        text += f"; belum bisa dibuat: {'; '.join(skipped)}"
    return text


def _config_fit(kind: str, config: dict[str, Any]) -> dict[str, Any]:
    """Keep only the settings the kind declares, so the demo follows the kinds as they evolve."""
    fields = REGISTRY.get(kind).Config.model_fields
    if not fields:
        return config
    return {key: value for key, value in config.items() if key in fields}


def _history_create(monitor: Any, now: dt.datetime, days: int) -> None:
    """Thirty days of synthetic checks as rollups (day, hour, minute), one short outage, recent raw results."""
    rng = random.Random(monitor.pk)  # noqa: S311
    hour_now = now.replace(minute=0, second=0, microsecond=0)
    day_now = hour_now.replace(hour=0)
    start = day_now - dt.timedelta(days=days)
    # A monitor with a month of history was made a month ago: reports of past periods count it.
    Monitor.objects.filter(pk=monitor.pk).update(created_at=start)
    outage_start = day_now - dt.timedelta(days=5) + dt.timedelta(hours=2, minutes=10)  # 09.10 WIB
    outage = (outage_start, outage_start + dt.timedelta(minutes=25)) if monitor.kind == "http" else None

    def down_minutes(low: dt.datetime, high: dt.datetime) -> int:
        if outage is None:
            return 0
        overlap = min(high, outage[1]) - max(low, outage[0])
        return max(0, int(overlap.total_seconds() // 60))

    def rollup(period: str, bucket: dt.datetime, length: dt.timedelta) -> Rollup:
        checks = int(length.total_seconds() // 60)
        down = down_minutes(bucket, bucket + length)
        mean = rng.uniform(140, 420)
        return Rollup(
            monitor=monitor, period=period, bucket=bucket, checks=checks, up=checks - down, down=down,
            response_ms_sum=mean * (checks - down), response_ms_count=checks - down,
            response_ms_min=mean * 0.6, response_ms_max=mean * 2.2,
        )  # fmt: skip

    rows = [rollup(Rollup.Period.DAY, start + dt.timedelta(days=d), dt.timedelta(days=1)) for d in range(days)]
    hour = start
    while hour < hour_now:
        rows.append(rollup(Rollup.Period.HOUR, hour, dt.timedelta(hours=1)))
        hour += dt.timedelta(hours=1)
    minute, results = hour_now, []
    while minute < now - dt.timedelta(minutes=1):
        rows.append(rollup(Rollup.Period.MINUTE, minute, dt.timedelta(minutes=1)))
        results.append(
            CheckResult(monitor=monitor, probe="demo", checked_at=minute + dt.timedelta(seconds=5),
                        status=MonitorStatus.UP, response_ms=(ms := round(rng.uniform(120, 380))),
                        reason=reason_dump(HTTP("up", status=200, ms=ms)))
        )  # fmt: skip
        minute += dt.timedelta(minutes=1)
    Rollup.objects.bulk_create(rows, ignore_conflicts=True)
    CheckResult.objects.bulk_create(results)
    changes = [
        StatusChange(
            monitor=monitor,
            at=start,
            from_status=MonitorStatus.UNKNOWN,
            to_status=MonitorStatus.UP,
            reason=reason_dump(HTTP("up", status=200, ms=212)),
        )
    ]
    if outage is not None:
        changes += [
            StatusChange(monitor=monitor, at=outage[0], from_status=MonitorStatus.UP, to_status=MonitorStatus.DOWN,
                         reason=reason_dump(HTTP("unexpected_status", status=503, url=monitor.site.base_url,
                                                 expected="200-299")), probes=["demo"]),
            StatusChange(monitor=monitor, at=outage[1], from_status=MonitorStatus.DOWN, to_status=MonitorStatus.UP,
                         reason=reason_dump(HTTP("up", status=200, ms=231)), probes=["demo"]),
        ]  # fmt: skip
    StatusChange.objects.bulk_create(changes)
    monitor.status = MonitorStatus.UP
    monitor.status_since = changes[-1].at
    monitor.status_reason = results[-1].reason if results else reason_dump(HTTP("up", status=200, ms=212))
    monitor.last_checked_at = results[-1].checked_at if results else now
    monitor.last_response_ms = results[-1].response_ms if results else None
    monitor.save(update_fields=["status", "status_since", "status_reason", "last_checked_at", "last_response_ms"])


# --- notifications: a channel to the demo inbox on Jaga's own address, and the history's outage told ---
# The deliveries are real: notify() records them and the worker of `jaga up` sends them through apprise to
# /demo-situs/pesan-masuk/ (the demo site's inbox), so the channels page shows sends that succeeded.

DEMO_CHANNEL_NAME = "Webhook PTIP (demo)"


def demo_inbox_url(base_url: str) -> str:
    """``http://127.0.0.1:8000/demo-situs/`` -> ``json://127.0.0.1:8000/demo-situs/pesan-masuk/``."""
    scheme, _, rest = base_url.partition("://")
    return f"{'jsons' if scheme == 'https' else 'json'}://{rest.rstrip('/')}/pesan-masuk/"


def notifications_ensure(*, institution: Institution, site: Site | None, base_url: str) -> str:
    """The demo channel and its route; on the first run, the last outage of the demo history is announced."""
    from jaga.monitoring.announce import transition_notify
    from jaga.monitoring.models import Monitor, MonitorStatus, StatusChange
    from jaga.monitoring.services import Transition

    url = demo_inbox_url(base_url)
    channel, created = NotificationChannel.objects.get_or_create(
        institution=institution, name=DEMO_CHANNEL_NAME, defaults={"url": url}
    )
    if channel.url != url:
        channel.url = url  # JAGA_LISTEN changed since the last run
        channel.save(update_fields=["url"])
    NotificationRoute.objects.get_or_create(institution=institution, channel=channel, event_type="*", role="")
    if not created or site is None:
        return f"notifikasi: saluran {channel.name} ke {url}"
    told = 0
    for monitor in Monitor.objects.filter(site=site):
        changes = StatusChange.objects.filter(monitor=monitor).exclude(from_status=MonitorStatus.UNKNOWN)
        for change in changes.order_by("at"):
            transition = Transition(
                monitor_id=monitor.pk,
                from_status=change.from_status,
                to_status=change.to_status,
                reason=change.reason,
                at=change.at,
                probes=list(change.probes or []),
            )
            transition_notify(monitor, transition)
            told += 1
    return f"notifikasi: saluran {channel.name} ke {url}, {told} perubahan status diberitahukan"
