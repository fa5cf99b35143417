"""The backups pages, each tried by a role that may and one that may not; a real restic repository behind."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from jaga.backups import services
from jaga.backups.models import Run, RunKind, RunState
from jaga.core import clock

pytestmark = pytest.mark.django_db


def test_every_member_sees_the_plans_and_strangers_get_a_404(
    client: Any, plan: Any, people: dict[str, Any], outsider: Any
) -> None:
    services.backup_run(plan=plan)
    for user in people.values():
        client.force_login(user)
        page = client.get("/backups/pn-bangil/")
        assert page.status_code == 200
        assert plan.name in page.content.decode()
        assert client.get(plan.get_absolute_url()).status_code == 200
    client.force_login(outsider)
    assert client.get("/backups/pn-bangil/").status_code == 404
    assert client.get(plan.get_absolute_url()).status_code == 404
    client.logout()
    assert client.get("/backups/pn-bangil/").status_code == 302


def test_a_plan_never_backed_up_is_overdue_and_says_so(client: Any, plan: Any, people: dict[str, Any]) -> None:
    plan.created_at = clock.now().replace(year=2020)
    plan.save(update_fields=["created_at"])
    client.force_login(people["auditor"])
    html = client.get("/backups/pn-bangil/").content.decode()
    assert 'data-overdue="1"' in html
    assert "terlambat" in html


def test_staff_queues_a_backup_now_and_the_auditor_may_not(client: Any, plan: Any, people: dict[str, Any]) -> None:
    url = f"/backups/pn-bangil/rencana/{plan.pk}/mulai/run/"
    client.force_login(people["auditor"])
    assert client.post(url).status_code == 403
    assert not DBTaskResult.objects.exists()
    client.force_login(people["staff"])
    assert client.post(url).status_code == 302
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "jaga.backups.tasks.backup_run"
    assert queued.args_kwargs["kwargs"] == {"plan_id": plan.pk, "user_id": people["staff"].pk, "trigger": "web"}


def test_a_running_run_shows_its_progress_and_keeps_polling_until_it_ends(
    client: Any, plan: Any, people: dict[str, Any]
) -> None:
    run = Run.objects.create(
        plan=plan, kind=RunKind.BACKUP, started_at=clock.now(), percent=42.6, phase="Menyimpan snapshot"
    )
    client.force_login(people["auditor"])
    html = client.get(run.get_absolute_url()).content.decode()
    assert '<progress max="100" value="43"' in html
    assert 'hx-trigger="every 2s"' in html
    assert "Menyimpan snapshot" in html
    plan_html = client.get(plan.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 2s"' in plan_html
    Run.objects.filter(pk=run.pk).update(state=RunState.FAILED, ended_at=clock.now(), error="Dump gagal: ukuran 0")
    html = client.get(run.get_absolute_url()).content.decode()
    assert "<progress" not in html
    assert "hx-trigger" not in html
    assert "Dump gagal: ukuran 0" in html


def test_the_snapshots_page_lists_what_restic_holds(client: Any, plan: Any, people: dict[str, Any]) -> None:
    run = services.backup_run(plan=plan)
    client.force_login(people["auditor"])
    html = client.get(f"/backups/pn-bangil/rencana/{plan.pk}/snapshot/").content.decode()
    assert f'data-snapshot="{run.snapshot_id[:8]}"' in html
    assert "pulihkan" not in html  # the auditor may not restore
    client.force_login(people["ptip"])
    html = client.get(f"/backups/pn-bangil/rencana/{plan.pk}/snapshot/").content.decode()
    assert "pulihkan" in html


def test_a_drill_shows_its_figures_on_the_plan_page(client: Any, plan: Any, people: dict[str, Any]) -> None:
    services.backup_run(plan=plan)
    drill = services.drill_run(plan=plan)
    assert drill.state == RunState.SUCCESS, drill.error
    client.force_login(people["staff"])
    html = client.get(plan.get_absolute_url()).content.decode()
    assert f'class="drill" data-run="{drill.pk}"' in html
    assert "3 berkas" in html


def test_only_an_administrator_opens_the_recovery_sheet_and_confirming_it_stops_the_reminder(
    client: Any, plan: Any, people: dict[str, Any]
) -> None:
    repository = plan.repository
    sheet = f"/backups/pn-bangil/repositori/{repository.pk}/lembar-pemulihan/"
    client.force_login(people["staff"])
    assert "Lembar pemulihan belum dicetak" in client.get("/backups/pn-bangil/").content.decode()
    assert client.get(sheet).status_code == 403
    assert repository.password not in client.get(repository.get_absolute_url()).content.decode()
    client.force_login(people["admin"])
    html = client.get(sheet).content.decode()
    assert repository.password in html
    assert repository.fingerprint in html
    assert f"RESTIC_REPOSITORY='{repository.location}'" in html
    pdf = client.get(sheet + "?format=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert client.post(sheet + "dicetak/").status_code == 302
    repository.refresh_from_db()
    assert repository.sheet_confirmed_by == people["admin"]
    assert "Lembar pemulihan belum dicetak" not in client.get("/backups/pn-bangil/").content.decode()


def test_an_unprinted_recovery_sheet_is_reminded_every_day_until_an_administrator_confirms_it(
    client: Any, plan: Any, people: dict[str, Any]
) -> None:
    from jaga.backups import tasks
    from jaga.core.models import NotificationChannel, NotificationDelivery, NotificationRoute, Schedule

    institution = plan.site.institution
    channel = NotificationChannel.objects.create(institution=institution, name="Webhook", url="json://127.0.0.1:9/")
    NotificationRoute.objects.create(
        institution=institution, channel=channel, event_type="backup.sheet_unprinted", role="admin"
    )
    services.backup_schedules_ensure()
    schedule = Schedule.objects.get(key="backup-sheet-reminder")
    assert (schedule.task_path, schedule.interval_seconds) == ("jaga.backups.tasks.backup_sheet_remind", 86400)
    assert tasks.backup_sheet_remind.call() == {"reminded": 1}
    delivery = NotificationDelivery.objects.get(event_type="backup.sheet_unprinted")
    assert plan.repository.name in delivery.title
    client.force_login(people["admin"])
    client.post(f"/backups/pn-bangil/repositori/{plan.repository.pk}/lembar-pemulihan/dicetak/")
    assert tasks.backup_sheet_remind.call() == {"reminded": 0}
    assert NotificationDelivery.objects.filter(event_type="backup.sheet_unprinted").count() == 1


def test_the_sop_tile_of_activity_2_shows_each_plans_last_success_and_turns_red_past_the_plans_interval(
    client: Any, plan: Any, people: dict[str, Any]
) -> None:
    from django.urls import reverse

    from jaga.sop.services import sop_seed_default

    sop_seed_default()
    run = services.backup_run(plan=plan)
    assert run.state == RunState.SUCCESS, run.error
    client.force_login(people["auditor"])
    url = reverse("sop:institution_dashboard", kwargs={"slug": "pn-bangil"})

    def tile() -> str:
        page = client.get(url).content.decode()
        start = page.index('data-activity="2"')
        return page[start : page.index("</section>", start)]

    assert f"{plan.name}: berhasil" in tile()
    assert "terlambat (lebih dari" not in tile()
    # The plan backs up every 12 hours: 13 hours after its last success its line is red, whatever the SOP says.
    plan.interval_hours = 12
    plan.save(update_fields=["interval_hours"])
    Run.objects.filter(pk=run.pk).update(started_at=clock.now() - dt.timedelta(hours=13))
    assert "terlambat (lebih dari 12 jam)" in tile()
    assert 'class="badge bad"' in tile()
