"""The first-response diagnostics as a probe errand (:mod:`jaga.monitoring.engine.errands`): each live probe
claims the requests written for it, runs DNS, TCP, TLS and HTTP from where it stands, and its answer goes on
the incident's timeline under its name. Registered in ``IncidentsConfig.ready()``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from jaga.core import http
from jaga.incidents.diagnostics import Target, diagnostics_run
from jaga.incidents.models import DiagnosticRequest


@dataclass(frozen=True)
class Diagnosis:
    request: DiagnosticRequest
    target: Target
    policy: http.AddressPolicy
    location: str
    control_ok: bool  # the probe reached its control target: a failure it sees is the site's, not its own


class DiagnosticsErrand:
    def claim(self, *, probe_name: str, now: dt.datetime, limit: int) -> list[Diagnosis]:
        from jaga.incidents.services.diagnostics import diagnosis_target, diagnostic_requests_claim
        from jaga.monitoring.models import Probe

        requests = diagnostic_requests_claim(probe_name=probe_name, now=now, limit=limit)
        if not requests:
            return []
        row = Probe.objects.filter(name=probe_name).values_list("location", "control_ok").first()
        location, control_ok = row if row is not None else ("", True)
        found = []
        for request in requests:
            target, policy = diagnosis_target(incident=request.incident)
            found.append(
                Diagnosis(request=request, target=target, policy=policy, location=location, control_ok=control_ok)
            )
        return found

    async def run(self, item: Diagnosis, *, probe_name: str) -> dict[str, Any]:
        return await diagnostics_run(item.target, policy=item.policy)

    def record(
        self, *, item: Diagnosis, result: dict[str, Any] | None, error: str, probe_name: str, now: dt.datetime
    ) -> None:
        from jaga.incidents.services.diagnostics import diagnostic_request_answer

        diagnostic_request_answer(
            request=item.request, result=result, error=error, location=item.location, control_ok=item.control_ok,
            now=now,
        )  # fmt: skip


ERRAND = DiagnosticsErrand()
