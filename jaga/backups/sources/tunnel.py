"""A database that only the web server reaches: every use of it goes through an SSH tunnel to that server.

When a database source has ``tunnel`` set, its row counts, its dump, a drill's load and a live restore all
run through ``ssh -N -L 127.0.0.1:<free port>:<host>:<port>`` to the site's web server: the server, user and
private key are the site's own (its page), the server's host key is pinned on first use and checked before
each later use, as for SFTP (:mod:`jaga.core.ssh`). The source's host and port are the database as the web
server sees it (often 127.0.0.1). The tunnel is closed when the use ends, also when it fails, and dies with
the process that opened it.
"""

from __future__ import annotations

import hashlib
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from django.utils.translation import gettext as _

from jaga.backups.sources.base import Log, SourceError, SourceSpec
from jaga.core import execute, ssh

OPEN_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def listening(port: int) -> bool:
    """Whether something listens on 127.0.0.1:``port``, asked without connecting to it: a probe connection
    would be forwarded to the database and count there as a failed log-in. With SO_REUSEADDR a bind fails
    only while a socket listens on the port, so the probe never takes the port from ssh either."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def _target(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _failed(message: str, process: execute.Process, secrets: list[str]) -> SourceError:
    execute.stop(process)
    output = process.stdout.read().decode(errors="replace") if process.stdout else ""
    return SourceError(message, check="connection", detail=execute.Masker(secrets)(output.strip()))


@contextmanager
def opened(spec: SourceSpec, *, log: Log) -> Iterator[tuple[SourceSpec, str]]:
    """The source as its tools reach it, and the pinned host keys (to keep in its configuration).

    Without ``tunnel`` the source as it is. With it, the tunnel is open while the block runs, and the source's
    host and port are the tunnel's near end."""
    pinned = str(spec.config.get("tunnel_known_hosts") or "")
    if not spec.config.get("tunnel"):
        yield spec, pinned
        return
    server = spec.server
    if server is None:
        raise SourceError(
            _(
                "Basis data ini dihubungi melalui terowongan SSH, tetapi situsnya belum punya server SSH: "
                "isi host, pengguna dan kunci SSH server di halaman situs."
            ),
            check="connection",
        )
    try:
        keys = ssh.host_key_verify(server, pinned)
    except ssh.HostKeyError as exc:
        raise SourceError(exc.message, check="host_key" if exc.reason == "host_key" else "connection") from None
    where = f"{server.destination}:{server.port}/{spec.name}/{spec.config['database']}"
    known, key = ssh.ssh_files(f"tunnel-{hashlib.sha256(where.encode()).hexdigest()[:16]}", pinned=keys,
                               private_key=spec.server_key)  # fmt: skip
    local = free_port()
    target = _target(str(spec.config["host"]), int(spec.config["port"]))
    secrets = [spec.server_key] if spec.server_key else []
    try:
        process = execute.start(
            ssh.tunnel_args(server, known, key, local=local, target=target), secrets=secrets, die_with_caller=True
        )
    except execute.ExecuteError as exc:
        raise SourceError(
            _("ssh tidak dapat dijalankan untuk terowongan."), check="connection", detail=exc.message
        ) from None
    text = {"server": f"{server.destination}:{server.port}", "target": target}
    try:
        deadline = time.monotonic() + OPEN_TIMEOUT
        while not listening(local):
            if process.poll() is not None or time.monotonic() > deadline:
                raise _failed(
                    _("Terowongan SSH ke %(server)s tidak dapat dibuka, jadi basis data %(target)s tidak terjangkau.")
                    % text,
                    process,
                    secrets,
                )
            time.sleep(0.05)
        log(_("Terowongan SSH dibuka: %(server)s → %(target)s") % text)
        yield replace(spec, config={**spec.config, "host": "127.0.0.1", "port": local}), keys
    finally:
        execute.stop(process)
        if process.stdout:
            process.stdout.close()
        log(_("Terowongan SSH ditutup"))
