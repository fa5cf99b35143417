"""Export to offline media from the web page: only the Administrator and the Kasubbag PTIP start one; the plan's
page shows it waiting for a worker, then its live progress; the run's page shows the ADK register entry."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django_tasks import TaskContext
from django_tasks_db.models import DBTaskResult

from jaga.backups import services
from jaga.backups.models import MediaExport, Run, RunKind, RunState
from jaga.core import clock
from jaga.core.fields import decrypt

pytestmark = pytest.mark.django_db

PASSPHRASE = "frasa sandi ADK 2026"


def _url(plan: Any) -> str:
    return f"/backups/pn-bangil/rencana/{plan.pk}/ekspor/"


def _form(target: Path, **extra: str) -> dict[str, str]:
    return {"snapshot": "latest", "medium": "cd", "target": str(target), "label": "ADK-2026-01",
            "kept_at": "Lemari arsip ruang PTIP", **extra}  # fmt: skip


def _work_like_a_worker(result: DBTaskResult[Any, Any]) -> Any:
    """What the long worker does with a queued task: claim it, run it (with its context, when the task asks
    for it), record its return value."""
    result.claim("uji")
    task = result.task
    context = (TaskContext(task_result=result.task_result),) if task.takes_context else ()
    value = task.call(*context, *result.args_kwargs["args"], **result.args_kwargs["kwargs"])
    result.set_successful(value)
    return value


def test_staff_and_the_auditor_may_not_start_an_export_and_see_no_button(
    client: Any, plan: Any, people: dict[str, Any], tmp_path: Path
) -> None:
    for role in ("staff", "auditor"):
        client.force_login(people[role])
        assert client.get(_url(plan)).status_code == 403
        assert client.post(_url(plan), _form(tmp_path / "usb")).status_code == 403
        assert _url(plan) not in client.get(plan.get_absolute_url()).content.decode()
    assert not DBTaskResult.objects.exists()
    assert not (tmp_path / "usb").exists()


def test_the_administrator_and_the_kasubbag_ptip_queue_an_export_with_the_passphrase_never_readable(
    client: Any, plan: Any, people: dict[str, Any], tmp_path: Path
) -> None:
    client.force_login(people["admin"])
    assert _url(plan) in client.get(plan.get_absolute_url()).content.decode()
    page = client.get(_url(plan))
    assert page.status_code == 200
    assert 'name="passphrase"' in page.content.decode()
    client.force_login(people["ptip"])
    answer = client.post(_url(plan), _form(tmp_path / "usb", passphrase=PASSPHRASE, passphrase_again=PASSPHRASE))
    assert answer.status_code == 302
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "jaga.backups.tasks.backup_export"
    kwargs = queued.args_kwargs["kwargs"]
    assert (kwargs["plan_id"], kwargs["to"], kwargs["medium"], kwargs["user_id"]) == (
        plan.pk, str(tmp_path / "usb"), "cd", people["ptip"].pk
    )  # fmt: skip
    assert PASSPHRASE not in str(queued.args_kwargs)
    assert decrypt(kwargs["passphrase"]) == PASSPHRASE


def test_the_passphrase_leaves_the_queue_once_read_and_a_requeued_export_is_never_made_unencrypted(
    client: Any, plan: Any, people: dict[str, Any], tmp_path: Path
) -> None:
    from jaga.backups.tasks import PASSPHRASE_USED

    assert services.backup_run(plan=plan).state == RunState.SUCCESS
    client.force_login(people["admin"])
    client.post(_url(plan), _form(tmp_path / "usb", passphrase=PASSPHRASE, passphrase_again=PASSPHRASE))
    queued = DBTaskResult.objects.get()
    encrypted = queued.args_kwargs["kwargs"]["passphrase"]
    outcome = _work_like_a_worker(queued)
    run = Run.objects.get(pk=outcome["run"])
    assert run.state == RunState.SUCCESS, run.error
    assert any(name.endswith(".zst.gpg") for name in run.details["files"])  # the phrase was used
    queued.refresh_from_db()
    assert queued.args_kwargs["kwargs"]["passphrase"] == PASSPHRASE_USED
    assert encrypted not in str(queued.args_kwargs)
    # The same task queued again (its worker was cut off): it fails in words and writes nothing.
    queued.status = "READY"
    queued.save(update_fields=["status"])
    again = _work_like_a_worker(DBTaskResult.objects.get(pk=queued.pk))
    refused = Run.objects.get(pk=again["run"])
    assert refused.state == RunState.FAILED
    assert "frasa sandinya sudah dihapus dari antrean" in refused.error
    assert MediaExport.objects.count() == 1


def test_a_wrong_export_form_says_what_is_wrong_field_by_field_and_queues_nothing(
    client: Any, plan: Any, people: dict[str, Any], tmp_path: Path
) -> None:
    full = tmp_path / "penuh"
    full.mkdir()
    (full / "lama.txt").write_text("jangan ditimpa")
    client.force_login(people["admin"])
    html = client.post(_url(plan), _form(full, passphrase="pendek", passphrase_again="pendek")).content.decode()
    assert "Folder ini tidak kosong; pilih folder baru." in html
    assert "Frasa sandi minimal 12 karakter." in html
    html = client.post(
        _url(plan),
        {
            **_form(Path("relatif")),
            "snapshot": "bukan-id",
            "passphrase": PASSPHRASE + "x",
            "passphrase_again": PASSPHRASE,
        },
    ).content.decode()
    assert "Tulis folder lengkap, diawali /." in html
    assert "Tulis awal id snapshot" in html
    assert "Kedua frasa sandi tidak sama." in html
    assert not DBTaskResult.objects.exists()
    assert (full / "lama.txt").read_text() == "jangan ditimpa"


def test_an_export_from_the_page_waits_shows_its_progress_then_its_adk_entry(
    client: Any, plan: Any, people: dict[str, Any], tmp_path: Path
) -> None:
    backup = services.backup_run(plan=plan)
    assert backup.state == RunState.SUCCESS, backup.error
    client.force_login(people["ptip"])
    client.post(_url(plan), _form(tmp_path / "usb"))
    html = client.get(plan.get_absolute_url()).content.decode()
    assert 'id="queued"' in html
    assert "Ekspor ke media" in html
    assert 'hx-trigger="every 2s"' in html  # the page polls until the worker has started it

    # While it runs, the plan's page and the run's page show its progress (a run as the worker's would be).
    running = Run.objects.create(plan=plan, kind=RunKind.EXPORT, started_at=clock.now(), percent=80.0,
                                 phase="Menghitung checksum")  # fmt: skip
    html = client.get(running.get_absolute_url()).content.decode()
    assert '<progress max="100" value="80"' in html
    assert "Menghitung checksum" in html
    running.delete()

    outcome = _work_like_a_worker(DBTaskResult.objects.get())
    run = Run.objects.get(pk=outcome["run"])
    assert run.state == RunState.SUCCESS, run.error
    assert (run.kind, run.trigger, run.started_by) == (RunKind.EXPORT, "web", people["ptip"])
    html = client.get(plan.get_absolute_url()).content.decode()
    assert 'id="queued"' not in html
    assert "hx-trigger" not in html
    entry = MediaExport.objects.get()
    assert (entry.label, entry.medium, entry.kept_at, entry.made_by) == (
        "ADK-2026-01", "cd", "Lemari arsip ruang PTIP", people["ptip"]
    )  # fmt: skip
    # The set on the medium is what the register says: every checksum in it matches the file.
    for line in entry.checksums.splitlines():
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((tmp_path / "usb" / name).read_bytes()).hexdigest() == digest
    html = client.get(run.get_absolute_url()).content.decode()
    assert 'id="adk"' in html
    assert "ADK-2026-01" in html
    assert "Lemari arsip ruang PTIP" in html
    assert f"#adk-{entry.pk}" in html
    register = client.get("/backups/pn-bangil/adk/").content.decode()
    assert f'id="adk-{entry.pk}"' in register


def test_every_member_reads_the_adk_register_and_its_csv_and_strangers_do_not(
    client: Any, plan: Any, people: dict[str, Any], outsider: Any, tmp_path: Path
) -> None:
    services.backup_run(plan=plan)
    run = services.export_run(plan=plan, to=tmp_path / "disk", label="ADK-DISK-7", kept_at="Brankas")
    assert run.state == RunState.SUCCESS, run.error
    for user in people.values():
        client.force_login(user)
        assert "ADK-DISK-7" in client.get("/backups/pn-bangil/adk/").content.decode()
        csv = client.get("/backups/pn-bangil/adk/?format=csv")
        assert csv["Content-Type"].startswith("text/csv")
        rows = csv.content.decode("utf-8-sig").splitlines()
        assert rows[0].startswith("Dibuat,Rencana,Situs,Snapshot,Media")
        assert "ADK-DISK-7" in rows[1]
        assert "Brankas" in rows[1]
    client.force_login(outsider)
    assert client.get("/backups/pn-bangil/adk/").status_code == 404
    assert client.get("/backups/pn-bangil/adk/?format=csv").status_code == 404
