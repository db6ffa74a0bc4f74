"""The incremental build cache: per-dataset outputs keyed by a content hash.

A dataset's fingerprint covers every file in its folder (content, not mtime), the catalog
settings that shape its files, the code of this package and the versions of the libraries
that write the files.  An unchanged fingerprint reuses the cached folder; a lost or
corrupt cache only costs time.  Entries no longer used are pruned after each build.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from .model import Catalog, Dataset
from .package import DatasetOutput

MANIFEST = "output.json"


@cache
def code_hash() -> str:
    """The package's own code and the versions of the libraries that write outputs."""
    h = hashlib.sha256()
    package = Path(__file__).parent
    for p in sorted(package.rglob("*.py")):
        h.update(p.relative_to(package).as_posix().encode())
        h.update(p.read_bytes())
    for lib in ("pyarrow", "frictionless", "altair", "vl-convert-python"):
        try:
            h.update(f"{lib}={version(lib)}".encode())
        except PackageNotFoundError:
            h.update(f"{lib}=none".encode())
    return h.hexdigest()


def fingerprint(catalog: Catalog, ds: Dataset) -> str:
    h = hashlib.sha256()
    h.update(code_hash().encode())
    cfg = catalog.config
    h.update(json.dumps([ds.id, cfg.base_url, cfg.default_license, cfg.limits.preview_rows, cfg.title, cfg.publisher], sort_keys=True).encode())
    agency = catalog.agency(ds.agency)
    h.update(repr(agency).encode())
    folder = Path(catalog.root) / ds.folder
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(folder).as_posix().encode())
            with p.open("rb") as fh:
                while chunk := fh.read(1 << 20):
                    h.update(chunk)
    return h.hexdigest()


class Cache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.used: set[Path] = set()

    def entry(self, ds: Dataset) -> Path:
        return self.folder / "datasets" / ds.id

    def get(self, ds: Dataset, print_: str) -> DatasetOutput | None:
        entry = self.entry(ds)
        self.used.add(entry)
        try:
            if (entry / "fingerprint").read_text() != print_:
                return None
            return DatasetOutput.from_json(json.loads((entry / MANIFEST).read_text("utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, ds: Dataset, print_: str, make: Callable[[Path], DatasetOutput]) -> DatasetOutput:
        """Build into a fresh folder, then replace the entry (never a half-written entry)."""
        entry = self.entry(ds)
        entry.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=entry.parent))
        try:
            out = make(tmp)
            (tmp / MANIFEST).write_text(json.dumps(out.to_json(), sort_keys=True), "utf-8")
            (tmp / "fingerprint").write_text(print_)
            if entry.exists():
                shutil.rmtree(entry)
            os.replace(tmp, entry)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        self.used.add(entry)
        return out

    def prune(self) -> None:
        base = self.folder / "datasets"
        if not base.is_dir():
            return
        for agency in base.iterdir():
            for entry in agency.iterdir() if agency.is_dir() else []:
                if entry not in self.used:
                    shutil.rmtree(entry, ignore_errors=True)
            if agency.is_dir() and not any(agency.iterdir()):
                agency.rmdir()
