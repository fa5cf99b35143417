"""First-response diagnostics against real servers on loopback: a port nobody listens on, a TLS server with a
self-signed certificate, a DNS server answering from a dict; queued on opening, re-run by a person."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from aiohttp import web
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from jaga.core import clock, http
from jaga.core.sentences import sentence_read
from jaga.core.testing import LoopbackServer, free_port
from jaga.incidents.diagnostics import Target, hostname_matches, step_dns, step_tcp
from jaga.incidents.models import EntryKind, Incident, TimelineEntry
from jaga.incidents.services import incident_open_or_update
from jaga.incidents.services.diagnostics import DIAGNOSE_WITHIN
from jaga.incidents.tasks import incident_diagnose
from jaga.monitoring.tests.test_kinds_net import Pki, TinyDns

pytestmark = pytest.mark.django_db
POLICY = http.AddressPolicy(allow_internal=True)


async def _page(request: web.Request) -> web.Response:
    return web.Response(text="<h1>Pengadilan Negeri Bangil</h1>", content_type="text/html", headers={"X-Server": "uji"})


def _app() -> web.Application:
    app = web.Application()
    app.router.add_get("/", _page)
    return app


def _open_outage(site: Any, captured: Any) -> Incident:
    with captured(execute=True):
        return incident_open_or_update(site=site, kind="outage", cause_key="monitor:1", summary="Beranda: ditolak")


def _steps(entry: TimelineEntry) -> dict[str, dict[str, Any]]:
    return {step["step"]: step for step in entry.data["steps"]}


def test_an_outage_queues_its_diagnostics_in_the_worker_and_other_kinds_do_not(
    site: Any, django_capture_on_commit_callbacks: Any
) -> None:
    incident = _open_outage(site, django_capture_on_commit_callbacks)
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "jaga.incidents.tasks.incident_diagnose"
    assert queued.queue_name == "quick"
    assert queued.args_kwargs["kwargs"] == {"incident_id": incident.pk, "user_id": None}
    assert not incident.timeline.filter(kind=EntryKind.DIAGNOSTIC).exists()  # nothing ran in the request
    with django_capture_on_commit_callbacks(execute=True):
        incident_open_or_update(site=site, kind="backup_failed", cause_key="plan:1", summary="gagal")
        incident_open_or_update(site=site, kind="outage", cause_key="monitor:1", summary="lagi")  # a repeat
        # Reported long after the fact: today's facts would not describe it.
        incident_open_or_update(site=site, kind="outage", cause_key="monitor:2", summary="lama",
                                at=clock.now() - DIAGNOSE_WITHIN - dt.timedelta(seconds=1))  # fmt: skip
    assert DBTaskResult.objects.count() == 1


def test_a_down_port_is_diagnosed_as_refused_at_tcp_and_http(
    site: Any, django_capture_on_commit_callbacks: Any
) -> None:
    port = free_port()
    site.base_url = f"http://127.0.0.1:{port}/"
    site.save()
    incident = _open_outage(site, django_capture_on_commit_callbacks)
    entry = TimelineEntry.objects.get(pk=incident_diagnose.call(incident_id=incident.pk)["entry"])
    assert entry.kind == EntryKind.DIAGNOSTIC
    assert entry.author is None
    steps = _steps(entry)
    assert steps["dns"]["ok"] is None  # an IP address: no look-up
    assert steps["tcp"]["ok"] is False
    assert steps["tcp"]["error"] == "refused"
    assert steps["tls"]["ok"] is None  # http://
    assert steps["http"]["ok"] is False
    assert steps["http"]["error"] == "refused"
    assert f"port {port}" in sentence_read(steps["tcp"]["summary"])
    assert "TCP [GAGAL]" in entry.text
    assert "ditolak" in entry.text  # the entry's text (the evidence file's) is Indonesian
    with translation.override("en"):  # the page reads the steps in the reader's language
        assert sentence_read(steps["tcp"]["summary"]).endswith(f"port {port} refused")
        assert sentence_read(steps["tls"]["summary"]) == "Not https, no TLS"


def test_a_self_signed_certificate_is_named_with_its_issuer_expiry_and_host_match(
    site: Any, tmp_path: Any, django_capture_on_commit_callbacks: Any
) -> None:
    pki = Pki(tmp_path)
    with LoopbackServer(
        _app(), ssl_context=pki.server_context(names=["127.0.0.1"], days_left=30, self_signed=True)
    ) as srv:
        site.base_url = srv.url("/")
        site.save()
        incident = _open_outage(site, django_capture_on_commit_callbacks)
        entry = TimelineEntry.objects.get(pk=incident_diagnose.call(incident_id=incident.pk)["entry"])
    steps = _steps(entry)
    assert steps["tcp"]["ok"] is True
    assert steps["tcp"]["ms"] >= 0
    tls = steps["tls"]
    assert tls["ok"] is False
    assert tls["verified"] is False
    assert "self-signed" in tls["verify_error"] or "self signed" in tls["verify_error"]
    assert "CN=127.0.0.1" in tls["issuer"]
    assert tls["hostname_match"] is True
    assert tls["days_left"] in (29, 30)
    assert tls["version"].startswith("TLS")
    page = steps["http"]
    assert page["status"] == 200
    assert page["unverified"] is True
    assert page["ok"] is False
    assert page["headers"]["x-server"] == "uji"
    assert "Pengadilan Negeri Bangil" in page["body"]


def test_a_wrong_host_name_does_not_match_and_wildcards_cover_one_label() -> None:
    assert hostname_matches("www.pn-bangil.go.id", ["*.pn-bangil.go.id"])
    assert not hostname_matches("a.b.pn-bangil.go.id", ["*.pn-bangil.go.id"])
    assert not hostname_matches("pn-bangil.go.id", ["*.pn-bangil.go.id", "lain.go.id"])
    assert hostname_matches("PN-Bangil.go.id.", ["pn-bangil.go.id"])


def test_dns_names_the_resolver_and_its_answer_and_tcp_connects_to_that_answer() -> None:
    server = TinyDns({("pn-bangil.go.id", "A"): ["127.0.0.1"]})
    try:
        with LoopbackServer(_app()) as srv:
            target = Target.for_url(
                f"http://pn-bangil.go.id:{srv.port}/", nameserver="127.0.0.1", dns_port=server.port, timeout_s=2
            )
            found = asyncio.run(step_dns(target, POLICY))
            connected = asyncio.run(step_tcp(target, POLICY, found["addresses"]))
        missing = asyncio.run(step_dns(Target.for_url("http://tidak-ada.go.id/", nameserver="127.0.0.1",
                                                      dns_port=server.port, timeout_s=2), POLICY))  # fmt: skip
    finally:
        server.close()
    assert found["ok"] is True
    assert found["resolver"] == f"127.0.0.1:{server.port}"
    assert found["answers"] == {"A": ["127.0.0.1"], "AAAA": []}
    assert connected["ok"] is True
    assert connected["address"] == "127.0.0.1"
    assert missing["ok"] is False
    assert missing["error"] == "nxdomain"


def test_the_address_guard_applies_to_the_resolver_too() -> None:
    target = Target.for_url("http://pn-bangil.go.id/", nameserver="127.0.0.1", timeout_s=1)
    refused = asyncio.run(step_dns(target, http.AddressPolicy()))
    assert refused["ok"] is False
    assert refused["error"] == "address_refused"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_staff_reruns_the_diagnostics_and_reads_them_on_the_incident_page(
    site: Any, staff: Any, auditor: Any, outsider: Any, django_capture_on_commit_callbacks: Any
) -> None:
    incident = _open_outage(site, django_capture_on_commit_callbacks)
    DBTaskResult.objects.all().delete()
    kwargs = {"slug": site.institution.slug, "incident_id": incident.pk}
    page = _client(staff).get(reverse("incidents:detail", kwargs=kwargs)).content.decode()
    assert 'id="diagnose"' in page
    assert 'id="diagnose"' not in _client(auditor).get(reverse("incidents:detail", kwargs=kwargs)).content.decode()
    assert _client(auditor).post(reverse("incidents:diagnose", kwargs=kwargs)).status_code == 403
    assert _client(outsider).post(reverse("incidents:diagnose", kwargs=kwargs)).status_code == 404
    assert not DBTaskResult.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(staff).post(reverse("incidents:diagnose", kwargs=kwargs))
    assert response.status_code == 302
    queued = DBTaskResult.objects.get()
    assert queued.args_kwargs["kwargs"] == {"incident_id": incident.pk, "user_id": staff.pk}
    entry = TimelineEntry.objects.get(pk=incident_diagnose.call(**queued.args_kwargs["kwargs"])["entry"])
    assert entry.author == staff
    page = _client(staff).get(reverse("incidents:detail", kwargs=kwargs)).content.decode()
    assert f'data-diagnostics="{entry.pk}"' in page
    assert 'data-step="tcp" data-ok="no"' in page
    assert "dijalankan ulang oleh petugas" in page


def test_no_rerun_for_a_kind_without_diagnostics(site: Any, staff: Any) -> None:
    incident = incident_open_or_update(site=site, kind="backup_failed", cause_key="plan:1", summary="gagal")
    kwargs = {"slug": site.institution.slug, "incident_id": incident.pk}
    assert 'id="diagnose"' not in _client(staff).get(reverse("incidents:detail", kwargs=kwargs)).content.decode()
    assert _client(staff).post(reverse("incidents:diagnose", kwargs=kwargs)).status_code == 403
    assert not DBTaskResult.objects.exists()


def test_the_target_is_the_monitors_url_or_port_else_the_sites_address(site: Any) -> None:
    from jaga.incidents.diagnostics import target_for
    from jaga.monitoring.models import Monitor

    assert target_for(site=site).url == site.base_url
    web = Monitor(
        site=site, kind="http", timeout_seconds=3, config={"url": "https://pn-bangil.go.id:8443/x", "verify_tls": False}
    )
    target = target_for(site=site, monitor=web)
    assert (target.host, target.port, target.scheme, target.verify_tls, target.timeout_s) == (
        "pn-bangil.go.id", 8443, "https", False, 3.0,
    )  # fmt: skip
    port = target_for(
        site=site, monitor=Monitor(site=site, kind="tls", timeout_seconds=5, config={"host": "a.go.id", "port": 8443})
    )
    assert (port.host, port.port, port.scheme) == ("a.go.id", 8443, "https")
    resolver = Monitor(
        site=site, kind="dns", timeout_seconds=5, config={"name": "a.go.id", "nameserver": "192.0.2.53", "port": 5353}
    )
    assert (target_for(site=site, monitor=resolver).nameserver, target_for(site=site, monitor=resolver).dns_port) == (
        "192.0.2.53",
        5353,
    )
