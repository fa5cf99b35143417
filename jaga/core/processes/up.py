"""What ``jaga up`` checks before it starts anything, and the start itself."""

from __future__ import annotations

import logging

from django.conf import settings

from jaga.conf import StartupError
from jaga.core.dbcheck import check_migrated
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


def up_preflight(*, names: list[str], listen: tuple[str, int]) -> None:
    """Raise StartupError (or OperationalError) when a process would certainly fail at start."""
    up_check_names(names=names)
    check_migrated()
    if "web" in names:
        listen_socket_open(host=listen[0], port=listen[1]).close()


def up_run(*, children: list[ChildSpec] | None = None) -> int:
    names: list[str] = list(settings.JAGA_PROCESSES)
    listen: tuple[str, int] = settings.JAGA_LISTEN
    up_preflight(names=names, listen=listen)
    if children is None:
        children = children_from_settings(names=names, worker_concurrency=settings.JAGA_WORKER_CONCURRENCY)
    if "web" in names:
        logger.info("Jaga: %s (Ctrl-C untuk berhenti / to stop)", browser_url(listen=listen))
    # The database connection of this process is not needed any more; children open their own.
    from django.db import connections

    connections.close_all()
    return Supervisor(children).run()
