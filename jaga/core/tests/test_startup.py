"""A ``jaga`` command starts without the web stack: no API, no HTTP client, no PDF or columnar engine.

Every command runs every app's ``ready()``; what those import, each command pays at every start (a backup
that finds nothing changed, a test that spawns a process, ``jaga traffic ingest`` of a few lines)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from jaga.core.api_routers import api_router_register, api_routers
from jaga.core.tests.processes_helpers import jaga_env

# What only a page, a probe, a report or a traffic step needs, imported inside the functions that use it.
HEAVY = ("ninja", "aiohttp", "weasyprint", "duckdb", "pyarrow", "pandas", "jaga.core.api", "jaga.core.http")

LOADED = """
import json, sys
import django
django.setup()
from django.core.management import get_commands, load_command_class
for name in sys.argv[1:]:
    load_command_class(get_commands()[name], name)
print(json.dumps(sorted(sys.modules)))
"""


def _modules_after_start(tmp_path: Path, *commands: str) -> set[str]:
    env = jaga_env(tmp_path, DJANGO_SETTINGS_MODULE="jaga.settings")
    done = subprocess.run(
        [sys.executable, "-c", LOADED, *commands], env=env, capture_output=True, text=True, timeout=120, check=True
    )
    return set(json.loads(done.stdout))


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


def test_the_commands_start_without_the_web_stack(tmp_path: Path) -> None:
    commands = ("backup", "traffic", "report", "sop_seed", "worker", "scheduler")
    assert _heavy(_modules_after_start(tmp_path, *commands)) == []


def test_it_would_notice_a_heavy_import(tmp_path: Path) -> None:
    assert "aiohttp" in _heavy(_modules_after_start(tmp_path, "renewals"))  # its RDAP look-ups are HTTP
    assert _heavy({"ninja.main", "jaga.core.api", "jaga.core.api_routers", "ninjas"}) == ["jaga.core.api", "ninja.main"]


def test_the_apps_register_their_routers_without_importing_them() -> None:
    assert set(api_routers()) == {"backups", "incidents", "monitors", "renewals", "reports", "traffic"}
    api_router_register("backups", "jaga.backups.api.router")  # the same again changes nothing
    with pytest.raises(ValueError, match="already taken"):
        api_router_register("backups", "jaga.reports.api.router")


def test_the_system_checks_pass_without_the_commands_running_them() -> None:
    call_command("check")  # raises SystemCheckError on any error
