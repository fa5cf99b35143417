"""``python -m bench.monitoring --suite``: every probe line of docs/benchmarks.md, one after another, as a table.

Each line runs ``python -m bench.monitoring`` in a fresh data directory (and a fresh database on the given
PostgreSQL server), and the suite prints one table of the figures that the issue's targets are stated in.
The PostgreSQL line runs only with ``--database-url``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

LINES: dict[str, tuple[str, list[str], bool]] = {
    # key: (what it shows, flags, needs PostgreSQL)
    "10k": ("10,000 monitors, 1,000 targets, 1 probe, SQLite", ["--monitors", "10000", "--targets", "1000"], False),
    "10k-4": ("10,000 monitors, 4 targets (old line), SQLite", ["--monitors", "10000", "--targets", "4"], False),
    "20k": ("20,000 monitors, 1,000 targets, 1 probe, SQLite", ["--monitors", "20000", "--targets", "1000"], False),
    "kill": (
        "10,000 monitors, 2 probes, one killed with SIGKILL, SQLite",
        ["--monitors", "10000", "--targets", "1000", "--probes", "2", "--kill-after", "KILL"],
        False,
    ),
    "50k-pg": (
        "50,000 monitors, 1,000 targets, 3 probes + rollups, PostgreSQL",
        ["--monitors", "50000", "--targets", "1000", "--probes", "3", "--server-processes", "2"],
        True,
    ),
}  # fmt: skip


def suite_run(args: argparse.Namespace) -> int:
    wanted = [key for key in (args.lines.split(",") if args.lines else LINES) if key]
    results: dict[str, Any] = {}
    for key in wanted:
        title, flags, needs_pg = LINES[key]
        if needs_pg and not args.database_url:
            print(f"{key}: skipped (give --database-url postgresql://...)", file=sys.stderr)
            continue
        flags = [str(args.interval + (args.duration - args.interval) / 3) if f == "KILL" else f for f in flags]
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
            output = Path(handle.name)
        command = [sys.executable, "-m", "bench.monitoring", *flags, "--duration", str(args.duration)]
        command += ["--interval", str(args.interval), "--output", str(output)]
        if needs_pg:
            command += ["--database-url", args.database_url]
        if args.profile:
            command.append("--profile")
        print(f"{key}: {title} ...", file=sys.stderr)
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=dict(os.environ))
        report = json.loads(output.read_text())
        output.unlink()
        results[key] = {"title": title, "command": " ".join(command[1:]), **report}
    print(table(results))
    if args.output:
        Path(args.output).write_text(json.dumps(results, indent=2, default=str) + "\n")
    return 0


def _f(value: Any, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def table(results: dict[str, Any]) -> str:
    head = (
        "| line | checks done / due | lag p50 / p99 / max (s) | CPU ms per check: probes / rollups / together"
        " (db server) | probe peak MB | DB bytes per check | rollup run p50 / max (s) | doubled | load before → after |"
    )
    lines = [head, "|" + "---|" * 9]
    for key, report in results.items():
        p = report["probe"]
        cpu = p["cpu_ms_per_check"]
        server = f" ({_f(cpu['database_server'], 3)})" if cpu.get("database_server") is not None else ""
        load = f"{report['machine']['load_before'][0]:.1f} → {p['load_after'][0]:.1f}"
        lines.append(
            f"| {key}: {report['title']} | {p['checks']:,} / {p['checks_due']:,} | "
            f"{_f(p['lag_s']['p50'], 3)} / {_f(p['lag_s']['p99'], 3)} / {_f(p['lag_s']['max'], 2)} | "
            f"{_f(cpu['probes'], 3)} / {_f(cpu['rollups'], 3)} / **{_f(cpu['probes_and_rollups'], 3)}**{server} | "
            f"{', '.join(_f(m, 0) for m in p['probe_peak_mb'])} | {_f(p['db_bytes_per_check'], 0)} | "
            f"{_f(p['rollups_compute_s']['p50'])} / {_f(p['rollups_compute_s']['max'])} | {p['doubled_checks']} | "
            f"{load} |"
        )
    kills = [(key, r["probe"]["kill"]) for key, r in results.items() if "kill" in r["probe"]]
    for key, kill in kills:
        late = kill["late_s"]
        lines.append(
            f"\n{key}: the killed probe held {kill['claimed_by_killed_probe']} claims; the other probe checked them "
            f"{_f(late['p50'])} s (p50), {_f(late['p99'])} s (p99), {_f(late['max'])} s (max) after their due time "
            f"= {kill['late_max_in_intervals']} intervals at most; never checked again: {kill['never_checked_again']}"
        )
    return "\n".join(lines)
