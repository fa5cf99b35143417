"""``python -m bench.backup_child backup run 1``: one ``jaga`` command, then this process's own peak memory.

bench/backups.py runs Jaga's steps through this, so that the figure is Jaga's process alone, apart from
restic's and the dump tools' (which ``wait4`` on this process reports together with it: Linux gives a reaped
child's peak as the larger of its own and its children's). The peak is ``VmHWM`` of ``/proc/self/status``,
not ``getrusage(RUSAGE_SELF).ru_maxrss``: Linux carries the peak of the process image before ``exec`` into
``ru_maxrss``, and a child forked from the benchmark's own Python process starts as a copy of it (a bench
of 200 MB made every Jaga step look 200 MB). The figures go to the JSON file named by ``JAGA_BENCH_RUSAGE``;
the exit status is the command's.
"""

from __future__ import annotations

import json
import os
import resource
import sys
from pathlib import Path


def warm() -> int:
    """``python -m bench.backup_child --warm``: what a Jaga step reads of its own program, read once, untimed.

    After the benchmark drops the page cache, only Jaga's side would otherwise read its program from disk
    (Python, Django, the apps' modules): ``jaga backup list`` starts Jaga as every step does, then the modules
    the steps import after start-up (the services, the offline export, each source kind and back end)."""
    from importlib import import_module

    from jaga.cli import main as jaga

    code = jaga(["jaga", "backup", "list"])
    from jaga.backups.backends import BACKENDS
    from jaga.backups.sources import REGISTRY

    for module in ("jaga.backups.services", "jaga.backups.export"):
        import_module(module)
    for registry in (REGISTRY, BACKENDS):
        for entry in registry:
            registry.get(entry.key)
    return code


def main() -> int:
    if sys.argv[1:] == ["--warm"]:
        return warm()
    from jaga.cli import main as jaga

    try:
        code = jaga(["jaga", *sys.argv[1:]])
    except SystemExit as exc:  # `jaga backup` ends with sys.exit(code) when the run did not succeed
        code = exc.code if isinstance(exc.code, int) else 1
    usage = resource.getrusage(resource.RUSAGE_SELF)
    Path(os.environ["JAGA_BENCH_RUSAGE"]).write_text(
        json.dumps(
            {
                "peak_kb": _peak_kb(),
                "maxrss_kb": usage.ru_maxrss,  # with the pre-exec image: not this process's own peak
                "user_s": usage.ru_utime,
                "sys_s": usage.ru_stime,
            }
        )
    )
    return code


def _peak_kb() -> int:
    """This process image's own peak resident size (``VmHWM``), in kB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("/proc/self/status has no VmHWM")


if __name__ == "__main__":
    raise SystemExit(main())
