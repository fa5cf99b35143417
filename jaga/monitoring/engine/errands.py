"""Errands: work another app asks of every live probe, run from where each probe stands.

The incidents app's first-response diagnostics are one: when a site goes down, DNS, TCP, TLS and HTTP are
tried from each probe (each network, each place) and each probe's answer is kept under its name. The
monitoring app runs errands; it names no app above it. An app registers its errand in its ``ready()``::

    from jaga.monitoring.engine.errands import probe_errand_register

    probe_errand_register("incidents.diagnose", "jaga.incidents.probe_errand.ERRAND")

The path names an object with three methods:

- ``claim(*, probe_name, now, limit) -> list`` (the database thread): take up to ``limit`` items waiting for
  this probe, each with a conditional update so that two processes never take the same one;
- ``async run(item, *, probe_name)`` (the probe's loop): do the work; its outcome is ``record``'s;
- ``record(*, item, result, error, probe_name, now)`` (the database thread): write the outcome (``error``, a
  sentence, when ``run`` raised; ``result`` is then None).

Errands never hold up checks: they run as tasks of their own, at most :data:`CONCURRENCY` at once, claimed
every :data:`CLAIM_EVERY_SECONDS`. The probes an app asks are those that are live (:func:`probes_live`) and
new enough to run errands (:data:`ERRANDS_SINCE`: an older probe would never answer).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

CLAIM_EVERY_SECONDS = 2.0
CONCURRENCY = 4
# A probe writes its heartbeat every JAGA_HEARTBEAT_SECONDS (10 s, at most 20) and its results every second:
# a minute without either is not live.
LIVE_WITHIN = timedelta(seconds=60)
ERRANDS_SINCE = (0, 3)  # the first probe version that claims errands

_ERRANDS: dict[str, str] = {}

Db = Callable[..., Awaitable[Any]]


def probe_errand_register(key: str, path: str) -> None:
    """Register (or register again, changing nothing) the errand ``key``; ``path`` names its object."""
    _ERRANDS[key] = path


def errands_registered() -> dict[str, str]:
    return dict(_ERRANDS)


def _version(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split("."))
    except ValueError:
        return ()


def probes_live(*, now: datetime) -> list[dict[str, str]]:
    """The probes to ask for an errand now: seen in the last :data:`LIVE_WITHIN`, able to run errands.

    Each as ``{"name", "location"}``, by name.
    """
    from jaga.monitoring.models import Probe

    rows = Probe.objects.filter(last_seen__gte=now - LIVE_WITHIN).order_by("name")
    return [
        {"name": probe.name, "location": probe.location} for probe in rows if _version(probe.version) >= ERRANDS_SINCE
    ]


class ErrandRunner:
    """The errands of one probe process. The engine calls :meth:`tick` from its loop, :meth:`drain` in a
    single round, :meth:`stop` when it stops; every database call goes through the engine's ``db``
    (the database thread, with its back-off)."""

    def __init__(self, *, probe_name: str, db: Db, clock: Callable[[], datetime]) -> None:
        self.probe_name = probe_name
        self._db = db
        self._clock = clock
        self._tasks: set[asyncio.Task[None]] = set()
        self._last_claim = 0.0
        self.done = 0

    async def tick(self, *, force: bool = False) -> None:
        """Claim what is waiting for this probe (every :data:`CLAIM_EVERY_SECONDS`, while there is room)."""
        if not _ERRANDS or (not force and time.monotonic() - self._last_claim < CLAIM_EVERY_SECONDS):
            return
        self._last_claim = time.monotonic()
        for key, path in errands_registered().items():
            room = CONCURRENCY - len(self._tasks)
            if room <= 0:
                return
            try:
                errand = import_string(path)
            except ImportError:
                logger.exception("errand %s: %s cannot be imported", key, path)
                continue
            items = await self._db(
                f"claim errand {key}", errand.claim, probe_name=self.probe_name, now=self._clock(), limit=room
            )
            for item in items or []:
                task = asyncio.create_task(self._run(key, errand, item), name=f"errand-{key}")
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def _run(self, key: str, errand: Any, item: Any) -> None:
        result: Any = None
        error = ""
        try:
            result = await errand.run(item, probe_name=self.probe_name)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            logger.exception("errand %s failed on probe %s", key, self.probe_name)
            error = f"{type(exc).__name__}: {exc}"
        await self._db(
            f"record errand {key}",
            errand.record,
            item=item,
            result=result,
            error=error,
            probe_name=self.probe_name,
            now=self._clock(),
        )
        self.done += 1

    async def drain(self) -> None:
        """Claim now and wait for every running errand (a single round: ``run_once``, tests)."""
        await self.tick(force=True)
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def stop(self, grace: float) -> None:
        """Let running errands finish for ``grace`` seconds, then cancel them (their requests expire)."""
        if not self._tasks:
            return
        _, still = await asyncio.wait(list(self._tasks), timeout=grace)
        for task in still:
            task.cancel()
        await asyncio.gather(*still, return_exceptions=True)
