"""Crash safety: ``jaga up`` and each of its processes killed with SIGKILL, again and again, under load.

What runs: a fresh data folder (SQLite, or a fresh database on ``--database-url``), ``--monitors`` HTTP monitors
against a loopback page server (bench/probe.py's), and ``jaga up`` with web, probe, both workers and the
scheduler. The benchmark queues a task every two seconds (bench/crash_task.py: it works 1.5 s, then writes
one row), so kills land in the middle of tasks, and the probe writes its results all the time.

Then ``--rounds`` times, in turn: the probe, the long worker, the quick worker, the scheduler and ``jaga up``
itself get SIGKILL at a random moment. ``jaga up`` restarts a killed child; after ``jaga up`` is killed the
benchmark waits for its children to die (they must: jaga/core/processes/lifeline.py), counts those that did
not (orphans, killed then), and starts a new ``jaga up`` on the same folder and port.

Measured:
- orphans: processes of the killed ``jaga up`` (children and their children) alive 20 s after it, and any
  process of the data folder left when the benchmark ends;
- stored rows lost: the check results committed before each kill of ``jaga up`` that are missing after it
  (SQLite with WAL, ``synchronous=NORMAL``: a process crash loses nothing committed);
- half-written: SQLite's ``quick_check`` and ``foreign_key_check`` after every kill of ``jaga up`` and at the end;
- checks doubled (two results of a monitor closer than half its interval) and missed (gaps longer than 1.5
  intervals, counted in intervals), per kill;
- tasks: queued, done once, done twice (a worker killed after the write, before it marked the task done:
  the task runs again, the at-least-once promise), lost (queued, never done, not waiting either) and left
  running at the end.

    .venv/bin/python -m bench.crash_safety --output crash.json
    .venv/bin/python -m bench.crash_safety --database-url postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python -m bench.crash_safety --quick-check-mb 1000    # only: the start check on a 1 GB file
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench.monitoring import database_prepare, django_start, free_ports, machine
from bench.probe import _doubled, monitors_create, server_start, targets_make

ROOT = Path(__file__).resolve().parent.parent
TARGETS = ("probe", "worker-long", "worker-quick", "scheduler", "up")
ORPHAN_WAIT = 20.0


# --- processes, from /proc -----------------------------------------------------------------------------------


def _stat(pid: int) -> tuple[int, str] | None:
    """(parent pid, command line) of a live process, None when it is gone or a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] == "Z":
        return None
    return int(fields[1]), cmdline


def processes() -> dict[int, tuple[int, str]]:
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (info := _stat(int(entry.name))) is not None:
            found[int(entry.name)] = info
    return found


def descendants(root: int) -> dict[int, str]:
    table = processes()
    result: dict[int, str] = {}
    frontier = [root]
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, cmdline) in table.items():
            if ppid == parent and pid not in result:
                result[pid] = cmdline
                frontier.append(pid)
    return result


def child_named(up: int, name: str) -> int | None:
    """The pid of ``jaga up``'s child ``name`` (probe, worker-long, worker-quick, scheduler)."""
    wanted = {
        "probe": " probe",
        "worker-long": "worker --queue long",
        "worker-quick": "worker --queue quick",
        "scheduler": " scheduler",
    }[name]
    for pid, (ppid, cmdline) in processes().items():
        if ppid == up and wanted in cmdline:
            return pid
    return None


def of_data_dir(data_dir: Path) -> list[int]:
    """Every live process whose environment names this data folder (what would be an orphan at the end)."""
    needle = f"JAGA_DATA_DIR={data_dir}".encode()
    found = []
    for pid in processes():
        try:
            if needle in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0"):
                found.append(pid)
        except OSError:
            continue
    # The benchmark's own helpers (its page servers' multiprocessing resource tracker) inherit the folder too.
    own = {os.getpid()} | {
        pid for pid, (parent, command) in processes().items() if parent == os.getpid() and "jaga" not in command
    }
    return [pid for pid in found if pid not in own]


# --- the database, read from the benchmark ----------------------------------------------------------------------


def integrity() -> dict[str, Any]:
    from django.db import connection

    if connection.vendor != "sqlite":
        return {"quick_check": "n/a (PostgreSQL)", "foreign_key_problems": 0}
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA quick_check")
        quick = [row[0] for row in cursor.fetchall()]
        cursor.execute("PRAGMA foreign_key_check")
        foreign = cursor.fetchall()
    connection.close()
    return {"quick_check": "ok" if quick == ["ok"] else quick[:5], "foreign_key_problems": len(foreign)}


def results_up_to(max_id: int) -> int:
    from jaga.monitoring.models import CheckResult

    return CheckResult.objects.filter(pk__lte=max_id).count()


def max_result_id() -> int:
    from django.db.models import Max

    from jaga.monitoring.models import CheckResult

    return int(CheckResult.objects.aggregate(top=Max("pk"))["top"] or 0)


def missed_intervals(rows: list[tuple[int, datetime]], interval: int, start: datetime, end: datetime) -> int:
    """Intervals without a check, over every monitor, from the gaps between its results in [start, end]."""
    by_monitor: dict[int, list[datetime]] = {}
    for monitor_id, at in rows:
        by_monitor.setdefault(monitor_id, []).append(at)
    missed = 0
    for times in by_monitor.values():
        times.sort()
        edges = [start, *times, end]
        for before, after in itertools.pairwise(edges):
            gap = (after - before).total_seconds()
            if gap > 1.5 * interval:
                missed += round(gap / interval) - 1
    return missed


def doubled_after(rows: list[tuple[int, datetime]], interval: int, kills: list[dict[str, Any]]) -> dict[str, int]:
    """Doubled checks by the kill they followed (within two intervals), else "no kill before"."""
    kill_times = sorted((datetime.fromisoformat(k["at"]), k["target"]) for k in kills)
    times: dict[int, list[datetime]] = {}
    for monitor_id, at in rows:
        times.setdefault(monitor_id, []).append(at)
    counts: dict[str, int] = {}
    for series in times.values():
        series.sort()
        for before, after in itertools.pairwise(series):
            if (after - before).total_seconds() >= interval / 2:
                continue
            cause = "no kill before"
            for at, target in kill_times:
                if at <= after and (after - at).total_seconds() <= 2 * interval:
                    cause = target
            counts[cause] = counts.get(cause, 0) + 1
    return counts


# --- the run ---------------------------------------------------------------------------------------------------


class Up:
    def __init__(self, data_dir: Path, env: dict[str, str]) -> None:
        self.data_dir, self.env, self.starts = data_dir, env, 0
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        """Start ``jaga up``; the seconds until all its children run (the next one waits for the port)."""
        self.starts += 1
        log = (self.data_dir / f"up-{self.starts}.log").open("wb")
        began = time.monotonic()
        jaga = str(Path(sys.executable).with_name("jaga"))
        self.process = subprocess.Popen([jaga, "up"], env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = began + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jaga up exited ({self.process.returncode}); see {log.name}")
            if all(child_named(self.process.pid, name) for name in TARGETS[:-1]):
                return time.monotonic() - began
            time.sleep(0.2)
        raise RuntimeError(f"jaga up did not start its children in 60 s; see {log.name}")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid


def kill_up(up: Up) -> dict[str, Any]:
    tree = descendants(up.pid)
    os.kill(up.pid, signal.SIGKILL)
    assert up.process is not None
    up.process.wait()
    deadline = time.monotonic() + ORPHAN_WAIT
    alive = dict(tree)
    while alive and time.monotonic() < deadline:
        alive = {pid: cmd for pid, cmd in alive.items() if _stat(pid) is not None}
        time.sleep(0.2)
    gone_after = ORPHAN_WAIT - max(0.0, deadline - time.monotonic())
    for pid in alive:
        os.kill(pid, signal.SIGKILL)  # not to spoil the rest of the run
    return {"tree": len(tree), "orphans": len(alive), "orphan_commands": list(alive.values()), "all_gone_s": gone_after}


def crash_run(args: argparse.Namespace, data_dir: Path, database_url: str | None) -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from bench.crash_task import MARK, bench_write
    from jaga.core.models import Site
    from jaga.monitoring.models import CheckResult

    rng = random.Random(args.seed)
    targets = targets_make(args.targets)
    servers = server_start(targets)
    start_at = timezone.now() + timedelta(seconds=5)
    monitors_create(args.monitors, targets=targets, interval=args.interval, spread_from=start_at)
    connection.close()
    (port,) = free_ports(1)
    env = dict(
        os.environ,
        JAGA_DATA_DIR=str(data_dir),
        JAGA_LOG_LEVEL="WARNING",
        JAGA_HTTP_ALLOW_INTERNAL="true",
        JAGA_LISTEN=f"127.0.0.1:{port}",
        JAGA_PROCESSES="web,probe,worker,scheduler",
        PYTHONPATH=str(ROOT),
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    up = Up(data_dir, env)
    report: dict[str, Any] = {"kills": [], "up_start_s": [up.start()]}
    queued = 0
    next_task = time.monotonic()

    def wait(seconds: float) -> None:
        nonlocal queued, next_task
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            if time.monotonic() >= next_task:
                bench_write.enqueue(number=queued, seconds=1.5)
                queued += 1
                next_task += 2.0
            time.sleep(0.1)
        connection.close()

    wait(args.interval)  # warm-up: every monitor checked once
    measured_from = timezone.now()
    for round_number in range(args.rounds):
        for name in TARGETS:
            wait(rng.uniform(args.interval * 0.5, args.interval * 1.2))
            kill: dict[str, Any] = {"round": round_number + 1, "target": name, "at": timezone.now().isoformat()}
            if name == "up":
                before_id = max_result_id()
                committed = results_up_to(before_id)
                kill.update(kill_up(up))
                kill["integrity"] = integrity()
                kill["results_lost"] = committed - results_up_to(before_id)
                kill["restart_s"] = up.start()
                report["up_start_s"].append(kill["restart_s"])
            else:
                pid = child_named(up.pid, name)
                if pid is None:
                    kill["error"] = "not running (restarting?)"
                else:
                    tree = descendants(pid)
                    os.kill(pid, signal.SIGKILL)
                    time.sleep(ORPHAN_WAIT / 4)
                    kill["grandchildren_left"] = sum(1 for other in tree if _stat(other) is not None)
            report["kills"].append(kill)
            print(json.dumps(kill), flush=True)
    wait(args.settle)
    measured_to = timezone.now()
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    bench_results = DBTaskResult.objects.filter(task_path="bench.crash_task.bench_write")
    # The long worker drains what is queued (nothing more is), so that a task still waiting is not "lost".
    drain_until = time.monotonic() + args.drain
    unfinished = [TaskResultStatus.READY, TaskResultStatus.RUNNING]
    while bench_results.filter(status__in=unfinished).exists() and time.monotonic() < drain_until:
        time.sleep(1)
    report["drain_s"] = round(args.drain - max(0.0, drain_until - time.monotonic()), 1)
    for process in servers:
        process.terminate()
        process.join(5)
    assert up.process is not None
    up.process.send_signal(signal.SIGTERM)
    up.process.wait(timeout=60)
    time.sleep(2)
    left = {pid: (_stat(pid) or (0, "?"))[1] for pid in of_data_dir(data_dir)}

    rows = list(
        CheckResult.objects.filter(checked_at__gte=measured_from, checked_at__lt=measured_to).values_list(
            "monitor_id", "checked_at"
        )
    )
    doubled = _doubled(sorted(rows), args.interval)
    missed = missed_intervals(rows, args.interval, measured_from, measured_to)
    done: dict[int, int] = {}
    for name in Site.objects.filter(name__startswith=MARK).values_list("name", flat=True):
        number = int(name.removeprefix(MARK))
        done[number] = done.get(number, 0) + 1
    waiting = {
        int(r.args_kwargs["kwargs"]["number"])
        for r in bench_results.filter(status=TaskResultStatus.READY).only("args_kwargs")
    }
    failed = [
        f"{r.exception_class_path}: {(r.traceback or '').strip().splitlines()[-1:]}"
        for r in bench_results.filter(status=TaskResultStatus.FAILED)
    ]
    kills_of = {name: sum(1 for k in report["kills"] if k["target"] == name) for name in TARGETS}
    due = args.monitors * (measured_to - measured_from).total_seconds() / args.interval
    report.update(
        {
            "monitors": args.monitors,
            "interval_s": args.interval,
            "measured_s": round((measured_to - measured_from).total_seconds(), 1),
            "kills_of": kills_of,
            "checks": len(rows),
            "checks_due": round(due),
            "checks_doubled": doubled,
            "intervals_missed": missed,
            "intervals_missed_per_kill_per_monitor": round(missed / max(1, len(report["kills"])) / args.monitors, 3),
            "orphans_after_up_kills": sum(k.get("orphans", 0) for k in report["kills"]),
            "grandchildren_left_after_child_kills": sum(k.get("grandchildren_left", 0) for k in report["kills"]),
            "processes_left_at_end": len(left),
            "processes_left_commands": list(left.values()),
            "checks_doubled_after": doubled_after(rows, args.interval, report["kills"]),
            "results_lost": sum(k.get("results_lost", 0) for k in report["kills"]),
            "integrity_end": integrity(),
            "tasks_queued": queued,
            "tasks_done_once": sum(1 for count in done.values() if count == 1),
            "tasks_done_twice_or_more": sum(1 for count in done.values() if count > 1),
            "tasks_waiting_at_end": len(waiting - set(done)),
            "tasks_failed": len(failed),
            "tasks_failed_why": failed[:5],
            "tasks_lost": len(set(range(queued)) - set(done) - waiting),
            "tasks_left_running": DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count(),
            "database": connection.vendor,
        }
    )
    return report


def quick_check_timing(megabytes: int, folder: Path) -> dict[str, Any]:
    """How long ``jaga up``'s start check (PRAGMA quick_check) takes on a file of about ``megabytes`` MB
    shaped like Jaga's (a wide table with two indexes), against the full ``integrity_check``."""
    import sqlite3
    from contextlib import closing

    path = folder / "quick-check.sqlite3"
    rows = megabytes * 1024 * 1024 // 400
    with closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE result (id INTEGER PRIMARY KEY, monitor INTEGER, at TEXT, reason TEXT)")
        db.execute("CREATE INDEX result_monitor_at ON result (monitor, at)")
        db.execute("CREATE INDEX result_at ON result (at)")
        batch = 100_000
        for start in range(0, rows, batch):
            db.executemany(
                "INSERT INTO result (monitor, at, reason) VALUES (?, ?, ?)",
                (
                    (n % 10_000, f"2026-11-{1 + n % 28:02d}T{n % 86_400:06d}", "HTTP 200 dalam 0,21 d " * 8)
                    for n in range(start, min(rows, start + batch))
                ),
            )
            db.commit()
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = path.stat().st_size
    timings: dict[str, Any] = {"file_mb": round(size / 1024 / 1024), "rows": rows}
    for pragma in ("quick_check", "integrity_check"):
        with closing(sqlite3.connect(path)) as db:
            began = time.monotonic()
            answer = db.execute(f"PRAGMA {pragma}").fetchall()
            timings[f"{pragma}_s"] = round(time.monotonic() - began, 2)
            timings[f"{pragma}_answer"] = answer[0][0]
    path.unlink()
    return timings


def parser() -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parse.add_argument("--monitors", type=int, default=500)
    parse.add_argument("--targets", type=int, default=50, help="loopback address:port pairs the pages are on")
    parse.add_argument("--interval", type=int, default=30, help="seconds between two checks of a monitor")
    parse.add_argument("--rounds", type=int, default=2, help="each round kills probe, workers, scheduler, up")
    parse.add_argument("--settle", type=int, default=60, help="seconds after the last kill before counting")
    parse.add_argument("--drain", type=int, default=180, help="seconds at most for the queued tasks to finish")
    parse.add_argument("--seed", type=int, default=14)
    parse.add_argument("--database-url", default=None)
    parse.add_argument("--output", type=Path, default=None)
    parse.add_argument("--keep", action="store_true", help="keep the data folder (and database)")
    parse.add_argument(
        "--quick-check-mb", type=int, default=0, help="only time PRAGMA quick_check on a file of this size"
    )
    return parse


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    data_dir = Path(tempfile.mkdtemp(prefix="jaga-crash-"))
    if args.quick_check_mb:
        print(json.dumps({**quick_check_timing(args.quick_check_mb, data_dir), "load": os.getloadavg()}, indent=2))
        return 0
    database_url, drop = database_prepare(args.database_url)
    try:
        django_start(data_dir, database_url)
        load_before = os.getloadavg()
        report = crash_run(args, data_dir, database_url)
        report["load_before"], report["load_after"] = load_before, os.getloadavg()
        report["machine"] = machine()
    finally:
        if not args.keep:
            drop()
    text = json.dumps(report, indent=2, default=str)
    print(text)
    if args.output:
        args.output.write_text(text + "\n")
    if args.keep:
        print(f"kept: {data_dir} {database_url or ''}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
