"""Repositories and plans: creating a restic repository (or adopting one), a plan, its sources and schedules."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path
from typing import Any

from django.conf import settings

from jaga.backups.models import Plan, Repository, Source
from jaga.backups.repositories import disk_marker_write, medium_check, options_validate, restic_for
from jaga.backups.sources import REGISTRY
from jaga.core import clock, execute
from jaga.core.models import Site
from jaga.core.ssh import ssh_scope

logger = logging.getLogger("jaga.backups")


def work_dir(*parts: str) -> Path:
    path = Path(settings.DATA_DIR).joinpath("backups", *parts)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


REMOVE_TIMEOUT = 3600.0


def scratch_remove(path: Path) -> None:
    """Remove a drill's or a restore's scratch folder (a whole restored site: tens of thousands of files).

    ``rm -rf`` does it in C, without a Python call per file (``shutil.rmtree`` cost the drill of a 1 GB site
    about twice the CPU); ``--one-file-system`` never follows into a file system mounted inside it. Where
    ``rm`` cannot be run, or leaves something behind, ``shutil.rmtree`` removes what is left."""
    if not os.path.lexists(path):
        return
    try:
        execute.run(("rm", "-rf", "--one-file-system", "--", str(path)), timeout=REMOVE_TIMEOUT)
    except execute.ExecuteError as exc:
        logger.warning("rm -rf %s: %s", path, exc.message)
    if os.path.lexists(path):
        shutil.rmtree(path, ignore_errors=True)


# --- repositories and plans -----------------------------------------------------------------------------


def repository_create(
    *,
    institution: Any,
    name: str,
    location: str,
    password: str,
    kind: str = "local",
    options: dict[str, Any] | None = None,
    credentials: str = "",
    init: bool = True,
) -> Repository:
    repository = Repository.objects.create(
        institution=institution,
        name=name,
        kind=kind,
        location=location,
        password=password,
        options=options_validate(kind, options),
        credentials=credentials,
    )
    if init:
        repository_init(repository=repository)
    return repository


def repository_init(*, repository: Repository) -> Repository:
    """Create the restic repository (or adopt the one already there) and remember its id."""
    with ssh_scope():  # an SFTP repository's key is written for these calls only
        medium_check(repository)  # a local folder's parent is made here, an external disk is checked
        engine = restic_for(repository)
        fingerprint = engine.repository_id() if engine.exists() else engine.init()
    repository.fingerprint = fingerprint
    repository.initialized_at = clock.now()
    repository.save(update_fields=["fingerprint", "initialized_at"])
    disk_marker_write(repository)
    return repository


def plan_create(*, site: Site, name: str, repository: Repository, **fields: Any) -> Plan:
    plan = Plan.objects.create(site=site, name=name, repository=repository, **fields)
    plan_schedules_ensure(plan=plan)
    return plan


def source_add(*, plan: Plan, kind: str, name: str, config: dict[str, Any], secret: str = "") -> Source:
    cleaned = REGISTRY.get(kind).validate(config)
    position = plan.sources.count()
    return Source.objects.create(plan=plan, kind=kind, name=name, config=cleaned, secret=secret, position=position)


def plan_schedules_ensure(*, plan: Plan) -> None:
    """The plan's three schedules: backups every ``interval_hours``, checks and drills every N days."""
    from jaga.core.scheduling import schedule_ensure

    institution = plan.site.institution
    for what, seconds in (
        ("run", plan.interval_hours * 3600),
        ("check", plan.check_interval_days * 86400),
        ("drill", plan.drill_interval_days * 86400),
    ):
        if seconds <= 0:
            continue
        schedule_ensure(
            key=f"backup-plan:{plan.pk}:{what}",
            task_path=f"jaga.backups.tasks.backup_{what}",
            interval_seconds=seconds,
            kwargs={"plan_id": plan.pk},
            institution=institution,
            owner=plan,
        )


SHEET_REMINDER_SECONDS = 24 * 3600


def backup_schedules_ensure() -> None:
    """At the scheduler's start: every active plan has its schedules (declared again, idempotent), and the
    daily reminder of recovery sheets nobody has confirmed printing."""
    from jaga.core.scheduling import schedule_ensure

    for plan in Plan.objects.filter(is_active=True).select_related("site__institution"):
        plan_schedules_ensure(plan=plan)
    schedule_ensure(
        key="backup-sheet-reminder",
        task_path="jaga.backups.tasks.backup_sheet_remind",
        interval_seconds=SHEET_REMINDER_SECONDS,
    )


def repository_sheets_remind() -> int:
    """Notify ``backup.sheet_unprinted`` for every repository whose recovery sheet nobody has confirmed printing
    (the page shows the same reminder); the number of repositories reminded of."""
    from django.utils.translation import gettext_lazy

    from jaga.core.notifications import notify

    unprinted = Repository.objects.filter(
        sheet_confirmed_at__isnull=True, initialized_at__isnull=False, removed_at__isnull=True
    )
    count = 0
    for repository in unprinted.select_related("institution"):
        notify(
            institution=repository.institution,
            event_type="backup.sheet_unprinted",
            title=gettext_lazy("Lembar pemulihan %(name)s belum dicetak"),
            body=gettext_lazy(
                "Tanpa lembar pemulihan, cadangan di %(location)s tidak dapat dipulihkan bila Jaga dan servernya "
                "hilang. Administrator mencetaknya dari halaman repositori, menyimpannya di tempat aman, lalu "
                "menandainya sudah dicetak; pengingat ini berhenti setelah itu."
            ),
            params={"name": repository.name, "location": repository.location},
            link=repository,
        )
        count += 1
    return count


def repository_sheet_confirm(*, repository: Repository, user: Any) -> Repository:
    """Someone confirms that the recovery sheet is printed and kept: the reminder stops."""
    repository.sheet_confirmed_at = clock.now()
    repository.sheet_confirmed_by = user
    repository.save(update_fields=["sheet_confirmed_at", "sheet_confirmed_by"])
    return repository
