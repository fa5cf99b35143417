"""The backups demo step with the real services: a restic repository, two snapshots, a check, a drill, an export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jaga.backups.demo import PLAN_NAME, demo_fill
from jaga.backups.models import MediaExport, Plan, Run, RunState
from jaga.core import clock
from jaga.core.demo import DemoContext
from jaga.core.models import Role
from jaga.sop.models import LedgerEntry

pytestmark = pytest.mark.django_db


def test_the_demo_step_fills_a_real_repository_and_the_adk_register(
    institution: Any, site: Any, make_user: Any, settings: Any
) -> None:
    users = {role: make_user(role, institution) for role in (Role.STAFF_P2TI, Role.KASUBBAG_PTIP)}
    ctx = DemoContext(
        institution=institution, site=site, users=users, base_url="http://127.0.0.1:8000/demo-situs/",
        now=clock.now(), days=2,
    )  # fmt: skip
    demo_fill(ctx=ctx)
    assert not ctx.skipped, ctx.skipped
    plan = Plan.objects.get(name=PLAN_NAME)
    runs = list(Run.objects.filter(plan=plan).order_by("pk").values_list("kind", "state"))
    assert runs == [
        ("backup", RunState.SUCCESS), ("backup", RunState.SUCCESS), ("check", RunState.SUCCESS),
        ("drill", RunState.SUCCESS), ("export", RunState.SUCCESS),
    ]  # fmt: skip
    export = MediaExport.objects.get(plan=plan)
    assert (Path(export.path) / "RESTORE.txt").is_file()
    assert "db-perkara.sqlite3.zst" in export.checksums
    assert LedgerEntry.objects.filter(activity_key="backup").count() == 4  # backups, drill and export
    assert "240 baris" in ctx.done[0]
    again = DemoContext(institution=institution, site=site, users=users, base_url="", now=clock.now(), days=2)
    demo_fill(ctx=again)
    assert Run.objects.filter(plan=plan).count() == 5
