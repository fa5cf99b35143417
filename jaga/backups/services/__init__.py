"""The backups app's writes: repositories and plans, and the runs (backup, check, drill, restore, export).

A run never ends as a success unless every dump passed its checks and restic reported the snapshot
(:mod:`.runs`); the actions themselves are in :mod:`.actions`.
"""

from jaga.backups.services.actions import backup_run, check_run, check_subset, drill_run
from jaga.backups.services.export import export_run
from jaga.backups.services.restore import live_confirmation_text, restore_live_run, restore_run
from jaga.backups.services.runs import RunContext, RunFailed, backup_runs_sweep_interrupted, plan_lock
from jaga.backups.services.setup import (
    backup_schedules_ensure,
    plan_create,
    plan_schedules_ensure,
    repository_create,
    repository_init,
    repository_sheet_confirm,
    repository_sheets_remind,
    scratch_remove,
    source_add,
    work_dir,
)

__all__ = [
    "RunContext",
    "RunFailed",
    "backup_run",
    "backup_runs_sweep_interrupted",
    "backup_schedules_ensure",
    "check_run",
    "check_subset",
    "drill_run",
    "export_run",
    "live_confirmation_text",
    "plan_create",
    "plan_lock",
    "plan_schedules_ensure",
    "repository_create",
    "repository_init",
    "repository_sheet_confirm",
    "repository_sheets_remind",
    "restore_live_run",
    "restore_run",
    "scratch_remove",
    "source_add",
    "work_dir",
]
