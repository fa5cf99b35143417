"""The ledger by activity key, whatever a court's SOP numbers; long work open while it runs; work that died."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from jaga.core import clock, liveness
from jaga.core.models import Institution, ProcessBeat
from jaga.core.tests.processes_helpers import JAGA, jaga_env, shared_database_url
from jaga.sop.keys import activity_keys_assign
from jaga.sop.models import Activity, LedgerEntry, Sop
from jaga.sop.seed import DEFAULT_SOP_FILE
from jaga.sop.selectors import activity_compliance, activity_status_list
from jaga.sop.services import (
    LedgerError,
    ledger_close,
    ledger_open,
    ledger_record,
    ledger_sweep_interrupted,
    sop_seed_from_file,
)
from jaga.sop.tests.tasks_for_tests import backup_that_hangs_the_first_time

T0 = dt.datetime(2026, 12, 2, 1, 0, tzinfo=dt.UTC)
PN_BANGIL = {
    1: "monitoring",
    2: "backup",
    3: "traffic",
    4: "renewal",
    5: "report",
    6: "incident_action",
    7: "troubleshooting",
}


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _renumbered_sop(tmp_path: Path) -> Path:
    """The PN Bangil text as another court might have it: its own number, backup first, monitoring third."""
    lines = DEFAULT_SOP_FILE.read_text(encoding="utf-8").splitlines()
    rows = {
        int(line.split("\t", 1)[0]): index
        for index, line in enumerate(lines)
        if line[:2].rstrip("\t").isdigit() and "\t" in line
    }
    order = [2, 3, 1, 4, 5, 6, 7]  # the old numbers, in their new order
    texts = [lines[rows[old]].split("\t", 1)[1] for old in order]
    for new_number, (index, text) in enumerate(zip(sorted(rows.values()), texts, strict=True), 1):
        lines[index] = f"{new_number}\t{text}"
    text = "\n".join(lines).replace("W14.U21/10/SOP/09/2016", "W14.U5/3/SOP/01/2024")
    path = tmp_path / "sop-pn-lain.txt"
    path.write_text(text, encoding="utf-8")
    return path


# --- keys ---------------------------------------------------------------------------------------------


def test_the_pn_bangil_sop_gets_the_seven_keys_in_its_own_order(template: Sop) -> None:
    assert dict(template.activities.values_list("number", "key")) == PN_BANGIL


def test_a_court_whose_sop_numbers_its_activities_differently_records_under_the_same_keys(
    institution: Institution, template: Sop, tmp_path: Path
) -> None:
    own, created = sop_seed_from_file(path=_renumbered_sop(tmp_path), institution=institution)
    assert created
    keys = dict(own.activities.values_list("key", "number"))
    assert (keys["backup"], keys["traffic"], keys["monitoring"]) == (1, 2, 3)

    entry = ledger_record(activity_key="backup", institution=institution, started_at=T0, ended_at=T0, outcome="success")

    assert entry.activity.sop == own
    assert entry.activity_number == 1
    backup = own.activities.get(key="backup")
    assert backup.time_standard == dt.timedelta(hours=6)
    assert backup.recurrence == dt.timedelta(hours=6)  # the rhythm follows the key, not the number
    assert own.activities.get(key="traffic").recurrence is None
    statuses = {status.activity.key: status for status in activity_status_list(institution=institution, now=T0)}
    assert statuses["backup"].last == entry
    assert statuses["monitoring"].last is None


def test_an_activity_two_keys_could_claim_gets_none() -> None:
    assert activity_keys_assign(
        {1: "Melakukan backup harian", 2: "Melakukan backup mingguan", 3: "Melaporkan situasi"}
    ) == {3: "report"}


def test_an_activity_without_a_key_is_recorded_by_a_person_on_its_page(institution, staff, template) -> None:  # type: ignore[no-untyped-def]
    extra = Activity.objects.create(sop=template, number=8, description="Sosialisasi SOP kepada pegawai")
    assert extra.key == ""
    url = reverse("sop:record", kwargs={"slug": institution.slug, "number": 8})
    response = _client(staff).post(
        url, {"started_at": "2026-11-24T09:00", "ended_at": "2026-11-24T10:00", "outcome": "success"}
    )
    assert response.status_code == 302
    entry = LedgerEntry.objects.get()
    assert (entry.activity, entry.activity_key) == (extra, "")
    assert (
        activity_compliance(
            institution=institution, activity_number=8, start=dt.date(2026, 11, 24), end=dt.date(2026, 11, 24)
        ).total
        == 1
    )


def test_the_outcome_must_be_said(institution, template) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TypeError, match="outcome"):
        ledger_record(activity_key="monitoring", institution=institution, started_at=T0, ended_at=T0)  # type: ignore[call-arg]


# --- long work ----------------------------------------------------------------------------------------


def test_long_work_is_running_from_its_start_and_closed_at_its_end(institution, site, template) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(T0):
        entry = ledger_open(activity_key="backup", institution=institution, site=site, output=site)
        assert entry.outcome == "running"
        assert entry.ended_at is None
        assert entry.owner_pid == os.getpid()
        status = {s.activity.key: s for s in activity_status_list(institution=institution)}["backup"]
        assert status.running == entry
        assert status.last is None
        assert status.state == "never"

        clock.advance(dt.timedelta(minutes=40))
        closed = ledger_close(entry=entry, outcome="partial", notes="2 dari 3 sumber tercadangkan")

    assert closed.outcome == "partial"
    assert closed.duration == dt.timedelta(minutes=40)
    assert closed.met_standard is True
    assert closed.output == site
    assert closed.notes == "2 dari 3 sumber tercadangkan"
    status = {s.activity.key: s for s in activity_status_list(institution=institution, now=T0)}["backup"]
    assert status.running is None
    assert status.last == closed
    with pytest.raises(LedgerError, match="sudah ditutup"):
        ledger_close(entry=closed, outcome="success")


def test_the_sop_pages_show_running_work(institution, site, staff, template) -> None:  # type: ignore[no-untyped-def]
    entry = ledger_open(activity_key="backup", institution=institution, site=site)
    client = _client(staff)
    dashboard = client.get(reverse("sop:institution_dashboard", kwargs={"slug": institution.slug})).content.decode()
    assert dashboard.count(f'data-running="{entry.pk}"') == 2  # its tile, and its site's row
    assert "Sedang berjalan" in dashboard
    site_page = client.get(reverse("sop:site_dashboard", kwargs={"slug": institution.slug, "site_id": site.pk}))
    assert f'data-running="{entry.pk}"' in site_page.content.decode()
    compliance = client.get(reverse("sop:compliance", kwargs={"slug": institution.slug, "number": 2})).content.decode()
    assert 'id="running"' in compliance
    assert 'data-outcome="running"' in compliance
    assert "belum selesai" in compliance


# --- work that died -----------------------------------------------------------------------------------


def test_the_sweep_marks_work_of_a_dead_process_interrupted_and_leaves_live_work(institution, template) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(T0):
        alive = ledger_open(activity_key="backup", institution=institution)
        dead = ledger_open(activity_key="report", institution=institution)
    LedgerEntry.objects.filter(pk=dead.pk).update(owner_process="jaga:1", owner_pid=_dead_pid())

    closed = ledger_sweep_interrupted(now=T0 + dt.timedelta(minutes=30))

    assert closed == [dead.pk]
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.outcome == "interrupted"
    assert dead.ended_at == T0  # when its process was last known to be alive
    assert dead.met_standard is False  # never a success, never on time
    assert "Terputus" in dead.notes
    assert alive.outcome == "running"


def test_interrupted_work_does_not_count_as_done(institution, template) -> None:  # type: ignore[no-untyped-def]
    done = ledger_record(activity_key="backup", institution=institution, started_at=T0, ended_at=T0, outcome="success")
    died = ledger_open(activity_key="backup", institution=institution, started_at=T0 + dt.timedelta(hours=1))
    LedgerEntry.objects.filter(pk=died.pk).update(owner_pid=_dead_pid(), owner_process="jaga:1")
    ledger_sweep_interrupted(now=T0 + dt.timedelta(hours=2))

    status = {s.activity.key: s for s in activity_status_list(institution=institution, now=T0 + dt.timedelta(hours=2))}[
        "backup"
    ]

    assert status.last.pk == died.pk
    assert status.last_done == done
    compliance = activity_compliance(institution=institution, activity_number=2, start=T0.date(), end=T0.date())
    assert (compliance.total, compliance.interrupted, compliance.on_time, compliance.with_standard) == (2, 1, 1, 2)


def test_work_marked_interrupted_that_ends_after_all_takes_its_real_outcome(institution, template) -> None:  # type: ignore[no-untyped-def]
    entry = ledger_open(activity_key="backup", institution=institution)
    ProcessBeat.objects.create(process_id="paused", role="worker", host="elsewhere", pid=1, started_at=T0, beat_at=T0)
    LedgerEntry.objects.filter(pk=entry.pk).update(owner_process="paused", owner_host="elsewhere", owner_pid=1)
    ledger_sweep_interrupted(now=T0 + liveness.STALE_AFTER * 2)

    closed = ledger_close(entry=entry, outcome="success")

    assert closed.outcome == "success"
    assert "Sempat ditandai terputus" in closed.notes


@pytest.mark.django_db(transaction=True)
def test_a_killed_workers_backup_is_in_the_ledger_as_interrupted_never_missing_or_a_success(
    institution: Institution, tmp_path: Path
) -> None:
    from jaga.sop.services import sop_seed_default

    sop_seed_default()
    marker = tmp_path / "backup"
    backup_that_hangs_the_first_time.enqueue(institution_id=institution.pk, marker=str(marker))
    with shared_database_url(tmp_path) as url:
        env = jaga_env(tmp_path, DATABASE_URL=url)
        worker = subprocess.Popen(
            [JAGA, "worker", "--queue", "long", "--interval", "0.1"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            deadline = time.monotonic() + 30
            while not Path(f"{marker}.pid").exists():
                assert time.monotonic() < deadline, "the task never started"
                assert worker.poll() is None, "the worker stopped before its task started"
                time.sleep(0.05)
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.communicate(timeout=20)
        after = subprocess.run(
            [JAGA, "worker", "--queue", "long", "--batch"], env=env, capture_output=True, text=True, timeout=60
        )

    assert after.returncode == 0, after.stderr
    entries = list(LedgerEntry.objects.filter(institution=institution).order_by("started_at"))
    assert [entry.outcome for entry in entries] == ["interrupted", "success"]
    killed, rerun = entries
    assert killed.owner_pid == worker.pid
    assert killed.ended_at is not None
    assert killed.met_standard is False
    assert rerun.owner_pid != worker.pid
    assert ProcessBeat.objects.get(process_id=rerun.owner_process).stopped_at is not None  # the worker that ended


@pytest.mark.parametrize(
    ("language", "said", "not_said"),
    [
        ("id", "Terputus: proses pelaksana berhenti sebelum pekerjaan selesai.", "Interrupted:"),
        ("en", "Interrupted: the process doing it stopped before the work ended.", "Terputus: proses"),
    ],
)
def test_the_note_of_an_interrupted_entry_reads_in_the_readers_language(  # type: ignore[no-untyped-def]
    institution, template, staff, language, said, not_said
) -> None:
    with clock.frozen(T0):
        entry = ledger_open(activity_key="backup", institution=institution, notes="Dicek <b>Dimas</b>")
    LedgerEntry.objects.filter(pk=entry.pk).update(owner_process="jaga:1", owner_pid=_dead_pid())
    ledger_sweep_interrupted(now=T0 + dt.timedelta(minutes=30))
    client = _client(staff)
    client.cookies["django_language"] = language

    url = reverse("sop:compliance", kwargs={"slug": institution.slug, "number": 2})
    page = client.get(url, {"dari": T0.date().isoformat(), "sampai": T0.date().isoformat()}).content.decode()

    assert f"Dicek &lt;b&gt;Dimas&lt;/b&gt;<br>{said}" in page  # what a person wrote stays as written, escaped
    assert not_said not in page
    entry.refresh_from_db()
    assert entry.notes.splitlines()[-1] == "Terputus: proses pelaksana berhenti sebelum pekerjaan selesai."
