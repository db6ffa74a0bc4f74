"""Downloads on S3-compatible object storage (AWS S3, Cloudflare R2, MinIO, GCS's S3 API).

``catalog build`` with catalog.yaml's ``files_url`` writes the downloads to a second tree,
each under a key that holds a digest of its bytes (bulk files under the build's version),
so a key never changes meaning. ``upload`` copies that tree to a bucket — only the keys the
bucket lacks —, points each file's stable alias (``…/latest/<name>``, cached for minutes)
at this build's copy, and then records the build's keys in a manifest
(``manifests/<time>.json``).
The publishing job uploads before it deploys the pages, so the live site never links to a
missing object. ``prune`` deletes objects that no manifest of the last days (nor the newest
one) names, and that are themselves older than that: what neither the live site nor a
recent one links, and no upload under way has just written.

boto3 (the AWS SDK for Python) speaks to every S3-compatible store, takes its credentials
from the usual environment variables, and is installed with the ``storage`` extra.
"""

from __future__ import annotations

import datetime as dt
import json
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from catalog.core.errors import CatalogError

IMMUTABLE = "public, max-age=31536000, immutable"  # a key never changes meaning
STABLE = "public, max-age=300"  # a stable alias: the current file, checked again soon
MANIFESTS = "manifests/"
LATEST = "latest"  # the folder of a file's stable alias, beside its versions
TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".parquet": "application/vnd.apache.parquet",
    ".json": "application/json",
    ".zip": "application/zip",
    ".gz": "application/gzip",
}


class UploadError(CatalogError):
    """The bucket could not be reached or written; nothing should be deployed."""


@dataclass(frozen=True)
class Target:
    """A bucket and the key prefix the files tree goes under."""

    bucket: str
    prefix: str

    @staticmethod
    def parse(url: str) -> Target:
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise UploadError(f"{url!r} is not s3://BUCKET[/PREFIX]")
        prefix = parts.path.strip("/")
        return Target(parts.netloc, prefix + "/" if prefix else "")


@dataclass(frozen=True)
class Uploaded:
    """What an upload did."""

    uploaded: int
    uploaded_bytes: int
    present: int  # keys the bucket already held (content-addressed: the same bytes)
    manifest: str
    aliased: int  # stable aliases pointed at a new version


@dataclass(frozen=True)
class Pruned:
    """What a prune did."""

    deleted: int
    kept: int
    manifests_deleted: int


def client(endpoint_url: str | None = None) -> Any:
    """An S3 client for AWS (no endpoint) or another S3-compatible store."""
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        raise UploadError(
            "uploading needs boto3: pip install 'open-data-catalog[storage]'"
        ) from None
    # path-style addressing works with every S3-compatible store (and with 127.0.0.1)
    config = Config(
        s3={"addressing_style": "path"}, retries={"max_attempts": 5, "mode": "standard"}
    )
    return boto3.client("s3", endpoint_url=endpoint_url, config=config)


def _keys(s3: Any, target: Target, under: str = "") -> dict[str, dt.datetime]:
    """Every key under the target's prefix (and ``under``), with its last-modified time."""
    found: dict[str, dt.datetime] = {}
    pages = s3.get_paginator("list_objects_v2").paginate(
        Bucket=target.bucket, Prefix=target.prefix + under
    )
    for page in pages:
        for item in page.get("Contents", []):
            found[item["Key"]] = item["LastModified"]
    return found


def _failed(action: str, exc: Exception) -> UploadError:
    return UploadError(f"{action} failed: {exc}")


def upload(files: Path, target: Target, s3: Any, now: dt.datetime | None = None) -> Uploaded:
    """Copy the files tree into the bucket (keys it lacks only), then write the manifest."""
    from botocore.exceptions import BotoCoreError, ClientError

    if not files.is_dir():
        raise UploadError(f"{files} does not exist: build with files_url set in catalog.yaml first")
    now = now or dt.datetime.now(dt.UTC)
    local = sorted(p for p in files.rglob("*") if p.is_file())
    keys = [target.prefix + p.relative_to(files).as_posix() for p in local]
    try:
        present = _keys(s3, target)
        sent = sent_bytes = 0
        for path, key in zip(local, keys, strict=True):
            if key in present:
                continue
            kind = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0]
            extra = {"CacheControl": IMMUTABLE, "ContentType": kind or "application/octet-stream"}
            s3.upload_file(str(path), target.bucket, key, ExtraArgs=extra)
            sent, sent_bytes = sent + 1, sent_bytes + path.stat().st_size
        # the newest manifest's keys already have their aliases: upload writes it last
        manifests = [k for k in present if k.startswith(target.prefix + MANIFESTS)]
        aliased_before = set(_manifest_keys(s3, target, max(manifests))) if manifests else set()
        aliased = _alias_stable(s3, target, [k for k in keys if k not in aliased_before])
        manifest = f"{target.prefix}{MANIFESTS}{now.strftime('%Y%m%dT%H%M%S%fZ')}.json"
        body = {"created": now.isoformat(timespec="seconds"), "keys": keys}
        s3.put_object(
            Bucket=target.bucket,
            Key=manifest,
            Body=json.dumps(body, indent=1).encode(),
            ContentType="application/json",
            CacheControl="no-cache",
        )
    except (BotoCoreError, ClientError) as exc:
        raise _failed(f"uploading to s3://{target.bucket}/{target.prefix}", exc) from None
    return Uploaded(sent, sent_bytes, len(keys) - sent, manifest, aliased)


def stable_key(key: str) -> str:
    """A file's stable alias: ``…/<digest>/<name>`` → ``…/latest/<name>``."""
    folder, name = key.rsplit("/", 1)
    return f"{folder.rsplit('/', 1)[0]}/{LATEST}/{name}"


def _alias_stable(s3: Any, target: Target, keys: list[str]) -> int:
    """Point each of these files' stable alias at this copy (a copy inside the bucket);
    how many were pointed."""
    for key in keys:
        s3.copy_object(
            Bucket=target.bucket,
            Key=stable_key(key),
            CopySource={"Bucket": target.bucket, "Key": key},
            MetadataDirective="REPLACE",
            Metadata={"source": key},
            CacheControl=STABLE,
            ContentType=TYPES.get(Path(key).suffix) or "application/octet-stream",
        )
    return len(keys)


def _manifest_keys(s3: Any, target: Target, manifest: str) -> list[str]:
    """The keys a manifest names."""
    body = json.loads(s3.get_object(Bucket=target.bucket, Key=manifest)["Body"].read())
    return list(body["keys"])


def prune(target: Target, s3: Any, keep_days: float, now: dt.datetime | None = None) -> Pruned:
    """Delete objects no manifest of the last ``keep_days`` days (nor the newest manifest)
    names and that are older than that themselves; delete the manifests past it."""
    from botocore.exceptions import BotoCoreError, ClientError

    now = now or dt.datetime.now(dt.UTC)
    horizon = now - dt.timedelta(days=keep_days)
    try:
        manifests = _keys(s3, target, MANIFESTS)
        if not manifests:
            return Pruned(0, 0, 0)  # nothing says what is live: delete nothing
        newest = max(manifests)  # names sort by time
        recent = [m for m, when in manifests.items() if when >= horizon or m == newest]
        live: set[str] = set()
        for m in recent:
            live.update(_manifest_keys(s3, target, m))
        objects = {
            k: when
            for k, when in _keys(s3, target).items()
            if k not in manifests and f"/{LATEST}/" not in k  # aliases are kept (and replaced)
        }
        doomed = [k for k, when in objects.items() if k not in live and when < horizon]
        old_manifests = [m for m in manifests if m not in recent]
        for start in range(0, len(doomed + old_manifests), 1000):
            batch = (doomed + old_manifests)[start : start + 1000]
            s3.delete_objects(
                Bucket=target.bucket, Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True}
            )
    except (BotoCoreError, ClientError, ValueError, KeyError) as exc:
        raise _failed(f"pruning s3://{target.bucket}/{target.prefix}", exc) from None
    return Pruned(len(doomed), len(objects) - len(doomed), len(old_manifests))
