"""What people do with an incident: acknowledge, notes and actions, the state moves and their refusals."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from jaga.incidents.models import EntryKind, Incident, State, Tier
from jaga.incidents.services import incident_open_or_update
from jaga.incidents.services.workflow import (
    IncidentConflict,
    incident_acknowledge,
    incident_entry_add,
    incident_open_manual,
    incident_state_change,
)
from jaga.incidents.uploads import MAX_ATTACHMENT_BYTES, attachment_check
from jaga.monitoring.models import CheckResult, Monitor

NOW = dt.datetime(2026, 12, 2, 3, 0, tzinfo=dt.UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def manual(site: Any, user: Any, **kw: Any) -> Incident:
    return incident_open_manual(site=site, user=user, kind="manual", summary="Formulir kontak galat", **kw)


def move(incident: Incident, user: Any, *states: str, note: str = "") -> Incident:
    for state in states:
        incident = incident_state_change(incident=incident, user=user, to_state=state, note=note)
    return incident


def test_a_person_reports_a_problem_with_a_screenshot_and_it_is_its_own_incident(site: Any, staff: Any) -> None:
    first = manual(site, staff, description="Tombol kirim tidak bereaksi", upload=SimpleUploadedFile("layar.png", PNG))
    second = manual(site, staff)
    assert first.pk != second.pk  # two reports by hand are two problems, never merged
    assert (first.opened_by, first.source, first.severity) == (staff, "person", "sedang")
    entry = first.timeline.get(kind=EntryKind.ATTACHMENT)
    assert entry.text == "Tombol kirim tidak bereaksi"
    assert entry.attachment.name.endswith(".png")
    assert entry.data["file_name"] == "layar.png"


def test_an_auditor_may_not_report_and_nothing_is_stored(site: Any, auditor: Any) -> None:
    with pytest.raises(PermissionDenied):
        manual(site, auditor)
    assert not Incident.objects.exists()


def test_a_refused_attachment_stores_no_incident(site: Any, staff: Any) -> None:
    with pytest.raises(ValidationError, match="program Windows"):
        manual(site, staff, upload=SimpleUploadedFile("foto.png", b"MZ\x90\x00" + b"\x00" * 100))
    assert not Incident.objects.exists()


def test_acknowledging_sets_the_handler_and_the_time_to_acknowledge_once(
    site: Any, staff: Any, make_user: Any, institution: Any
) -> None:
    incident = incident_open_or_update(site=site, kind="outage", cause_key="monitor:1", summary="turun", at=NOW)
    incident = incident_acknowledge(incident=incident, user=staff, at=NOW + dt.timedelta(minutes=7))
    colleague = make_user("kasubbag_ptip", institution)
    incident = incident_acknowledge(incident=incident, user=colleague, at=NOW + dt.timedelta(minutes=20))
    assert incident.handler == colleague
    assert incident.acknowledged_at == NOW + dt.timedelta(minutes=7)  # the first response counts
    entries = list(incident.timeline.filter(kind=EntryKind.ACKNOWLEDGE).order_by("at"))
    assert [(e.author, e.data["previous_handler"]) for e in entries] == [(staff, ""), (colleague, "staff")]


def test_the_maintenance_section_acts_only_once_the_incident_reached_its_tier(
    site: Any, make_user: Any, institution: Any
) -> None:
    umum = make_user("kasubbag_umum", institution)
    incident = incident_open_or_update(site=site, kind="outage", cause_key="monitor:1", summary="turun")
    with pytest.raises(PermissionDenied):
        incident_acknowledge(incident=incident, user=umum)
    Incident.objects.filter(pk=incident.pk).update(tier=Tier.UMUM)
    incident.refresh_from_db()
    assert incident_acknowledge(incident=incident, user=umum).handler == umum


def test_an_action_is_an_alternative_solution_with_whether_it_worked(site: Any, staff: Any) -> None:
    incident = manual(site, staff)
    entry = incident_entry_add(
        incident=incident, user=staff, kind=EntryKind.ACTION, text="Cache CMS dikosongkan", is_alternative=True,
        worked=False, is_public=True, public_text="Kami sedang memperbaiki formulir.",
    )  # fmt: skip
    assert (entry.is_alternative, entry.worked, entry.is_public) == (True, False, True)
    with pytest.raises(ValidationError) as refused:
        incident_entry_add(incident=incident, user=staff, kind=EntryKind.NOTE, text="x", is_alternative=True)
    assert "is_alternative" in refused.value.error_dict
    with pytest.raises(ValidationError):
        incident_entry_add(incident=incident, user=staff, text="   ")


def test_a_state_change_that_skips_steps_is_refused_with_the_steps_to_take(site: Any, staff: Any) -> None:
    incident = manual(site, staff)
    with pytest.raises(ValidationError) as refused:
        incident_state_change(incident=incident, user=staff, to_state=State.RESOLVED, note="ok")
    message = refused.value.messages[0]
    assert "Investigasi" in message
    assert "Penyebab diketahui, Dipantau" in message
    incident.refresh_from_db()
    assert incident.state == State.INVESTIGATING
    assert incident.timeline.filter(kind=EntryKind.STATE).count() == 0


def test_moving_back_is_allowed_while_the_work_is_not_done_but_a_resolved_incident_stays_closed(
    site: Any, staff: Any
) -> None:
    incident = move(manual(site, staff), staff, State.IDENTIFIED, State.MONITORING, State.INVESTIGATING)
    assert incident.state == State.INVESTIGATING
    incident = move(incident, staff, State.IDENTIFIED, State.MONITORING)
    with pytest.raises(ValidationError) as missing_note:
        move(incident, staff, State.RESOLVED)
    assert "note" in missing_note.value.error_dict  # verified by a person: say how
    incident = move(incident, staff, State.RESOLVED, note="Formulir diuji dari ponsel, terkirim.")
    assert (incident.state, incident.resolved_by, incident.resolution_note) == (
        State.RESOLVED, staff, "Formulir diuji dari ponsel, terkirim.",
    )  # fmt: skip
    with pytest.raises(ValidationError, match="sudah selesai"):
        move(incident, staff, State.INVESTIGATING)


def test_a_stale_page_cannot_overwrite_a_newer_change(site: Any, staff: Any) -> None:
    incident = manual(site, staff)
    seen = incident.version
    move(incident, staff, State.IDENTIFIED)
    with pytest.raises(IncidentConflict, match="Penyebab diketahui"):
        incident_state_change(incident=incident, user=staff, to_state=State.IDENTIFIED, version=seen)


def test_an_outage_proposed_resolved_waits_for_the_monitor(site: Any, staff: Any, settings: Any) -> None:
    settings.JAGA_INCIDENT_RESOLVE_CHECKS = 2
    monitor = Monitor.objects.create(site=site, name="Beranda", kind="http", config={})
    incident = incident_open_or_update(
        site=site, kind="outage", cause_key=f"monitor:{monitor.pk}", summary="turun", at=NOW,
        details={"monitor_id": monitor.pk},
    )  # fmt: skip
    at = NOW + dt.timedelta(minutes=10)
    incident = move(incident, staff, State.IDENTIFIED, State.MONITORING)
    incident = incident_state_change(incident=incident, user=staff, to_state=State.RESOLVED, at=at)
    assert incident.state == State.MONITORING  # the person proposes; the monitor decides
    assert incident.timeline.filter(data__event="resolve_proposed").exists()
    for minute in (1, 2):
        CheckResult.objects.create(
            monitor=monitor, probe="p1", checked_at=at + dt.timedelta(minutes=minute), status="up"
        )
    from jaga.incidents.verify import incidents_verify_waiting

    assert incidents_verify_waiting(now=at + dt.timedelta(minutes=2)) == 1
    incident.refresh_from_db()
    assert incident.state == State.RESOLVED
    assert incident.resolved_by is None  # Jaga's monitor closed it


def test_a_cause_its_monitor_reports_cannot_be_resolved_by_hand(site: Any, staff: Any) -> None:
    incident = incident_open_or_update(site=site, kind="content_stale", cause_key="monitor:5", summary="usang")
    incident = move(incident, staff, State.IDENTIFIED, State.MONITORING)
    with pytest.raises(ValidationError, match="monitornya"):
        move(incident, staff, State.RESOLVED, note="sudah")


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("besar.log", b"x" * (MAX_ATTACHMENT_BYTES + 1), "too_large"),
        ("kosong.txt", b"", "empty"),
        ("skrip.txt", b"#!/bin/sh\nrm -rf /\n", "refused"),
        ("halaman.txt", b"<html><script>alert(1)</script></html>", "markup"),
        ("gambar.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "markup"),
        ("dok.pdf", b"%PDF-1.7\n1 0 obj << /OpenAction << /S /JavaScript >> >> endobj\n%%EOF", "active_pdf"),
        ("biner.bin", b"\x00\x01\x02\x03" * 10, "refused"),
    ],
)
def test_an_attachment_is_judged_by_its_bytes(name: str, data: bytes, code: str) -> None:
    with pytest.raises(ValidationError) as refused:
        attachment_check(SimpleUploadedFile(name, data))
    assert refused.value.code == code
    assert name in refused.value.messages[0]


def test_a_log_a_pdf_and_a_picture_are_accepted_under_a_new_name() -> None:
    stored, content_type = attachment_check(SimpleUploadedFile("../../etc/akses log.txt", b"GET / 500\n"))
    assert content_type == "text/plain"
    assert stored.endswith("-akses-log.txt")
    assert "/" not in stored
    assert attachment_check(io.BytesIO(b"%PDF-1.4\n1 0 obj\nendobj\n%%EOF"))[1] == "application/pdf"
    assert attachment_check(SimpleUploadedFile("a.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 10))[1] == "image/jpeg"
