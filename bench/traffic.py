"""Visitor-activity benchmark: Jaga's ingestion and detection against GoAccess, on the same generated log.

    python -m bench.traffic                      # 1,000,000 lines: GoAccess, Jaga end to end, 10,000 more lines
    python -m bench.traffic --lines 200000       # smaller
    python -m bench.traffic --quality            # also precision and recall per family on the labelled lines
    python -m bench.traffic --increment-only --runs 7 --code /tmp/jaga-main --code .   # bench/traffic_increment.py

The log is a court site's (jaga/traffic/sample.py: humans on an Indonesian daily rhythm, crawlers, labelled
attack campaigns of every family), written once to ``--log`` (default under /tmp) with its labels beside it.
Each side runs alone, one after the other, in its own process, whose peak memory (max RSS) is read from the
kernel with ``wait4``:

- GoAccess (Debian's ``goaccess``): ``goaccess LOG --log-format=COMBINED -o report.html``.
- Jaga: a fresh JAGA_DATA_DIR (SQLite), migrated by ``jaga migrate`` in a process of its own as ``make run``
  does (which also unpacks the country tables beside the store); then, in another, ``traffic_ingest`` of
  the whole file (parse, normalise, user agents, countries, Parquet), ``traffic_detect`` (every rule) on the same
  DuckDB connection as the worker's round, then every panel over every day (``panels_read``, what
  GoAccess's report holds); then 10,000 new lines appended and ingestion and detection again, timed inside the
  process; then 10,000 more through the ``jaga traffic ingest`` command in a process of its own (start-up
  included).

Each side runs ``--repeat`` times (3 unless told), in turns, and the medians are compared (GoAccess's run of
median time against Jaga's). Results are printed and written as JSON (``--output``); docs/benchmarks.md has
the figures.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import json
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _spawn(
    args: list[str], *, env: dict[str, str] | None = None, stdout: str = os.devnull, own_session: bool = False
) -> tuple[int, float, int, float]:
    """Run ``args``; (exit status, wall seconds, peak RSS in MB, CPU seconds) of that process.

    With ``own_session`` the process gets a session of its own, whose scheduling group is given this process's
    nice value: with the kernel's ``sched_autogroup`` (Debian's default) a nice value counts only against the
    processes of the same session, so ``nice -n -10`` alone leaves a benchmark sharing the cores evenly with
    every other terminal's work (wall time twice the CPU time at a load of 7)."""
    started = time.perf_counter()
    with open(stdout, "wb") as out, open(os.devnull, "wb") as err:
        actions = [
            (os.POSIX_SPAWN_DUP2, out.fileno(), 1),
            (os.POSIX_SPAWN_DUP2, err.fileno(), 2),
        ]
        environment = env if env is not None else dict(os.environ)
        pid = os.posix_spawn(args[0], args, environment, file_actions=actions, setsid=own_session)
        if own_session:
            _session_nice(pid)
        _pid, status, usage = os.wait4(pid, 0)
    cpu = usage.ru_utime + usage.ru_stime
    return os.waitstatus_to_exitcode(status), time.perf_counter() - started, usage.ru_maxrss // 1024, cpu


def _session_nice(pid: int) -> None:
    """Give the session of ``pid`` (see :func:`_spawn`) this process's nice value, where the kernel lets us."""
    # No autogroups, or not root for a negative value: nice alone, as before.
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/autogroup").write_text(str(os.getpriority(os.PRIO_PROCESS, 0)))


def _cpu() -> float:
    """CPU seconds of this process so far (every thread): a figure the other work on a shared machine moves less."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def goaccess(log: Path, work: Path) -> dict[str, Any]:
    binary = shutil.which("goaccess")
    if binary is None:
        return {"error": "goaccess is not installed (scripts/system-packages.sh test)"}
    code, seconds, peak, cpu = _spawn([binary, str(log), "--log-format=COMBINED", "-o", str(work / "goaccess.html")])
    return {"exit": code, "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2), "peak_mb": peak}


def jaga(log: Path, extra: Path, work: Path, quality: bool) -> dict[str, Any]:
    out = work / "jaga.json"
    # No reverse-DNS look-ups of the generated log's crawlers: they would time the machine's resolver, not Jaga.
    env = dict(os.environ, JAGA_DATA_DIR=str(work / "data"), PYTHONPATH=str(ROOT), JAGA_TRAFFIC_CRAWLER_DNS="off")
    env.pop("DATABASE_URL", None)
    # The data folder is set up by a process of its own, as `make run` migrates it before Jaga's processes start
    # (the migration also unpacks the country tables beside the store).
    migrate = [str(Path(sys.executable).with_name("jaga")), "migrate", "--verbosity", "0"]
    code, _seconds, _peak, _cpu_seconds = _spawn(migrate, env=env, stdout=str(work / "migrate.out"))
    if code != 0:
        return {"error": "migrate: " + (work / "migrate.out").read_text()}
    args = [sys.executable, "-m", "bench.traffic", "--child", str(log), str(extra), str(out)]
    if quality:
        args.append("--quality")
    code, seconds, peak, cpu = _spawn(args, env=env, stdout=str(work / "jaga.out"))
    result: dict[str, Any] = json.loads(out.read_text()) if out.exists() else {"error": (work / "jaga.out").read_text()}
    result.update({"exit": code, "process_seconds": round(seconds, 2), "process_cpu_seconds": round(cpu, 2)})
    result["peak_mb"] = peak
    if code == 0:
        result["command_increment"] = command_increment(extra, work, env)
    return result


def command_increment(extra: Path, work: Path, env: dict[str, str]) -> dict[str, Any]:
    """10,000 more lines as an operator's cron would take them: ``jaga traffic ingest`` (ingestion and its
    detection round) in a process of its own, start-up included, on the data the child left."""
    with (work / "access.log").open("ab") as handle, extra.open("rb") as more:
        shutil.copyfileobj(more, handle)
    # An installed Jaga has its bytecode compiled (pip does it); without this, a PYTHONDONTWRITEBYTECODE
    # environment would time the compiling of every module of Jaga's the command imports (0.7 CPU s).
    compileall.compile_dir(ROOT / "jaga", quiet=1)
    jaga_command = str(Path(sys.executable).with_name("jaga"))
    args = [jaga_command, "traffic", "ingest", "--site", "pn-contoh", str(work / "access.log")]
    code, seconds, peak, cpu = _spawn(args, env=env, stdout=str(work / "command.out"))
    return {"exit": code, "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2), "peak_mb": peak}


def child(log: Path, extra: Path, out: Path, quality: bool) -> None:
    """In a fresh data folder: ingest and detect the log, then the 10,000 extra lines; times as JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jaga.settings")
    import django

    django.setup()

    from jaga.core.models import Institution, Site
    from jaga.traffic.detection.rules import rules_all
    from jaga.traffic.panels import days_with_lines, panels_read
    from jaga.traffic.services import sources_for, traffic_detect, traffic_ingest
    from jaga.traffic.services.ingest import store_connection

    institution = Institution.objects.create(name="PN Contoh", slug="pn-contoh", city="Contoh")
    site = Site.objects.create(institution=institution, name="pn-contoh", base_url="https://pn-contoh.go.id/")
    work_log = out.parent / "access.log"
    shutil.copyfile(log, work_log)
    rules = rules_all()
    result: dict[str, Any] = {}

    def round_() -> tuple[Any, Any, tuple[float, float]]:
        """Ingest the log from its cursor, then its detection round, on one DuckDB connection as the worker's
        round and `jaga traffic ingest` take them (jaga/traffic/services/rounds.py); with when ingestion ended
        (wall and CPU seconds)."""
        with store_connection() as con:
            run = traffic_ingest(site=site, sources=sources_for(site=site, paths=[str(work_log)]), con=con)
            ingested = (time.perf_counter(), _cpu())
            return run, traffic_detect(site=site, rules=rules, record=False, con=con), ingested

    started, cpu_started = time.perf_counter(), _cpu()
    run, detected, (ingested, cpu_ingested) = round_()
    analysed, cpu_analysed = time.perf_counter(), _cpu()
    # The analysis GoAccess's report holds: every panel over every day of the log.
    days = days_with_lines(site)
    assert days is not None
    report = panels_read(site=site, start=days[0], end=days[1])
    done, cpu_done = time.perf_counter(), _cpu()
    result["full"] = {
        "lines": run.lines_stored,
        "bad": run.bad_counts,
        "ingest_seconds": round(ingested - started, 2),
        "detect_seconds": round(analysed - ingested, 2),
        "panels_seconds": round(done - analysed, 2),
        "panels": len(report.panels),
        "seconds": round(done - started, 2),
        "cpu_seconds": {
            "ingest": round(cpu_ingested - cpu_started, 2),
            "detect": round(cpu_analysed - cpu_ingested, 2),
            "panels": round(cpu_done - cpu_analysed, 2),
            "total": round(cpu_done - cpu_started, 2),
        },
        "detections": len(detected.detections),
    }
    with work_log.open("ab") as handle, extra.open("rb") as more:
        shutil.copyfileobj(more, handle)
    started, cpu_started = time.perf_counter(), _cpu()
    run, detected, (ingested, cpu_ingested) = round_()
    done, cpu_done = time.perf_counter(), _cpu()
    result["incremental"] = {
        "cpu_seconds": {"ingest": round(cpu_ingested - cpu_started, 2), "detect": round(cpu_done - cpu_ingested, 2)},
        "lines": run.lines_stored,
        "ingest_seconds": round(ingested - started, 2),
        "detect_seconds": round(done - ingested, 2),
        "seconds": round(done - started, 2),
    }
    # The peak of ingestion and detection alone; the quality evaluation below holds the labels as well.
    result["peak_mb_before_quality"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    if quality:
        from jaga.traffic.detection.evaluate import evaluate_generated

        labels = log.with_name(log.name + ".labels.csv")
        evaluation = evaluate_generated(rules, log, labels)
        result["quality"] = {
            family: {
                "lines": t.cases,
                "found": t.tp,
                "false_alarms": t.fp,
                "missed": t.fn,
                "other_family": evaluation.other_family.get(family, 0),
                "precision": round(t.precision, 3),
                "recall": round(t.recall, 3),
                "campaigns": evaluation.campaigns.get(family, (0, 0)),
            }
            for family, t in evaluation.families.items()
        }
    out.write_text(json.dumps(result, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=None, help="default 1,000,000 (200,000 with --increment-only)")
    parser.add_argument("--log", type=Path, default=None, help="the generated log (made when missing)")
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--quality", action="store_true")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each side, taken in turns; the medians are compared (default 3)"
    )
    parser.add_argument(
        "--increment-only", action="store_true", help="only `jaga traffic ingest` of 10,000 new lines, --runs times"
    )
    parser.add_argument("--runs", type=int, default=5, help="with --increment-only: runs of each --code")
    parser.add_argument(
        "--code", type=Path, action="append", default=[], help="with --increment-only: a tree of Jaga's code to time"
    )
    parser.add_argument("--child", nargs=3, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--prepare-increment", nargs=3, type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        child(*options.child, quality=options.quality)
        return
    if options.prepare_increment or options.increment_only:
        from bench import traffic_increment

        if options.prepare_increment:
            traffic_increment.prepare_child(*options.prepare_increment)
        else:
            folder = options.log.parent if options.log else Path(tempfile.gettempdir()) / "jaga-bench-increment"
            traffic_increment.main_increment(
                lines=options.lines or 200_000,
                runs=options.runs,
                codes=options.code,
                logs_dir=folder,
                output=options.output,
            )
        return
    sys.path.insert(0, str(ROOT))
    from datetime import datetime

    from jaga.traffic.sample import WIB, log_generate

    lines = options.lines or 1_000_000
    log = options.log or Path(tempfile.gettempdir()) / f"jaga-bench-{lines}.log"
    extra = log.with_name(log.stem + ".extra.log")
    if not log.exists() or not log.with_name(log.name + ".labels.csv").exists():
        print(f"generating {lines} lines into {log} ...", flush=True)
        log.parent.mkdir(parents=True, exist_ok=True)
        log_generate(log, lines=lines)
    if not extra.exists():
        log_generate(extra, lines=10_000, days=1, seed=10, start=datetime(2026, 11, 9, tzinfo=WIB))
    lines = sum(1 for _ in log.open("rb"))
    result: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_before": os.getloadavg()},
        "log": {"path": str(log), "lines": lines, "mb": round(log.stat().st_size / 2**20, 1)},
        "runs": [],
    }
    # Each side runs --repeat times, in turns (GoAccess, Jaga, GoAccess, ...), each Jaga run in a fresh data
    # folder: a shared machine's speed drifts by 5-10 % from minute to minute, which one run of each mistakes
    # for a difference between them. The medians are compared.
    for number in range(max(1, options.repeat)):
        with tempfile.TemporaryDirectory(prefix="jaga-bench-traffic-") as folder:
            work = Path(folder)
            (work / "data").mkdir()
            quality = options.quality and number == 0  # the quality figures are the same in every run
            run = {"goaccess": goaccess(log, work), "jaga": jaga(log, extra, work, quality)}
        result["runs"].append(run)
        print(f"run {number + 1}: " + _run_line(run), flush=True)
    result["machine"]["load_after"] = os.getloadavg()
    result["goaccess"], result["jaga"] = _medians(result["runs"])
    ga, jg = result["goaccess"], result["jaga"]
    if "seconds" in ga and "full" in jg:
        result["lines_per_second"] = {
            "goaccess": round(lines / ga["seconds"]),
            "jaga": round(lines / jg["full"]["seconds"]),
            "ratio": round(ga["seconds"] / jg["full"]["seconds"], 2),
            "cpu_ratio": round(ga["cpu_seconds"] / jg["full"]["cpu_seconds"]["total"], 2),
            "ratio_per_run": [_ratio(run) for run in result["runs"]],
        }
    text = json.dumps(result, indent=2)
    print(text)
    print(_plain(result))
    if options.output:
        options.output.write_text(text)


def _ratio(run: dict[str, Any]) -> float | None:
    ga, jg = run["goaccess"], run["jaga"]
    if "seconds" not in ga or "full" not in jg:
        return None
    return round(float(ga["seconds"]) / float(jg["full"]["seconds"]), 2)


def _run_line(run: dict[str, Any]) -> str:
    ga, jg = run["goaccess"], run["jaga"]
    if "seconds" not in ga or "full" not in jg:
        return "no comparison: " + str(ga.get("error") or jg.get("error", ""))[-2000:]
    return f"GoAccess {ga['seconds']:.2f} s, Jaga {jg['full']['seconds']:.2f} s: {_ratio(run):.2f}x"


def _medians(runs: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """GoAccess's run of median wall time and Jaga's (each with its own figures: a run's parts add up), and Jaga's
    quality figures from the run that has them."""
    import statistics

    def middle(items: list[dict[str, Any]], seconds: Any) -> dict[str, Any]:
        timed = [item for item in items if seconds(item) is not None]
        if not timed:
            return items[0]
        median = statistics.median_low([seconds(item) for item in timed])
        return next(item for item in timed if seconds(item) == median)

    goaccess = middle([r["goaccess"] for r in runs], lambda g: g.get("seconds"))
    jaga = dict(middle([r["jaga"] for r in runs], lambda j: j.get("full", {}).get("seconds")))
    for run in runs:
        if "quality" in run["jaga"]:
            jaga["quality"] = run["jaga"]["quality"]
    return goaccess, jaga


def _plain(result: dict[str, Any]) -> str:
    """The figures that issue 9 asks for, as lines a person reads: wall and CPU seconds of each side, lines per
    second and the ratio (the target is Jaga >= 3x GoAccess's lines per second)."""
    ga, jg, load = result["goaccess"], result["jaga"], result["machine"]
    if "seconds" not in ga or "full" not in jg:
        return "no comparison: " + str(ga.get("error") or jg.get("error", ""))[-2000:]
    full, cpu, lines = jg["full"], jg["full"]["cpu_seconds"], result["log"]["lines"]
    rate = result["lines_per_second"]
    rows = [
        f"lines: {lines:,}; load average before {load['load_before'][0]:.1f}, after {load['load_after'][0]:.1f}",
        f"GoAccess:        wall {ga['seconds']:7.2f} s   CPU {ga['cpu_seconds']:7.2f} s   peak {ga['peak_mb']} MB",
        f"Jaga ingest:     wall {full['ingest_seconds']:7.2f} s   CPU {cpu['ingest']:7.2f} s",
        f"Jaga detection:  wall {full['detect_seconds']:7.2f} s   CPU {cpu['detect']:7.2f} s",
        f"Jaga panels:     wall {full['panels_seconds']:7.2f} s   CPU {cpu['panels']:7.2f} s",
        f"Jaga end to end: wall {full['seconds']:7.2f} s   CPU {cpu['total']:7.2f} s   peak {jg['peak_mb']} MB "
        f"({jg.get('peak_mb_before_quality', '?')} MB before quality)",
        f"lines/s (wall):  GoAccess {rate['goaccess']:,}  Jaga {rate['jaga']:,}",
        f"Jaga / GoAccess lines per second: {rate['ratio']:.2f}x wall, {rate['cpu_ratio']:.2f}x CPU (target >= 3x); "
        f"medians of {len(result['runs'])} runs each, the runs' ratios "
        + ", ".join(f"{r:.2f}" for r in rate["ratio_per_run"] if r is not None),
        f"detections: {full['detections']}",
    ]
    inc = jg.get("incremental")
    if inc:
        rows.append(
            f"10,000 more lines in the process: ingest wall {inc['ingest_seconds']:.2f} s "
            f"(CPU {inc['cpu_seconds']['ingest']:.2f} s), detection wall {inc['detect_seconds']:.2f} s "
            f"(CPU {inc['cpu_seconds']['detect']:.2f} s)"
        )
    command = jg.get("command_increment")
    if command:
        rows.append(
            f"10,000 more lines, `jaga traffic ingest` process: wall {command['seconds']:.2f} s, "
            f"CPU {command['cpu_seconds']:.2f} s, peak {command['peak_mb']} MB"
        )
    return "\n".join(rows)


if __name__ == "__main__":
    main()
