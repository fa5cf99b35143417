"""S3-compatible object storage: one thin client for every use, and a filesystem over it for DuckDB.

DuckDB reads S3 with its ``httpfs`` extension, which it downloads from the internet at first use; a court's
server often cannot reach that, and no pip package ships the extension for the DuckDB in use. So Jaga
registers an fsspec filesystem of its own with each DuckDB connection that reads the bucket
(``con.register_filesystem``): DuckDB asks it for listings (the globs of ``read_parquet``) and for byte
ranges (Parquet's footer, then the columns and row groups a query needs), and this module answers with
boto3's S3 client, through the endpoint, keys and region configured.

Paths are ``jagas3://<bucket>/<key>``: a protocol of Jaga's own, so that DuckDB never tries its extension.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import fsspec  # type: ignore[import-untyped]
from fsspec.spec import AbstractBufferedFile  # type: ignore[import-untyped]

PROTOCOL = "jagas3"


@dataclass(frozen=True)
class Bucket:
    """Where: ``endpoint`` (``https://s3.example.go.id``), ``name``, and a ``prefix`` inside it ("" or ``a/b/``)."""

    endpoint: str
    name: str
    prefix: str
    access_key: str
    secret_key: str
    region: str = "us-east-1"

    @classmethod
    def from_url(cls, url: str, *, access_key: str, secret_key: str, region: str = "us-east-1") -> Bucket:
        """``https://host[:port]/bucket[/prefix]``; ``ValueError`` naming what is missing."""
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("harus http(s)://host/bucket[/prefix] / must be http(s)://host/bucket[/prefix]")
        name, _sep, prefix = parts.path.strip("/").partition("/")
        if not name:
            raise ValueError("nama bucket tidak ada / the bucket name is missing")
        prefix = prefix.strip("/")
        return cls(
            endpoint=f"{parts.scheme}://{parts.netloc}",
            name=name,
            prefix=f"{prefix}/" if prefix else "",
            access_key=access_key,
            secret_key=secret_key,
            region=region or "us-east-1",
        )

    def url(self, key: str) -> str:
        """The DuckDB path of ``key`` (relative to the prefix)."""
        return f"{PROTOCOL}://{self.name}/{self.prefix}{key}"


class ObjectStore:
    """The bucket's objects under its prefix: list, upload, delete, read a range. Keys are relative to the prefix."""

    def __init__(self, bucket: Bucket) -> None:
        import boto3  # type: ignore[import-untyped]
        from botocore.config import Config  # type: ignore[import-untyped]

        self.bucket = bucket
        self.client: Any = boto3.client(
            "s3",
            endpoint_url=bucket.endpoint,
            aws_access_key_id=bucket.access_key,
            aws_secret_access_key=bucket.secret_key,
            region_name=bucket.region,
            config=Config(
                signature_version="s3v4",
                s3={"addressing_style": "path"},
                retries={"max_attempts": 3, "mode": "standard"},
                connect_timeout=10,
                read_timeout=60,
            ),
        )

    def sizes(self, under: str = "") -> dict[str, int]:
        """Every key under ``under`` (relative), with its size."""
        found: dict[str, int] = {}
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket.name, Prefix=self.bucket.prefix + under):
            for item in page.get("Contents", []):
                found[item["Key"][len(self.bucket.prefix) :]] = int(item["Size"])
        return found

    def upload(self, path: Path, key: str) -> None:
        self.client.upload_file(str(path), self.bucket.name, self.bucket.prefix + key)

    def delete(self, keys: list[str]) -> None:
        for start in range(0, len(keys), 1000):  # S3 deletes at most 1,000 keys a request
            objects = [{"Key": self.bucket.prefix + key} for key in keys[start : start + 1000]]
            self.client.delete_objects(Bucket=self.bucket.name, Delete={"Objects": objects, "Quiet": True})

    def filesystem(self) -> S3FileSystem:
        return S3FileSystem(client=self.client)


class S3FileSystem(fsspec.AbstractFileSystem):  # type: ignore[misc]
    """Read-only fsspec filesystem over an S3 client: ``ls``, ``info`` and ranged reads, what DuckDB needs."""

    protocol = PROTOCOL
    cachable = False  # one per connection: its listings are never served stale from another's cache

    def __init__(self, *, client: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.client = client

    @staticmethod
    def _split(path: str) -> tuple[str, str]:
        bucket, _sep, key = S3FileSystem._strip_protocol(path).strip("/").partition("/")
        return bucket, key

    def ls(self, path: str, detail: bool = True, **kwargs: Any) -> list[Any]:
        bucket, key = self._split(path)
        prefix = f"{key.rstrip('/')}/" if key else ""
        entries: list[dict[str, Any]] = []
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix, Delimiter="/"):
            for folder in page.get("CommonPrefixes", []):
                entries.append({"name": f"{bucket}/{folder['Prefix'].rstrip('/')}", "size": 0, "type": "directory"})
            for item in page.get("Contents", []):
                entries.append({"name": f"{bucket}/{item['Key']}", "size": int(item["Size"]), "type": "file"})
        if not entries and key:
            info = self.info(path)  # a file's own listing is the file
            entries = [info] if info["type"] == "file" else []
        return entries if detail else [entry["name"] for entry in entries]

    def info(self, path: str, **kwargs: Any) -> dict[str, Any]:
        bucket, key = self._split(path)
        if not key:
            return {"name": bucket, "size": 0, "type": "directory"}
        try:
            head = self.client.head_object(Bucket=bucket, Key=key)
            return {"name": f"{bucket}/{key}", "size": int(head["ContentLength"]), "type": "file"}
        except self.client.exceptions.ClientError:
            pass
        listed = self.client.list_objects_v2(Bucket=bucket, Prefix=key.rstrip("/") + "/", MaxKeys=1)
        if listed.get("KeyCount", 0):
            return {"name": f"{bucket}/{key.rstrip('/')}", "size": 0, "type": "directory"}
        raise FileNotFoundError(path)

    def modified(self, path: str) -> datetime:
        bucket, key = self._split(path)
        stamp: datetime = self.client.head_object(Bucket=bucket, Key=key)["LastModified"]
        return stamp

    def _open(self, path: str, mode: str = "rb", block_size: Any = None, **kwargs: Any) -> _S3File:
        if mode != "rb":
            raise NotImplementedError("jagas3 is read-only")
        return _S3File(self, path, mode=mode, block_size=block_size or 4 * 1024 * 1024, **kwargs)


class _S3File(AbstractBufferedFile):  # type: ignore[misc]
    def _fetch_range(self, start: int, end: int) -> bytes:
        if end <= start:
            return b""
        bucket, key = S3FileSystem._split(self.path)
        answer = self.fs.client.get_object(Bucket=bucket, Key=key, Range=f"bytes={start}-{end - 1}")
        data: bytes = answer["Body"].read()
        return data
