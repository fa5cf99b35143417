"""Who made a change: a person on the web, a program through an API token, or Jaga itself (which process)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.test import Client
from django.urls import reverse

from jaga.core import audit
from jaga.core.audit import actor_as, actor_system, process_actor_name, process_actor_set
from jaga.core.models import AuditAction, AuditEvent, Site
from jaga.core.services import api_token_create
from jaga.core.tests.processes_helpers import JAGA, jaga_env, shared_database_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_process_actor():  # type: ignore[no-untyped-def]
    """Tests that set the process-wide actor put it back (pytest itself has none)."""
    yield
    process_actor_set(None)


def _rename(site: Site, name: str) -> AuditEvent:
    site.name = name
    site.save()
    return AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(site.pk)).latest("id")


# --- through the API ------------------------------------------------------------------------------------


def test_an_api_change_is_in_the_trail_with_the_tokens_user_and_name(client: Client, staff, site) -> None:
    _token, raw = api_token_create(user=staff, institution=site.institution, name="skrip pemantau")
    response = client.post(
        "/api/monitors",
        data=json.dumps(
            {"site_id": site.pk, "name": "Beranda", "kind": "http", "config": {"url": "http://127.0.0.1:9/"}}
        ),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 201, response.content
    event = AuditEvent.objects.get(action=AuditAction.CREATE, content_type__model="monitor")
    assert event.actor == staff
    assert event.actor_name == "staff"
    assert event.via == "token: skrip pemantau"
    assert event.institution_id == site.institution_id
    assert event.ip_address == "127.0.0.1"


def test_an_api_delete_is_in_the_trail_with_the_token(client: Client, staff, site) -> None:
    from jaga.monitoring.models import Monitor

    monitor = Monitor.objects.create(site=site, name="Lama", kind="http", config={"url": "http://127.0.0.1:9/"})
    _token, raw = api_token_create(user=staff, institution=site.institution, name="pembersih")
    response = client.delete(f"/api/monitors/{monitor.pk}", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 204
    event = AuditEvent.objects.get(action=AuditAction.DELETE, object_id=str(monitor.pk))
    assert (event.actor, event.via) == (staff, "token: pembersih")


def test_the_trail_page_shows_the_actor_and_through_what(client: Client, staff, auditor, site) -> None:
    with actor_as(user=staff, via="token: skrip pemantau"):
        _rename(site, "Lewat API")
    with actor_system("scheduler"):
        _rename(site, "Oleh penjadwal")
    client.force_login(auditor)
    body = client.get(reverse("core:audit_list", kwargs={"slug": "pn-bangil"})).content.decode()
    assert "melalui token API «skrip pemantau»" in body
    assert "Jaga (sistem)" in body
    assert "melalui penjadwal" in body


def test_the_trail_filters_by_where_a_change_came_from(client: Client, staff, auditor, institution) -> None:
    def new_site(name: str) -> None:
        Site.objects.create(institution=institution, name=name, base_url="http://127.0.0.1:9/")

    with actor_as(user=staff, via="token: skrip"):
        new_site("situs-dari-api")
    with actor_system("worker"):
        new_site("situs-dari-jaga")
    with actor_as(user=staff):
        new_site("situs-dari-orang")
    client.force_login(auditor)
    url = reverse("core:audit_list", kwargs={"slug": "pn-bangil"})

    def shown(source: str) -> set[str]:
        body = client.get(url, {"source": source}).content.decode()
        return {name for name in ("situs-dari-api", "situs-dari-jaga", "situs-dari-orang") if name in body}

    assert shown("api") == {"situs-dari-api"}
    assert shown("system") == {"situs-dari-jaga"}
    assert shown("person") == {"situs-dari-orang"}
    assert shown("") == {"situs-dari-api", "situs-dari-jaga", "situs-dari-orang"}


def test_the_trail_names_the_fields_in_the_readers_language(client: Client, auditor, site) -> None:
    with actor_system("worker"):
        _rename(site, "Situs Diganti")
    client.force_login(auditor)
    body = client.get(reverse("core:audit_list", kwargs={"slug": "pn-bangil"})).content.decode()
    assert "nama</span>: Situs PN Bangil → Situs Diganti" in body


# --- the context managers -----------------------------------------------------------------------------


def test_it_records_a_change_made_for_a_user_outside_a_request(staff, site) -> None:
    with actor_as(user=staff, via="token: impor"):
        event = _rename(site, "Diimpor")
    assert (event.actor, event.actor_name, event.via, event.ip_address) == (staff, "staff", "token: impor", None)


def test_it_records_jagas_own_change_with_the_process(site) -> None:
    with actor_system("probe"):
        event = _rename(site, "Oleh probe")
    assert (event.actor, event.actor_name, event.via) == (None, "Jaga", "probe")


def test_the_innermost_actor_wins_and_the_outer_one_comes_back(staff, site) -> None:
    with actor_system("worker"):
        with actor_as(user=staff, via="token: x"):
            inner = _rename(site, "dalam")
        outer = _rename(site, "luar")
    assert inner.actor == staff
    assert (outer.actor_name, outer.via) == ("Jaga", "worker")
    assert audit.current_actor() is None


def test_without_any_actor_nothing_is_recorded(site) -> None:
    site.name = "tanpa pelaku"
    site.save()
    assert not AuditEvent.objects.exists()


def test_the_process_actor_covers_threads_that_start_with_an_empty_context(site, no_process_actor) -> None:
    process_actor_set("command: impor")
    seen: list[Any] = []
    thread = threading.Thread(target=lambda: seen.append(audit.current_actor()))
    thread.start()
    thread.join(timeout=5)
    assert seen[0] is not None
    assert seen[0].resolve() == (None, "Jaga", "command: impor")
    event = _rename(site, "oleh proses")
    assert (event.actor_name, event.via) == ("Jaga", "command: impor")


def test_each_asyncio_task_keeps_its_own_actor(staff, make_user, institution, site) -> None:
    other = make_user("staff_p2ti", institution, "rekan")

    @sync_to_async
    def rename(name: str) -> None:
        _rename(Site.objects.get(pk=site.pk), name)

    async def as_user(user: Any, name: str) -> None:
        with actor_as(user=user, via=f"token: {name}"):
            await asyncio.sleep(0.01)  # the other task runs meanwhile, under its own actor
            await rename(name)

    async def main() -> None:
        await asyncio.gather(as_user(staff, "satu"), as_user(other, "dua"))

    async_to_sync(main)()  # the ORM runs through sync_to_async, which carries each task's context
    events = {e.via: e.actor_name for e in AuditEvent.objects.filter(action=AuditAction.UPDATE)}
    assert events == {"token: satu": "staff", "token: dua": "rekan"}


def test_each_thread_keeps_its_own_actor(staff, make_user, institution) -> None:
    other = make_user("staff_p2ti", institution, "rekan")
    seen: dict[str, str] = {}
    barrier = threading.Barrier(2)

    def work(user: Any, label: str) -> None:
        with actor_as(user=user, via=label):
            barrier.wait(timeout=5)  # both inside their block at once
            actor = audit.current_actor()
            assert actor is not None
            seen[label] = actor.resolve()[1]

    threads = [threading.Thread(target=work, args=(u, lbl)) for u, lbl in ((staff, "a"), (other, "b"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert seen == {"a": "staff", "b": "rekan"}


@pytest.mark.parametrize(
    ("argv", "via"),
    [
        (["jaga", "worker"], "worker"),
        (["jaga", "scheduler", "--once"], "scheduler"),
        (["jaga", "probe"], "probe"),
        (["jaga", "demo", "--reset"], "command: demo"),
        (["jaga", "createsuperuser"], "command: createsuperuser"),
        (["jaga"], "command: help"),
    ],
)
def test_it_names_the_process_from_the_command_line(argv: list[str], via: str) -> None:
    assert process_actor_name(argv) == via


def test_migrations_historical_models_are_not_audited() -> None:
    from django.apps import apps
    from django.db.migrations.state import ProjectState

    historical = ProjectState.from_apps(apps).apps.get_model("core", "Site")
    assert not audit.is_audited(historical)
    assert audit.is_audited(Site)


# --- real processes ------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_change_made_by_the_worker_names_jaga_and_the_task(tmp_path: Path, site) -> None:
    from jaga.core.tests.tasks_for_tests import rename_site

    rename_site.enqueue(site_id=site.pk, name="Diganti pekerja")
    with shared_database_url(tmp_path) as url:
        result = subprocess.run(
            [JAGA, "worker", "--batch", "--interval", "0.1"],
            env=jaga_env(tmp_path, DATABASE_URL=url),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert result.returncode == 0, result.stdout + result.stderr
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_id=str(site.pk))
    assert event.actor is None
    assert event.actor_name == "Jaga"
    assert event.via == "worker: jaga.core.tests.tasks_for_tests.rename_site"
    assert event.changes["name"] == ["Situs PN Bangil", "Diganti pekerja"]


def test_the_demo_trail_shows_a_change_made_through_an_api_token() -> None:
    from jaga.demo.services import demo_create

    summary = demo_create(days=1)
    assert summary.institution is not None
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, content_type__model="site")
    assert (event.actor_name, event.via) == ("demo-staff", "token: skrip pemantau log (demo)")
    assert event.institution_id == summary.institution.pk
    demo_create(days=1)  # again: nothing new
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, content_type__model="site").count() == 1
