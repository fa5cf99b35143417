""" "Test now": one check of a monitor's settings before they are saved, run by the web process.

The check runs exactly as the probe would run it (the kind's own code, the same HTTP wrapper and address guard
of the institution), once, without retries, and writes nothing: no result, no status, no kind state.
"""

from __future__ import annotations

import asyncio
import time

from jaga.core import http
from jaga.core.kindconfig import KindConfig
from jaga.monitoring.kinds import REGISTRY
from jaga.monitoring.kinds.base import CheckContext, CheckOutcome, Status

MAX_TRIAL_SECONDS = 20.0  # a person waits for the answer: a trial never runs longer than this


def monitor_trial(*, kind: str, config: KindConfig, institution: object, timeout_s: float) -> CheckOutcome:
    """Run one check of ``config`` (already validated by the kind's model) and return its outcome."""
    implementation = REGISTRY.get(kind)
    timeout = min(float(timeout_s), MAX_TRIAL_SECONDS)
    policy = http.AddressPolicy.for_institution(institution)

    async def go() -> CheckOutcome:
        async with http.session_new(policy, limit=8) as session:
            ctx = CheckContext(session=session, state={}, timeout_s=timeout, policy=policy)
            try:
                async with asyncio.timeout(timeout * 2 + 5):
                    return await implementation.check(ctx, config)
            except TimeoutError:
                return CheckOutcome(Status.DOWN, f"Batas waktu {timeout:g} detik terlampaui / timed out")

    started = time.monotonic()
    outcome = asyncio.run(go())
    if outcome.response_ms is None:
        outcome.response_ms = (time.monotonic() - started) * 1000
    return outcome
