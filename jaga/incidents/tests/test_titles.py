"""An incident's title reads in the reader's language, whatever language its summary was stored in."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jaga.incidents.models import Incident
from tests.test_i18n import compiled_messages  # noqa: F401  (the fixture: catalogues compiled)

pytestmark = pytest.mark.django_db

STORED = "Crawler palsu / Fake crawler: 66.249.66.24 (13), 66.249.66.169 (13)"


def _traffic_incident(site: Any, rule: str = "fake-crawler") -> Incident:
    now = timezone.now()
    return Incident.objects.create(
        site=site, kind="traffic_detection", cause_key=f"traffic:{rule}", summary=STORED, severity="sedang",
        details={"rule": rule}, tier_since=now, opened_at=now, last_seen_at=now,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("language", "title", "other"),
    [("id", "Crawler palsu: 66.249.66.24 (13), 66.249.66.169 (13)", "Fake crawler"),
     ("en", "Fake crawler: 66.249.66.24 (13), 66.249.66.169 (13)", "Crawler palsu")],
)  # fmt: skip
def test_a_traffic_incident_is_titled_in_the_readers_language_on_its_pages(
    client: Client, staff: Any, site: Any, language: str, title: str, other: str
) -> None:
    incident = _traffic_incident(site)
    client.force_login(staff)
    client.cookies["django_language"] = language
    slug = site.institution.slug

    listed = client.get(reverse("incidents:list", kwargs={"slug": slug})).content.decode()
    shown = client.get(reverse("incidents:detail", kwargs={"slug": slug, "incident_id": incident.pk})).content.decode()

    assert f"<h1>#{incident.pk} {title}</h1>" in shown
    assert title in listed
    assert other not in listed
    assert other not in shown


def test_an_incident_whose_kind_cannot_title_it_keeps_its_summary(site: Any) -> None:
    assert _traffic_incident(site, rule="no-such-rule").title == STORED
    now = timezone.now()
    manual = Incident.objects.create(
        site=site, kind="manual", cause_key="manual:1", summary="Formulir galat", severity="sedang",
        tier_since=now, opened_at=now, last_seen_at=now,
    )  # fmt: skip
    assert manual.title == "Formulir galat"
    renewal = Incident.objects.create(
        site=site, kind="renewal_due", cause_key="renewal-service:1:overdue", summary="Hosting: tenggat lama",
        severity="tinggi", details={"case": 1, "deadline": "2026-12-01"}, tier_since=now, opened_at=now,
        last_seen_at=now,
    )  # fmt: skip
    assert renewal.title == "Hosting: tenggat lama"  # opened before the details held the service's name


@pytest.mark.usefixtures("compiled_messages")
@pytest.mark.parametrize(
    ("language", "title", "cleared", "other"),
    [("id", "Beranda: Koneksi ke pn.example port 443 ditolak", "Beranda: monitor melaporkan naik kembali.",
      "refused"),
     ("en", "Beranda: Connection to pn.example port 443 refused", "Beranda: the monitor reports it up again.",
      "ditolak")],
)  # fmt: skip
def test_an_incident_a_monitor_opened_reads_in_the_readers_language_on_its_pages(
    client: Client, staff: Any, site: Any, language: str, title: str, cleared: str, other: str
) -> None:
    from jaga.core.http import NET
    from jaga.monitoring.models import Monitor
    from jaga.monitoring.reasons import reason_dump
    from jaga.monitoring.services import Transition
    from jaga.monitoring.signals import monitor_status_changed

    monitor = Monitor.objects.create(site=site, name="Beranda", kind="http", config={})
    for to_status, reason in (("down", reason_dump(NET("refused", host="pn.example", port=443))), ("up", "")):
        transition = Transition(
            monitor_id=monitor.pk, from_status="up" if to_status == "down" else "down", to_status=to_status,
            reason=reason, at=timezone.now(),
        )  # fmt: skip
        monitor_status_changed.send_robust(sender=Monitor, monitor=monitor, transition=transition)
    incident = Incident.objects.get()
    assert incident.summary == "Beranda: Koneksi ke pn.example port 443 ditolak"  # stored once, in Indonesian
    client.force_login(staff)
    client.cookies["django_language"] = language
    slug = site.institution.slug

    listed = client.get(reverse("incidents:list", kwargs={"slug": slug})).content.decode()
    shown = client.get(reverse("incidents:detail", kwargs={"slug": slug, "incident_id": incident.pk})).content.decode()

    assert f"<h1>#{incident.pk} {title}</h1>" in shown
    assert title in listed
    assert title in shown.split('class="timeline"', 1)[1]  # the opening line of the timeline too
    assert cleared in shown
    assert other not in listed
    assert other not in shown
