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
from collections.abc import Mapping
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from catalog.core.model import Catalog, Dataset
from catalog.core.problems import Problem
from catalog.io.sealed import key_for, seal, seal_text, sealed, sealed_text
from catalog.load.memo import Memo, read_memo, write_memo
from catalog.site.files import file_digest
from catalog.site.package import DatasetOutput

# an entry's bookkeeping: dot-files, which no download can be named like (resource names
# start with a letter or digit) and which are never published (files.link_tree)
MANIFEST = ".output.json"
FINGERPRINT = ".fingerprint"
SEAL = ".seal"


def _contents(entry: Path, print_: str) -> dict[str, Any]:
    """What an entry's seal covers: its fingerprint and every file in it, by digest."""
    files = {
        p.relative_to(entry).as_posix(): file_digest(p)
        for p in sorted(entry.rglob("*"))
        if p.is_file() and p.name != SEAL
    }
    return {"fingerprint": print_, "files": files}


@cache
def code_hash() -> str:
    """The package's own code and the versions of the libraries that write outputs."""
    h = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]  # the whole catalog package
    for p in sorted(package.rglob("*.py")):
        h.update(p.relative_to(package).as_posix().encode())
        h.update(p.read_bytes())
    for lib in ("pyarrow", "frictionless", "altair", "vl-convert-python", "pagefind"):
        try:
            h.update(f"{lib}={version(lib)}".encode())
        except PackageNotFoundError:
            h.update(f"{lib}=none".encode())
    return h.hexdigest()


def fingerprint(catalog: Catalog, ds: Dataset, digests: Mapping[str, str] | None = None) -> str:
    """``digests`` (path relative to the catalog root → digest) saves reading files again
    that the build has just read for its no-op check."""
    h = hashlib.blake2b(digest_size=20)
    h.update(code_hash().encode())
    cfg = catalog.config
    h.update(json.dumps([ds.id, cfg.base_url], sort_keys=True).encode())
    config = Path(catalog.root) / cfg.path
    h.update(
        config.read_bytes() if config.is_file() else b""
    )  # vocabularies, limits, repository mode
    agency = catalog.agency(ds.agency)
    h.update(repr(agency).encode())
    root = Path(catalog.root)
    known = digests or {}
    for folder in [root / ds.folder, *_mapped_on(catalog, ds)]:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                h.update(p.relative_to(root).as_posix().encode())
                h.update((known.get(p.relative_to(root).as_posix()) or file_digest(p)).encode())
    return h.hexdigest()


def _mapped_on(catalog: Catalog, ds: Dataset) -> list[Path]:
    """The folders of the boundary datasets a dataset's maps are drawn on: their files
    (and whether they are public) are inputs of its charts and of its validation."""
    ids = {c.boundaries for c in ds.charts if c.boundaries}
    if not ds.charts and ds.default_chart and ds.geographic_unit:  # a default map by area
        unit = ds.geographic_unit.lower()
        ids |= {
            d.id
            for d in catalog.datasets
            if d.boundaries and (d.geographic_unit or "").lower() == unit
        }
    outlines = catalog.config.map_outlines
    if outlines and (any(c.mark == "map" for c in ds.charts) or not ds.charts):
        ids.add(outlines)  # behind point maps
    out = []
    for ident in sorted(ids - {ds.id}):
        other = catalog.dataset(ident)
        if other is not None:
            out.append(Path(catalog.root) / other.folder)
    return out


class Cache:
    """The build cache in a folder: dataset outputs, validation results and the loader's
    memo, each sealed (catalog/io/sealed.py) and discarded unless the seal holds."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.key = key_for(folder)
        self.used: set[Path] = set()
        self.validated: set[str] = set()
        self.touched: set[str] = set()  # files and records this build used (see prune)
        self.discarded = 0  # entries whose seal did not hold (tampered, foreign or torn)

    def entry(self, ds: Dataset) -> Path:
        return self.folder / "datasets" / ds.id

    def get(self, ds: Dataset, print_: str) -> DatasetOutput | None:
        entry = self.entry(ds)
        self.used.add(entry)
        try:
            if (entry / FINGERPRINT).read_text() != print_:
                return None
            if not sealed(self.key, _contents(entry, print_), (entry / SEAL).read_text()):
                self.discarded += 1
                return None
            return DatasetOutput.from_json(json.loads((entry / MANIFEST).read_text("utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def begin(self, ds: Dataset) -> Path:
        """A fresh folder to build a dataset's outputs in (beside its entry)."""
        entry = self.entry(ds)
        entry.parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=".tmp-", dir=entry.parent))

    def commit(self, ds: Dataset, print_: str, folder: Path, out: DatasetOutput) -> None:
        """Make a finished folder the dataset's entry (never a half-written entry)."""
        entry = self.entry(ds)
        (folder / MANIFEST).write_text(json.dumps(out.to_json(), sort_keys=True), "utf-8")
        (folder / FINGERPRINT).write_text(print_)
        (folder / SEAL).write_text(seal(self.key, _contents(folder, print_)))
        if entry.exists():
            shutil.rmtree(entry)
        os.replace(folder, entry)
        self.used.add(entry)

    # --- single files: rendered pages, the Vega runtime -----------------------------------

    def file(self, name: str) -> Path | None:
        """The kept file ``name`` (a path inside the cache), if its seal holds."""
        self.touched.add(name)
        file = self.folder / name
        try:
            mark = file.with_name(file.name + ".seal").read_text()
            if sealed(self.key, {"name": name, "digest": file_digest(file)}, mark):
                return file
            self.discarded += 1
        except OSError:
            pass
        return None

    def keep(self, name: str, source: Path) -> None:
        """Keep a copy of ``source`` as ``name``, sealed."""
        self.touched.add(name)
        file = self.folder / name
        file.parent.mkdir(parents=True, exist_ok=True)
        tmp = file.with_name(f".{file.name}.{os.getpid()}.tmp")
        shutil.copyfile(source, tmp)
        mark = seal(self.key, {"name": name, "digest": file_digest(tmp)})
        file.with_name(file.name + ".seal").write_text(mark)
        os.replace(tmp, file)

    # --- small JSON records (the change history's steps) ----------------------------------

    def record(self, name: str) -> Any | None:
        """The JSON record ``name`` (a path inside the cache), if its seal holds. The seal
        covers the record's text as written (its first line is the seal), so reading a
        large record parses it once and serialises nothing."""
        self.touched.add(name)
        try:
            mark, _, text = (self.folder / name).read_text("utf-8").partition("\n")
            if sealed_text(self.key, name, text, mark):
                return json.loads(text)
            self.discarded += 1
        except (OSError, ValueError):
            pass
        return None

    def store_record(self, name: str, body: Any) -> None:
        """Keep ``body`` (JSON) as ``name``, sealed."""
        self.touched.add(name)
        text = json.dumps(body, separators=(",", ":"))
        _replace(self.folder / name, seal_text(self.key, name, text) + "\n" + text)

    # --- parsed YAML files, by content (the loader's memo: catalog/load/memo.py) ------------

    def load_memo(self) -> Memo:
        """The loader's memo, kept as JSON (a cache restored in CI is data, never code)."""
        return read_memo(self.folder / "load-memo.json")

    def store_memo(self, memo: Memo) -> None:
        """Keep the loader's memo for the next build (or validation)."""
        write_memo(self.folder / "load-memo.json", memo)

    # --- validation results, for every dataset (public or not) ---------------------------

    def _problems_file(self, ident: str) -> Path:
        return self.folder / "validation" / f"{ident}.json"

    def problems(self, ident: str, print_: str) -> list[Problem] | None:
        self.validated.add(ident)
        try:
            data = json.loads(self._problems_file(ident).read_text("utf-8"))
            if data["fingerprint"] != print_:
                return None
            body = {"fingerprint": data["fingerprint"], "problems": data["problems"]}
            if not sealed(self.key, body, data.get("seal")):
                self.discarded += 1
                return None
            return [Problem(**p) for p in data["problems"]]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def store_problems(self, ident: str, print_: str, problems: list[Problem]) -> None:
        self.validated.add(ident)
        body = {"fingerprint": print_, "problems": [p.as_dict() for p in problems]}
        _replace(self._problems_file(ident), json.dumps({**body, "seal": seal(self.key, body)}))

    def touch(self, name: str) -> None:
        """Mark a file or record as used by this build without reading it (see prune)."""
        self.touched.add(name)

    # what a build rebuilds cheaply when it is missing: pages, a dataset's changes files, its
    # list of versions (from the steps, which stay), the CSVs of old versions
    REBUILT = ("pages", "changes", "history/versions", "history/files")

    def prune(self) -> None:
        """After a build: drop what it did not use (outputs of datasets gone, validation of
        datasets gone, and of REBUILT what no page or list of this build names any more)."""
        for sub in self.REBUILT:
            folder = self.folder / sub
            for file in folder.rglob("*") if folder.is_dir() else []:
                name = file.relative_to(self.folder).as_posix().removesuffix(".seal")
                if file.is_file() and name not in self.touched:
                    file.unlink(missing_ok=True)
        base = self.folder / "datasets"
        if not base.is_dir():
            return
        for agency in base.iterdir():
            for entry in agency.iterdir() if agency.is_dir() else []:
                if entry not in self.used:
                    shutil.rmtree(entry, ignore_errors=True)
            if agency.is_dir() and not any(agency.iterdir()):
                agency.rmdir()
        validation = self.folder / "validation"
        for file in validation.glob("*/*.json") if validation.is_dir() else []:
            if f"{file.parent.name}/{file.stem}" not in self.validated:
                file.unlink(missing_ok=True)


def _replace(file: Path, text: str) -> None:
    """Write ``file`` whole or not at all (a killed build leaves the old one)."""
    file.parent.mkdir(parents=True, exist_ok=True)
    tmp = file.with_name(f".{file.name}.{os.getpid()}.tmp")
    tmp.write_text(text, "utf-8")
    os.replace(tmp, file)
