"""First response from each probe: the worker asks every live probe, each real probe engine claims its request
in its own round, runs the steps against a site on loopback and answers under its name; a probe that never
answers is written on the timeline as such; with no live probe the worker runs them itself."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp import web
from asgiref.sync import async_to_sync
from django.test import Client
from django.urls import reverse

from jaga.core import clock
from jaga.core.liveness import sweeps_run
from jaga.core.sentences import sentence_read
from jaga.core.testing import LoopbackServer
from jaga.incidents.models import DiagnosticRequest, EntryKind, Incident
from jaga.incidents.services import incident_open_or_update
from jaga.incidents.services.diagnostics import ANSWER_WITHIN
from jaga.incidents.tasks import incident_diagnose
from jaga.monitoring import services as monitoring
from jaga.monitoring.engine import ProbeEngine
from jaga.monitoring.engine.errands import LIVE_WITHIN
from jaga.monitoring.engine.probe import VERSION
from jaga.monitoring.models import Monitor

pytestmark = pytest.mark.django_db
State = DiagnosticRequest.RequestState


async def _page(request: web.Request) -> web.Response:
    return web.Response(text="<h1>Pengadilan Negeri Bangil</h1>", content_type="text/html")


@pytest.fixture
def web_site() -> Iterator[str]:
    app = web.Application()
    app.router.add_get("/", _page)
    with LoopbackServer(app) as server:
        yield server.url("/")


def _heartbeat(name: str, *, at: dt.datetime, version: str = VERSION, location: str = "") -> None:
    probe = monitoring.probe_heartbeat(probe_name=name, now=at, version=version)
    if location:
        probe.location = location
        probe.save(update_fields=["location"])


def _outage(site: Any, url: str) -> Incident:
    monitor = Monitor.objects.create(site=site, name="Beranda", kind="http", config={"url": url}, enabled=False)
    return incident_open_or_update(
        site=site, kind="outage", cause_key=f"monitor:{monitor.pk}", summary="Beranda: turun",
        details={"monitor_id": monitor.pk},
    )  # fmt: skip


def _probe_round(name: str) -> int:
    """One round of a real probe engine of this name: checks (none are due) and then its errands."""

    async def go() -> int:
        async with ProbeEngine(name=name, control_url="", retry_backoff=0) as engine:
            await engine.run_once()
            return engine.errands.done

    return async_to_sync(go)()


def test_each_live_probe_answers_under_its_name_and_no_other_probe_is_asked(
    site: Any, staff: Any, web_site: str
) -> None:
    now = clock.now()
    _heartbeat("probe-jakarta", at=now, location="Jakarta")
    _heartbeat("probe-bangil", at=now, location="PN Bangil")
    _heartbeat("probe-lama", at=now - LIVE_WITHIN - dt.timedelta(seconds=1))  # not seen for over a minute
    _heartbeat("probe-versi-lama", at=now, version="0.2")  # would never claim the request
    incident = _outage(site, web_site)

    asked = incident_diagnose.call(incident_id=incident.pk)

    assert asked == {"probes": ["probe-bangil", "probe-jakarta"]}
    assert sorted(DiagnosticRequest.objects.values_list("probe", "state")) == [
        ("probe-bangil", State.PENDING), ("probe-jakarta", State.PENDING),
    ]  # fmt: skip
    assert not incident.timeline.filter(kind=EntryKind.DIAGNOSTIC).exists()  # the worker ran nothing itself
    assert incident.timeline.get(data__event="diagnostics_requested").data["probes"] == asked["probes"]

    assert _probe_round("probe-jakarta") == 1
    assert _probe_round("probe-jakarta") == 0  # answered once: nothing left for it
    assert _probe_round("probe-lama") == 0
    assert _probe_round("probe-bangil") == 1

    entries = {e.data["probe"]: e for e in incident.timeline.filter(kind=EntryKind.DIAGNOSTIC)}
    assert set(entries) == {"probe-jakarta", "probe-bangil"}
    for name, entry in entries.items():
        steps = {step["step"]: step for step in entry.data["steps"]}
        assert steps["tcp"]["ok"] is True
        assert steps["http"]["status"] == 200
        assert "Pengadilan Negeri Bangil" in steps["http"]["body"]
        assert entry.text.startswith(f"Diagnosis dari {name}\n")
        assert entry.data["ran_in"] == "probe"
    assert entries["probe-bangil"].data["location"] == "PN Bangil"
    assert set(DiagnosticRequest.objects.values_list("state", flat=True)) == {State.DONE}
    assert {r.entry_id for r in DiagnosticRequest.objects.all()} == {e.pk for e in entries.values()}

    client = Client()
    client.force_login(staff)
    page = client.get(reverse("incidents:detail", kwargs={"slug": site.institution.slug, "incident_id": incident.pk}))
    html = page.content.decode()
    assert 'data-diagnostics-probe="probe-jakarta"' in html
    assert "Dari probe probe-bangil (PN Bangil)" in html


def test_a_person_asks_again_and_the_answer_names_them(site: Any, staff: Any, web_site: str) -> None:
    _heartbeat("probe-a", at=clock.now())
    incident = _outage(site, web_site)
    incident_diagnose.call(incident_id=incident.pk, user_id=staff.pk)
    _probe_round("probe-a")
    entry = incident.timeline.get(kind=EntryKind.DIAGNOSTIC)
    assert entry.author == staff
    assert entry.data["trigger"] == "person"


def test_a_request_no_probe_answered_is_written_expired_and_a_late_claim_finds_nothing(
    site: Any, web_site: str
) -> None:
    _heartbeat("probe-diam", at=clock.now())
    incident = _outage(site, web_site)
    incident_diagnose.call(incident_id=incident.pk)
    request = DiagnosticRequest.objects.get()

    assert sweeps_run(now=request.requested_at + ANSWER_WITHIN - dt.timedelta(seconds=1)) == []
    request.refresh_from_db()
    assert request.state == State.PENDING  # still in time

    assert sweeps_run(now=request.requested_at + ANSWER_WITHIN + dt.timedelta(seconds=1)) == []
    request.refresh_from_db()
    assert request.state == State.EXPIRED
    line = incident.timeline.get(data__event="diagnostics_expired")
    assert sentence_read(line.text) == "Probe probe-diam tidak menjawab permintaan diagnosis dalam 3 menit."
    assert _probe_round("probe-diam") == 0  # it comes back too late: nothing is run
    assert not incident.timeline.filter(kind=EntryKind.DIAGNOSTIC).exists()


def test_with_no_live_probe_the_worker_runs_them_and_says_so(site: Any, web_site: str) -> None:
    _heartbeat("probe-lama", at=clock.now() - LIVE_WITHIN - dt.timedelta(minutes=5))
    incident = _outage(site, web_site)
    done = incident_diagnose.call(incident_id=incident.pk)
    entry = incident.timeline.get(kind=EntryKind.DIAGNOSTIC)
    assert done == {"entry": entry.pk}
    assert entry.data["ran_in"] == "worker"
    assert entry.data["probe"] == ""
    assert entry.text.startswith("Diagnosis dari worker (tidak ada probe aktif)\n")
    assert not DiagnosticRequest.objects.exists()


def test_two_processes_of_one_probe_never_take_the_same_request(site: Any, web_site: str) -> None:
    from jaga.incidents.services.diagnostics import diagnostic_requests_claim

    _heartbeat("probe-a", at=clock.now())
    incident = _outage(site, web_site)
    incident_diagnose.call(incident_id=incident.pk)
    first = diagnostic_requests_claim(probe_name="probe-a", now=clock.now(), limit=4)
    second = diagnostic_requests_claim(probe_name="probe-a", now=clock.now(), limit=4)
    assert len(first) == 1
    assert second == []


def _answer_from(request: DiagnosticRequest, url: str, *, control_ok: bool = True) -> None:
    """A probe's real diagnostics, run against ``url`` (what that probe reaches from where it stands)."""
    import asyncio

    from jaga.core import http
    from jaga.incidents.diagnostics import Target, diagnostics_run
    from jaga.incidents.services.diagnostics import diagnostic_request_answer

    result = asyncio.run(diagnostics_run(Target.for_url(url, timeout_s=2), policy=http.AddressPolicy.for_institution(
        request.incident.site.institution)))  # fmt: skip
    diagnostic_request_answer(request=request, result=result, error="", control_ok=control_ok, now=clock.now())


def _overview(client: Client, incident: Incident) -> str:
    url = reverse("incidents:detail", kwargs={"slug": incident.site.institution.slug, "incident_id": incident.pk})
    html = client.get(url).content.decode()
    start = html.index('id="diagnostics-overview"')
    return html[start : html.index("</section>", start)]


def test_the_page_sets_the_probes_answers_side_by_side_and_says_what_they_mean(
    site: Any, staff: Any, web_site: str
) -> None:
    from jaga.core.testing import free_port

    client = Client()
    client.force_login(staff)
    _heartbeat("probe-bangil", at=clock.now())
    _heartbeat("probe-jakarta", at=clock.now())
    incident = _outage(site, web_site)
    incident_diagnose.call(incident_id=incident.pk)
    bangil, jakarta = DiagnosticRequest.objects.order_by("probe")

    waiting = _overview(client, incident)
    assert 'data-probe="probe-bangil" data-state="pending"' in waiting
    assert "Menunggu jawaban probe lain." in waiting

    refused = f"http://127.0.0.1:{free_port()}/"
    _answer_from(bangil, web_site)  # Bangil reaches the site...
    _answer_from(jakarta, refused)  # ...Jakarta does not
    split = _overview(client, incident)
    assert 'data-verdict="split"' in split
    assert "kemungkinan gangguan jaringan atau rute" in split
    assert split.count('data-step="http" data-ok="yes"') == 1
    assert split.count('data-step="http" data-ok="no"') == 1

    incident_diagnose.call(incident_id=incident.pk)  # asked again: the newest round replaces the old one
    for request in DiagnosticRequest.objects.filter(state=State.PENDING):
        _answer_from(request, refused)
    none = _overview(client, incident)
    assert 'data-verdict="none"' in none
    assert "Tidak ada probe yang dapat menjangkau situs" in none
    assert "Menunggu" not in none


def test_an_offline_probes_failure_is_kept_but_says_nothing_about_the_site(
    site: Any, staff: Any, web_site: str
) -> None:
    from jaga.core.testing import free_port

    now = clock.now()
    _heartbeat("probe-bangil", at=now)
    _heartbeat("probe-luring", at=now)
    monitoring.probe_heartbeat(probe_name="probe-luring", now=now, control_ok=False)  # its own network is down
    incident = _outage(site, web_site)
    incident_diagnose.call(incident_id=incident.pk)
    assert _probe_round("probe-luring") == 1  # a real round: the probe's state goes with its answer
    entry = incident.timeline.get(kind=EntryKind.DIAGNOSTIC, data__probe="probe-luring")
    assert entry.data["probe_control_ok"] is False
    offline_request = DiagnosticRequest.objects.get(probe="probe-luring")
    offline_request.state = State.PENDING
    offline_request.save(update_fields=["state"])
    _answer_from(offline_request, f"http://127.0.0.1:{free_port()}/", control_ok=False)  # it reaches nothing
    _answer_from(DiagnosticRequest.objects.get(probe="probe-bangil"), web_site)

    client = Client()
    client.force_login(staff)
    overview = _overview(client, incident)
    assert 'data-verdict="all"' in overview  # not "split": the offline probe's failure is its own
    assert "probe luring" in overview.split('data-probe="probe-luring"')[1].split("</tr>")[0]


def test_an_errand_that_fails_is_written_as_a_failure_never_as_diagnostics(
    site: Any, web_site: str, monkeypatch: Any
) -> None:
    from jaga.incidents import probe_errand

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("resolver rusak")

    monkeypatch.setattr(probe_errand, "diagnostics_run", broken)
    _heartbeat("probe-a", at=clock.now())
    incident = _outage(site, web_site)
    incident_diagnose.call(incident_id=incident.pk)
    assert _probe_round("probe-a") == 1
    assert not incident.timeline.filter(kind=EntryKind.DIAGNOSTIC).exists()
    failed = incident.timeline.get(data__event="diagnostics_failed")
    assert sentence_read(failed.text) == "Diagnosis dari probe probe-a gagal: RuntimeError: resolver rusak"
    assert DiagnosticRequest.objects.get().state == State.DONE


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_four_processes_of_one_probe_claiming_at_once_take_each_request_once_on_postgresql(site: Any) -> None:
    import threading

    from django.db import connection

    from jaga.incidents.services.diagnostics import diagnostic_requests_claim

    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL run (make test-postgres): threads need a server database")
    _heartbeat("probe-a", at=clock.now())
    for number in range(6):  # six incidents: six requests waiting for probe-a
        incident = incident_open_or_update(site=site, kind="outage", cause_key=f"monitor:{number}", summary="turun")
        incident_diagnose.call(incident_id=incident.pk)
    start = threading.Barrier(4)
    taken: list[Any] = []

    def claim() -> None:
        from django.db import connection

        start.wait()
        try:
            taken.extend(r.pk for r in diagnostic_requests_claim(probe_name="probe-a", now=clock.now(), limit=6))
        except Exception as exc:
            taken.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert all(isinstance(pk, int) for pk in taken), taken
    assert sorted(taken) == sorted(DiagnosticRequest.objects.values_list("pk", flat=True))  # each once, none lost
    assert set(DiagnosticRequest.objects.values_list("state", flat=True)) == {State.RUNNING}
