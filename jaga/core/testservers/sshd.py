"""A real OpenSSH server on loopback for the SFTP back end and source: its own host key, config, authorized key.

Started by the test on a free port (not the machine's sshd), with ``-D -e`` so that it stays a child of the
test and dies with it; stopped at the end of the test.
"""

from __future__ import annotations

import getpass
import shutil
from pathlib import Path

from jaga.core import execute
from jaga.core.testing import free_port
from jaga.core.testservers import server_started

SSHD = "/usr/sbin/sshd"


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
        self.process = server_started((SSHD, "-D", "-e", "-f", str(config)), self.port, name="sshd", timeout=10)
        return self

    def new_host_key(self) -> None:
        """Another machine at the same address: a new host key, the server restarted with it."""
        self.__exit__()
        (self.folder / "host_key").unlink()
        (self.folder / "host_key.pub").unlink()
        self.__enter__()

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            execute.stop(self.process)
