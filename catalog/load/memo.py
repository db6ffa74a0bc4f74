"""The loader's memo: YAML files already parsed and checked, by the digest of their bytes.

Kept as JSON beside the build cache (``.cache/build/load-memo.json``; data, never code,
so a cache restored in CI cannot run anything), shared by ``catalog build`` and
``catalog validate``: an unchanged file is neither parsed nor checked again. It is valid
only for the code that wrote it (the core and the loading layer).
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from catalog.core.problems import Problem
from catalog.core.yamlfile import Lines, YamlDoc
from catalog.io.sealed import key_for, seal, sealed

# "kind:path" (relative to the catalog root) → (digest, document, read problems, structure problems)
Memo = dict[str, tuple[str, YamlDoc | None, list[Problem], list[Problem]]]
FILE = Path(".cache") / "build" / "load-memo.json"


@cache
def code_version() -> str:
    """A hash of the code whose results the memo keeps (the core and the loading layer)."""
    package = Path(__file__).resolve().parents[1]
    h = hashlib.blake2b(digest_size=16)
    for layer in ("core", "load"):
        for p in sorted((package / layer).rglob("*.py")):
            h.update(p.relative_to(package).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def read_memo(file: Path) -> Memo:
    """The memo in ``file``; empty when missing, unreadable, written by other code or not
    sealed with this cache's key (catalog/io/sealed.py)."""
    try:
        raw = json.loads(file.read_text("utf-8"))
        body = {"code": raw.get("code"), "files": raw.get("files")}
        if raw.get("code") != code_version() or not sealed(
            key_for(file.parent), body, raw.get("seal")
        ):
            return {}
        return {
            rel: (digest, _doc(doc), [Problem(**p) for p in read], [Problem(**p) for p in found])
            for rel, (digest, doc, read, found) in raw["files"].items()
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def write_memo(file: Path, memo: Memo) -> None:
    """Write the memo, atomically (a build and a validation may run side by side)."""
    files = {
        rel: [digest, _plain(doc), [p.as_dict() for p in read], [p.as_dict() for p in found]]
        for rel, (digest, doc, read, found) in memo.items()
    }
    file.parent.mkdir(parents=True, exist_ok=True)
    tmp = file.with_name(f"{file.name}.{os.getpid()}.tmp")
    body = {"code": code_version(), "files": files}
    tmp.write_text(json.dumps({**body, "seal": seal(key_for(file.parent), body)}), "utf-8")
    os.replace(tmp, file)


def pruned(memo: Memo, root: Path) -> Memo:
    """The entries whose files still exist (keys are ``kind:path``)."""
    return {k: v for k, v in memo.items() if (root / k.split(":", 1)[-1]).is_file()}


def _plain(doc: YamlDoc | None) -> dict[str, Any] | None:
    if doc is None:
        return None
    lines = [[list(k), v] for k, v in doc.lines.by_path.items()]
    return {"path": doc.path, "data": doc.data, "lines": lines}


def _doc(d: dict[str, Any] | None) -> YamlDoc | None:
    if d is None:
        return None
    return YamlDoc(d["path"], d["data"], Lines({tuple(k): v for k, v in d["lines"]}))
