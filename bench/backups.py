"""The backup benchmark (issue 8): Jaga against bare ``mariadb-dump`` + restic on the same data, step by step.

The data (bench/backup_data.py): a CMS-like web root of ``--size-mb`` MB and a MariaDB database of about
``--db-mb`` MB of dump on the real server (127.0.0.1:3306, root). Jaga backs both up with one plan (a files
source and a mariadb source into a local restic repository); the bare side runs the commands a careful
person would script for the same job, into a repository of its own:

- full: Jaga ``jaga backup run PLAN``; bare ``mariadb-dump`` (Jaga's flags), ``restic backup`` and
  ``restic forget --prune`` (the plan's retention);
- rerun: the same again, nothing changed;
- change: the same after ``--change`` of the files (by count) were edited;
- drill: Jaga ``jaga backup drill PLAN``; bare ``restic restore latest --verify``, the dump loaded into a
  scratch database, every table's rows counted there and in the source, the database dropped, the folder
  removed;
- export: Jaga ``jaga backup export PLAN --to DIR``; bare ``restic dump --archive tar`` and ``restic dump``
  each piped into ``zstd -T0``, ``sha256sum``, the files' pages dropped from the cache, ``sha256sum -c``.

Before the first step every file of the tree is read once (its folders and inodes are in the kernel's caches
for both sides). Before each side's step, outside its time, :func:`settle` runs: ``sync``, MariaDB asked to
write back its dirty pages, the page cache dropped (as root; ``--no-drop-caches`` leaves it), so that neither
side pays for what the other left behind. Then (:func:`programs_warm`; ``--cold`` leaves it out) every program
of the step is started once, untimed: restic, the dump tools, and on Jaga's side Jaga itself, so that both
sides start warm in their binaries and neither pays disk reads of its own program. Within a side nothing is
added between its commands. Each step
after the full backup runs ``--repeat`` times (2), the two sides side by side each time, each side first
equally often (an even ``--repeat``); ``--rounds N`` repeats the five steps on fresh repositories (another
full backup). Each Jaga step is a child process: its wall time, its peak memory (``VmHWM`` written by
bench/backup_child.py: Jaga's own process, the figure of the target). The peaks of restic and the dump tools
are not given: a child forked from a Python process starts with that process's resident pages, so ``wait4``
would report the parent's size for them. The table gives every pair's ratio (wall and CPU) and their median.

``restic forget --prune`` prunes only when forget removed a snapshot (restic's documentation says so), on
both sides alike: the first reruns prune nothing, later ones do once the retention's ``--keep-last 4`` is
passed.

    nice -n 10 .venv/bin/python -m bench.backups --output backups.json
    nice -n 10 .venv/bin/python -m bench.backups --size-mb 100 --db-mb 10      # a quick look
    nice -n 10 .venv/bin/python -m bench.backups --work /var/tmp/b --keep       # keep the data and repositories
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from bench.backup_data import database_drop, database_make, tree_change, tree_make
from bench.monitoring import django_start, machine

ROOT = Path(__file__).resolve().parent.parent
STEPS = ("full", "rerun", "change", "drill", "export")
TARGET_RATIO = 1.15
TARGET_MB = 300
PASSWORD = "bench-kata-sandi-repositori"
DATABASE = "jaga_bench_backups"
TABLES = ("wp_posts", "wp_postmeta", "wp_options", "perkara")
MARIADB = ("-h", "127.0.0.1", "-P", "3306", "-u", "root")


@dataclass
class Measured:
    seconds: float = 0.0
    peak_self_mb: float | None = None  # Jaga's own process
    self_cpu_s: float | None = None  # Jaga's own process (without restic and the dump tools)
    commands: list[dict[str, Any]] = field(default_factory=list)

    def add(self, name: str, seconds: float) -> None:
        self.seconds += seconds
        self.commands.append({"command": name, "seconds": round(seconds, 3)})


def _timed(
    args: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    stdin: IO[bytes] | None = None,
    stdout: IO[bytes] | int | None = subprocess.DEVNULL,
    log: IO[bytes] | None = None,
    cwd: Path | None = None,
) -> tuple[float, float, int]:
    """Run one program and wait4 it: (seconds, ``ru_maxrss`` in MB, exit status)."""
    started = time.monotonic()
    process = subprocess.Popen(args, env=env, stdin=stdin, stdout=stdout, stderr=log or subprocess.DEVNULL, cwd=cwd)
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return seconds, usage.ru_maxrss / 1024, process.returncode


def _pipe(first: Sequence[str], second: Sequence[str], *, env: dict[str, str], out: Path) -> float:
    """``first | second > out`` without a shell; the seconds until both ended."""
    started = time.monotonic()
    with out.open("wb") as sink:
        producer = subprocess.Popen(first, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        consumer = subprocess.Popen(second, stdin=producer.stdout, stdout=sink, stderr=subprocess.DEVNULL)
        assert producer.stdout is not None
        producer.stdout.close()
        for process in (producer, consumer):
            if process.wait() != 0:
                raise RuntimeError(f"{' '.join(first)} | {' '.join(second)}: exit {process.returncode}")
    return time.monotonic() - started


def _cpu_seconds() -> float:
    """CPU seconds (user + system) of this process and of every child it has reaped: around a step, the
    CPU of the step's whole process tree (Jaga with its restic and dump tools; the bare commands). Far less
    sensitive than wall time to the other work on a shared machine."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def _forget_cache(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def _mariadb_value(sql: str) -> str | None:
    """The second column of the first row a statement returns (``SHOW GLOBAL STATUS LIKE ...``), or None."""
    try:
        done = subprocess.run(
            ("mariadb", *MARIADB, "-N", "-B", "-e", sql), check=True, capture_output=True, text=True, timeout=30
        )
    except (subprocess.SubprocessError, OSError):
        return None
    fields = done.stdout.split()
    return fields[1] if len(fields) > 1 else (fields[0] if fields else None)


def _dirty_pages() -> int | None:
    value = _mariadb_value("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'")
    return int(value) if value and value.isdigit() else None


DROP_CACHES = Path("/proc/sys/vm/drop_caches")


def settle(*, limit_s: float = 120.0, dirty_pages: int = 300, drop_caches: bool = True) -> float:
    """Before each side's step, outside its time: the writes of the step before are on disk (``sync``), and so
    are the pages the other side's database load left dirty in MariaDB's buffer pool. MariaDB does not write
    those back while it is idle (``innodb_max_dirty_pages_pct_lwm`` 0): the next load had to, so the side that
    went second paid for the first one's load (a drill loads 100 MB). The server is asked to write them now
    (``innodb_max_dirty_pages_pct`` 0 for the wait, then its own value again). Then the page cache is dropped
    (``echo 1 > /proc/sys/vm/drop_caches``, as root; dentries and inodes stay): each side starts with the same
    free memory, instead of the second one paying, in system CPU, to reclaim the pages the first one filled
    (the bare drill's restore took 2.9 or 5.6 CPU s for the same work, by its place in the pair). The seconds
    it waited."""
    started = time.monotonic()
    os.sync()
    previous = _mariadb_value("SELECT 'pct', @@GLOBAL.innodb_max_dirty_pages_pct")
    if previous is not None:
        _mariadb_value("SET GLOBAL innodb_max_dirty_pages_pct = 0")
        try:
            best, best_at = _dirty_pages(), time.monotonic()
            while best is not None and best > dirty_pages and time.monotonic() - started < limit_s:
                time.sleep(0.5)
                dirty = _dirty_pages()
                if dirty is None:
                    break
                if dirty < best:
                    best, best_at = dirty, time.monotonic()
                elif time.monotonic() - best_at > 5.0:  # other clients of the server keep some dirty: enough
                    break
        finally:
            _mariadb_value(f"SET GLOBAL innodb_max_dirty_pages_pct = {float(previous)}")
    os.sync()
    if drop_caches and os.geteuid() == 0:
        DROP_CACHES.write_text("1\n")
    return time.monotonic() - started


# Every program a step of either side starts (Jaga's steps start the same ones from its Python process).
PROGRAMS = (
    ("restic", "version"),
    ("mariadb-dump", "--version"),
    ("mariadb", "--version"),
    ("zstd", "--version"),
    ("sha256sum", "--version"),
    ("rm", "--version"),
)


def programs_warm(*, jaga: bool) -> float:
    """After :func:`settle` dropped the page cache, outside the step's time: every program of the step started
    once, so that neither side pays disk reads of its own program. Jaga's side starts Jaga too
    (``bench.backup_child --warm``: ``jaga backup list`` and the modules a step imports), the part the bare
    side does not have: without it only Jaga read its program (Python, Django, its modules) from disk
    (0.8-1.3 s of start-up right after the drop, 0.5 s warm). ``--cold`` leaves this out. The seconds it took."""
    started = time.monotonic()
    for args in PROGRAMS:
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if jaga:
        subprocess.run(
            (sys.executable, "-m", "bench.backup_child", "--warm"),
            check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
    return time.monotonic() - started


def _warm(tree: Path) -> float:
    started = time.monotonic()
    for folder, _dirs, names in os.walk(tree):
        for name in names:
            with open(os.path.join(folder, name), "rb") as handle:
                while handle.read(1 << 20):
                    pass
    return time.monotonic() - started


# --- Jaga --------------------------------------------------------------------------------------------------


class Jaga:
    def __init__(self, work: Path, tree: Path, round_no: int) -> None:
        from jaga.backups import services
        from jaga.core.models import Institution, Site

        institution, _ = Institution.objects.get_or_create(
            slug="pn-bench", defaults={"name": "Pengadilan Negeri Bench", "city": "Bangil"}
        )
        site, _ = Site.objects.get_or_create(
            institution=institution, name="Situs bench", defaults={"base_url": "http://127.0.0.1:9/"}
        )
        repository = services.repository_create(
            institution=institution, name=f"Bench {round_no}", location=str(work / f"jaga-repo-{round_no}"),
            password=PASSWORD,
        )  # fmt: skip
        self.plan = services.plan_create(site=site, name=f"Bench {round_no}", repository=repository)
        services.source_add(plan=self.plan, kind="files", name="www", config={"path": str(tree), "cms": "other"})
        services.source_add(
            plan=self.plan, kind="mariadb", name="db",
            config={"host": "127.0.0.1", "port": 3306, "database": DATABASE, "user": "root"},
        )  # fmt: skip
        self.work = work
        self.round_no = round_no
        self.log = (work / f"jaga-{round_no}.log").open("ab")

    def _jaga(self, *args: str) -> Measured:
        usage_file = self.work / "rusage.json"
        usage_file.unlink(missing_ok=True)
        env = {**os.environ, "JAGA_BENCH_RUSAGE": str(usage_file)}
        self.log.write(f"\n$ jaga {' '.join(args)}\n".encode())
        self.log.flush()
        seconds, _peak, code = _timed(
            (sys.executable, "-m", "bench.backup_child", *args), env=env, stdout=self.log, log=self.log, cwd=ROOT
        )
        if code != 0:
            raise RuntimeError(f"jaga {' '.join(args)} exited {code}; see {self.log.name}")
        measured = Measured()
        measured.add("jaga " + " ".join(args), seconds)
        usage = json.loads(usage_file.read_text())
        measured.peak_self_mb = usage["peak_kb"] / 1024
        measured.self_cpu_s = usage["user_s"] + usage["sys_s"]
        return measured

    def step(self, name: str) -> Measured:
        plan = str(self.plan.pk)
        if name in ("full", "rerun", "change"):
            return self._jaga("backup", "run", plan)
        if name == "drill":
            return self._jaga("backup", "drill", plan)
        target = self.work / f"jaga-export-{self.round_no}"
        try:
            return self._jaga("backup", "export", plan, "--to", str(target), "--medium", "disk")
        finally:
            shutil.rmtree(target, ignore_errors=True)


# --- bare mariadb-dump + restic -----------------------------------------------------------------------------


class Bare:
    def __init__(self, work: Path, tree: Path, round_no: int) -> None:
        self.work = work
        self.tree = tree
        self.round_no = round_no
        self.repo = work / f"bare-repo-{round_no}"
        self.dump = work / "bare-staging" / "db.sql"
        self.dump.parent.mkdir(exist_ok=True)
        self.env = {
            **os.environ,
            "RESTIC_REPOSITORY": str(self.repo),
            "RESTIC_PASSWORD": PASSWORD,
            "RESTIC_CACHE_DIR": str(work / "bare-cache"),
        }
        subprocess.run(("restic", "init"), env=self.env, check=True, capture_output=True)

    def _run(self, measured: Measured, name: str, args: Sequence[str], **kwargs: Any) -> None:
        seconds, _peak, code = _timed(args, env=self.env, **kwargs)
        if code not in (0,):
            raise RuntimeError(f"{' '.join(args)}: exit {code}")
        measured.add(name, seconds)

    def _counts(self, database: str) -> dict[str, int]:
        sql = " UNION ALL ".join(f"SELECT '{table}', COUNT(*) FROM {table}" for table in TABLES)
        done = subprocess.run(
            ("mariadb", *MARIADB, "-N", "-B", "-e", sql, database), check=True, capture_output=True, text=True
        )
        return {name: int(count) for name, count in (line.split("\t") for line in done.stdout.splitlines())}

    def backup(self) -> Measured:
        measured = Measured()
        self._run(measured, "mariadb-dump", (
            "mariadb-dump", *MARIADB, "--single-transaction", "--routines", "--events", "--triggers", "--hex-blob",
            "--default-character-set=utf8mb4", f"--result-file={self.dump}", DATABASE,
        ))  # fmt: skip
        self._run(measured, "restic backup", ("restic", "backup", str(self.tree), str(self.dump)))
        self._run(measured, "restic forget --prune", (
            "restic", "forget", "--keep-last", "4", "--keep-daily", "7", "--keep-weekly", "4", "--keep-monthly",
            "12", "--keep-yearly", "3", "--prune",
        ))  # fmt: skip
        return measured

    def drill(self) -> Measured:
        measured = Measured()
        scratch = self.work / f"bare-drill-{self.round_no}"
        self._run(measured, "restic restore --verify", (
            "restic", "restore", "latest", "--target", str(scratch), "--verify",
        ))  # fmt: skip
        started = time.monotonic()
        scratch_db = f"bare_drill_{os.getpid()}"
        subprocess.run(("mariadb", *MARIADB, "-e", f"CREATE DATABASE {scratch_db}"), check=True)
        with (scratch / str(self.dump).lstrip("/")).open("rb") as handle:
            subprocess.run(("mariadb", *MARIADB, scratch_db), stdin=handle, check=True)
        found, expected = self._counts(scratch_db), self._counts(DATABASE)
        subprocess.run(("mariadb", *MARIADB, "-e", f"DROP DATABASE {scratch_db}"), check=True)
        subprocess.run(("rm", "-rf", "--", str(scratch)), check=True)
        if found != expected:
            raise RuntimeError(f"bare drill: {found} != {expected}")
        measured.add("load, count, drop, rm", time.monotonic() - started)
        return measured

    def export(self) -> Measured:
        measured = Measured()
        target = self.work / f"bare-export-{self.round_no}"
        target.mkdir()
        try:
            zstd = ("zstd", "-q", "-T0")
            seconds = _pipe(("restic", "dump", "--archive", "tar", "latest", str(self.tree)), zstd,
                                  env=self.env, out=target / "site.tar.zst")  # fmt: skip
            measured.add("restic dump --archive tar | zstd", seconds)
            seconds = _pipe(("restic", "dump", "latest", str(self.dump)), zstd, env=self.env,
                                  out=target / "db.sql.zst")  # fmt: skip
            measured.add("restic dump db.sql | zstd", seconds)
            with (target / "SHA256SUMS").open("wb") as sums:
                self._run(measured, "sha256sum", ("sha256sum", "site.tar.zst", "db.sql.zst"), stdout=sums, cwd=target)
            started = time.monotonic()
            for name in ("site.tar.zst", "db.sql.zst"):
                _forget_cache(target / name)
            measured.add("fsync + drop cached pages", time.monotonic() - started)
            self._run(measured, "sha256sum -c", ("sha256sum", "--quiet", "-c", "SHA256SUMS"), cwd=target)
        finally:
            shutil.rmtree(target, ignore_errors=True)
        return measured

    def step(self, name: str) -> Measured:
        if name in ("full", "rerun", "change"):
            return self.backup()
        return self.drill() if name == "drill" else self.export()


# --- the run -----------------------------------------------------------------------------------------------


def round_run(
    work: Path,
    tree: Path,
    round_no: int,
    *,
    change: float,
    repeat: int,
    log: Callable[[str], None],
    drop_caches: bool = True,
    cold: bool = False,
) -> dict[str, Any]:
    """The five steps on fresh repositories; each step but the full backup ``repeat`` times, the two sides
    side by side each time (alternating which goes first), so that a ratio compares runs made under the same
    load of the shared machine."""
    jaga = Jaga(work, tree, round_no)
    bare = Bare(work, tree, round_no)
    steps: dict[str, Any] = {}
    changed: list[dict[str, Any]] = []
    for index, name in enumerate(STEPS):
        pairs: list[dict[str, Any]] = []
        for attempt in range(1 if name == "full" else repeat):
            if name == "change":
                changed.append(tree_change(tree, fraction=change, seed=100 * round_no + attempt))
            order: list[tuple[str, Any]] = [("jaga", jaga), ("bare", bare)]
            if (index + attempt) % 2:
                order.reverse()
            results: dict[str, Measured] = {}
            cpu: dict[str, float] = {}
            settled: dict[str, float] = {}
            warmed: dict[str, float] = {}
            for side, runner in order:
                settled[side] = round(settle(drop_caches=drop_caches), 1)
                if not cold:
                    warmed[side] = round(programs_warm(jaga=side == "jaga"), 1)
                before = _cpu_seconds()
                results[side] = runner.step(name)
                cpu[side] = _cpu_seconds() - before
            pair = {
                "jaga_s": round(results["jaga"].seconds, 2),
                "bare_s": round(results["bare"].seconds, 2),
                "ratio": round(results["jaga"].seconds / results["bare"].seconds, 3),
                "jaga_cpu_s": round(cpu["jaga"], 2),
                "bare_cpu_s": round(cpu["bare"], 2),
                "cpu_ratio": round(cpu["jaga"] / cpu["bare"], 3) if cpu["bare"] else None,
                "jaga_peak_self_mb": round(results["jaga"].peak_self_mb or 0, 1),
                "jaga_self_cpu_s": round(results["jaga"].self_cpu_s or 0, 2),
                "first": order[0][0],
                "settle_s": settled,
                "warm_s": warmed,
                "bare_commands": results["bare"].commands,
                "load": round(os.getloadavg()[0], 2),
            }
            pairs.append(pair)
            log(f"round {round_no} {name} #{attempt + 1}: jaga {pair['jaga_s']:.2f} s, bare {pair['bare_s']:.2f} s, "
                f"ratio {pair['ratio']:.3f}; CPU jaga {pair['jaga_cpu_s']:.1f} s, bare {pair['bare_cpu_s']:.1f} s, "
                f"ratio {pair['cpu_ratio']} (Jaga's own process {pair['jaga_self_cpu_s']:.1f} s); "
                f"jaga peak {pair['jaga_peak_self_mb']:.0f} MB, "
                f"load {pair['load']}")  # fmt: skip
        steps[name] = {
            "jaga_s": statistics.median(p["jaga_s"] for p in pairs),
            "bare_s": statistics.median(p["bare_s"] for p in pairs),
            "ratio": statistics.median(p["ratio"] for p in pairs),
            "cpu_ratio": statistics.median(p["cpu_ratio"] or 0 for p in pairs),
            "jaga_peak_self_mb": max(p["jaga_peak_self_mb"] for p in pairs),
            "pairs": pairs,
        }
    steps["changed"] = changed
    return steps


def table(report: dict[str, Any]) -> str:
    """One line per step: median wall times, every pair's ratio and their median, the CPU ratio, Jaga's peak."""
    rounds = report["rounds"]
    lines = [
        "| step | Jaga s (median) | bare s (median) | wall ratio of each pair (Jaga / bare) | median wall ratio "
        "| CPU s Jaga / bare (median) | of which Jaga's own process | CPU ratio of each pair | median CPU ratio "
        "| Jaga's process peak MB |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name in STEPS:
        pairs = [pair for r in rounds for pair in r[name]["pairs"]]
        ratios = ", ".join(f"{p['ratio']:.2f}" for p in pairs)
        cpu_ratios = ", ".join(f"{p['cpu_ratio'] or 0:.2f}" for p in pairs)
        median = statistics.median(p["ratio"] for p in pairs)
        cpu = statistics.median(p["cpu_ratio"] or 0 for p in pairs)
        lines.append(
            f"| {name} | {statistics.median(p['jaga_s'] for p in pairs):.1f} | "
            f"{statistics.median(p['bare_s'] for p in pairs):.1f} | {ratios} | "
            f"**{median:.2f}**{'' if median <= TARGET_RATIO else ' (over)'} | "
            f"{statistics.median(p['jaga_cpu_s'] for p in pairs):.1f} / "
            f"{statistics.median(p['bare_cpu_s'] for p in pairs):.1f} | "
            f"{statistics.median(p.get('jaga_self_cpu_s', 0) for p in pairs):.1f} | "
            f"{cpu_ratios} | "
            f"**{cpu:.2f}**{'' if cpu <= TARGET_RATIO else ' (over)'} | "
            f"{max(p['jaga_peak_self_mb'] for p in pairs):.0f} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, help="a folder for the data and repositories (default: a new one)")
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--db-mb", type=int, default=100)
    parser.add_argument("--change", type=float, default=0.01)
    parser.add_argument("--rounds", type=int, default=1, help="the five steps again on fresh repositories")
    parser.add_argument(
        "--repeat", type=int, default=2,
        help="pairs of each step after the full backup (even: each side goes first equally often)",
    )  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep the work folder and the database")
    parser.add_argument(
        "--no-drop-caches", action="store_true", help="leave the page cache as it is between sides (root drops it)"
    )
    parser.add_argument(
        "--cold", action="store_true",
        help="start each side's step without first starting its programs once (Jaga then reads its own from disk)",
    )  # fmt: skip
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="jaga-bench-backups-", dir="/var/tmp"))
    work.mkdir(parents=True, exist_ok=True)

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    report: dict[str, Any] = {"machine": machine(), "args": {k: str(v) for k, v in vars(args).items()}}
    tree = work / "www"
    try:
        started = time.monotonic()
        if not tree.exists():
            report["tree"] = tree_make(tree, size_mb=args.size_mb)
        report["database"] = database_make(DATABASE, db_mb=args.db_mb)
        log(f"data made in {time.monotonic() - started:.0f} s: {report.get('tree')} {report['database']}")
        report["warm_s"] = round(_warm(tree), 1)
        # An installed Jaga has its bytecode compiled (pip and the packages do it); without this, every `jaga`
        # child of a PYTHONDONTWRITEBYTECODE environment would compile every module of Jaga's again.
        compileall.compile_dir(ROOT / "jaga", quiet=1)
        django_start(work / "jaga", None)
        from jaga.core import execute

        report["versions"] = {
            "restic": execute.run(("restic", "version"), timeout=30).stdout.strip(),
            "mariadb-dump": execute.run(("mariadb-dump", "--version"), timeout=30).stdout.strip(),
            "zstd": execute.run(("zstd", "--version"), timeout=30).stdout.strip(),
        }
        drop_caches = not args.no_drop_caches
        report["rounds"] = [
            round_run(
                work, tree, n, change=args.change, repeat=args.repeat, log=log, drop_caches=drop_caches, cold=args.cold
            )
            for n in range(1, args.rounds + 1)
        ]
        report["load_after"] = os.getloadavg()
    finally:
        if not args.keep:
            database_drop(DATABASE)
            shutil.rmtree(work, ignore_errors=True)
        else:
            log(f"kept: {work} and the database {DATABASE}")
    print(table(report))
    print(f"\nload average before {report['machine']['load_before']} after {report.get('load_after')}")
    if args.output:
        args.output.write_text(json.dumps(report, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
