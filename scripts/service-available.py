"""Exit 0 when the named test service answers on its address, 1 otherwise. Used by the Makefile."""

from __future__ import annotations

import os
import socket
import sys
from urllib.parse import urlsplit

ADDRESSES = {
    "postgres": os.environ.get("JAGA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/jaga"),
    "mariadb": os.environ.get("JAGA_TEST_MARIADB_URL", "mysql://root@127.0.0.1:3306/test"),
}


def available(name: str) -> bool:
    parts = urlsplit(ADDRESSES[name])
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 0), timeout=2):
            return True
    except OSError:
        return False


if __name__ == "__main__":
    raise SystemExit(0 if available(sys.argv[1]) else 1)
