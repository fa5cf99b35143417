"""The probe: claims due monitors, runs their checks concurrently, writes results in batches.

One asyncio loop; one HTTP session per address policy (the address guard lives in its connector); a
semaphore bounding the checks that run at once; a budget bounding the response bodies held at once. The
database is touched only through :mod:`jaga.monitoring.services`, in one thread (``sync_to_async``).

Claims are leases: taken a moment before the monitor is due (so the check starts on time), renewed every
few seconds while the check waits or runs, and given back with the result. A probe that dies leaves
leases that lapse within ``lease_seconds``; a result whose lease was lost is dropped when written.

The database may fail (full disk, locked, unreachable): the probe then waits with back-off, says why in
its log, keeps its unwritten results in memory (up to ``max_unwritten``; it claims nothing more meanwhile),
and goes on when the database answers again.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import secrets
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

import aiohttp
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError, connection

from jaga.core import http
from jaga.core.clock import now as clock_now
from jaga.monitoring import services
from jaga.monitoring.engine.errands import ErrandRunner
from jaga.monitoring.engine.health import LagWindow, database_trouble
from jaga.monitoring.engine.store import Claim
from jaga.monitoring.kinds import REGISTRY
from jaga.monitoring.kinds.base import CheckContext, CheckOutcome, KindConfig, MonitorKind, Status, validate_config
from jaga.monitoring.models import Monitor
from jaga.monitoring.reasons import ENGINE

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
T = TypeVar("T")
VERSION = "0.3"  # 0.3: claims errands (jaga.monitoring.engine.errands)
SPEC_TTL_SECONDS = 600.0  # re-read a monitor's settings at least this often (its institution's may change)
BEHIND_WARN_MS = 2000  # a lag p99 above this over a minute is logged as falling behind


def default_probe_name() -> str:
    return str(getattr(settings, "JAGA_PROBE_NAME", "") or socket.gethostname())


@dataclass(slots=True)
class Spec:
    """What the probe keeps of a monitor between checks (re-read when its settings version moves)."""

    monitor_id: int
    kind_name: str
    kind: MonitorKind | None
    config: KindConfig | None
    error: str  # the configuration is invalid: this is the reason, and the check reports it
    interval: int
    timeout: float
    retries: int
    version: int
    allow_internal: bool
    read_at: float


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
        jitter_seconds: float = 0.0,  # kept for callers; the schedule is a fixed grid now (no drift)
        lease_seconds: float = services.LEASE_SECONDS,
        lookahead_seconds: float = 1.0,
        max_unwritten: int = 20_000,
        body_budget_bytes: int | None = None,
        heartbeat_interval: float | None = None,
        session_factory: Callable[[], aiohttp.ClientSession] | None = None,
    ) -> None:
        self.name = name or default_probe_name()
        self.token = secrets.token_hex(8)  # this process: a restarted probe of the same name is another owner
        self.concurrency = concurrency or int(getattr(settings, "JAGA_PROBE_CONCURRENCY", 200))
        self.control_url = getattr(settings, "JAGA_PROBE_CONTROL_URL", "") if control_url is None else control_url
        self.clock = clock
        self.flush_interval = flush_interval
        self.flush_size = flush_size
        self.poll_interval = poll_interval
        self.control_interval = control_interval
        self.retry_backoff = retry_backoff
        self.stop_grace = stop_grace
        self.lease_seconds = lease_seconds
        self.lookahead_seconds = lookahead_seconds
        self.max_unwritten = max_unwritten
        self.heartbeat_interval = (
            float(getattr(settings, "JAGA_HEARTBEAT_SECONDS", 10)) if heartbeat_interval is None else heartbeat_interval
        )
        budget = body_budget_bytes or int(getattr(settings, "JAGA_PROBE_BODY_BUDGET_MB", 64)) * 1024 * 1024
        self.budget = http.BodyBudget(budget)
        self._session_factory = session_factory
        self._sessions: dict[http.AddressPolicy, aiohttp.ClientSession] = {}
        self._semaphore = asyncio.Semaphore(self.concurrency)
        self._buffer: list[services.ResultRecord] = []
        self._inflight: dict[int, asyncio.Task[None]] = {}  # claimed: waiting for its time or a slot, or running
        self._running: set[int] = set()
        self._claims: dict[int, Claim] = {}
        self._specs: dict[int, Spec] = {}
        self._stopping = asyncio.Event()
        self._last_flush = time.monotonic()
        self._last_renew = time.monotonic()
        self._lease_safe_until = time.monotonic() + lease_seconds  # until then no other probe can own our claims
        self._last_heartbeat = 0.0
        self._last_behind_log = 0.0
        self._control_ok: bool = True
        self._control_checked: float | None = None
        self._db_retry_at = 0.0
        self._db_backoff = 0.0
        self._db_cause = ""
        self._db_failed = ""  # what failed with that cause: only its success says the database is back
        self._lags = LagWindow()
        self.errands = ErrandRunner(probe_name=self.name, db=self._db, clock=clock)
        self.checks_done = 0
        self.results_dropped = 0
        self.transitions: list[services.Transition] = []

    # --- lifecycle ----------------------------------------------------------------------------

    def stop(self) -> None:
        self._stopping.set()

    async def __aenter__(self) -> ProbeEngine:
        await self._db("heartbeat", services.probe_heartbeat, probe_name=self.name, now=self.clock(), version=VERSION)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.shutdown()

    def session(self, policy: http.AddressPolicy) -> aiohttp.ClientSession:
        """The shared session for one address policy (connections are reused only within it)."""
        found = self._sessions.get(policy)
        if found is None:
            if self._session_factory is not None:
                found = self._session_factory()
            else:
                found = http.session_new(policy, limit=self.concurrency, limit_per_host=max(10, self.concurrency // 4))
            self._sessions[policy] = found
        return found

    async def run(self) -> None:
        """Loop until :meth:`stop`: claim what is (about to be) due while there is room, renew, flush."""
        async with self:
            while not self._stopping.is_set():
                await self._control_refresh()
                await self._renew_if_due()
                more = False  # the claim was full: there is more due, look again at once
                if self._db_ready() and len(self._buffer) < self.max_unwritten:
                    room = self.concurrency + self.flush_size - len(self._inflight)
                    if room > 0:
                        limit = min(room, self.flush_size)
                        claims = await self._claim(limit, self.lookahead_seconds)
                        more = len(claims) == limit
                        await self._start_all(claims)
                if self._flush_due():
                    await self.flush()
                if self._db_ready():
                    await self.errands.tick()
                await self._heartbeat_if_due()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), timeout=0.02 if more else self.poll_interval)

    async def run_once(self) -> int:
        """One round: claim everything due, run it, write the results. Returns the number of checks."""
        await self._control_refresh()
        before = self.checks_done
        while True:
            claims = await self._claim(self.concurrency, 0.0)
            if not claims:
                break
            await self._start_all(claims)
            await asyncio.gather(*list(self._inflight.values()), return_exceptions=True)
            if len(claims) < self.concurrency:
                break
        await self.flush()
        await self.errands.drain()
        return self.checks_done - before

    async def shutdown(self) -> None:
        """Finish running checks (up to ``stop_grace`` s), cancel the rest, write, give back claims."""
        self._stopping.set()
        await self.errands.stop(self.stop_grace)
        pending = dict(self._inflight)
        if pending:
            _, still = await asyncio.wait(pending.values(), timeout=self.stop_grace)
            for task in still:
                task.cancel()
            await asyncio.gather(*still, return_exceptions=True)
        # Cancelled: no result, given back for another probe (after the flush, which ends the others' claims).
        unfinished = [pk for pk, task in pending.items() if task.cancelled()]
        for attempt in range(3):
            await self.flush()
            if not self._buffer:
                break
            await asyncio.sleep(0.5 * (attempt + 1))
        if self._buffer:
            logger.error(
                "probe %s: %d hasil tidak dapat ditulis saat berhenti / %d results could not be written at stop: %s",
                self.name,
                len(self._buffer),
                len(self._buffer),
                self._db_cause,
            )
        if unfinished:
            await self._db(
                "release",
                services.monitors_release,
                probe_name=self.name,
                monitor_ids=unfinished,
                now=self.clock(),
                token=self.token,
            )
        self._inflight.clear()
        for session in self._sessions.values():
            if self._session_factory is None:
                await session.close()
        self._sessions.clear()

    # --- the database, with back-off ---------------------------------------------------------------

    def _db_ready(self) -> bool:
        return time.monotonic() >= self._db_retry_at

    async def _db(self, what: str, function: Callable[..., T], **kwargs: Any) -> T | None:
        """Call a service in the database thread. A database failure is logged with its cause and backed off."""
        try:
            result: T = await sync_to_async(_db_call, thread_sensitive=True)(function, kwargs)
        except DatabaseError as exc:
            cause, sentence = database_trouble(exc)
            self._db_backoff = min(30.0, max(0.5, self._db_backoff * 2))
            self._db_retry_at = time.monotonic() + self._db_backoff
            if sentence != self._db_cause:
                logger.error(
                    "probe %s: %s gagal, dicoba lagi dalam %.0f detik; %d hasil disimpan di memori / "
                    "%s failed, retrying in %.0f s; %d results kept in memory: %s",
                    self.name,
                    what,
                    self._db_backoff,
                    len(self._buffer),
                    what,
                    self._db_backoff,
                    len(self._buffer),
                    sentence,
                )
            self._db_cause = sentence if cause else ""
            self._db_failed = what
            return None
        # A read (or a claim of nothing) succeeds on a full disk; the database is back when what failed works.
        if self._db_cause and what == self._db_failed:
            logger.warning("probe %s: basis data kembali normal / the database answers again", self.name)
            self._db_cause = ""
            self._db_failed = ""
        self._db_backoff = 0.0
        return result

    # --- claiming and checking -----------------------------------------------------------------

    async def _claim(self, limit: int, lookahead: float) -> list[Claim]:
        claims = await self._db(
            "claim",
            services.monitors_claim_due,
            probe_name=self.name,
            now=self.clock(),
            limit=limit,
            lease_seconds=self.lease_seconds,
            token=self.token,
            lookahead_seconds=lookahead,
        )
        return list(claims or [])

    async def _start_all(self, claims: list[Claim]) -> None:
        missing = [
            c.monitor_id
            for c in claims
            if (spec := self._specs.get(c.monitor_id)) is None
            or spec.version != c.settings_version
            or time.monotonic() - spec.read_at > SPEC_TTL_SECONDS
        ]
        if missing:
            rows = await self._db("read settings", _specs_read, monitor_ids=missing)
            for spec in rows or []:
                self._specs[spec.monitor_id] = spec
        for claim in claims:
            spec = self._specs.get(claim.monitor_id)
            if spec is None:
                continue  # deleted meanwhile: its claim goes with it
            task = asyncio.create_task(self._check(claim, spec), name=f"check-{claim.monitor_id}")
            self._inflight[claim.monitor_id] = task
            self._claims[claim.monitor_id] = claim
            task.add_done_callback(functools.partial(self._done, claim.monitor_id))

    def _done(self, pk: int, _task: object = None) -> None:
        self._inflight.pop(pk, None)
        self._claims.pop(pk, None)

    async def _check(self, claim: Claim, spec: Spec) -> None:
        due = claim.due or self.clock()
        wait = (due - self.clock()).total_seconds()
        if wait > 0:
            await asyncio.sleep(min(wait, self.lookahead_seconds))
        async with self._semaphore:
            if time.monotonic() > self._lease_safe_until:
                # The lease could not be renewed in time: another probe may own the monitor now. Leave it.
                self.results_dropped += 1
                return
            started_at = self.clock()
            self._running.add(claim.monitor_id)
            try:
                outcome, state = await self._run_kind(spec, claim)
            finally:
                self._running.discard(claim.monitor_id)
            if outcome.status == Status.DOWN and self.control_url:
                await self._control_refresh(force=True)
            if outcome.status == Status.DOWN and not self._control_ok:
                outcome = CheckOutcome(
                    Status.PROBE_OFFLINE,
                    ENGINE("probe_offline", probe=self.name, reason=outcome.stored),
                    details={**outcome.details, "probe_offline": True},
                )
            lag_ms = max(0.0, (started_at - due).total_seconds() * 1000)
            self._lags.add(lag_ms)
            self._buffer.append(
                services.ResultRecord(
                    monitor_id=claim.monitor_id,
                    probe=self.name,
                    checked_at=started_at,
                    outcome=outcome,
                    state=state,
                    next_check_at=next_due(due, spec.interval, self.clock(), started_at=started_at),
                    claim_token=self.token,
                    settings_version=claim.settings_version,
                    lag_ms=lag_ms,
                )
            )
            self.checks_done += 1

    async def _run_kind(self, spec: Spec, claim: Claim) -> tuple[CheckOutcome, dict[str, Any] | None]:
        """Retry a failing check ``retries`` times with a short backoff; never raise. Returns the new state."""
        if spec.kind is None or spec.config is None:
            return CheckOutcome(Status.DEGRADED, ENGINE("bad_config", error=spec.error)), None
        policy = http.AddressPolicy.for_institution(allow_internal=spec.allow_internal)
        session = self.session(policy)
        outcome = CheckOutcome(Status.DOWN, ENGINE("not_checked"))
        hold = http.BodyHold(self.budget)
        try:
            for attempt in range(spec.retries + 1):
                state: dict[str, Any] = dict(claim.state)
                ctx = CheckContext(session=session, state=state, timeout_s=spec.timeout, policy=policy, hold=hold)
                try:
                    # The kind enforces its own deadline; this outer one is the last line of defence.
                    async with asyncio.timeout(spec.timeout * 2 + 5):
                        outcome = await spec.kind.check(ctx, spec.config)
                except TimeoutError:
                    outcome = CheckOutcome(
                        Status.DOWN, ENGINE("timeout", seconds=f"{spec.timeout:g}"), details={"error": "timeout"}
                    )
                except Exception as exc:
                    logger.exception("monitor %s (%s) check raised", spec.monitor_id, spec.kind_name)
                    outcome = CheckOutcome(Status.DEGRADED, ENGINE("crashed", error=f"{type(exc).__name__}: {exc}"))
                hold.release()
                if outcome.status != Status.DOWN:
                    return outcome, (ctx.state if ctx.state != claim.state else None)
                if attempt < spec.retries:
                    outcome.details["attempts"] = attempt + 2
                    await asyncio.sleep(self.retry_backoff * (2**attempt))
        finally:
            hold.release()
        return outcome, None

    # --- leases, heartbeat ------------------------------------------------------------------------

    async def _renew_if_due(self) -> None:
        if time.monotonic() - self._last_renew < self.lease_seconds / 3 or not self._db_ready():
            return
        asked = time.monotonic()
        ids = list(self._inflight)
        renewed = await self._db(
            "renew",
            services.monitors_claims_renew,
            token=self.token,
            monitor_ids=ids,
            now=self.clock(),
            lease_seconds=self.lease_seconds,
        )
        if renewed is not None:
            self._last_renew = asked
            self._lease_safe_until = asked + self.lease_seconds * 0.9
            if renewed < len(ids):
                logger.info("probe %s: %d claims were taken over meanwhile", self.name, len(ids) - renewed)

    async def _heartbeat_if_due(self) -> None:
        if time.monotonic() - self._last_heartbeat < self.heartbeat_interval or not self._db_ready():
            return
        self._last_heartbeat = time.monotonic()
        figures = self._lags.figures()
        now = self.clock()
        late = now - timedelta(seconds=1)
        behind = sum(1 for pk, claim in self._claims.items() if pk not in self._running and (claim.due or now) < late)
        await self._db(
            "heartbeat",
            services.probe_heartbeat,
            probe_name=self.name,
            now=now,
            stats={
                "lag_p50_ms": figures.p50_ms,
                "lag_p99_ms": figures.p99_ms,
                "lag_max_ms": figures.max_ms,
                "checks_last_minute": figures.checks,
                "behind": behind,
                "unwritten": len(self._buffer),
            },
        )
        slow = figures.p99_ms is not None and figures.p99_ms > BEHIND_WARN_MS
        if (slow or behind) and time.monotonic() - self._last_behind_log > 60:
            self._last_behind_log = time.monotonic()
            logger.warning(
                "probe %s tertinggal: lag p99 %.1f detik, %d pemeriksaan menunggu giliran; tambah proses probe atau "
                "JAGA_PROBE_CONCURRENCY / falling behind: lag p99 %.1f s, %d checks waiting for a slot",
                self.name,
                (figures.p99_ms or 0) / 1000,
                behind,
                (figures.p99_ms or 0) / 1000,
                behind,
            )

    # --- control target -------------------------------------------------------------------------

    async def _control_refresh(self, *, force: bool = False) -> None:
        if not self.control_url:
            return
        fresh = self._control_checked is not None and time.monotonic() - self._control_checked < (
            5.0 if force else self.control_interval
        )
        if fresh:
            return
        # The control target is the operator's own setting: it may be the court's gateway on the intranet.
        session = self.session(http.AddressPolicy(allow_internal=True, allow_private=True))
        try:
            page = await http.fetch(session, self.control_url, max_bytes=1024, timeout_s=5.0)
            ok = page.status < 500
        except http.HttpError as exc:
            logger.warning("probe %s: control target %s unreachable: %s", self.name, self.control_url, exc)
            ok = False
        self._control_checked = time.monotonic()
        if ok != self._control_ok or not force:
            self._control_ok = ok
            await self._db("heartbeat", services.probe_heartbeat, probe_name=self.name, now=self.clock(), control_ok=ok)

    # --- writing ----------------------------------------------------------------------------------

    def _flush_due(self) -> bool:
        return self._db_ready() and (
            len(self._buffer) >= self.flush_size
            or (bool(self._buffer) and time.monotonic() - self._last_flush >= self.flush_interval)
        )

    async def flush(self) -> None:
        self._last_flush = time.monotonic()
        if not self._buffer:
            return
        batch, self._buffer = self._buffer, []
        transitions = await self._db(
            "write results", services.results_write_batch, records=batch, probe_name=self.name, now=self.clock()
        )
        if transitions is None:
            # Keep the results for the next flush rather than lose them (the database failed).
            self._buffer[:0] = batch
            return
        self.transitions.extend(transitions)


def next_due(due: datetime, interval_seconds: int, now: datetime, *, started_at: datetime | None = None) -> datetime:
    """The next point of the monitor's grid (``due + k * interval``) after ``now``: the cadence never drifts,
    and a check that ran longer than its interval skips the points it missed instead of running twice.

    A check that started late (after a restart of ``jaga up``, 16 s late at a 30 s interval) also skips a point
    less than half an interval after its start: the site is not checked twice in 14 s."""
    interval = timedelta(seconds=interval_seconds)
    missed = max(0, int((now - due) / interval))
    following = due + interval * (missed + 1)
    if started_at is not None and following - started_at < interval / 2:
        following += interval
    return following


def _db_call(function: Callable[..., T], kwargs: dict[str, Any]) -> T:
    try:
        return function(**kwargs)
    except DatabaseError:
        # A broken connection is not reused: the next call connects again (a working one is kept).
        with contextlib.suppress(Exception):
            if not connection.in_atomic_block and not connection.is_usable():
                connection.close()
        raise


def _specs_read(*, monitor_ids: list[int]) -> list[Spec]:
    rows = Monitor.objects.filter(pk__in=monitor_ids).values_list(
        "pk",
        "kind",
        "config",
        "interval_seconds",
        "timeout_seconds",
        "retries",
        "settings_version",
        "site__institution__allow_internal_addresses",
    )
    specs = []
    read_at = time.monotonic()
    for pk, kind_name, config, interval, timeout, retries, version, allow_internal in rows:
        kind: MonitorKind | None = None
        validated: KindConfig | None = None
        error = ""
        try:
            kind = REGISTRY.get(kind_name)
            validated = validate_config(kind, config or {})
        except (KeyError, ImportError, ValueError) as exc:
            error = f"Konfigurasi monitor tidak sah / invalid monitor configuration: {exc}"
            kind = None
        specs.append(
            Spec(pk, kind_name, kind, validated, error, interval, timeout, retries, version, allow_internal, read_at)
        )
    return specs
