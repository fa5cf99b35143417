"""A real S3-compatible server on loopback (the S3 back end, the traffic store on S3): moto's server mode, on a
free port.

Started by the test (``python -m moto.server``, a child in its own process group) and stopped at its end;
it keeps the buckets in its memory, so every test starts from an empty store.

moto accepts any key unless told otherwise; ``S3Server(auth=True)`` makes it check every request's signature
against an IAM user's key (``INITIAL_NO_AUTH_ACTION_COUNT``: the first three requests make the user, its
policy and its key; every request after them is authenticated), so a wrong secret key is refused as a real
S3 server refuses it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from typing import Any

from jaga.core import execute
from jaga.core.testing import free_port
from jaga.core.testservers import server_started


def available() -> bool:
    return importlib.util.find_spec("moto") is not None and importlib.util.find_spec("flask_cors") is not None


class S3Server:
    """``with S3Server() as server``: server.endpoint (``http://127.0.0.1:PORT``) and :meth:`keys`."""

    access_key = "JAGATESTACCESSKEY"
    secret_key = "jaga-test-secret-key-0123456789"

    def __init__(self, *, auth: bool = False) -> None:
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.auth = auth
        self.process: execute.Process | None = None

    def __enter__(self) -> S3Server:
        moto = (sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port))
        env = {**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": "3"} if self.auth else None
        self.process = server_started(moto, self.port, name="moto server", env=env)
        if self.auth:
            self._user_with_key()
        return self

    def _user_with_key(self) -> None:
        """The three unauthenticated requests: an IAM user allowed all of S3, and its key (used from now on)."""
        import boto3  # type: ignore[import-untyped]

        iam: Any = boto3.client(
            "iam", endpoint_url=self.endpoint, aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap",
            region_name="us-east-1",
        )  # fmt: skip
        iam.create_user(UserName="jaga")
        policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
        iam.put_user_policy(UserName="jaga", PolicyName="s3", PolicyDocument=json.dumps(policy))
        key = iam.create_access_key(UserName="jaga")["AccessKey"]
        self.access_key, self.secret_key = key["AccessKeyId"], key["SecretAccessKey"]

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
