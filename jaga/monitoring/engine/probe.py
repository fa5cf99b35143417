"""The probe: claims due monitors, runs their checks concurrently, writes results in batches.

One asyncio loop, one shared aiohttp session, a semaphore bounding concurrent checks. The database is
only touched through :mod:`jaga.monitoring.services`, called via ``sync_to_async`` (one thread), and
results are buffered and written every ``flush_interval`` seconds or ``flush_size`` results.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import random
import socket
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from asgiref.sync import sync_to_async
from django.conf import settings

from jaga.core.clock import now as clock_now
from jaga.monitoring import services
from jaga.monitoring.kinds import REGISTRY
from jaga.monitoring.kinds.base import CheckContext, CheckOutcome, Status, validate_config
from jaga.monitoring.kinds.http import FetchError, fetch
from jaga.monitoring.models import Monitor

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def default_probe_name() -> str:
    return str(getattr(settings, "JAGA_PROBE_NAME", "") or socket.gethostname())


class ProbeEngine:
    """Run with :meth:`run` (until :meth:`stop`) or step with :meth:`run_once` (tests, ``--once``)."""

    def __init__(
        self,
        *,
        name: str | None = None,
        concurrency: int | None = None,
        control_url: str | None = None,
        clock: Clock = clock_now,
        flush_interval: float = 1.0,
        flush_size: int = 500,
        poll_interval: float = 0.5,
        control_interval: float = 30.0,
        retry_backoff: float = 0.5,
        stop_grace: float = 5.0,
        jitter_seconds: float = 1.0,
        session_factory: Callable[[], aiohttp.ClientSession] | None = None,
    ) -> None:
        self.name = name or default_probe_name()
        self.concurrency = concurrency or int(getattr(settings, "JAGA_PROBE_CONCURRENCY", 200))
        self.control_url = getattr(settings, "JAGA_PROBE_CONTROL_URL", "") if control_url is None else control_url
        self.clock = clock
        self.flush_interval = flush_interval
        self.flush_size = flush_size
        self.poll_interval = poll_interval
        self.control_interval = control_interval
        self.retry_backoff = retry_backoff
        self.stop_grace = stop_grace
        self.jitter_seconds = jitter_seconds
        self._session_factory = session_factory
        self._session: aiohttp.ClientSession | None = None
        self._semaphore = asyncio.Semaphore(self.concurrency)
        self._buffer: list[services.ResultRecord] = []
        self._inflight: dict[int, asyncio.Task[None]] = {}
        self._stopping = asyncio.Event()
        self._last_flush = time.monotonic()
        self._control_ok: bool = True
        self._control_checked: float | None = None
        self.checks_done = 0
        self.transitions: list[services.Transition] = []

    # --- lifecycle ----------------------------------------------------------------------------

    def stop(self) -> None:
        self._stopping.set()

    async def __aenter__(self) -> ProbeEngine:
        if self._session is None:
            self._session = self._session_factory() if self._session_factory else self._session_new()
        await sync_to_async(services.probe_heartbeat, thread_sensitive=True)(
            probe_name=self.name, now=self.clock(), version="0.1"
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.shutdown()

    def _session_new(self) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=self.concurrency, limit_per_host=max(10, self.concurrency // 4), ttl_dns_cache=300
        )
        return aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar())

    async def run(self) -> None:
        """Loop until :meth:`stop`: claim what is due while there is room, flush on time or size."""
        async with self:
            while not self._stopping.is_set():
                await self._control_refresh()
                room = self.concurrency - len(self._inflight)
                claimed = await self._claim(room) if room > 0 else []
                for monitor in claimed:
                    self._start(monitor)
                if self._flush_due():
                    await self.flush()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), timeout=0.05 if claimed else self.poll_interval)

    async def run_once(self) -> int:
        """One round: claim everything due, run it, write the results. Returns the number of checks."""
        if self._session is None:
            await self.__aenter__()
        await self._control_refresh()
        before = self.checks_done
        while True:
            claimed = await self._claim(self.concurrency)
            if not claimed:
                break
            for monitor in claimed:
                self._start(monitor)
            await asyncio.gather(*list(self._inflight.values()), return_exceptions=True)
            if len(claimed) < self.concurrency:
                break
        await self.flush()
        return self.checks_done - before

    async def shutdown(self) -> None:
        """Finish in-flight checks (up to ``stop_grace`` s), cancel the rest, write, give back claims."""
        self._stopping.set()
        pending = list(self._inflight.values())
        unfinished = list(self._inflight)  # ids: a cancelled check leaves no result and is given back
        if pending:
            _, still = await asyncio.wait(pending, timeout=self.stop_grace)
            for task in still:
                task.cancel()
            await asyncio.gather(*still, return_exceptions=True)
        await self.flush()
        await sync_to_async(services.monitors_release, thread_sensitive=True)(
            probe_name=self.name, monitor_ids=unfinished, now=self.clock()
        )
        self._inflight.clear()
        if self._session is not None and self._session_factory is None:
            await self._session.close()
        self._session = None

    # --- claiming and checking -----------------------------------------------------------------

    async def _claim(self, limit: int) -> list[Monitor]:
        claimed: list[Monitor] = await sync_to_async(services.monitors_claim_due, thread_sensitive=True)(
            probe_name=self.name, now=self.clock(), limit=limit
        )
        return claimed

    def _start(self, monitor: Monitor) -> None:
        task = asyncio.create_task(self._check(monitor), name=f"check-{monitor.pk}")
        self._inflight[monitor.pk] = task
        task.add_done_callback(functools.partial(self._done, monitor.pk))

    def _done(self, pk: int, _task: asyncio.Task[None]) -> None:
        self._inflight.pop(pk, None)

    async def _check(self, monitor: Monitor) -> None:
        async with self._semaphore:
            started_at = self.clock()
            due = monitor.next_check_at or started_at
            outcome = await self._run_kind(monitor)
            if outcome.status == Status.DOWN and self.control_url:
                await self._control_refresh(force=True)
            if outcome.status == Status.DOWN and not self._control_ok:
                outcome = CheckOutcome(
                    Status.PROBE_OFFLINE,
                    f"Probe {self.name} luring: target kontrol tidak terjangkau; hasil diabaikan / "
                    f"probe offline, result ignored ({outcome.reason})",
                    details={**outcome.details, "probe_offline": True},
                )
            outcome.details.setdefault("lag_ms", round(max(0.0, (started_at - due).total_seconds()) * 1000, 1))
            self._buffer.append(
                services.ResultRecord(
                    monitor_id=monitor.pk,
                    probe=self.name,
                    checked_at=started_at,
                    outcome=outcome,
                    state=monitor.state,
                    next_check_at=self._next_due(monitor, due, started_at),
                )
            )
            self.checks_done += 1

    def _next_due(self, monitor: Monitor, due: datetime, now: datetime) -> datetime:
        """Keep the cadence (due + interval), with a little jitter so checks spread out."""
        interval = timedelta(seconds=monitor.interval_seconds)
        base = due + interval if due + interval > now else now + interval
        spread = min(self.jitter_seconds, monitor.interval_seconds * 0.02)
        return base + timedelta(seconds=random.uniform(-spread, spread))  # noqa: S311 - not security

    async def _run_kind(self, monitor: Monitor) -> CheckOutcome:
        """Retry a failing check ``monitor.retries`` times with a short backoff; never raise."""
        try:
            kind = REGISTRY.get(monitor.kind)
            config = validate_config(kind, monitor.config)
        except (KeyError, ImportError, ValueError) as exc:
            return CheckOutcome(
                Status.DEGRADED, f"Konfigurasi monitor tidak sah / invalid monitor configuration: {exc}"
            )
        assert self._session is not None
        outcome = CheckOutcome(Status.DOWN, "Belum diperiksa")
        for attempt in range(monitor.retries + 1):
            state: dict[str, Any] = dict(monitor.state or {})
            ctx = CheckContext(session=self._session, state=state, timeout_s=monitor.timeout_seconds)
            try:
                # The kind enforces its own deadline; this outer one is the last line of defence.
                async with asyncio.timeout(monitor.timeout_seconds * 2 + 5):
                    outcome = await kind.check(ctx, config)
            except TimeoutError:
                outcome = CheckOutcome(
                    Status.DOWN,
                    f"Batas waktu {monitor.timeout_seconds:g} detik terlampaui / timed out",
                    details={"error": "timeout"},
                )
            except Exception as exc:
                logger.exception("monitor %s (%s) check raised", monitor.pk, monitor.kind)
                outcome = CheckOutcome(
                    Status.DEGRADED, f"Galat internal pemeriksaan / internal check error: {type(exc).__name__}: {exc}"
                )
            if outcome.status != Status.DOWN:
                monitor.state = ctx.state
                break
            if attempt < monitor.retries:
                outcome.details["attempts"] = attempt + 2
                await asyncio.sleep(self.retry_backoff * (2**attempt))
        return outcome

    # --- control target -------------------------------------------------------------------------

    async def _control_refresh(self, *, force: bool = False) -> None:
        if not self.control_url:
            return
        fresh = self._control_checked is not None and time.monotonic() - self._control_checked < (
            5.0 if force else self.control_interval
        )
        if fresh:
            return
        assert self._session is not None
        ctx = CheckContext(session=self._session, timeout_s=5.0)
        try:
            page = await fetch(ctx, self.control_url, max_bytes=1024)
            ok = page.status < 500
        except FetchError as exc:
            logger.warning("probe %s: control target %s unreachable: %s", self.name, self.control_url, exc)
            ok = False
        self._control_checked = time.monotonic()
        if ok != self._control_ok or not force:
            self._control_ok = ok
            await sync_to_async(services.probe_heartbeat, thread_sensitive=True)(
                probe_name=self.name, now=self.clock(), control_ok=ok
            )

    # --- writing ----------------------------------------------------------------------------------

    def _flush_due(self) -> bool:
        return len(self._buffer) >= self.flush_size or (
            bool(self._buffer) and time.monotonic() - self._last_flush >= self.flush_interval
        )

    async def flush(self) -> None:
        self._last_flush = time.monotonic()
        if not self._buffer:
            return
        batch, self._buffer = self._buffer, []
        try:
            transitions = await sync_to_async(services.results_write_batch, thread_sensitive=True)(
                records=batch, probe_name=self.name, now=self.clock()
            )
        except Exception:
            # Keep the results for the next flush rather than lose them (e.g. the database was locked).
            logger.exception("probe %s: writing %d results failed; will retry", self.name, len(batch))
            self._buffer[:0] = batch
            return
        self.transitions.extend(transitions)
