"""``python -m bench.traffic --increment-only``: what an operator's cron pays for 10,000 new lines.

A site that already holds a few days (``--lines`` generated over 7–8 November, then the 10,000-line extra of
9 November, each ingested and detected once) is prepared once, in a data folder of its own (SQLite). Then, for
each run, the folder is restored from that copy, the same 10,000 lines are appended to the log again, and
``jaga traffic ingest --site pn-contoh LOG`` runs in a process of its own (start-up, ingestion and its detection
round), timed from outside with ``wait4``: wall and CPU seconds (user + system, every thread) and peak RSS.
The command runs in a session of its own at the benchmark's nice value (see ``bench.traffic._spawn``).

Each ``--code DIR`` is a tree of Jaga's code (``git archive main | tar -x -C DIR``) timed by putting it first on
``PYTHONPATH``; several are run in turns, run after run, so that they meet the same load (A/B, never a figure
against one taken at another moment). The load average is read before and after each run.

    nice -n -10 .venv/bin/python -m bench.traffic --increment-only --runs 7 --code /tmp/jaga-main --code .
"""

from __future__ import annotations

import compileall
import json
import os
import shutil
import statistics
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.traffic import ROOT, _spawn

SITE = "pn-contoh"


def logs_make(folder: Path, lines: int) -> tuple[Path, Path]:
    """The site's days (``lines`` over 7–8 November) and the 10,000-line extra of 9 November, made when missing."""
    from jaga.traffic.sample import WIB, log_generate

    folder.mkdir(parents=True, exist_ok=True)
    base, extra = folder / f"increment-base-{lines}.log", folder / "increment-extra-10000.log"
    if not base.exists():
        log_generate(base, lines=lines, days=2, start=datetime(2026, 11, 7, tzinfo=WIB))
    if not extra.exists():
        log_generate(extra, lines=10_000, days=1, seed=10, start=datetime(2026, 11, 9, tzinfo=WIB))
    return base, extra


def prepare_child(base: Path, extra: Path, log: Path) -> None:
    """In the fresh JAGA_DATA_DIR: the site, its days ingested and detected, then the extra, once."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jaga.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from jaga.core.models import Institution, Site
    from jaga.traffic.services import sources_for, traffic_detect, traffic_ingest

    call_command("migrate", verbosity=0)
    institution = Institution.objects.create(name="PN Contoh", slug="pn-contoh", city="Contoh")
    site = Site.objects.create(institution=institution, name=SITE, base_url="https://pn-contoh.go.id/")
    shutil.copyfile(base, log)
    for more in (None, extra):
        if more is not None:
            with log.open("ab") as handle, more.open("rb") as lines:
                shutil.copyfileobj(lines, handle)
        traffic_ingest(site=site, sources=sources_for(site=site, paths=[str(log)]))
        traffic_detect(site=site)


def _environment(data: Path, code: Path | None) -> dict[str, str]:
    # No reverse-DNS look-ups of the generated log's crawlers: they would time the machine's resolver, not Jaga.
    env = dict(os.environ, JAGA_DATA_DIR=str(data), JAGA_TRAFFIC_CRAWLER_DNS="off")
    env.pop("DATABASE_URL", None)
    env["PYTHONPATH"] = str(code or ROOT)
    return env


def _spread(values: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(values), 3), "low": round(min(values), 3), "high": round(max(values), 3)}


def increment_run(*, lines: int, runs: int, codes: list[Path], logs_dir: Path) -> dict[str, Any]:
    """Prepare once with this tree's code, then time the command ``runs`` times for each tree in ``codes``."""
    base, extra = logs_make(logs_dir, lines)
    jaga_command = str(Path(sys.executable).with_name("jaga"))
    for code in codes:
        # An installed Jaga has its bytecode compiled (pip does it); without this a PYTHONDONTWRITEBYTECODE
        # environment would time the compiling of every module the command imports (0.7 CPU s).
        compileall.compile_dir(code / "jaga", quiet=1)
    result: dict[str, Any] = {"lines_before": lines, "runs": runs, "load_before": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="jaga-bench-increment-") as folder:
        work = Path(folder)
        prepared, data, log = work / "prepared", work / "data", work / "access.log"
        prepared.mkdir()
        env = _environment(prepared, None)
        args = [sys.executable, "-m", "bench.traffic", "--prepare-increment", str(base), str(extra), str(log)]
        code, seconds, _peak, _cpu = _spawn(args, env=env, stdout=str(work / "prepare.out"))
        if code != 0:
            return {"error": f"preparing failed ({code}): " + (work / "prepare.out").read_text()[-2000:]}
        result["prepare_seconds"] = round(seconds, 1)
        size = log.stat().st_size
        timed: dict[str, list[dict[str, Any]]] = {str(c): [] for c in codes}
        for _turn in range(runs):
            for tree in codes:
                shutil.rmtree(data, ignore_errors=True)
                shutil.copytree(prepared, data)
                with log.open("r+b") as handle:  # the same file (inode and first bytes): its cursor still fits
                    handle.truncate(size)
                    handle.seek(size)
                    with extra.open("rb") as more:
                        shutil.copyfileobj(more, handle)
                load = os.getloadavg()[0]
                out = work / "command.out"
                status, wall, peak, cpu = _spawn(
                    [jaga_command, "traffic", "ingest", "--site", SITE, str(log)],
                    env=_environment(data, tree),
                    stdout=str(out),
                    own_session=True,
                )
                run = {"exit": status, "wall": round(wall, 3), "cpu": round(cpu, 3), "rss_mb": peak}
                run.update(load_before=round(load, 2), load_after=round(os.getloadavg()[0], 2))
                # What the command said (lines stored, the round's findings): proof that it did the work.
                run["output"] = out.read_text()[-1000:]
                timed[str(tree)].append(run)
    result["load_after"] = os.getloadavg()
    result["codes"] = {
        tree: {
            "wall_s": _spread([r["wall"] for r in found]),
            "cpu_s": _spread([r["cpu"] for r in found]),
            "rss_mb": _spread([float(r["rss_mb"]) for r in found]),
            "failed": sum(1 for r in found if r["exit"] != 0),
            "runs": found,
        }
        for tree, found in timed.items()
    }
    return result


def increment_plain(result: dict[str, Any]) -> str:
    if "error" in result:
        return str(result["error"])
    before, after = result["load_before"], result["load_after"]
    rows = [
        f"`jaga traffic ingest` of 10,000 new lines to a site of {result['lines_before']:,} + 10,000 lines, "
        f"{result['runs']} runs each, in turns; load average {before[0]:.2f} before, {after[0]:.2f} after"
    ]
    for tree, found in result["codes"].items():
        wall, cpu, rss = found["wall_s"], found["cpu_s"], found["rss_mb"]
        rows.append(
            f"{tree}: wall {wall['median']:.2f} s [{wall['low']:.2f}-{wall['high']:.2f}], "
            f"CPU {cpu['median']:.2f} s [{cpu['low']:.2f}-{cpu['high']:.2f}], "
            f"RSS {rss['median']:.0f} MB, failed {found['failed']}"
        )
    return "\n".join(rows)


def main_increment(*, lines: int, runs: int, codes: list[Path], logs_dir: Path, output: Path | None) -> None:
    sys.path.insert(0, str(ROOT))
    result = increment_run(lines=lines, runs=runs, codes=[c.resolve() for c in codes] or [ROOT], logs_dir=logs_dir)
    text = json.dumps(result, indent=2)
    if output:
        output.write_text(text)
    print(increment_plain(result))
