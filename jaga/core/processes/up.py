"""What ``jaga up`` checks before it starts anything, and the start itself."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

from jaga.conf import StartupError
from jaga.core.dbcheck import check_migrated
from jaga.core.integrity import integrity_check_at_start
from jaga.core.processes.supervisor import ChildSpec, Supervisor, children_from_settings
from jaga.core.processes.web import browser_url, listen_socket_open

logger = logging.getLogger("jaga.up")


def up_check_names(*, names: list[str]) -> None:
    if not names:
        raise StartupError("JAGA_PROCESSES kosong; mis. web,probe,worker,scheduler / is empty")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise StartupError(
            f"JAGA_PROCESSES menyebut {', '.join(repeated)} lebih dari sekali; untuk beberapa worker gunakan "
            f"JAGA_WORKER_CONCURRENCY / names {', '.join(repeated)} more than once; for several workers use "
            f"JAGA_WORKER_CONCURRENCY"
        )


@contextlib.contextmanager
def up_lock(data_dir: Path) -> Iterator[None]:
    """One ``jaga up`` per data folder. The lock goes with the process, also when it is killed."""
    path = data_dir / "jaga-up.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            raise StartupError(
                f"jaga up sudah berjalan untuk folder data {data_dir} (pid {other}); hentikan dulu yang itu. / "
                f"jaga up is already running for the data folder {data_dir} (pid {other}); stop that one first."
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)


def up_preflight(*, names: list[str], listen: tuple[str, int], port_wait: float = 15.0) -> None:
    """Raise StartupError (or OperationalError) when a process would certainly fail at start.

    A busy web port is tried again for ``port_wait`` seconds: the web process of a ``jaga up`` that was just
    killed stops within a few seconds of its supervisor (lifeline.py), and the next one should then start.
    """
    up_check_names(names=names)
    check_migrated()
    integrity_check_at_start()  # a damaged SQLite file stops here, with what to do
    if "web" in names:
        deadline = time.monotonic() + port_wait
        while True:
            try:
                listen_socket_open(host=listen[0], port=listen[1]).close()
                break
            except StartupError:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.5)


def up_run(*, children: list[ChildSpec] | None = None) -> int:
    names: list[str] = list(settings.JAGA_PROCESSES)
    listen: tuple[str, int] = settings.JAGA_LISTEN
    with up_lock(settings.DATA_DIR):
        return _up_run(names=names, listen=listen, children=children)


def _up_run(*, names: list[str], listen: tuple[str, int], children: list[ChildSpec] | None) -> int:
    up_preflight(names=names, listen=listen)
    if children is None:
        children = children_from_settings(names=names, worker_concurrency=settings.JAGA_WORKER_CONCURRENCY)
    if "web" in names:
        logger.info("Jaga: %s (Ctrl-C untuk berhenti / to stop)", browser_url(listen=listen))
    # The database connection of this process is not needed any more; children open their own.
    from django.db import connections

    connections.close_all()
    from jaga.core.storage import exit_cause

    return Supervisor(children, diagnose=exit_cause).run()
