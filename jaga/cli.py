"""``jaga``: the one command-line entry point. Django's management commands stand behind it."""

from __future__ import annotations

import gc
import os
import sys


def _fail(message: str) -> int:
    print(f"jaga: {message}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    """The process's entry point (the ``jaga`` script): the garbage collector is tuned for a whole process.

    Start-up makes about 70,000 objects that live as long as the process (modules, classes, the apps); the
    collector would walk them again at each full collection, and several times more as the interpreter
    exits (0.1 and 0.3 CPU s of a command that ingests 10,000 lines). So it is off while Django starts,
    then what start-up made is frozen (left out of every later collection), and again when the command
    ends: the process is about to give all of its memory back.
    """
    gc.disable()
    try:
        return _run(argv)
    finally:
        gc.enable()
        gc.freeze()


def _run(argv: list[str] | None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jaga.settings")
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "jaga"

    from jaga.conf import ConfigError, StartupError
    from jaga.datadir import private_umask

    private_umask()  # before anything is created: the data folder is for Jaga's user only

    try:
        import django

        django.setup()
    except ConfigError as exc:
        return _fail(f"pengaturan salah / bad setting: {exc}")
    gc.freeze()
    gc.enable()

    from jaga.core.processes.lifeline import lifeline_hold

    lifeline_hold()  # a child of `jaga up` dies with it, even when it is killed with SIGKILL

    from django.core.management import execute_from_command_line
    from django.db.utils import DatabaseError

    from jaga.core.audit import process_actor_name, process_actor_set
    from jaga.core.dbcheck import describe_database_error

    # What this process changes is in the audit trail as done by Jaga, through the process or command.
    process_actor_set(process_actor_name(argv))
    try:
        execute_from_command_line(argv)
    except ConfigError as exc:
        return _fail(f"pengaturan salah / bad setting: {exc}")
    except StartupError as exc:
        return _fail(str(exc))
    except DatabaseError as exc:  # the cause named: disk full, read-only, locked, damaged, refused, unreachable
        return _fail(describe_database_error(exc))
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
