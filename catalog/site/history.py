"""A dataset's versions, from the git history of its folder: for each commit that changed
it (of those the site may show), a version number, the date and summary, the metadata keys
and access level that changed, and per resource its schema changes and row-level changes
(``catalog/site/diff.py``, over the columns published in both versions).

Version numbers count from the dataset's first shown commit, ``1.0.0`` (a dataset moved
from another folder keeps the versions it had there; the move is a version, "moved from …"):
a breaking schema change (a resource or a published column removed, a column retyped, the
primary key changed) raises the major number, a change of data (rows, columns or resources
added, data published) the minor, and anything else (metadata) the patch. They are computed over the
whole history each build, so a number never changes once given; a shallow clone, whose
history stops short, gets no numbers at all (the build says so).

Rules of exposure: rows are compared only between two versions that both published their
data (access level ``public``), over the columns neither withheld; restricted and
non-public versions show metadata and access changes only, and a dataset that is not
public now shows nothing else of any version. Each public version lists its CSV as the
build published it (size and SHA-256, from ``csvtext.published_csv``). Each step between
two commits is cached (sealed) by the pair, so a new commit costs one step.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

import pyarrow as pa
import yaml

from catalog.io import gitinfo
from catalog.io.datafile import UnreadableData, is_lfs_pointer
from catalog.site.cache import Cache
from catalog.site.csvtext import published_csv
from catalog.site.diff import RowDiff, diff_resource

MAJOR, MINOR, PATCH = "major", "minor", "patch"
SAMPLED = 5  # the newest versions keep their samples of changed rows; older ones, counts only
IGNORED_KEYS = {"resources", "charts"}  # compared on their own (charts: not a change to the data)


@dataclass(frozen=True)
class ResourceChange:
    """How one resource changed in a version: status, schema changes, row counts."""

    name: str
    status: str  # added, removed, changed, published (its data public for the first time)
    schema: tuple[str, ...]  # "column `x` added", ...
    rows: dict[str, Any] | None  # RowDiff.to_json(), or None when rows were not compared
    note: str = ""


@dataclass(frozen=True)
class Version:
    """One version of a dataset: its number, commit, date, summary and changes."""

    number: str
    commit: str
    date: str
    summary: str
    level: str  # first, major, minor, patch
    access: tuple[str, str] | None
    metadata: tuple[str, ...]
    resources: tuple[ResourceChange, ...]
    files: tuple[dict[str, Any], ...] = ()  # a public version's CSVs: resource, bytes, sha256

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.number,
            "commit": self.commit,
            "date": self.date,
            "summary": self.summary,
            "level": self.level,
            "access_level": {"before": self.access[0], "after": self.access[1]}
            if self.access
            else None,
            "metadata_changed": list(self.metadata),
            "resources": [
                {
                    "name": r.name,
                    "status": r.status,
                    "schema": list(r.schema),
                    "rows": r.rows,
                    **({"note": r.note} if r.note else {}),
                }
                for r in self.resources
            ],
            "files": list(self.files),
        }


def _version(d: dict[str, Any]) -> Version:
    """A Version back from its JSON (the cache)."""
    access = d["access_level"]
    return Version(
        str(d["version"]),
        str(d["commit"]),
        str(d["date"]),
        str(d["summary"]),
        str(d["level"]),
        (str(access["before"]), str(access["after"])) if access else None,
        tuple(map(str, d["metadata_changed"])),
        tuple(
            ResourceChange(
                str(r["name"]),
                str(r["status"]),
                tuple(map(str, r["schema"])),
                r["rows"],
                str(r.get("note", "")),
            )
            for r in d["resources"]
        ),
        tuple(d.get("files", ())),
    )


def _without_samples(v: Version) -> Version:
    """A version with its counts but not its sample rows (the index of a thousand
    datasets' histories stays small enough to read in a fraction of a second)."""
    resources = tuple(
        dataclasses.replace(r, rows={**r.rows, "samples": []})
        if r.rows and r.rows.get("samples")
        else r
        for r in v.resources
    )
    return dataclasses.replace(v, resources=resources)


@dataclass
class _Snapshot:
    sha: str
    folder: str
    meta: dict[str, Any]
    tree: dict[str, str]  # path in the folder → blob

    @property
    def public(self) -> bool:
        return self.meta.get("access_level") == "public"

    def resources(self) -> dict[str, dict[str, Any]]:
        items = self.meta.get("resources")
        out = {}
        for r in items if isinstance(items, list) else []:
            if isinstance(r, dict) and isinstance(r.get("name"), str):
                out[r["name"]] = r
        return out


def _fields(resource: dict[str, Any]) -> list[dict[str, Any]]:
    schema = resource.get("schema")
    fields = schema.get("fields") if isinstance(schema, dict) else None
    return (
        [f for f in fields if isinstance(f, dict) and isinstance(f.get("name"), str)]
        if isinstance(fields, list)
        else []
    )


def _key(resource: dict[str, Any]) -> tuple[str, ...]:
    schema = resource.get("schema")
    key = schema.get("primaryKey") if isinstance(schema, dict) else None
    if isinstance(key, str):
        return (key,)
    return tuple(k for k in key if isinstance(k, str)) if isinstance(key, list) else ()


def _published(resource: dict[str, Any]) -> list[str]:
    return [f["name"] for f in _fields(resource) if not f.get("protected")]


def _schema_changes(old: dict[str, Any], new: dict[str, Any]) -> tuple[list[str], bool]:
    """What changed in the published columns, and whether it breaks readers."""
    before = {f["name"]: f for f in _fields(old) if not f.get("protected")}
    after = {f["name"]: f for f in _fields(new) if not f.get("protected")}
    out, breaking = [], False
    for name in after.keys() - before.keys():
        out.append(f"column {name!r} added ({after[name].get('type', 'string')})")
    for name in before.keys() - after.keys():
        out.append(f"column {name!r} removed")
        breaking = True
    for name in before.keys() & after.keys():
        a, b = before[name].get("type", "string"), after[name].get("type", "string")
        if a != b:
            out.append(f"column {name!r} retyped {a} → {b}")
            breaking = True
    if _key(old) != _key(new):
        out.append(f"primary key {list(_key(old))} → {list(_key(new))}")
        breaking = True
    return sorted(out), breaking


PACKAGE = Path(__file__).resolve().parents[1]


def _imports(file: Path) -> set[Path]:
    """The package's own modules that a module imports (at any depth in its code)."""
    found = set()
    for node in ast.walk(ast.parse(file.read_text("utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("catalog"):
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names if a.name.startswith("catalog")]
        for name in names:
            parts = name.split(".")[1:]
            for candidate in (
                PACKAGE.joinpath(*parts).with_suffix(".py"),
                PACKAGE.joinpath(*parts, "__init__.py"),
            ):
                if parts and candidate.is_file():
                    found.add(candidate)
    return found


def history_files() -> list[Path]:
    """This module and the code it reads and diffs versions with, found from the imports
    (the cache aside: it stores steps, it does not make them)."""
    todo, seen = [Path(__file__).resolve()], set()
    while todo:
        file = todo.pop()
        if file in seen or file.name == "cache.py":
            continue
        seen.add(file)
        todo += sorted(_imports(file))
    return sorted(seen)


def history_code() -> str:
    """The key of the history's cached steps and lists: ``history_files`` and the versions of
    pyarrow and PyYAML. A change elsewhere in the package keeps the history's cache, which
    otherwise costs a diff per commit of every dataset to rebuild."""
    h = hashlib.sha256()
    for file in history_files():
        h.update(file.relative_to(PACKAGE).as_posix().encode() + b"\0" + file.read_bytes())
    h.update(f"pyarrow={pa.__version__};pyyaml={yaml.__version__}".encode())
    return h.hexdigest()


def kept_file(cache: Cache, sha256: str) -> Path | None:
    """The published CSV (by its SHA-256) of a version, if the cache keeps it."""
    return cache.file(f"history/files/{sha256}.csv") if sha256 else None


def metadata_only(v: Version) -> Version:
    """A version as a dataset that is not public shows it: metadata and access level, no
    rows, samples or files (even of versions whose data was public then)."""
    resources = tuple(dataclasses.replace(r, rows=None) for r in v.resources)
    return dataclasses.replace(v, resources=resources, files=())


def _yaml(text: str | None) -> dict[str, Any]:
    """A mapping read from YAML (or JSON) text; empty when it is not one."""
    try:
        found = yaml.safe_load(text) if text else None
    except yaml.YAMLError:
        found = None
    return found if isinstance(found, dict) else {}


class Versions(Sequence[Version]):
    """A dataset's versions, newest first, read from the cache only when something asks
    for them: an unchanged dataset whose page and changes files come from the cache never
    decodes its history. ``newest_data`` (the date of the newest version that changed data)
    and the count are known without reading it."""

    def __init__(
        self, load: Callable[[], list[Version]], count: int, newest_data: str, record: str = ""
    ) -> None:
        self._load: Callable[[], list[Version]] | None = load
        self._items: list[Version] = []
        self._count = count
        self.newest_data = newest_data
        self.record = record  # the cache record it comes from ("" if none): a key for outputs

    def _all(self) -> list[Version]:
        if self._load is not None:
            self._items, self._load = self._load(), None
        return self._items

    @overload
    def __getitem__(self, i: int) -> Version: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Version]: ...
    def __getitem__(self, i: int | slice) -> Version | Sequence[Version]:
        return self._all()[i]

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Version]:
        return iter(self._all())

    def mapped(self, change: Callable[[Version], Version]) -> Versions:
        """The same versions, each changed by ``change`` when read."""
        return Versions(
            lambda: [change(v) for v in self._all()], self._count, self.newest_data, self.record
        )


def newest_data(versions: Sequence[Version]) -> str:
    """The date of the newest version that changed data ("" if none)."""
    if isinstance(versions, Versions):
        return versions.newest_data
    return max((v.date for v in versions if changes_data(v)), default="")


def changes_data(v: Version) -> bool:
    """Did this version change data (rows, columns, resources, or publish it)? A first
    version brings its data."""
    return v.level == "first" or any(
        r.rows or r.status in ("added", "removed", "published") or r.schema for r in v.resources
    )


class History:
    """Versions of the datasets of one repository: each dataset's list kept in the cache by
    its list of commits (and read only when used, see ``Versions``), each step between two
    commits by the pair. With ``keep_files``, each public version's published CSV is kept
    in the cache too (``kept_file``), for the build to publish at a permanent address."""

    INDEX = "history/latest.json"  # each dataset's list: its count and newest data change

    def __init__(self, root: Path, cache: Cache | None, keep_files: bool = False) -> None:
        self.root = root
        self.cache = cache
        self.keep_files = keep_files and cache is not None
        self.code = history_code()
        kept = cache.record(self.INDEX) if cache is not None else None
        self.index: dict[str, Any] = kept if isinstance(kept, dict) else {}
        self.seen: dict[str, Any] = {}  # this build's lists: what save() keeps

    def save(self) -> None:
        """Keep the index of this build's lists for the next build (unless unchanged)."""
        if self.cache is not None and self.seen != self.index:
            self.cache.store_record(self.INDEX, self.seen)

    def versions(self, folder: str, commits: list[gitinfo.Commit]) -> Versions:
        """Versions of the dataset in ``folder``, newest first, from its shown commits
        (newest first, as ``gitinfo.histories`` gives them; those made before the dataset
        moved name its old folder). After one new commit a build diffs one step; every
        other dataset's versions stay in the cache until read."""
        name = self._name("versions", folder, str(self.keep_files), *(c.sha for c in commits))
        known = self.index.get(name)
        if (
            isinstance(known, list)
            and len(known) == 2
            and self.cache is not None
            and (self.cache.folder / name).is_file()
        ):
            self.cache.touch(name)  # used, though read only if something asks
            self.seen[name] = known
            return Versions(
                lambda: self._read(name, folder, commits), int(known[0]), str(known[1]), name
            )
        found = self._compute(folder, commits)
        if self.cache is not None:
            self.cache.store_record(name, [v.to_json() for v in found])
        newest = newest_data(found)
        self.seen[name] = [len(found), newest]
        return Versions(lambda: found, len(found), newest, name if self.cache is not None else "")

    def _read(self, name: str, folder: str, commits: list[gitinfo.Commit]) -> list[Version]:
        """A list from the cache (computed again if its record is gone or not sealed)."""
        kept = self.cache.record(name) if self.cache is not None else None
        try:
            if isinstance(kept, list):
                found = [_version(v) for v in kept]
                if self._all_kept(f for v in found for f in v.files):
                    return found
        except (KeyError, TypeError, ValueError):
            pass
        return self._compute(folder, commits)

    def _compute(self, folder: str, commits: list[gitinfo.Commit]) -> list[Version]:
        out: list[Version] = []
        previous: _Snapshot | None = None
        number = (1, 0, 0)
        for before, commit in zip([None, *reversed(commits)], reversed(commits), strict=False):
            step: dict[str, Any]
            if before is None:
                step, previous = self._first(commit.folder or folder, commit.sha)
            else:
                step, previous = self._step(
                    (before.folder or folder, before.sha),
                    (commit.folder or folder, commit.sha),
                    previous,
                )
                level = step["level"]
                number = (
                    (number[0] + 1, 0, 0)
                    if level == MAJOR
                    else (number[0], number[1] + 1, 0)
                    if level == MINOR
                    else (number[0], number[1], number[2] + 1)
                )
            out.append(
                Version(
                    ".".join(map(str, number)),
                    commit.sha,
                    commit.date,
                    commit.subject,
                    step["level"],
                    tuple(step["access"]) if step["access"] else None,
                    tuple(step["metadata"]),
                    tuple(
                        ResourceChange(
                            r["name"], r["status"], tuple(r["schema"]), r["rows"], r.get("note", "")
                        )
                        for r in step["resources"]
                    ),
                    tuple(step.get("files", ())),
                )
            )
        out.reverse()
        return [v if k < SAMPLED else _without_samples(v) for k, v in enumerate(out)]

    def kept_file(self, sha256: str) -> Path | None:
        """A public version's published CSV, kept in the cache (``keep_files``)."""
        return kept_file(self.cache, sha256) if self.cache is not None else None

    def _all_kept(self, files: Iterable[Any]) -> bool:
        """With ``keep_files``: is each of these CSVs (``{"sha256": …}``) in the cache? A
        cached record whose files are gone is made again, which keeps them again."""
        return not self.keep_files or all(
            isinstance(f, dict) and self.kept_file(str(f.get("sha256", ""))) is not None
            for f in files
        )

    def _name(self, kind: str, folder: str, *shas: str) -> str:
        digest = hashlib.blake2b(
            json.dumps([self.code, kind, folder, *shas]).encode(), digest_size=20
        )
        return f"history/{kind}/{digest.hexdigest()}.json"

    def _cached(self, name: str) -> dict[str, Any] | None:
        kept = self.cache.record(name) if self.cache is not None else None
        if not isinstance(kept, dict):
            return None
        files = kept.get("files")
        return kept if self._all_kept(files if isinstance(files, list) else []) else None

    def _store(self, name: str, record: dict[str, Any]) -> None:
        if self.cache is not None:
            self.cache.store_record(name, record)

    def _first(self, folder: str, sha: str) -> tuple[dict[str, Any], _Snapshot | None]:
        """The first version: where it moved from (if git says so) and its files."""
        name = self._name("first", folder, sha)
        kept = self._cached(name)
        if kept is not None:
            return kept, None
        snap = self._snapshot(sha, folder)
        moved = gitinfo.moved_from(self.root, sha, folder)
        step = {
            "level": "first",
            "access": None,
            "metadata": [f"moved from {moved}"] if moved else [],
            "resources": [],
            "files": self._files(snap),
        }
        self._store(name, step)
        return step, snap

    def _step(
        self, old_at: tuple[str, str], new_at: tuple[str, str], old: _Snapshot | None
    ) -> tuple[dict[str, Any], _Snapshot | None]:
        """The change from one commit to the next (each a folder and a commit; cached by the
        pair); the new snapshot when it had to be read (the next step may use it)."""
        name = self._name("step", old_at[0], old_at[1], new_at[0], new_at[1])
        kept = self._cached(name)
        if kept is not None:
            return kept, None
        before = (
            old
            if old is not None and (old.folder, old.sha) == old_at
            else self._snapshot(old_at[1], old_at[0])
        )
        after = self._snapshot(new_at[1], new_at[0])
        step = {**self._compare(before, after), "files": self._files(after)}
        self._store(name, step)
        return step, after

    def _snapshot(self, sha: str, folder: str) -> _Snapshot:
        tree = gitinfo.tree_at(self.root, sha, folder)
        text = (
            gitinfo.blob_text(self.root, tree["dataset.yaml"]) if "dataset.yaml" in tree else None
        )
        meta = _yaml(text)
        resources = meta.get("resources")
        for r in resources if isinstance(resources, list) else []:
            if isinstance(r, dict) and isinstance(r.get("schema"), str):  # a schema file beside it
                blob = tree.get(r["schema"])
                r["schema"] = _yaml(gitinfo.blob_text(self.root, blob) if blob else None)
        return _Snapshot(sha, folder, meta, tree)

    def _files(self, snap: _Snapshot) -> list[dict[str, Any]]:
        """Each published CSV of a public version: its size and SHA-256 (cached by the
        blob and the columns published), kept in the cache with ``keep_files``."""
        if not snap.public:
            return []
        out = []
        for rname, r in sorted(snap.resources().items()):
            path = r.get("path")
            if not isinstance(path, str) or path not in snap.tree:
                continue
            name = self._name("csv", "", snap.tree[path], *_published(r))
            found = self._cached_csv(name) or self._publish_csv(
                name, snap.tree[path], Path(path).name, _published(r)
            )
            if found is not None:
                out.append({"resource": rname, "format": "csv", **found})
        return out

    def _cached_csv(self, name: str) -> dict[str, Any] | None:
        kept = self.cache.record(name) if self.cache is not None else None
        return kept if isinstance(kept, dict) and self._all_kept([kept]) else None

    def _publish_csv(
        self, name: str, blob: str, filename: str, published: list[str]
    ) -> dict[str, Any] | None:
        """The published CSV of one version of a resource (from its blob in git): its size
        and SHA-256, or None when the version's data cannot be read."""
        with tempfile.TemporaryDirectory(prefix="catalog-history-") as tmp:
            source, target = Path(tmp) / filename, Path(tmp) / "published.csv"
            if not gitinfo.write_blob(self.root, blob, source) or is_lfs_pointer(source):
                return None
            digest, size = hashlib.sha256(), 0
            with target.open("wb") if self.keep_files else open(os.devnull, "wb") as out:

                def write(piece: bytes | memoryview) -> None:
                    nonlocal size
                    digest.update(piece)
                    size += len(piece)
                    out.write(piece)

                try:
                    published_csv(source, published, write)
                except (OSError, ValueError, UnreadableData, pa.ArrowException):
                    return None
            found = {"bytes": size, "sha256": digest.hexdigest()}
            if self.keep_files and self.cache is not None:
                self.cache.keep(f"history/files/{found['sha256']}.csv", target)
        self._store(name, found)
        return found

    def _compare(self, old: _Snapshot, new: _Snapshot) -> dict[str, Any]:
        a_access, b_access = (
            str(old.meta.get("access_level", "")),
            str(new.meta.get("access_level", "")),
        )
        keys = (set(old.meta) | set(new.meta)) - IGNORED_KEYS
        metadata = sorted(
            k for k in keys if old.meta.get(k) != new.meta.get(k) and k != "access_level"
        )
        if old.folder != new.folder:
            metadata.append(f"moved from {old.folder}")
        level = PATCH
        resources: list[dict[str, Any]] = []
        before, after = old.resources(), new.resources()
        for rname in sorted(before.keys() | after.keys()):
            o, n = before.get(rname), after.get(rname)
            if n is None:
                resources.append({"name": rname, "status": "removed", "schema": [], "rows": None})
                level = MAJOR
                continue
            if o is None:
                resources.append({"name": rname, "status": "added", "schema": [], "rows": None})
                level = MAJOR if level == MAJOR else MINOR
                continue
            schema, breaking = _schema_changes(o, n)
            rows, note = None, ""
            if old.public and new.public:
                rows, note = self._rows(old, o, new, n)
            elif new.public:
                note = "data published"
            counted = ("added", "removed", "changed", "columns_added", "columns_removed")
            changed_rows = rows is not None and any(rows[k] for k in counted)
            if breaking:
                level = MAJOR
            elif level != MAJOR and (schema or changed_rows or note == "data published"):
                level = MINOR
            if schema or changed_rows or note:
                status = "published" if note == "data published" else "changed"
                resources.append(
                    {
                        "name": rname,
                        "status": status,
                        "schema": schema,
                        "rows": rows,
                        **({"note": note} if note else {}),
                    }
                )
        if a_access == "public" and b_access != "public":
            level = MAJOR  # its data is withdrawn
        elif b_access == "public" and a_access != "public" and level == PATCH:
            level = MINOR
        access = [a_access, b_access] if a_access != b_access else None
        return {"level": level, "access": access, "metadata": metadata, "resources": resources}

    def _rows(
        self, old: _Snapshot, o: dict[str, Any], new: _Snapshot, n: dict[str, Any]
    ) -> tuple[dict[str, Any] | None, str]:
        o_path, n_path = o.get("path"), n.get("path")
        if (
            not isinstance(o_path, str)
            or not isinstance(n_path, str)
            or o_path not in old.tree
            or n_path not in new.tree
        ):
            return None, "its data file is missing in one version"
        same_columns = _published(o) == _published(n) and _key(o) == _key(n)
        if old.tree[o_path] == new.tree[n_path] and same_columns:
            return None, ""  # the same bytes, read the same way: no row changed
        with tempfile.TemporaryDirectory(prefix="catalog-history-") as tmp:
            a, b = (
                Path(tmp) / ("old-" + Path(o_path).name),
                Path(tmp) / ("new-" + Path(n_path).name),
            )
            if not (
                gitinfo.write_blob(self.root, old.tree[o_path], a)
                and gitinfo.write_blob(self.root, new.tree[n_path], b)
            ):
                return None, "its data could not be read from git"
            if is_lfs_pointer(a) or is_lfs_pointer(b):
                return None, "its data is in Git LFS: rows were not compared"
            key = _key(n) if _key(o) == _key(n) else ()
            try:
                diff: RowDiff = diff_resource(a, _published(o), b, _published(n), key=key)
            except (
                OSError,
                ValueError,
                UnreadableData,
                pa.ArrowException,
            ) as exc:  # an invalid version is reported, not fatal
                return (
                    None,
                    f"this version's data could not be read ({type(exc).__name__}): rows were not "
                    "compared",
                )
        return diff.to_json(), "; ".join(diff.notes)
