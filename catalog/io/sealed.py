"""Seals for what the build keeps between runs, so that a cache restored from elsewhere
cannot put bytes into the site, or findings into validation, that the inputs would not
produce.

A seal is a keyed BLAKE2b hash. The key is ``CATALOG_CACHE_KEY`` (a secret of the
publishing workflow, which pull requests never see), else a random key kept in a file
beside the cache folder (not inside it, so a cache restored in CI never brings its own
key). Anything unsealed, or sealed with another key, is discarded and made again: a
foreign cache costs time, never correctness.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path
from typing import Any

KEY_VARIABLE = "CATALOG_CACHE_KEY"


def key_for(folder: Path) -> bytes:
    """The sealing key of the cache in ``folder``."""
    given = os.environ.get(KEY_VARIABLE)
    if given:
        return hashlib.blake2b(given.encode("utf-8"), digest_size=32).digest()
    file = folder.parent / f"{folder.name}.key"
    with contextlib.suppress(OSError, ValueError):
        return bytes.fromhex(file.read_text("ascii").strip())
    key = secrets.token_bytes(32)
    with contextlib.suppress(OSError):  # a read-only checkout: a key for this run only
        file.parent.mkdir(parents=True, exist_ok=True)
        tmp = file.with_name(f"{file.name}.{os.getpid()}.tmp")
        descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as fh:
            fh.write(key.hex())
        os.replace(tmp, file)
        return bytes.fromhex(file.read_text("ascii").strip())  # another process's, if first
    return key


def seal(key: bytes, payload: Any) -> str:
    """The seal of a JSON-able payload."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.blake2b(text.encode("utf-8"), key=key, digest_size=32).hexdigest()


def sealed(key: bytes, payload: Any, mark: object) -> bool:
    """Does ``mark`` seal ``payload`` under ``key``?"""
    return isinstance(mark, str) and hmac.compare_digest(seal(key, payload), mark)


def seal_text(key: bytes, name: str, text: str) -> str:
    """The seal of a named text, as written (no serialisation: a record of megabytes is
    hashed, not re-encoded)."""
    return hashlib.blake2b(
        name.encode("utf-8") + b"\0" + text.encode("utf-8"), key=key, digest_size=32
    ).hexdigest()


def sealed_text(key: bytes, name: str, text: str, mark: object) -> bool:
    """Does ``mark`` seal this named text under ``key``?"""
    return isinstance(mark, str) and hmac.compare_digest(seal_text(key, name, text), mark)
