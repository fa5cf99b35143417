#!/usr/bin/env python3
"""Where the suite's time goes: ``scripts/test-times.py FOLDER [--top N]`` after a run with ``JAGA_TEST_TIMES=FOLDER``.

For each pass (the database of its workers: sqlite, postgresql) it prints the top test files by wall and by
CPU (own and children's), each worker's wall and CPU (an idle worker at the end is a file too big for
``--dist loadfile``), and the CPU floor of the pass's wall on two cores: its total CPU / 2. The last line is
the floor of `make test` (both passes share the two cores; lint and typecheck are not in it).
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

CORES = 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--top", type=int, default=20)
    arguments = parser.parse_args()
    records = [json.loads(path.read_text()) for path in sorted(arguments.folder.glob("*.json"))]
    if not records:
        raise SystemExit(f"no *.json in {arguments.folder}: run pytest with JAGA_TEST_TIMES={arguments.folder}")
    passes: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        passes[record["database"]].append(record)
    all_cpu = 0.0
    for database, workers in sorted(passes.items()):
        files: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for worker in workers:
            for path, entry in worker["files"].items():
                for key, value in entry.items():
                    files[path][key] += value
        for entry in files.values():
            entry["cpu"] = entry["cpu_own"] + entry["cpu_children"]
        cpu = sum(worker["cpu_own"] + worker["cpu_children"] for worker in workers)
        all_cpu += cpu
        tests = int(sum(entry["tests"] for entry in files.values()))
        in_tests = sum(entry["cpu"] for entry in files.values())
        print(f"=== {database}: {len(workers)} workers, {len(files)} files, {tests} tests")
        for worker in sorted(workers, key=lambda w: w["worker"]):
            print(
                f"  {worker['worker']}: wall {worker['wall']:7.1f} s, CPU {worker['cpu_own']:7.1f} own"
                f" + {worker['cpu_children']:7.1f} children"
            )
        floor = cpu / CORES
        print(f"  CPU {cpu:.1f} s ({in_tests:.1f} in tests); floor of the pass's wall on {CORES} cores {floor:.1f} s")
        for key, title in (("wall", "wall"), ("cpu", "CPU (own + children)")):
            print(f"  --- top {arguments.top} by {title}")
            print(f"  {'wall s':>8} {'CPU s':>8} {'own':>7} {'child':>7} {'tests':>5}  file")
            for path, entry in sorted(files.items(), key=lambda kv: -kv[1][key])[: arguments.top]:
                print(
                    f"  {entry['wall']:8.1f} {entry['cpu']:8.1f} {entry['cpu_own']:7.1f} {entry['cpu_children']:7.1f}"
                    f" {int(entry['tests']):5}  {path}"
                )
    print(f"=== all passes: CPU {all_cpu:.1f} s; floor of make test's wall on {CORES} cores {all_cpu / CORES:.1f} s")


if __name__ == "__main__":
    main()
