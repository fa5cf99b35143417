"""Changing and removing plans, sources and repositories from the web: who may, what a removal keeps (a plan's
history, a repository's restic data unless asked), and that a removal is confirmed by typing the name."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from jaga.backups import services
from jaga.backups.models import MediaExport, Plan, Repository, Run, RunState, Source
from jaga.backups.repositories import restic_for
from jaga.backups.tests.conftest import local_repository
from jaga.core.models import Schedule

pytestmark = pytest.mark.django_db

BASE = "/backups/pn-bangil"


def _plan_form(plan: Any, **extra: Any) -> dict[str, Any]:
    return {
        "site": plan.site_id, "name": plan.name, "repository": plan.repository_id,
        "interval_hours": plan.interval_hours, "keep_last": 4, "keep_daily": 7, "keep_weekly": 4, "keep_monthly": 12,
        "keep_yearly": 3,
        "check_interval_days": 7, "read_cycle_checks": 4, "drill_interval_days": 30, "is_active": "on", **extra,
    }  # fmt: skip


def _schedules(plan: Any) -> dict[str, int | None]:
    rows = Schedule.objects.filter(key__startswith=f"backup-plan:{plan.pk}:")
    return {row.key.rsplit(":", 1)[1]: row.interval_seconds for row in rows}


def _urls(plan: Any) -> dict[str, str]:
    source = plan.sources.get()
    return {
        "plan_edit": f"{BASE}/rencana/{plan.pk}/ubah/",
        "plan_delete": f"{BASE}/rencana/{plan.pk}/hapus/",
        "source_edit": f"{BASE}/rencana/{plan.pk}/sumber/{source.pk}/ubah/",
        "source_delete": f"{BASE}/rencana/{plan.pk}/sumber/{source.pk}/hapus/",
    }


def _repository_urls(repository: Any) -> dict[str, str]:
    return {
        "repository_edit": f"{BASE}/repositori/{repository.pk}/ubah/",
        "repository_delete": f"{BASE}/repositori/{repository.pk}/hapus/",
    }


def _state() -> tuple[Any, ...]:
    return (
        list(Plan.objects.values_list("name", "interval_hours", "is_active", "removed_at")),
        list(Source.objects.values_list("name", "config")),
        list(Repository.objects.values_list("name", "location", "removed_at")),
        Schedule.objects.count(),
    )


def test_staff_and_the_auditor_may_not_change_or_remove_a_plan_or_its_sources_and_see_no_links(
    client: Any, plan: Any, people: dict[str, Any]
) -> None:
    before = _state()
    urls = _urls(plan)
    for role in ("staff", "auditor"):
        client.force_login(people[role])
        for url in urls.values():
            assert client.get(url).status_code == 403, url
            assert (
                client.post(url, {"confirmation": plan.name, **_plan_form(plan, interval_hours=1)}).status_code == 403
            )
        page = client.get(plan.get_absolute_url()).content.decode()
        assert not any(url in page for url in urls.values())
    assert _state() == before


def test_only_the_administrator_changes_or_removes_a_repository(
    client: Any, plan: Any, repository: Any, people: dict[str, Any]
) -> None:
    before = _state()
    urls = _repository_urls(repository)
    for role in ("staff", "auditor", "ptip"):
        client.force_login(people[role])
        for url in urls.values():
            assert client.get(url).status_code == 403, url
            assert (
                client.post(url, {"name": "Lain", "location": "/lain", "confirmation": repository.name}).status_code
                == 403
            )
        page = client.get(repository.get_absolute_url()).content.decode()
        assert not any(url in page for url in urls.values())
    assert _state() == before
    client.force_login(people["admin"])
    page = client.get(repository.get_absolute_url()).content.decode()
    assert all(url in page for url in urls.values())


def test_the_kasubbag_ptip_changes_a_plan_and_its_schedules_follow(
    client: Any, plan: Any, people: dict[str, Any]
) -> None:
    client.force_login(people["ptip"])
    assert _urls(plan)["plan_edit"] in client.get(plan.get_absolute_url()).content.decode()
    answer = client.post(_urls(plan)["plan_edit"], _plan_form(plan, name="Situs PN (12 jam)", interval_hours=12))
    assert answer.status_code == 302
    plan.refresh_from_db()
    assert (plan.name, plan.interval_hours) == ("Situs PN (12 jam)", 12)
    assert _schedules(plan)["run"] == 12 * 3600
    # Made inactive: its schedules stop; active again, they are back.
    form = _plan_form(plan)
    del form["is_active"]
    client.post(_urls(plan)["plan_edit"], form)
    plan.refresh_from_db()
    assert not plan.is_active
    assert _schedules(plan) == {}
    client.post(_urls(plan)["plan_edit"], _plan_form(plan))
    assert set(_schedules(Plan.objects.get(pk=plan.pk))) == {"run", "check", "drill"}


def test_once_a_plan_has_backups_its_site_and_repository_stay(
    client: Any, plan: Any, people: dict[str, Any], institution: Any, tmp_path: Path, initialized_repository: Path
) -> None:
    assert services.backup_run(plan=plan).state == RunState.SUCCESS
    other = local_repository(institution, initialized_repository, tmp_path / "lain", name="Lain")  # another to choose
    client.force_login(people["admin"])
    page = client.get(_urls(plan)["plan_edit"]).content.decode()
    assert "Tetap setelah rencana ini punya cadangan" in page
    original = plan.repository_id
    client.post(_urls(plan)["plan_edit"], _plan_form(plan, repository=other.pk, interval_hours=3))
    plan.refresh_from_db()
    assert (plan.repository_id, plan.interval_hours) == (original, 3)


def test_a_plan_that_never_ran_is_deleted_after_its_name_is_typed(
    client: Any, plan: Any, people: dict[str, Any]
) -> None:
    client.force_login(people["admin"])
    url = _urls(plan)["plan_delete"]
    page = client.get(url).content.decode()
    assert 'data-outcome="deleted"' in page
    assert "belum pernah dijalankan" in page
    with translation.override("id"):
        wrong = client.post(url, {"confirmation": "situs"}).content.decode()
    assert f"Tidak cocok. Ketik persis {plan.name}." in wrong
    assert Plan.objects.filter(pk=plan.pk).exists()
    answer = client.post(url, {"confirmation": plan.name})
    assert answer["Location"] == f"{BASE}/"
    assert not Plan.objects.filter(pk=plan.pk).exists()
    assert not Source.objects.exists()
    assert _schedules(plan) == {}


def test_a_plan_with_runs_is_archived_and_keeps_its_history_and_snapshots(
    client: Any, plan: Any, people: dict[str, Any], tmp_path: Path
) -> None:
    from jaga.sop.models import LedgerEntry

    backup = services.backup_run(plan=plan)
    assert backup.state == RunState.SUCCESS, backup.error
    assert services.export_run(plan=plan, to=tmp_path / "adk", label="ADK-1").state == RunState.SUCCESS
    ledger = LedgerEntry.objects.count()
    client.force_login(people["ptip"])
    url = _urls(plan)["plan_delete"]
    page = client.get(url).content.decode()
    assert 'data-outcome="archived"' in page
    assert "Rencana ini punya 2 eksekusi, jadi tidak dihapus melainkan diarsipkan." in page
    assert "1 catatan di register ADK tetap." in page
    answer = client.post(url, {"confirmation": plan.name})
    assert answer["Location"] == plan.get_absolute_url()
    plan.refresh_from_db()
    assert plan.removed_at is not None
    assert not plan.is_active
    assert _schedules(plan) == {}
    assert Run.objects.filter(plan=plan).count() == 2
    assert MediaExport.objects.filter(plan=plan).count() == 1
    assert LedgerEntry.objects.count() == ledger
    shorts = [s["short_id"] for s in restic_for(plan.repository).snapshots(tags=[f"plan:{plan.pk}"])]
    assert shorts == [backup.snapshot_id[:8]]
    index = client.get(f"{BASE}/").content.decode()
    assert f'data-plan="{plan.pk}"' not in index  # off the list of plans, in the archive
    assert index.count('id="archive"') == 1  # in the page's body, once
    assert plan.name not in index.split("<body", 1)[0]  # not in the page's title or head
    page = client.get(plan.get_absolute_url()).content.decode()
    assert 'id="archived"' in page
    assert backup.get_absolute_url() in page
    assert _urls(plan)["plan_edit"] not in page
    assert client.post(f"{BASE}/rencana/{plan.pk}/mulai/run/").status_code == 302
    from django_tasks_db.models import DBTaskResult

    assert not DBTaskResult.objects.exists()  # nothing queued for an archived plan
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="diarsipkan"):
        call_command("backup", "run", str(plan.pk))
    assert Run.objects.filter(plan=plan).count() == 2
    target = tmp_path / "pulih"
    call_command("backup", "restore", str(plan.pk), "--target", str(target))  # its snapshots still restore
    assert (target / str(plan.sources.get().config["path"]).lstrip("/") / "index.php").is_file()


def test_a_source_is_changed_its_secret_kept_when_left_empty_and_removed_after_typing_its_name(
    client: Any, plan: Any, people: dict[str, Any], web_root: Path
) -> None:
    client.force_login(people["admin"])
    database = services.source_add(
        plan=plan, kind="mariadb", name="db", config={"database": "situs", "user": "situs"}, secret="Sandi-DB-Lama-1"
    )
    url = f"{BASE}/rencana/{plan.pk}/sumber/{database.pk}/ubah/"
    page = client.get(url).content.decode()
    assert 'value="situs"' in page
    assert "Sandi-DB-Lama-1" not in page
    answer = client.post(url, {"name": "db", "cfg_host": "127.0.0.1", "cfg_port": "3307", "cfg_database": "situs2",
                               "cfg_user": "situs", "secret": ""})  # fmt: skip
    assert answer.status_code == 302
    database.refresh_from_db()
    assert (database.config["port"], database.config["database"], database.secret) == (
        3307,
        "situs2",
        "Sandi-DB-Lama-1",
    )
    with translation.override("id"):
        wrong = client.post(url, {"name": "db", "cfg_port": "70000", "cfg_database": "", "cfg_user": "situs"}).content
    assert "Nilai terlalu besar. Batasnya 65535." in wrong.decode()
    database.refresh_from_db()
    assert database.config["port"] == 3307
    # The web root's excludes change what the next backup takes.
    files = plan.sources.get(name="www")
    (web_root / "tmp-besar.bin").write_bytes(b"x" * 1000)
    client.post(f"{BASE}/rencana/{plan.pk}/sumber/{files.pk}/ubah/", {"name": "www", "cfg_path": str(web_root),
                "cfg_cms": "wordpress", "cfg_excludes": "tmp-besar.bin"})  # fmt: skip
    database_delete = f"{BASE}/rencana/{plan.pk}/sumber/{database.pk}/hapus/"
    assert "Snapshot yang sudah ada tetap menyimpan" in client.get(database_delete).content.decode()
    client.post(database_delete, {"confirmation": "salah"})
    assert Source.objects.filter(pk=database.pk).exists()
    client.post(database_delete, {"confirmation": "db"})
    assert not Source.objects.filter(pk=database.pk).exists()
    run = services.backup_run(plan=plan)
    assert run.state == RunState.SUCCESS, run.error
    names = {node["path"] for node in restic_for(plan.repository).ls(run.snapshot_id)}
    assert f"{web_root}/index.php" in names
    assert f"{web_root}/tmp-besar.bin" not in names
    # With backups made, the source's name is fixed (a drill finds it in a snapshot by that name).
    client.post(f"{BASE}/rencana/{plan.pk}/sumber/{files.pk}/ubah/",
                {"name": "situs", "cfg_path": str(web_root), "cfg_cms": "wordpress"})  # fmt: skip
    assert plan.sources.get().name == "www"
    page = client.get(f"{BASE}/rencana/{plan.pk}/sumber/{files.pk}/hapus/").content.decode()
    assert "Ini sumber terakhir rencana ini" in page


def test_a_repository_moved_to_another_folder_is_accepted_only_where_its_id_is(
    client: Any, repository: Any, people: dict[str, Any], institution: Any, tmp_path: Path
) -> None:
    client.force_login(people["admin"])
    url = _repository_urls(repository)["repository_edit"]
    moved = tmp_path / "pindah"
    shutil.copytree(repository.location, moved)
    assert client.post(url, {"name": "Lokal (dipindah)", "location": str(moved)}).status_code == 302
    repository.refresh_from_db()
    assert (repository.name, repository.location) == ("Lokal (dipindah)", str(moved))
    stranger = services.repository_create(
        institution=institution, name="Lain", location=str(tmp_path / "lain"), password="kata-sandi-repo-123"
    )
    with translation.override("id"):
        text = client.post(url, {"name": "Lokal", "location": stranger.location}).content.decode()
    assert "Di lokasi itu ada repositori restic lain" in text
    assert "tidak ada yang diubah" in text
    text = client.post(url, {"name": "Lokal", "location": str(tmp_path / "kosong")}).content.decode()
    assert "Repositori tidak dapat dijangkau di sana" in text
    repository.refresh_from_db()
    assert (repository.name, repository.location) == ("Lokal (dipindah)", str(moved))


def test_a_repository_in_use_is_not_removed_and_its_data_stays_unless_asked(
    client: Any, plan: Any, repository: Any, people: dict[str, Any], institution: Any, tmp_path: Path
) -> None:
    assert services.backup_run(plan=plan).state == RunState.SUCCESS
    client.force_login(people["admin"])
    url = _repository_urls(repository)["repository_delete"]
    page = client.get(url).content.decode()
    assert 'id="in-use"' in page
    assert plan.name in page
    client.post(url, {"confirmation": repository.name})
    assert Repository.objects.get(pk=repository.pk).removed_at is None
    # Once its plan is archived: removed from Jaga, and without the tick its restic data is left alone.
    client.post(_urls(plan)["plan_delete"], {"confirmation": plan.name})
    answer = client.post(url, {"confirmation": repository.name})
    assert answer.status_code == 302
    repository.refresh_from_db()
    assert repository.removed_at is not None
    assert repository.data_removed_at is None
    assert (Path(repository.location) / "config").is_file()
    assert len(restic_for(repository).snapshots()) == 1
    page = client.get(repository.get_absolute_url()).content.decode()
    assert 'id="removed"' in page
    assert "tidak dihapus" in page
    assert client.get(f"{BASE}/repositori/{repository.pk}/lembar-pemulihan/").status_code == 200
    assert repository.name not in client.get(f"{BASE}/rencana/baru/").content.decode()
    # A second repository, removed with its data: the folder goes, only after restic's id there matched.
    other = services.repository_create(
        institution=institution, name="Sementara", location=str(tmp_path / "sementara"), password="kata-sandi-repo-456"
    )
    wrong = client.post(
        _repository_urls(other)["repository_delete"], {"confirmation": "sementara", "delete_data": "on"}
    )
    assert "Tidak cocok. Ketik persis Sementara." in wrong.content.decode()
    assert (tmp_path / "sementara" / "config").is_file()
    client.post(_repository_urls(other)["repository_delete"], {"confirmation": "Sementara", "delete_data": "on"})
    other.refresh_from_db()
    assert other.removed_at is not None
    assert other.data_removed_at is not None
    assert not (tmp_path / "sementara").exists()
    assert 'id="sheet"' not in client.get(other.get_absolute_url()).content.decode()
