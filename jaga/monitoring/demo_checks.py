"""The demo's content checks: one real check of each content monitor against the demo court site.

The synthetic history of ``jaga.monitoring.demo`` gives the charts and bars something to draw; what the
content kinds find (the freshness signals, the required pages, the integrity coverage) can only come from
reading a site. ``jaga demo`` runs before Jaga serves anything, so the demo site is served here, by Jaga's own
WSGI application on a free loopback port, for the time of the checks; the checks reach it at the site's own
address (``Site.base_url``, Jaga's listen address) through the HTTP wrapper's port map, and their results are
stored as the probe stores them.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar
from urllib.parse import urlsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.core.handlers.wsgi import WSGIHandler

from jaga.core import clock, http
from jaga.core.models import Site
from jaga.monitoring import services
from jaga.monitoring.kinds import REGISTRY
from jaga.monitoring.kinds.base import CheckContext, CheckOutcome, validate_config
from jaga.monitoring.models import Monitor, Probe

logger = logging.getLogger(__name__)

T = TypeVar("T")

CONTENT_KINDS = ("freshness", "required_pages", "integrity")
PROBE_NAME = "demo-pemeriksaan"


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(WSGIServer):
    request_queue_size = 64  # the content kinds read several pages at once


async def _check_all(
    monitors: list[Monitor], ports: dict[tuple[str, int], int]
) -> list[tuple[Monitor, CheckOutcome, dict[str, Any]]]:
    # The demo site is Jaga's own, on loopback: internal addresses are allowed for it.
    policy = http.AddressPolicy(allow_internal=True)
    done = []
    async with http.session_new(policy, ports=ports) as session:
        for monitor in monitors:
            kind = REGISTRY.get(monitor.kind)
            state = dict(monitor.state or {})
            ctx = CheckContext(session=session, state=state, timeout_s=monitor.timeout_seconds, policy=policy)
            outcome = await kind.check(ctx, validate_config(kind, monitor.config))
            done.append((monitor, outcome, state))
    return done


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    # Called from a thread that runs a loop (a browser test drives one): run it in another thread.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def content_checks_run(*, site: Site) -> str:
    """Check each content monitor of the demo site once, if it was never checked for real; says what it did."""
    monitors = [
        m
        for m in Monitor.objects.filter(site=site, kind__in=CONTENT_KINDS).order_by("pk")
        if not m.results.filter(probe=PROBE_NAME).exists()
    ]
    if not monitors:
        return "pemeriksaan isi: sudah ada"
    address = urlsplit(site.base_url)
    host, port = address.hostname or "127.0.0.1", address.port or 80
    server = make_server("127.0.0.1", 0, WSGIHandler(), server_class=_Server, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="jaga-demo-site", daemon=True)
    thread.start()
    try:
        checked = _run(_check_all(monitors, {(host, port): server.server_port}))
    finally:
        server.shutdown()
        server.server_close()
    now = clock.now()
    services.results_write_batch(
        records=[
            services.ResultRecord(monitor_id=m.pk, probe=PROBE_NAME, checked_at=now, outcome=outcome, state=state)
            for m, outcome, state in checked
        ],
        probe_name=PROBE_NAME,
        now=now,
    )
    # A one-off run, not a probe that keeps reporting: it must not be asked for diagnostics later.
    Probe.objects.filter(name=PROBE_NAME).delete()
    said = ", ".join(f"{m.kind} {outcome.status.value}" for m, outcome, _state in checked)
    return f"pemeriksaan isi di situs demo: {said}"
