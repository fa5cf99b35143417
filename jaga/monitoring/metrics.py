"""Prometheus ``/metrics``, generated from the database on each scrape (no state kept in the process, so
any web process answers the same).

Access: ``Authorization: Bearer <token>`` with any valid API token (the series are then limited to the
token's institution), or without a token from loopback only (all institutions). A request that carries
``X-Forwarded-For`` or ``Forwarded`` came through a proxy and is never treated as loopback.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from django.http import HttpRequest, HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from jaga.core import clock
from jaga.monitoring.models import Finding, Monitor, MonitorStatus, Probe
from jaga.monitoring.views import backend

UP_VALUES = {MonitorStatus.UP: 1.0, MonitorStatus.DEGRADED: 1.0, MonitorStatus.DOWN: 0.0}


class MonitoringCollector(Collector):
    def __init__(self, institution_id: int | None) -> None:
        self.institution_id = institution_id  # None = every institution

    def collect(self) -> Iterator[Metric]:
        labels = ["institution", "site", "monitor", "monitor_id", "kind"]
        up = GaugeMetricFamily("jaga_monitor_up", "1 = situs menjawab (naik/terganggu), 0 = turun", labels=labels)
        response = GaugeMetricFamily(
            "jaga_monitor_response_ms", "Waktu respons pemeriksaan terakhir (ms)", labels=labels
        )
        uptime = GaugeMetricFamily(
            "jaga_monitor_uptime_ratio", "Rasio waktu aktif 0..1 per jendela", labels=[*labels, "window"]
        )
        monitors = Monitor.objects.select_related("site__institution").order_by("pk")
        if self.institution_id is not None:
            monitors = monitors.filter(site__institution_id=self.institution_id)
        monitor_list = list(monitors)
        uptimes = backend.uptimes(monitor_list)
        for monitor in monitor_list:
            values = [monitor.site.institution.slug, monitor.site.name, monitor.name, str(monitor.pk), monitor.kind]
            if monitor.enabled and monitor.status in UP_VALUES:
                up.add_metric(values, UP_VALUES[MonitorStatus(monitor.status)])
            if monitor.last_response_ms is not None:
                response.add_metric(values, monitor.last_response_ms)
            for window, ratio in uptimes[monitor.pk].items():
                if ratio is not None:
                    uptime.add_metric([*values, window], ratio)
        yield up
        yield response
        yield uptime

        last_seen = GaugeMetricFamily(
            "jaga_probe_last_seen_seconds", "Detik sejak probe terakhir terlihat", labels=["probe", "control_ok"]
        )
        # How each probe keeps up (its last heartbeat): a busy probe falls behind evenly and says so here.
        lag = GaugeMetricFamily(
            "jaga_probe_lag_seconds",
            "Keterlambatan pemeriksaan (jatuh tempo sampai mulai), menit terakhir",
            labels=["probe", "quantile"],
        )
        behind = GaugeMetricFamily(
            "jaga_probe_behind_checks", "Pemeriksaan yang sudah jatuh tempo tetapi menunggu giliran", labels=["probe"]
        )
        unwritten = GaugeMetricFamily(
            "jaga_probe_unwritten_results", "Hasil yang menunggu ditulis ke basis data", labels=["probe"]
        )
        per_minute = GaugeMetricFamily("jaga_probe_checks_per_minute", "Pemeriksaan menit terakhir", labels=["probe"])
        now = clock.now()
        for probe in Probe.objects.order_by("name"):
            if probe.last_seen is not None:
                last_seen.add_metric(
                    [probe.name, "1" if probe.control_ok else "0"], (now - probe.last_seen).total_seconds()
                )
            for quantile, value in (("0.5", probe.lag_p50_ms), ("0.99", probe.lag_p99_ms), ("1", probe.lag_max_ms)):
                if value is not None:
                    lag.add_metric([probe.name, quantile], value / 1000)
            behind.add_metric([probe.name], probe.behind)
            unwritten.add_metric([probe.name], probe.unwritten)
            per_minute.add_metric([probe.name], probe.checks_last_minute)
        yield last_seen
        yield lag
        yield behind
        yield unwritten
        yield per_minute

        findings = GaugeMetricFamily(
            "jaga_findings_open", "Temuan konten yang belum selesai", labels=["institution", "severity"]
        )
        open_findings = Finding.objects.filter(resolved_at__isnull=True)
        if self.institution_id is not None:
            open_findings = open_findings.filter(monitor__site__institution_id=self.institution_id)
        counts: dict[tuple[str, str], int] = {}
        for slug, severity in open_findings.values_list("monitor__site__institution__slug", "severity"):
            counts[(slug, severity)] = counts.get((slug, severity), 0) + 1
        for (slug, severity), count in sorted(counts.items()):
            findings.add_metric([slug, severity], count)
        yield findings


def _is_loopback(request: HttpRequest) -> bool:
    if request.headers.get("X-Forwarded-For") or request.headers.get("Forwarded"):
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


def metrics_text(*, institution_id: int | None) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(MonitoringCollector(institution_id))
    return generate_latest(registry)


def metrics_view(request: HttpRequest) -> HttpResponse:
    header = request.headers.get("Authorization", "")
    institution_id: int | None
    if header:
        scheme, _, raw = header.partition(" ")
        from jaga.core.services import api_token_authenticate

        token = api_token_authenticate(raw.strip()) if scheme.lower() == "bearer" else None
        if token is None:
            return _unauthorized()
        institution_id = token.institution_id
    elif _is_loopback(request):
        institution_id = None
    else:
        return _unauthorized()
    return HttpResponse(metrics_text(institution_id=institution_id), content_type=CONTENT_TYPE_LATEST)


def _unauthorized() -> HttpResponse:
    response = HttpResponse(
        "Token API diperlukan (Authorization: Bearer ...) / API token required\n", status=401, content_type="text/plain"
    )
    response["WWW-Authenticate"] = 'Bearer realm="jaga-metrics"'
    return response
