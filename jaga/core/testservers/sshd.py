"""A real OpenSSH server on loopback for the SFTP back end and source: its own host key, config, authorized key.

Started by the test on a free port (not the machine's sshd), with ``-D -e`` so that it stays a child of the
test and dies with it; stopped at the end of the test.
"""

from __future__ import annotations

import getpass
import shutil
import socket
import time
from pathlib import Path

from jaga.core import execute

SSHD = "/usr/sbin/sshd"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def available() -> bool:
    return Path(SSHD).exists() and shutil.which("ssh") is not None and shutil.which("ssh-keyscan") is not None


def keygen(path: Path) -> str:
    execute.run(("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)), timeout=30)
    return path.read_text()


class Sshd:
    """``with Sshd(folder) as server``: server.port, server.user, server.client_key (the private key text)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.user = getpass.getuser()
        self.process: execute.Process | None = None

    def __enter__(self) -> Sshd:
        folder = self.folder
        folder.mkdir(parents=True, exist_ok=True)
        if not (folder / "host_key").exists():
            keygen(folder / "host_key")
        if not (folder / "client_key").exists():
            keygen(folder / "client_key")
            shutil.copy(folder / "client_key.pub", folder / "authorized_keys")
        self.client_key = (folder / "client_key").read_text()
        config = folder / "sshd_config"
        config.write_text(
            f"Port {self.port}\nListenAddress 127.0.0.1\nHostKey {folder / 'host_key'}\n"
            f"AuthorizedKeysFile {folder / 'authorized_keys'}\nPidFile {folder / 'sshd.pid'}\n"
            "StrictModes no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
            "PermitRootLogin prohibit-password\nSubsystem sftp internal-sftp\nLogLevel ERROR\n"
        )
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege-separation folder
        self.process = execute.start((SSHD, "-D", "-e", "-f", str(config)))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                if self.process.poll() is not None:
                    output = self.process.stdout.read().decode() if self.process.stdout else ""
                    raise RuntimeError(f"sshd did not start: {output}") from None
                time.sleep(0.1)
        raise RuntimeError("sshd did not listen")

    def new_host_key(self) -> None:
        """Another machine at the same address: a new host key, the server restarted with it."""
        self.__exit__()
        (self.folder / "host_key").unlink()
        (self.folder / "host_key.pub").unlink()
        self.__enter__()

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            execute.stop(self.process)
