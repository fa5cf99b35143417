"""The incidents pages, each tried by a role that may and one that may not; another institution's is a 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from jaga.incidents.models import EntryKind, Incident, State
from jaga.incidents.services import incident_open_or_update
from jaga.incidents.services.workflow import incident_entry_add, incident_open_manual

NOW = dt.datetime(2026, 12, 2, 3, 0, tzinfo=dt.UTC)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def incident(site: Any) -> Incident:
    return incident_open_or_update(
        site=site, kind="outage", cause_key="monitor:9", summary="Beranda: koneksi ditolak", at=NOW,
    )  # fmt: skip


def url(name: str, incident: Incident, **kw: Any) -> str:
    return reverse(
        f"incidents:{name}", kwargs={"slug": incident.site.institution.slug, "incident_id": incident.pk, **kw}
    )


def test_the_list_shows_open_incidents_and_filters_by_state_kind_and_severity(
    site: Any, staff: Any, incident: Incident
) -> None:
    other = incident_open_or_update(site=site, kind="backup_failed", cause_key="plan:1", summary="Dump terpotong")
    Incident.objects.filter(pk=other.pk).update(state=State.RESOLVED)
    client = client_for(staff)
    page = client.get(reverse("incidents:list", kwargs={"slug": site.institution.slug})).content.decode()
    assert f'data-incident="{incident.pk}"' in page
    assert f'data-incident="{other.pk}"' not in page
    assert "Situs tidak dapat diakses" in page
    assert "outage" not in page.split("<table")[1]
    base = reverse("incidents:list", kwargs={"slug": site.institution.slug})
    resolved = client.get(base, {"status": "resolved"}).content.decode()
    assert f'data-incident="{other.pk}"' in resolved
    assert f'data-incident="{incident.pk}"' not in resolved
    by_kind = client.get(base, {"status": "", "jenis": "backup_failed"}).content.decode()
    assert f'data-incident="{other.pk}"' in by_kind
    assert f'data-incident="{incident.pk}"' not in by_kind
    by_severity = client.get(base, {"status": "", "keparahan": "kritis"}).content.decode()
    assert f'data-incident="{incident.pk}"' in by_severity
    assert f'data-incident="{other.pk}"' not in by_severity
    later = client.get(base, {"status": "", "dari": "2026-12-03"}).content.decode()
    assert f'data-incident="{incident.pk}"' not in later


def test_an_outsider_gets_404_on_every_page(site: Any, outsider: Any, incident: Incident) -> None:
    client = client_for(outsider)
    slug = site.institution.slug
    assert client.get(reverse("incidents:list", kwargs={"slug": slug})).status_code == 404
    assert client.get(reverse("incidents:site_list", kwargs={"slug": slug, "site_id": site.pk})).status_code == 404
    assert client.get(url("detail", incident)).status_code == 404
    assert client.post(url("acknowledge", incident)).status_code == 404
    assert client.post(url("state", incident), {"to_state": "identified", "version": 1}).status_code == 404


def test_an_auditor_reads_the_incident_but_cannot_act_on_it(auditor: Any, incident: Incident) -> None:
    client = client_for(auditor)
    page = client.get(url("detail", incident)).content.decode()
    assert "Beranda: koneksi ditolak" in page
    assert 'id="acknowledge"' not in page
    assert 'id="state-form"' not in page
    assert client.post(url("acknowledge", incident)).status_code == 403
    assert client.post(url("entry", incident), {"kind": "note", "text": "x"}).status_code == 403
    assert client.post(url("state", incident), {"to_state": "identified", "version": 1}).status_code == 403
    incident.refresh_from_db()
    assert (incident.handler, incident.state, incident.timeline.count()) == (None, State.INVESTIGATING, 1)


def test_staff_acknowledges_adds_an_action_and_moves_the_state(staff: Any, incident: Incident) -> None:
    client = client_for(staff)
    page = client.get(url("detail", incident)).content.decode()
    assert 'id="acknowledge"' in page
    assert client.post(url("acknowledge", incident)).status_code == 302
    response = client.post(
        url("entry", incident),
        {"kind": "action", "text": "Layanan web dimulai ulang <b>sekarang</b>", "is_alternative": "on", "worked": "yes",
         "attachment": SimpleUploadedFile("journal.log", b"nginx: started\n")},
    )  # fmt: skip
    assert response.status_code == 302
    incident.refresh_from_db()
    response = client.post(url("state", incident), {"to_state": "identified", "version": incident.version})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert (incident.handler, incident.state) == (staff, State.IDENTIFIED)
    page = client.get(url("detail", incident)).content.decode()
    assert "Layanan web dimulai ulang &lt;b&gt;sekarang&lt;/b&gt;" in page  # HTML in a note is escaped
    assert "<b>sekarang</b>" not in page
    assert "alternatif pemecahan masalah" in page
    assert "journal.log" in page


def test_a_skipping_state_change_is_refused_on_the_page_with_the_reason(staff: Any, incident: Incident) -> None:
    client = client_for(staff)
    response = client.post(url("state", incident), {"to_state": "resolved", "note": "ok", "version": incident.version})
    assert response.status_code == 400
    assert "lalui dulu Penyebab diketahui, Dipantau" in response.content.decode()
    incident.refresh_from_db()
    assert incident.state == State.INVESTIGATING


def test_a_huge_attachment_is_refused_with_its_name_and_nothing_is_added(
    staff: Any, incident: Incident, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = None
    client = client_for(staff)
    big = SimpleUploadedFile("rekaman.log", b"a" * (10 * 1024 * 1024 + 1))
    response = client.post(url("entry", incident), {"kind": "note", "text": "log", "attachment": big})
    assert response.status_code == 400
    assert "rekaman.log terlalu besar" in response.content.decode()
    assert incident.timeline.count() == 1


def test_an_attachment_downloads_as_a_file_never_as_a_page(site: Any, staff: Any, auditor: Any, outsider: Any) -> None:
    incident = incident_open_manual(site=site, user=staff, kind="manual", summary="s")
    entry = incident_entry_add(
        incident=incident, user=staff, text="log", upload=SimpleUploadedFile("a.txt", b"GET /admin 403\n")
    )
    path = reverse("incidents:attachment", kwargs={"slug": site.institution.slug, "entry_id": entry.pk})
    response = client_for(auditor).get(path)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"GET /admin 403\n"  # type: ignore[attr-defined]
    assert client_for(outsider).get(path).status_code == 404


def test_a_person_reports_a_problem_from_the_site_page_and_an_auditor_may_not(
    site: Any, staff: Any, auditor: Any
) -> None:
    path = reverse("incidents:new", kwargs={"slug": site.institution.slug, "site_id": site.pk})
    site_page = client_for(staff).get(
        reverse("incidents:site_list", kwargs={"slug": site.institution.slug, "site_id": site.pk})
    )
    assert path in site_page.content.decode()
    assert client_for(auditor).get(path).status_code == 403
    response = client_for(staff).post(
        path, {"kind": "manual", "summary": "Jadwal sidang tidak tampil", "severity": "tinggi"}
    )
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert response["Location"] == incident.get_absolute_url()
    assert (incident.severity, incident.opened_by, incident.kind) == ("tinggi", staff, "manual")
    empty = client_for(staff).post(path, {"kind": "manual", "summary": ""})
    assert empty.status_code == 400
    assert Incident.objects.count() == 1


def test_the_timeline_shows_system_events_and_the_kind_of_each_entry(staff: Any, incident: Incident) -> None:
    incident_open_or_update(site=incident.site, kind="outage", cause_key="monitor:9", summary="Beranda: turun lagi")
    page = client_for(staff).get(url("detail", incident)).content.decode()
    assert page.count(f'data-kind="{EntryKind.SYSTEM}"') == 2
    assert "Beranda: turun lagi" in page
    assert 'hx-trigger="every 30s"' in page  # live updates


def test_escalating_and_naming_the_vendor_from_the_page_and_an_auditor_may_not(
    staff: Any, auditor: Any, incident: Incident, institution: Any
) -> None:
    from jaga.incidents.services.vendors import vendor_save

    vendor = vendor_save(institution=institution, user=staff, name="PT Hosting Nusantara")
    assert client_for(auditor).post(url("escalate", incident), {"to_tier": 2, "reason": "x"}).status_code == 403
    client = client_for(staff)
    no_reason = client.post(url("escalate", incident), {"to_tier": 2, "reason": ""})
    assert no_reason.status_code == 400
    assert (
        client.post(
            url("escalate", incident), {"to_tier": 3, "reason": "Hosting mati", "vendor": vendor.pk}
        ).status_code
        == 302
    )
    page = client.get(url("detail", incident)).content.decode()
    assert 'id="vendor-form"' in page
    assert 'id="escalate-form"' not in page
    assert client_for(auditor).post(url("vendor", incident), {"vendor_ticket": "T-1"}).status_code == 403
    assert client.post(url("vendor", incident), {"vendor": vendor.pk, "vendor_ticket": "T-1"}).status_code == 302
    incident.refresh_from_db()
    assert (incident.tier, incident.vendor_name, incident.vendor_ticket) == (3, "PT Hosting Nusantara", "T-1")
    assert 'id="vendor-ticket">T-1<' in client.get(url("detail", incident)).content.decode()


def test_the_review_form_appears_for_a_resolved_high_incident_and_saves(site: Any, staff: Any, auditor: Any) -> None:
    from jaga.incidents.services.workflow import incident_state_change

    incident = incident_open_manual(site=site, user=staff, kind="manual", summary="s", severity="tinggi")
    for state in (State.IDENTIFIED, State.MONITORING):
        incident = incident_state_change(incident=incident, user=staff, to_state=state)
    incident = incident_state_change(incident=incident, user=staff, to_state=State.RESOLVED, note="ok")
    client = client_for(staff)
    assert 'id="review"' in client.get(url("detail", incident)).content.decode()
    review = {"what": "a", "cause": "b", "done": "c", "prevention": "d"}
    assert client_for(auditor).post(url("review", incident), review).status_code == 403
    assert client.post(url("review", incident), review).status_code == 302
    incident.refresh_from_db()
    assert incident.reviewed_by == staff


def test_the_incident_page_shows_the_runbooks_of_its_kind_in_the_readers_language(
    staff: Any, incident: Incident
) -> None:
    from jaga.incidents.models import Runbook
    from jaga.incidents.services.runbooks import runbooks_seed

    runbooks_seed()  # the migration seeded them; seeding again creates nothing
    assert runbooks_seed() == 0
    Runbook.objects.create(slug="ups-mati", kinds=["outage"], title_id="UPS ruang server mati", steps_id="Periksa UPS")
    Runbook.objects.filter(slug="hosting-down").update(title_id="Hosting mati (diubah admin)")
    assert runbooks_seed() == 0
    assert Runbook.objects.get(slug="hosting-down").title_id == "Hosting mati (diubah admin)"  # never overwritten
    client = client_for(staff)
    page = client.get(url("detail", incident)).content.decode()
    slugs = [s.split('"')[0] for s in page.split('data-runbook="')[1:]]
    assert slugs == ["hosting-down", "domain-unpaid", "certificate-expired", "database-down", "ups-mati"]
    assert "Hosting mati (diubah admin)" in page
    assert "defacement-spam" not in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    try:
        english = client.get(url("detail", incident)).content.decode()
    finally:
        translation.activate(settings.LANGUAGE_CODE)  # the request left English active in this thread
    assert "TLS certificate expired" in english
    assert "Read the incident&#x27;s TLS diagnostics" in english


def test_an_administrator_adds_a_runbook_in_the_admin_by_ticking_its_kinds_and_it_shows(
    staff: Any, incident: Incident, django_user_model: Any
) -> None:
    from jaga.incidents.models import Runbook

    root = Client()
    root.force_login(django_user_model.objects.create_superuser("root", password="x-rahasia-123"))
    form = root.get(reverse("admin:incidents_runbook_add")).content.decode()
    assert 'type="checkbox" name="kinds" value="outage"' in form
    response = root.post(reverse("admin:incidents_runbook_add"), {
        "slug": "listrik-padam", "kinds": ["outage", "backup_failed"], "title_id": "Listrik ruang server padam",
        "title_en": "Server room power cut", "steps_id": "Periksa UPS\\nHubungi PLN", "steps_en": "",
    })  # fmt: skip
    assert response.status_code == 302
    assert Runbook.objects.get(slug="listrik-padam").kinds == ["outage", "backup_failed"]
    refused = root.post(reverse("admin:incidents_runbook_add"), {
        "slug": "salah", "kinds": ["tidak-ada"], "title_id": "x", "steps_id": "x",
    })  # fmt: skip
    assert refused.status_code == 200  # the form again, with the reason
    assert not Runbook.objects.filter(slug="salah").exists()
    page = client_for(staff).get(url("detail", incident)).content.decode()
    assert 'data-runbook="listrik-padam"' in page
    assert "Listrik ruang server padam" in page
