"""The build's own steps (the Makefile), where what they leave behind matters to the running Jaga."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_make_messages_leaves_catalogues_every_user_can_read() -> None:
    """`jaga` runs with umask 077: a catalogue compiled by it was 0600, and Jaga run as another user than the
    one who built it spoke no English. `make messages` leaves every .mo 0644, also one made 0600 before."""
    catalogues = sorted((ROOT / "jaga" / "locale").glob("*/LC_MESSAGES/django.po"))
    assert catalogues
    for po in catalogues:
        if po.with_suffix(".mo").exists():
            po.with_suffix(".mo").chmod(0o600)  # as an earlier build under umask 077 left it
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    done = subprocess.run(
        ["sh", "-c", "umask 077 && exec make -s messages"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    modes = {po.parent.parent.name: oct(stat.S_IMODE(po.with_suffix(".mo").stat().st_mode)) for po in catalogues}
    assert modes == {po.parent.parent.name: "0o644" for po in catalogues}


def test_the_postgresql_pass_keeps_the_tests_that_can_differ_by_database_and_leaves_out_pages() -> None:
    """`--database-tests-only` (the PostgreSQL pass of `make test`) by the rule in the root conftest.py."""
    modules = [
        "jaga/monitoring/tests/test_selectors.py",  # queries: every test kept
        "jaga/renewals/tests/test_views.py",  # pages through `db`: left out
        "jaga/monitoring/tests/test_views.py",  # pages, but one is marked every_database: that one kept
        "jaga/core/tests/test_liveness.py",  # transactions and worker processes: kept
        "jaga/core/tests/test_dbcheck.py",  # marked postgres: kept; the SQLite files it damages: left out
        "tests/test_documentation.py",  # no database: left out
        "jaga/backups/tests/test_tunnel.py",  # same_on_every_database: left out but for its one postgres test
    ]
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--collect-only", "--database-tests-only",
         *modules],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    kept: dict[str, list[str]] = {}
    for line in done.stdout.splitlines():
        if "::" in line:
            module, name = line.split("::", 1)
            kept.setdefault(module, []).append(name)
    assert sorted(kept) == [
        "jaga/backups/tests/test_tunnel.py",
        "jaga/core/tests/test_dbcheck.py",
        "jaga/core/tests/test_liveness.py",
        "jaga/monitoring/tests/test_selectors.py",
        "jaga/monitoring/tests/test_views.py",
    ]
    assert sorted(kept["jaga/core/tests/test_dbcheck.py"]) == [
        "test_a_database_missing_on_the_server_is_named_missing", "test_a_user_the_server_refuses_is_named_as_refused"
    ]  # fmt: skip
    # The SQLite pass leaves `postgres` tests out: this pass runs them, same_on_every_database or not.
    assert kept["jaga/backups/tests/test_tunnel.py"] == [
        "test_a_postgresql_behind_the_web_server_is_dumped_and_drilled_through_a_tunnel"
    ]
    assert kept["jaga/monitoring/tests/test_views.py"] == [
        "TestMonitorDetail::test_open_findings_come_first_even_when_a_closed_one_was_seen_later"
    ]
