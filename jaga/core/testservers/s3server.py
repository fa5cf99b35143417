"""A real S3-compatible server on loopback (the S3 back end, the traffic store on S3): moto's server mode, on a
free port.

Started by the test (``python -m moto.server``, a child in its own process group) and stopped at its end;
it keeps the buckets in its memory, so every test starts from an empty store.
"""

from __future__ import annotations

import importlib.util
import sys
from typing import Any

from jaga.core import execute
from jaga.core.tests.processes_helpers import free_port, server_started


def available() -> bool:
    return importlib.util.find_spec("moto") is not None and importlib.util.find_spec("flask_cors") is not None


class S3Server:
    """``with S3Server() as server``: server.endpoint (``http://127.0.0.1:PORT``) and :meth:`keys`."""

    access_key = "JAGATESTACCESSKEY"
    secret_key = "jaga-test-secret-key-0123456789"

    def __init__(self) -> None:
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.process: execute.Process | None = None

    def __enter__(self) -> S3Server:
        moto = (sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port))
        self.process = server_started(moto, self.port, name="moto server")
        return self

    def keys(self, bucket: str) -> list[str]:
        """Every object key in ``bucket``, read back from the server with boto3 (not through restic)."""
        import boto3  # type: ignore[import-untyped]

        client: Any = boto3.client(
            "s3", endpoint_url=self.endpoint, aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key, region_name="us-east-1",
        )  # fmt: skip
        keys: list[str] = []
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            keys += [item["Key"] for item in page.get("Contents", [])]
        return keys

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            execute.stop(self.process)
            self.process = None
