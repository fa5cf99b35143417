"""The evidence pack from the web: an operator asks for it, a worker builds it with its progress on the page, and
every member (the auditor first of all) downloads the zip; an auditor may not ask, a stranger sees nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import subprocess
import sys
import zipfile
from typing import Any

import pytest
from django.urls import reverse

from jaga.core import clock
from jaga.core.sentences import sentence_read
from jaga.reports.models import EvidencePack
from jaga.reports.tests.conftest import WIB
from jaga.reports.tests.test_evidence import november  # noqa: F401  (a fixture)
from tests.test_i18n import compiled_messages  # noqa: F401  (the fixture: catalogues compiled)

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 12, 2, 8, 15, tzinfo=WIB)
ASK = {"period_start": "2026-10-01", "period_end": "2026-11-30", "language": "id"}


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"reports:{name}", kwargs={"slug": "pn-bangil", **kwargs})


@pytest.mark.usefixtures("immediate_tasks", "november")
def test_an_operator_asks_for_a_pack_and_every_member_downloads_it(
    client: Any, people: dict, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(people["staff"])
    assert 'id="ask"' in client.get(url("evidence_list")).content.decode()
    with clock.frozen(NOW), django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("evidence_list"), ASK)
    pack = EvidencePack.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("evidence_detail", pack_id=pack.pk)
    assert pack.state == EvidencePack.State.DONE
    assert (pack.steps_done, pack.steps_total) == (8, 8)  # the seven activities, then the index
    assert pack.requested_by == people["staff"]
    page = client.get(pack.get_absolute_url()).content.decode()
    assert "hx-trigger" not in page  # finished: the page stops asking
    assert pack.sha256 in page
    client.force_login(people["auditor"])
    download = client.get(url("evidence_download", pack_id=pack.pk))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    data = b"".join(download.streaming_content)
    assert hashlib.sha256(data).hexdigest() == pack.sha256 == download["X-Content-SHA256"]
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert {"index.html", "SHA256SUMS", "aktivitas-5/2026-11/ledger.pdf"} <= set(names)
    assert pack.files_count is not None
    assert pack.executions == 3 + 1 + 120 + 1  # monitoring, incident action, backups, the report sent


def test_the_page_shows_the_progress_while_the_pack_is_built(client: Any, people: dict) -> None:
    institution = people["staff"].memberships.get().institution
    pack = EvidencePack.objects.create(
        institution=institution, period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 11, 30),
        state=EvidencePack.State.RUNNING, steps_done=3, steps_total=8,
    )  # fmt: skip
    client.force_login(people["auditor"])
    page = client.get(pack.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert 'value="38"' in page  # 3 of 8
    assert "3 dari 8 bagian tersusun" in page
    assert client.get(url("evidence_download", pack_id=pack.pk)).status_code == 404  # not built yet


@pytest.mark.usefixtures("immediate_tasks")
def test_an_auditor_may_not_ask_and_a_stranger_sees_nothing(client: Any, people: dict, outsider: Any) -> None:
    client.force_login(people["auditor"])
    page = client.get(url("evidence_list"))
    assert page.status_code == 200
    assert 'id="ask"' not in page.content.decode()
    assert client.post(url("evidence_list"), ASK).status_code == 403
    assert not EvidencePack.objects.exists()
    institution = people["staff"].memberships.get().institution
    pack = EvidencePack.objects.create(
        institution=institution, period_start=dt.date(2026, 11, 1), period_end=dt.date(2026, 11, 30)
    )
    client.force_login(outsider)
    assert client.get(url("evidence_list")).status_code == 404
    assert client.get(url("evidence_detail", pack_id=pack.pk)).status_code == 404
    assert client.get(url("evidence_download", pack_id=pack.pk)).status_code == 404
    client.logout()
    assert client.get(url("evidence_list")).status_code == 302  # to the login


def test_a_bad_period_is_refused_in_words_and_asks_nothing(client: Any, people: dict) -> None:
    client.force_login(people["staff"])
    response = client.post(url("evidence_list"), {**ASK, "period_start": "2026-12-01"})
    assert response.status_code == 400
    assert "Akhir periode sebelum awalnya." in response.content.decode()
    response = client.post(url("evidence_list"), {**ASK, "period_start": "2025-01-01"})
    assert "Periode paket bukti paling lama 366 hari." in response.content.decode()
    assert not EvidencePack.objects.exists()


def test_a_pack_that_fails_says_why(people: dict, monkeypatch: Any) -> None:
    from jaga.reports import packs

    institution = people["staff"].memberships.get().institution
    pack = EvidencePack.objects.create(
        institution=institution, period_start=dt.date(2026, 11, 1), period_end=dt.date(2026, 11, 30)
    )

    def broken(**kwargs: Any) -> None:
        raise OSError("disk penuh")

    monkeypatch.setattr("jaga.reports.evidence.evidence_pack_write", broken)
    with pytest.raises(OSError, match="disk penuh"):
        packs.evidence_pack_build(pack=pack)
    pack.refresh_from_db()
    assert pack.state == EvidencePack.State.FAILED
    assert pack.error == "disk penuh"
    assert not pack.file
    packs.evidence_pack_build(pack=pack)  # a second run of the job builds nothing: it was claimed
    pack.refresh_from_db()
    assert pack.state == EvidencePack.State.FAILED


def test_a_pack_whose_worker_died_is_failed_and_asked_again(
    people: dict, django_capture_on_commit_callbacks: Any
) -> None:
    from jaga.reports import packs
    from jaga.reports.document import Period

    institution = people["staff"].memberships.get().institution
    period = Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    stuck = EvidencePack.objects.create(
        institution=institution, period_start=period.start, period_end=period.end,
        state=EvidencePack.State.RUNNING, started_at=NOW - dt.timedelta(hours=2),
    )  # fmt: skip
    with clock.frozen(NOW), django_capture_on_commit_callbacks(execute=False):
        fresh = packs.evidence_pack_request(institution=institution, period=period)
        again = packs.evidence_pack_request(institution=institution, period=period)
    assert fresh.pk != stuck.pk
    assert again.pk == fresh.pk  # asked twice while queued: one job
    stuck.refresh_from_db()
    assert stuck.state == EvidencePack.State.FAILED
    assert "belum selesai setelah 120 menit" in sentence_read(stuck.error)


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.mark.usefixtures("compiled_messages")
def test_the_sweep_fails_a_pack_whose_builder_died_before_anyone_asks_again(client: Any, people: dict) -> None:
    from jaga.core.liveness import process_identity, sweeps_run, this_host

    institution = people["staff"].memberships.get().institution
    started = clock.now() - dt.timedelta(minutes=5)
    died, alive = (
        EvidencePack.objects.create(
            institution=institution, period_start=dt.date(2026, 11, 1), period_end=dt.date(2026, 11, day),
            state=EvidencePack.State.RUNNING, started_at=started, owner_process=f"{this_host()}:{pid}",
            owner_host=this_host(), owner_pid=pid,
        )
        for day, pid in ((29, _dead_pid()), (30, process_identity().pid))
    )  # fmt: skip
    assert sweeps_run() == []  # core's sweep, every minute: the reports app registered its own
    died.refresh_from_db()
    alive.refresh_from_db()
    assert died.state == EvidencePack.State.FAILED
    assert died.finished_at is not None
    assert alive.state == EvidencePack.State.RUNNING  # its builder (this process) still works on it
    client.force_login(people["staff"])
    client.cookies["django_language"] = "en"
    page = client.get(died.get_absolute_url()).content.decode()
    assert "the worker stopped before the pack was done" in page
    assert "Penyusunan terhenti" not in page
