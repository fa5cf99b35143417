"""Changing and removing what was set up: a plan, a source, a repository.

Nothing that records what happened is deleted with them:

- a plan that has runs (or ADK entries) is *archived*, not deleted: it stops (inactive, its schedules gone),
  leaves the lists, and keeps its page, its runs, their ledger entries and its ADK entries; its snapshots
  stay in the repository. A plan that never ran is deleted with its sources and schedules;
- a removed source is no longer backed up; the snapshots already made still hold what it gave them;
- a repository is removed only when no plan uses it any more. Its restic data is kept unless the person
  asked to delete it too; either way the row stays as a record (its recovery sheet still opens for the
  Administrator while the data exists), and the page says which it was.

A plan's site and repository, and a source's name, are fixed once the plan has backups: the runs name the
snapshots of that repository, and a drill finds a source's dump in a snapshot by the source's name.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jaga.backups.models import MediaExport, Plan, Repository, RepositoryKind, Run, RunKind, Source
from jaga.backups.repositories import medium_check, options_validate, restic_for
from jaga.backups.restic import LONG_TIMEOUT
from jaga.backups.services.setup import plan_schedules_ensure
from jaga.backups.sources import REGISTRY
from jaga.core import clock
from jaga.core.ssh import ssh_scope

PLAN_FIXED_ONCE_RUN = ("site", "repository")


def plan_has_backups(plan: Plan) -> bool:
    return Run.objects.filter(plan=plan, kind=RunKind.BACKUP).exists()


def plan_has_history(plan: Plan) -> bool:
    return Run.objects.filter(plan=plan).exists() or MediaExport.objects.filter(plan=plan).exists()


def plan_update(*, plan: Plan, **fields: Any) -> Plan:
    """Change a plan's settings; its schedules follow (a new interval, stopped while it is inactive)."""
    if plan_has_backups(plan):
        for name in PLAN_FIXED_ONCE_RUN:
            value = fields.get(name)
            if value is not None and value != getattr(plan, name):
                raise ValidationError(
                    {name: _("Tidak dapat diganti setelah rencana ini punya cadangan; buat rencana baru.")}
                )
    for name, value in fields.items():
        setattr(plan, name, value)
    with transaction.atomic():
        plan.save()
        if plan.is_active:
            plan_schedules_ensure(plan=plan)
        else:
            plan.schedules.all().delete()
    return plan


def plan_remove(*, plan: Plan) -> str:
    """``"archived"`` (it has a history, kept) or ``"deleted"`` (it never ran)."""
    with transaction.atomic():
        if plan_has_history(plan):
            plan.is_active = False
            plan.removed_at = clock.now()
            plan.save(update_fields=["is_active", "removed_at"])
            plan.schedules.all().delete()
            return "archived"
        plan.delete()  # its sources and schedules go with it
        return "deleted"


def source_update(*, source: Source, name: str, config: dict[str, Any], secret: str = "") -> Source:
    """New settings for a source; an empty ``secret`` keeps the stored one. A new host or port unpins the old
    server's host key (the new server's key is pinned on its first use)."""
    if name != source.name:
        if plan_has_backups(source.plan):
            raise ValidationError(
                {"name": _("Nama sumber tetap setelah ada cadangan: latihan pemulihan mencarinya dengan nama ini.")}
            )
        if Source.objects.filter(plan=source.plan, name=name).exclude(pk=source.pk).exists():
            raise ValidationError({"name": _("Rencana ini sudah punya sumber bernama %(name)s.") % {"name": name}})
    cleaned = REGISTRY.get(source.kind).validate(config)
    old = source.config or {}
    moved = any(cleaned.get(key) != old.get(key) for key in ("host", "port"))
    for pinned in ("known_hosts",):
        if pinned in cleaned and moved and cleaned.get(pinned) == old.get(pinned):
            cleaned[pinned] = ""
    source.name = name
    source.config = cleaned
    if secret:
        source.secret = secret
    source.save()
    return source


def source_remove(*, source: Source) -> None:
    source.delete()


def repository_update(
    *, repository: Repository, name: str, location: str, options: dict[str, Any], credentials: str = ""
) -> Repository:
    """New name, location, options or credentials. When where or how restic reaches it changes, the repository
    at the new place must be this one (restic's id equal to the fingerprint), or nothing is changed."""
    cleaned = options_validate(repository.kind, options)
    old_options = repository.options or {}
    moved = repository.kind == RepositoryKind.SFTP and location != repository.location
    if moved and cleaned.get("known_hosts") == old_options.get("known_hosts"):
        cleaned["known_hosts"] = ""  # another server: its key is pinned now, on this first use
    reached_differently = (
        location != repository.location
        or cleaned != old_options
        or (credentials and credentials != repository.credentials)
    )
    repository.name = name
    repository.location = location
    repository.options = cleaned
    if credentials:
        repository.credentials = credentials
    if reached_differently and repository.fingerprint:
        # Checked on an unsaved copy: a host key pinned on this first use must not be stored before the check
        # has passed (the back end stores a pin at once on a saved repository).
        probe = copy.copy(repository)
        probe.pk = None
        with ssh_scope():
            medium_check(probe)
            found = restic_for(probe).repository_id()
        repository.options = probe.options
        if found != repository.fingerprint:
            raise ValidationError(
                _("Di lokasi itu ada repositori restic lain (id %(found)s, bukan %(expected)s): tidak ada yang diubah.")
                % {"found": found[:8], "expected": repository.fingerprint[:8]}
            )
    repository.save()
    return repository


def repository_plans_in_use(repository: Repository) -> list[Plan]:
    return list(repository.plans.filter(removed_at__isnull=True).order_by("name"))


def repository_remove(*, repository: Repository, delete_data: bool = False) -> str:
    """Remove a repository from Jaga; with ``delete_data`` its restic data too. What was done, in words.

    Refused (``ValidationError``) while a plan that is not archived uses it."""
    in_use = repository_plans_in_use(repository)
    if in_use:
        raise ValidationError(
            _("Repositori ini masih dipakai rencana %(plans)s: ubah repositori rencananya atau hapus rencananya dulu.")
            % {"plans": ", ".join(plan.name for plan in in_use)}
        )
    said = _("Repositori %(name)s dilepas dari Jaga.") % {"name": repository.name}
    if delete_data:
        said += " " + _repository_data_delete(repository)
        repository.data_removed_at = clock.now()
    else:
        said += " " + _("Data restic di %(location)s tidak disentuh; kata sandinya tetap di lembar pemulihan.") % {
            "location": repository.location
        }
    repository.removed_at = clock.now()
    repository.save(update_fields=["removed_at", "data_removed_at"])
    return said


def _repository_data_delete(repository: Repository) -> str:
    """Delete the restic data: a folder (local, external disk) goes whole once restic's id in it is this
    repository's; elsewhere every snapshot is forgotten and pruned (the repository's empty structure stays)."""
    with ssh_scope():
        medium_check(repository)
        engine = restic_for(repository)
        found = engine.repository_id()
        if repository.fingerprint and found != repository.fingerprint:
            raise ValidationError(
                _("Di %(location)s ada repositori restic lain (id %(found)s): datanya tidak dihapus.")
                % {"location": repository.location, "found": found[:8]}
            )
        if repository.kind in (RepositoryKind.LOCAL, RepositoryKind.DISK):
            folder = Path(repository.location)
            shutil.rmtree(folder)
            return _("Folder repositori %(location)s dan semua snapshotnya dihapus.") % {"location": folder}
        ids = [str(item["id"]) for item in engine.snapshots()]
        if ids:
            engine.run(("forget", "--prune", *ids), action="forget --prune", timeout=LONG_TIMEOUT)
        return _(
            "%(count)d snapshot di %(location)s dilupakan dan datanya dibuang (prune); struktur repositori yang "
            "kosong (config dan kunci) masih ada di sana dan dapat dihapus di penyimpanannya."
        ) % {"count": len(ids), "location": repository.location}


__all__ = [
    "plan_has_backups",
    "plan_has_history",
    "plan_remove",
    "plan_update",
    "repository_plans_in_use",
    "repository_remove",
    "repository_update",
    "source_remove",
    "source_update",
]
