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
from jaga.core.tests.processes_helpers import jaga_env, shared_database_url

# What only a page, a probe, a report or a traffic step needs, imported inside the functions that use it.
HEAVY = ("ninja", "aiohttp", "weasyprint", "duckdb", "pyarrow", "pandas", "jaga.core.api", "jaga.core.http")
# ... and what only reading the detection rules, describing user agents and addresses, or a secret needs.
HEAVY += ("yaml", "pydantic", "jaga.traffic.detection", "ua_parser", "crawlerdetect", "geoip2fast", "dns")
HEAVY += ("cryptography",)

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


INGESTED = """
import json, sys
from jaga.cli import main
code = main(["jaga", "traffic", "ingest", "--site", sys.argv[1], sys.argv[2]])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""
# What `jaga traffic ingest` of lines from agents it has seen before needs none of: the user-agent parser and the
# crawler list (their answers are kept beside the store), the HTTP client and the DNS resolver (look-ups off).
NOT_FOR_KNOWN_AGENTS = ("ninja", "aiohttp", "weasyprint", "pandas", "jaga.core.api", "jaga.core.http")
NOT_FOR_KNOWN_AGENTS += ("jaga.core.resolver", "dns", "ua_parser_builtins", "crawlerdetect")
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def _log_lines(minute: int) -> str:
    when = f"01/Nov/2026:08:{minute:02d}"
    return "".join(
        f'203.0.113.{n} - - [{when}:{n:02d} +0700] "GET /berita/{n} HTTP/1.1" 200 512 "-" "{agent}"\n'
        for n, agent in enumerate((BROWSER, GOOGLEBOT, BROWSER), start=1)
    )


def _ingest_in_a_process(tmp_path: Path, url: str, site_id: int, log: Path) -> set[str]:
    env = jaga_env(tmp_path, DATABASE_URL=url, JAGA_TRAFFIC_CRAWLER_DNS="off")
    done = subprocess.run(
        [sys.executable, "-c", INGESTED, str(site_id), str(log)],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["code"] == 0, done.stderr
    assert "3 baris disimpan" in done.stdout
    return set(result["modules"])


@pytest.mark.django_db(transaction=True)
def test_an_ingestion_of_known_agents_loads_no_parser_nor_network_client(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    log = tmp_path / "access.log"
    log.write_text(_log_lines(0))
    with shared_database_url(tmp_path) as url:
        first = _ingest_in_a_process(tmp_path, url, site.pk, log)
        with log.open("a") as more:
            more.write(_log_lines(1))
        again = _ingest_in_a_process(tmp_path, url, site.pk, log)
    assert "ua_parser" in first  # the first run described the agents: the check below can fail
    loaded = sorted(m for m in again if any(m == h or m.startswith(h + ".") for h in NOT_FOR_KNOWN_AGENTS))
    assert loaded == []


FROZEN = """
import gc, json, sys
from jaga.cli import main
code = main(["jaga", "help"])
print(json.dumps({"code": code, "frozen": gc.get_freeze_count(), "enabled": gc.isenabled()}))
"""


def test_what_start_up_made_is_left_out_of_the_collections_and_the_collector_is_on(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", FROZEN], env=jaga_env(tmp_path), capture_output=True, text=True, timeout=120, check=True
    )
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["code"] == 0
    assert result["enabled"] is True
    assert result["frozen"] > 20_000  # Django's and Jaga's modules, classes and apps: not walked at exit


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
