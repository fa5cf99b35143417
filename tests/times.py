"""Per test file: its wall time and its CPU time (own and children's), when ``JAGA_TEST_TIMES=FOLDER`` is set.

A pytest plugin (the root conftest.py loads it). Each process of a run (each pytest-xdist worker, or the one
process without ``-n``) writes ``FOLDER/<database>-<worker>-<pid>.json`` at its end: for each test file the wall
seconds of its tests (set-up, call and tear-down: a fixture's set-up counts for the first test that asks for
it) and the CPU seconds of the worker in that time, its own and its finished children's (restic, jaga,
servers, chromium once they are reaped; the database server's own CPU is not in it); and the worker's wall
and CPU from its process's start to its end (imports, collection and the test databases included).
``scripts/test-times.py FOLDER`` sums them up. Without the variable the plugin does nothing.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

FOLDER = os.environ.get("JAGA_TEST_TIMES", "")


def _cpu() -> tuple[float, float]:
    """(own, children's) CPU seconds of this process so far: user plus system."""
    times = os.times()
    return times.user + times.system, times.children_user + times.children_system


def _process_started() -> float:
    """When this process started, on the clock of ``time.monotonic()`` (Linux: both count from boot)."""
    try:
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return time.monotonic()


class _Recorder:
    def __init__(self) -> None:
        self.files: dict[str, dict[str, float]] = {}

    def add(self, path: str, wall: float, own: float, children: float) -> None:
        entry = self.files.setdefault(path, {"wall": 0.0, "cpu_own": 0.0, "cpu_children": 0.0, "tests": 0})
        entry["wall"] += wall
        entry["cpu_own"] += own
        entry["cpu_children"] += children
        entry["tests"] += 1

    def write(self, config: pytest.Config) -> None:
        from django.conf import settings

        worker = getattr(config, "workerinput", {}).get("workerid", "master")
        vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        own, children = _cpu()
        record = {
            "database": vendor,
            "worker": worker,
            "wall": time.monotonic() - _process_started(),  # from the process's start: imports included
            "cpu_own": own,
            "cpu_children": children,
            "files": self.files,
        }
        folder = Path(FOLDER)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{vendor}-{worker}-{os.getpid()}.json").write_text(json.dumps(record, indent=1, sort_keys=True))


_RECORDER: _Recorder | None = _Recorder() if FOLDER else None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, Any, None]:
    if _RECORDER is None:
        yield
        return
    started, (own, children) = time.monotonic(), _cpu()
    yield
    wall, (own_after, children_after) = time.monotonic() - started, _cpu()
    path = item.path.relative_to(item.config.rootpath).as_posix()
    _RECORDER.add(path, wall, own_after - own, children_after - children)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if _RECORDER is not None and (hasattr(session.config, "workerinput") or not _under_xdist(session.config)):
        _RECORDER.write(session.config)


def _under_xdist(config: pytest.Config) -> bool:
    """The xdist controller (``-n 2``) runs no tests itself: only its workers write."""
    return bool(getattr(config.option, "numprocesses", None))
