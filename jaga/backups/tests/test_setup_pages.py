"""Setting up backups from the web: a new plan and its sources, only by the Administrator and the Kasubbag PTIP;
a plan set up on these pages backs up for real."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import translation

from jaga.backups import services
from jaga.backups.models import Plan, RunState, Source
from jaga.core.models import Schedule

pytestmark = pytest.mark.django_db

NEW_PLAN = "/backups/pn-bangil/rencana/baru/"


def _plan_form(site: Any, repository: Any, **extra: Any) -> dict[str, Any]:
    return {
        "site": site.pk, "name": "Situs utama", "repository": repository.pk, "interval_hours": 6, "keep_last": 4,
        "keep_daily": 7, "keep_weekly": 4, "keep_monthly": 12, "keep_yearly": 3, "check_interval_days": 7,
        "read_cycle_checks": 4, "drill_interval_days": 30, **extra,
    }  # fmt: skip


def _sources_url(plan: Any) -> str:
    return f"/backups/pn-bangil/rencana/{plan.pk}/sumber/baru/"


def test_staff_and_the_auditor_may_not_set_up_backups_and_see_no_buttons(
    client: Any, plan: Any, people: dict[str, Any], site: Any, repository: Any
) -> None:
    before = (Plan.objects.count(), Source.objects.count())
    for role in ("staff", "auditor"):
        client.force_login(people[role])
        assert client.get(NEW_PLAN).status_code == 403
        assert client.post(NEW_PLAN, _plan_form(site, repository)).status_code == 403
        assert client.get(_sources_url(plan) + "?kind=files").status_code == 403
        assert client.post(_sources_url(plan), {"kind": "files", "name": "lain", "cfg_path": "/srv"}).status_code == 403
        assert NEW_PLAN not in client.get("/backups/pn-bangil/").content.decode()
        assert _sources_url(plan) not in client.get(plan.get_absolute_url()).content.decode()
    assert (Plan.objects.count(), Source.objects.count()) == before


def test_the_kasubbag_ptip_sets_up_a_plan_from_the_site_page_and_it_backs_up(
    client: Any, people: dict[str, Any], site: Any, repository: Any, web_root: Path
) -> None:
    site.web_root, site.cms = str(web_root), "wordpress"
    site.save()
    client.force_login(people["ptip"])
    assert NEW_PLAN in client.get("/backups/pn-bangil/").content.decode()
    answer = client.post(NEW_PLAN, _plan_form(site, repository, interval_hours=12))
    plan = Plan.objects.get(name="Situs utama")
    assert answer["Location"] == _sources_url(plan)
    assert (plan.site, plan.repository, plan.interval_hours) == (site, repository, 12)
    keys = set(Schedule.objects.filter(key__startswith=f"backup-plan:{plan.pk}:").values_list("key", flat=True))
    assert keys == {f"backup-plan:{plan.pk}:{what}" for what in ("run", "check", "drill")}
    picker = client.get(_sources_url(plan)).content.decode()
    assert 'data-kind="files"' in picker
    assert 'data-kind="mariadb"' in picker
    form = client.get(_sources_url(plan) + "?kind=files").content.decode()
    assert f'value="{web_root}"' in form  # the site's page already says where its web root is
    assert client.post(_sources_url(plan), {"kind": "files", "name": "www", "cfg_path": str(web_root),
                                            "cfg_cms": "wordpress"}).status_code == 302  # fmt: skip
    source = Source.objects.get(plan=plan)
    assert (source.kind, source.config["path"], source.config["cms"]) == ("files", str(web_root), "wordpress")
    run = services.backup_run(plan=plan)
    assert run.state == RunState.SUCCESS, run.error
    assert run.files_new == 3  # the cache folder of WordPress left out


def test_a_wrong_source_says_which_field_in_indonesian_and_adds_nothing(
    client: Any, plan: Any, people: dict[str, Any]
) -> None:
    client.force_login(people["admin"])
    with translation.override("id"):
        html = client.post(_sources_url(plan), {"kind": "files", "name": "www", "cfg_path": "relatif/www"}).content
    text = html.decode()
    assert "Rencana ini sudah punya sumber bernama www." in text
    assert "Tulis folder lengkap, diawali /." in text
    wrong = {"kind": "mariadb", "name": "db", "cfg_port": "70000", "cfg_database": "", "cfg_user": "situs"}
    text = client.post(_sources_url(plan), wrong).content.decode()
    assert 'id="id_cfg_port_error"><li>Nilai terlalu besar. Batasnya 65535.' in text
    assert 'id="id_cfg_database_error"><li>Wajib diisi.' in text
    assert list(Source.objects.filter(plan=plan).values_list("name", flat=True)) == ["www"]


def test_a_database_sources_password_is_stored_encrypted_and_never_shown_again(
    client: Any, plan: Any, people: dict[str, Any]
) -> None:
    client.force_login(people["admin"])
    form = client.get(_sources_url(plan) + "?kind=mariadb").content.decode()
    assert 'type="password" name="secret"' in form
    answer = client.post(_sources_url(plan), {"kind": "mariadb", "name": "db", "cfg_database": "situs",
                                              "cfg_user": "situs", "secret": "Sandi-DB-Rahasia-77"})  # fmt: skip
    assert answer.status_code == 302
    source = Source.objects.get(plan=plan, name="db")
    assert source.secret == "Sandi-DB-Rahasia-77"
    assert (source.config["host"], source.config["port"], source.config["tunnel"]) == ("127.0.0.1", 3306, False)
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM backups_source WHERE id = %s", [source.pk])
        assert "Sandi-DB-Rahasia-77" not in cursor.fetchone()[0]
    assert "Sandi-DB-Rahasia-77" not in client.get(plan.get_absolute_url()).content.decode()
    assert 'type="password"' not in client.get(_sources_url(plan) + "?kind=files").content.decode()


NEW_REPOSITORY = "/backups/pn-bangil/repositori/baru/"


def test_only_the_administrator_creates_a_repository(client: Any, people: dict[str, Any], tmp_path: Path) -> None:
    from jaga.backups.models import Repository

    form = {"kind": "local", "name": "Lokal 2", "location": str(tmp_path / "repo2"),
            "password": "sandi-repo-panjang-1", "password_again": "sandi-repo-panjang-1"}  # fmt: skip
    for role in ("staff", "auditor", "ptip"):
        client.force_login(people[role])
        assert client.get(NEW_REPOSITORY + "?kind=local").status_code == 403
        assert client.post(NEW_REPOSITORY, form).status_code == 403
        assert NEW_REPOSITORY not in client.get("/backups/pn-bangil/").content.decode()
    assert not Repository.objects.exists()
    assert not (tmp_path / "repo2").exists()
    client.force_login(people["admin"])
    assert 'data-kind="s3"' in client.get(NEW_REPOSITORY).content.decode()
    answer = client.post(NEW_REPOSITORY, form)
    repository = Repository.objects.get()
    assert answer["Location"] == repository.get_absolute_url()
    assert (tmp_path / "repo2" / "config").is_file()  # restic init ran
    assert len(repository.fingerprint) == 64
    assert repository.password == "sandi-repo-panjang-1"
    assert "Lembar pemulihan belum dicetak" in client.get("/backups/pn-bangil/").content.decode()


def test_a_repository_that_cannot_be_made_says_why_and_nothing_is_kept(
    client: Any, people: dict[str, Any], tmp_path: Path
) -> None:
    from jaga.backups.models import Repository

    client.force_login(people["admin"])
    text = client.post(NEW_REPOSITORY, {"kind": "local", "name": "Pendek", "location": str(tmp_path / "r"),
                                        "password": "pendek", "password_again": "pendek"}).content.decode()  # fmt: skip
    assert "Kata sandi repositori minimal 12 karakter." in text
    text = client.post(NEW_REPOSITORY, {"kind": "local", "name": "Beda", "location": str(tmp_path / "r"),
                                        "password": "sandi-repo-panjang-1",
                                        "password_again": "sandi-repo-panjang-2"}).content.decode()  # fmt: skip
    assert "Kedua kata sandi tidak sama." in text
    form = client.get(NEW_REPOSITORY + "?kind=s3").content.decode()
    assert 'type="password" name="credentials"' in form
    # An external disk that is not plugged in: restic never runs, the form says so, no repository is kept.
    disk = {
        "kind": "disk", "name": "USB", "location": str(tmp_path / "usb" / "jaga"), "password": "sandi-repo-panjang-1",
        "password_again": "sandi-repo-panjang-1", "cfg_mount_point": str(tmp_path / "usb"), "cfg_require_mount": "on",
    }  # fmt: skip
    text = client.post(NEW_REPOSITORY, disk).content
    assert "Repositori tidak dapat dibuat" in text.decode()
    assert not Repository.objects.exists()
    assert not (tmp_path / "usb" / "jaga" / "config").exists()
