"""The three tiers: escalation by time and by hand, each tier told; vendors; the ledger; the review; tiles."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from jaga.core.models import NotificationChannel, NotificationDelivery, NotificationRoute
from jaga.incidents.models import EntryKind, Incident, State, Tier
from jaga.incidents.selectors import sop_tile_lines
from jaga.incidents.services import incident_open_or_update
from jaga.incidents.services.escalation import incident_escalate, incident_vendor_set, incidents_escalation_sweep
from jaga.incidents.services.vendors import incident_review_save, vendor_delete, vendor_save
from jaga.incidents.services.workflow import incident_acknowledge, incident_open_manual, incident_state_change
from jaga.sop.models import LedgerEntry
from jaga.sop.selectors import ledger_notes_text

NOW = dt.datetime(2026, 12, 2, 3, 0, tzinfo=dt.UTC)


@pytest.fixture
def routes(institution: Any) -> NotificationChannel:
    channel = NotificationChannel.objects.create(institution=institution, name="Webhook", url="json://127.0.0.1:9/")
    for event_type in ("incident.*",):
        NotificationRoute.objects.create(institution=institution, event_type=event_type, channel=channel)
    return channel


def sent() -> list[str]:
    return list(NotificationDelivery.objects.order_by("pk").values_list("event_type", flat=True))


def outage(site: Any, severity: str = "kritis") -> Incident:
    return incident_open_or_update(
        site=site, kind="outage", cause_key="monitor:1", summary="Beranda turun", at=NOW, severity=severity
    )


def test_opening_tells_the_routed_people_once_committed(
    site: Any, routes: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        outage(site)
        outage(site)  # a repeat tells nobody again
    assert sent() == ["incident.opened"]
    delivery = NotificationDelivery.objects.get()
    assert "Beranda turun" in delivery.title
    assert "Situs PN Bangil" in delivery.title


def test_time_in_a_tier_past_the_severity_threshold_proposes_the_next_tier_once(
    site: Any, routes: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.JAGA_INCIDENT_ESCALATE_AFTER = {"kritis": 30, "sedang": 1440}
    critical = outage(site)
    medium = incident_open_or_update(site=site, kind="manual", cause_key="m", summary="s", at=NOW)
    low = incident_open_or_update(site=site, kind="manual", cause_key="r", summary="s", at=NOW, severity="rendah")
    with django_capture_on_commit_callbacks(execute=True):
        assert incidents_escalation_sweep(now=NOW + dt.timedelta(minutes=29)) == 0
        assert incidents_escalation_sweep(now=NOW + dt.timedelta(minutes=31)) == 1
        assert incidents_escalation_sweep(now=NOW + dt.timedelta(minutes=45)) == 0  # once per tier
    critical.refresh_from_db()
    assert critical.escalation_proposed_at == NOW + dt.timedelta(minutes=31)
    entry = critical.timeline.get(kind=EntryKind.ESCALATION)
    assert entry.data == {"event": "proposed", "tier": [1, 2], "minutes": 31}
    assert "Tingkat 2: Subbag Umum dan Keuangan" in entry.text
    assert sent() == ["incident.escalation_due_umum"]
    medium.refresh_from_db()
    low.refresh_from_db()
    assert medium.escalation_proposed_at is None
    assert low.escalation_proposed_at is None
    assert incidents_escalation_sweep(now=NOW + dt.timedelta(days=30)) == 1  # the medium one; never the low one


def test_each_proposal_goes_to_the_next_tiers_role_and_old_routes_carry_over(
    site: Any, staff: Any, institution: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from importlib import import_module

    from django.apps import apps

    from jaga.core.models import Role

    split = import_module("jaga.incidents.migrations.0006_escalation_due_per_tier")

    settings.JAGA_INCIDENT_ESCALATE_AFTER = {"kritis": 30}
    umum = NotificationChannel.objects.create(institution=institution, name="Surel Umum", url="json://127.0.0.1:9/")
    ptip = NotificationChannel.objects.create(institution=institution, name="Grup PTIP", url="json://127.0.0.1:9/")
    NotificationRoute.objects.create(institution=institution, event_type="incident.escalation_due_umum",
                                     channel=umum, role=Role.KASUBBAG_UMUM)  # fmt: skip
    NotificationRoute.objects.create(institution=institution, event_type="incident.escalation_due_vendor",
                                     channel=ptip, role=Role.KASUBBAG_PTIP)  # fmt: skip
    first = outage(site)
    second = incident_open_or_update(site=site, kind="outage", cause_key="monitor:2", summary="s", at=NOW)
    incident_escalate(incident=second, user=staff, to_tier=2, reason="ruang server", at=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        assert incidents_escalation_sweep(now=NOW + dt.timedelta(minutes=31)) == 2
    told = dict(NotificationDelivery.objects.values_list("event_type", "channel__name"))
    assert told == {"incident.escalation_due_umum": "Surel Umum", "incident.escalation_due_vendor": "Grup PTIP"}
    assert first.timeline.get(kind=EntryKind.ESCALATION, data__event="proposed").data["tier"] == [1, 2]
    assert second.timeline.get(kind=EntryKind.ESCALATION, data__event="proposed").data["tier"] == [2, 3]

    # A route made for the old single type before the split goes on as a route on both new ones.
    NotificationRoute.objects.create(institution=institution, event_type="incident.escalation_due", channel=ptip)
    split.forwards(apps, None)
    assert not NotificationRoute.objects.filter(event_type="incident.escalation_due").exists()
    assert set(NotificationRoute.objects.filter(channel=ptip, role="").values_list("event_type", flat=True)) == {
        "incident.escalation_due_umum", "incident.escalation_due_vendor",
    }  # fmt: skip


def test_an_incident_waiting_in_monitoring_is_not_proposed(site: Any, staff: Any, settings: Any) -> None:
    settings.JAGA_INCIDENT_ESCALATE_AFTER = {"kritis": 30}
    incident = outage(site)
    for state in (State.IDENTIFIED, State.MONITORING):
        incident = incident_state_change(incident=incident, user=staff, to_state=state)
    assert incidents_escalation_sweep(now=NOW + dt.timedelta(hours=5)) == 0


def test_the_maintenance_section_may_take_on_a_proposed_incident_and_each_tier_is_told(
    site: Any, staff: Any, make_user: Any, institution: Any, routes: Any, settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    settings.JAGA_INCIDENT_ESCALATE_AFTER = {"kritis": 30}
    umum = make_user("kasubbag_umum", institution)
    incident = outage(site)
    with pytest.raises(PermissionDenied):
        incident_escalate(incident=incident, user=umum, to_tier=2, reason="x")
    incidents_escalation_sweep(now=NOW + dt.timedelta(minutes=31))
    incident.refresh_from_db()
    vendor = vendor_save(institution=institution, user=staff, name="PT Hosting Nusantara", contacts="0341-123")
    with django_capture_on_commit_callbacks(execute=True):
        incident = incident_escalate(
            incident=incident,
            user=umum,
            to_tier=2,
            reason="Server di ruang server mati",
            at=NOW + dt.timedelta(minutes=40),
        )
        assert (incident.tier, incident.tier_since, incident.escalation_proposed_at) == (
            Tier.UMUM, NOW + dt.timedelta(minutes=40), None,
        )  # fmt: skip
        incident = incident_escalate(
            incident=incident, user=staff, to_tier=3, reason="Butuh penyedia hosting", vendor=vendor,
            vendor_ticket="TKT-7781",
        )  # fmt: skip
    assert (incident.vendor_name, incident.vendor_ticket) == ("PT Hosting Nusantara", "TKT-7781")
    assert sent() == ["incident.escalated_umum", "incident.escalated_vendor"]
    assert [e.data["tier"] for e in incident.timeline.filter(data__event="escalated").order_by("at", "pk")] == [
        [1, 2], [2, 3],
    ]  # fmt: skip
    with pytest.raises(ValidationError) as down:
        incident_escalate(incident=incident, user=staff, to_tier=2, reason="turun")
    assert "to_tier" in down.value.error_dict


def test_escalating_by_hand_needs_a_reason(site: Any, staff: Any) -> None:
    incident = outage(site)
    with pytest.raises(ValidationError) as refused:
        incident_escalate(incident=incident, user=staff, to_tier=2, reason="  ")
    assert "reason" in refused.value.error_dict
    incident.refresh_from_db()
    assert incident.tier == Tier.MANDIRI


def test_a_vendor_deleted_while_an_incident_names_it_loses_nothing(
    site: Any, staff: Any, institution: Any, client: Any
) -> None:
    vendor = vendor_save(institution=institution, user=staff, name="CV Web Pengadilan")
    incident = incident_escalate(incident=outage(site), user=staff, to_tier=3, reason="CMS rusak", vendor=vendor)
    incident = incident_vendor_set(incident=incident, user=staff, vendor=vendor, vendor_ticket="WEB-12")
    vendor_delete(vendor=vendor, user=staff)
    incident.refresh_from_db()
    assert (incident.vendor, incident.vendor_name, incident.vendor_ticket) == (None, "CV Web Pengadilan", "WEB-12")
    client.force_login(staff)
    page = client.get(incident.get_absolute_url()).content.decode()
    assert "CV Web Pengadilan" in page
    assert "WEB-12" in page
    assert "sudah dihapus dari register" in page


def test_a_vendor_name_is_unique_in_the_register_and_an_auditor_may_not_edit_it(
    institution: Any, staff: Any, auditor: Any
) -> None:
    vendor_save(institution=institution, user=staff, name="PT A")
    with pytest.raises(ValidationError, match="sudah ada"):
        vendor_save(institution=institution, user=staff, name="PT A")
    with pytest.raises(PermissionDenied):
        vendor_save(institution=institution, user=auditor, name="PT B")


def test_the_vendor_pages_by_role(institution: Any, staff: Any, auditor: Any, outsider: Any) -> None:
    path = reverse("incidents:vendors", kwargs={"slug": institution.slug})
    staff_client, auditor_client, outsider_client = Client(), Client(), Client()
    staff_client.force_login(staff)
    auditor_client.force_login(auditor)
    outsider_client.force_login(outsider)
    assert staff_client.post(path, {"name": "PT Koneksi", "support_hours": "24 jam"}).status_code == 302
    vendor = institution.vendors.get()
    assert "PT Koneksi" in auditor_client.get(path).content.decode()
    assert 'name="name"' not in auditor_client.get(path).content.decode()  # read only
    assert auditor_client.post(path, {"name": "PT Lain"}).status_code == 403
    delete = reverse("incidents:vendor_delete", kwargs={"slug": institution.slug, "vendor_id": vendor.pk})
    assert auditor_client.post(delete).status_code == 403
    assert outsider_client.get(path).status_code == 404
    assert staff_client.post(delete).status_code == 200  # asked first
    assert institution.vendors.exists()
    assert staff_client.post(delete, {"confirm": "yes"}).status_code == 302
    assert not institution.vendors.exists()


def test_a_resolved_incident_is_in_the_ledger_as_first_response_and_troubleshooting(site: Any, staff: Any) -> None:
    incident = incident_open_manual(site=site, user=staff, kind="manual", summary="Formulir galat", at=NOW)
    incident = incident_acknowledge(incident=incident, user=staff, at=NOW + dt.timedelta(minutes=12))
    incident = incident_escalate(incident=incident, user=staff, to_tier=2, reason="perlu anggaran")
    for state in (State.IDENTIFIED, State.MONITORING):
        incident = incident_state_change(incident=incident, user=staff, to_state=state)
    incident = incident_state_change(
        incident=incident, user=staff, to_state=State.RESOLVED, note="Diuji, terkirim.", at=NOW + dt.timedelta(hours=2)
    )
    entries = {e.activity_key: e for e in LedgerEntry.objects.all()}
    assert set(entries) == {"incident_action", "troubleshooting"}
    first, trouble = entries["incident_action"], entries["troubleshooting"]
    assert (first.started_at, first.ended_at) == (NOW, NOW + dt.timedelta(minutes=12))
    assert (trouble.started_at, trouble.ended_at) == (NOW + dt.timedelta(minutes=12), NOW + dt.timedelta(hours=2))
    assert first.output == incident
    assert trouble.output == incident
    assert trouble.performed_by == staff
    assert "Tingkat 2" in ledger_notes_text(trouble.notes)
    assert "Diuji, terkirim." in ledger_notes_text(trouble.notes)
    assert "Formulir galat" in ledger_notes_text(first.notes)
    with translation.override("en"):  # Jaga's words in the reader's language, the person's as written
        assert ledger_notes_text(trouble.notes).startswith(f"Incident #{incident.pk} handled through Tier 1")
        assert "Diuji, terkirim." in ledger_notes_text(trouble.notes)
    evidence = trouble.evidence.get().file.read().decode()
    assert "Formulir galat" in evidence
    assert "perlu anggaran" in evidence


def test_a_post_incident_review_is_asked_for_a_resolved_critical_incident(site: Any, staff: Any) -> None:
    incident = incident_open_manual(site=site, user=staff, kind="manual", summary="s", severity="kritis")
    with pytest.raises(ValidationError, match="setelah insiden selesai"):
        incident_review_save(incident=incident, user=staff, what="a", cause="b", done="c", prevention="d")
    for state in (State.IDENTIFIED, State.MONITORING):
        incident = incident_state_change(incident=incident, user=staff, to_state=state)
    incident = incident_state_change(incident=incident, user=staff, to_state=State.RESOLVED, note="ok")
    assert incident.review_needed
    with pytest.raises(ValidationError) as missing:
        incident_review_save(incident=incident, user=staff, what="a", cause="", done="c", prevention="d")
    assert set(missing.value.error_dict) == {"review_cause"}
    incident = incident_review_save(
        incident=incident, user=staff, what="Disk penuh", cause="Log tidak dirotasi", done="Log dihapus",
        prevention="logrotate harian",
    )  # fmt: skip
    assert not incident.review_needed
    assert incident.reviewed_by == staff


def test_the_sop_tiles_of_activities_6_and_7_count_real_incidents(
    site: Any, staff: Any, institution: Any, client: Any
) -> None:
    assert [line.css for line in sop_tile_lines(institution=institution)["incident_action"]] == ["ok"]
    incident = outage(site)
    incident_escalate(incident=incident, user=staff, to_tier=2, reason="x")
    lines = sop_tile_lines(institution=institution)
    assert [(line.text, line.css) for line in lines["incident_action"]] == [
        ("1 insiden belum selesai", "bad"), ("1 belum ada yang menangani", "bad"),
    ]  # fmt: skip
    assert [line.text for line in lines["troubleshooting"]] == ["1 di Subbag Umum dan Keuangan"]
    client.force_login(staff)
    dashboard = client.get(reverse("sop:institution_dashboard", kwargs={"slug": institution.slug})).content.decode()
    assert "1 insiden belum selesai" in dashboard
    assert "1 di Subbag Umum dan Keuangan" in dashboard


def test_the_escalation_setting_is_parsed_strictly() -> None:
    from jaga.conf import parse_escalation

    assert parse_escalation("kritis=30m, tinggi=2h,sedang=1d,rendah=3j") == {
        "kritis": 30, "tinggi": 120, "sedang": 1440, "rendah": 180,
    }  # fmt: skip
    with pytest.raises(ValueError, match="darurat"):
        parse_escalation("darurat=5m")
    with pytest.raises(ValueError, match="30m, 2h atau 1d"):
        parse_escalation("kritis=setengah jam")
