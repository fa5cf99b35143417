"""Core names no app above it: every app registers its own wiring in its ``AppConfig.ready()`` (CONTRACTS.md)."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

JAGA = Path(__file__).resolve().parents[2]
CORE = JAGA / "core"


def _packages_above_core() -> set[str]:
    """Every Jaga app but core, and the packages that stand above the apps (the demo, the commands)."""
    apps = {name.split(".")[1] for name in settings.INSTALLED_APPS if name.startswith("jaga.") and name != "jaga.core"}
    packages = {path.parent.name for path in JAGA.glob("*/__init__.py")} - {"core", "formats", "locale"}
    return apps | packages


def _code_files() -> list[Path]:
    """Core's code; its tests may use the apps to test core with real data."""
    return [path for path in CORE.rglob("*.py") if "tests" not in path.relative_to(CORE).parts]


def test_it_knows_the_apps_above_core() -> None:
    assert {"sop", "monitoring", "demo", "ops"} <= _packages_above_core()


def test_core_code_names_no_app_above_it() -> None:
    pattern = re.compile(rf"\bjaga[./:]({'|'.join(sorted(_packages_above_core()))})\b")
    found = [
        f"{path.relative_to(JAGA.parent)}:{number}: {line.strip()}"
        for path in _code_files()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert found == [], "jaga/core names an app above it; register from the app's ready() instead:\n" + "\n".join(found)


def test_it_would_notice_an_app_named_in_core() -> None:
    pattern = re.compile(rf"\bjaga[./:]({'|'.join(sorted(_packages_above_core()))})\b")
    assert pattern.search('STARTUP = ("jaga.monitoring.tasks_rollups.rollup_schedules_ensure",)')
    assert pattern.search("from jaga.sop.services import sop_seed_default")
    assert not pattern.search("from jaga.core.scheduling import schedule_ensure")
