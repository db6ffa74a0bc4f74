"""``catalog review --base REF``: the Chief Data Officer's report on a change, in Markdown.

The catalog at the base ref is read from git (``git archive``) into a temporary folder and
loaded like the working tree; the two are compared dataset by dataset. Anything that
becomes more public — a new public dataset, an access level raised, a protection removed —
is listed first, loudly.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from catalog.checks.validate import validate
from catalog.core.escape import markdown_cell, markdown_code, markdown_text
from catalog.core.model import Catalog, Dataset, Resource
from catalog.core.problems import Problem
from catalog.io.areas import areas_of
from catalog.io.datafile import UnreadableData, is_lfs_pointer, open_text
from catalog.io.gitinfo import GitError, changed_files, git
from catalog.load.loader import load_catalog
from catalog.site.diff import RowDiff, diff_resource

MAX_BOUNDARY_MB = 1e6  # the review reads what the checks accepted (they apply the limit)
OPENNESS = {"non-public": 0, "restricted public": 1, "public": 2, "": -1}
COMPARED = (
    "title",
    "description",
    "category",
    "keywords",
    "update_frequency",
    "license",
    "contact",
    "attribution",
    "row_label",
    "geographic_unit",
    "temporal_coverage",
    "spatial",
    "source_link",
    "references",
    "issued",
    "rights",
    "access_url",
)


@dataclass
class DatasetChange:
    """What changed in one dataset between the base and the head."""

    id: str
    kind: str  # added, removed, changed, archived
    title: str
    alerts: list[str] = field(default_factory=list)  # becoming more public
    notes: list[str] = field(default_factory=list)  # access tightened, protections added
    metadata: list[tuple[str, str, str]] = field(default_factory=list)
    schema: list[tuple[str, str, bool]] = field(
        default_factory=list
    )  # (resource, change, breaking)
    rows: list[tuple[str, int | None, int | None, RowDiff | None]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def base_catalog(root: Path, ref: str, into: Path) -> Catalog | None:
    """The catalog as it was at ``ref``, extracted into ``into``; None if it had none."""
    try:
        git(root, "rev-parse", "--verify", "--quiet", ref + "^{commit}")
    except GitError:
        raise GitError(
            f"{ref!r} is not a commit here; fetch it first (e.g. `git fetch origin main`)"
        ) from None
    prefix = git(root, "rev-parse", "--show-prefix").strip()
    paths = [
        p
        for p in (prefix + "catalog.yaml", prefix + "datasets")
        if git(root, "ls-tree", "--name-only", ref, p).strip()
    ]
    if not paths:
        return None
    # streamed: a catalog's data can be gigabytes
    with subprocess.Popen(
        ["git", "archive", "--format=tar", ref, *paths],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    ) as proc:
        assert proc.stdout is not None
        with tarfile.open(fileobj=proc.stdout, mode="r|") as tar:
            tar.extractall(into, filter="data")
    if proc.returncode:
        raise GitError(f"git archive {ref} failed (exit {proc.returncode})")
    base_root = into / prefix if prefix else into
    if not (base_root / "catalog.yaml").is_file():
        return None
    return load_catalog(base_root).catalog


def count_rows(file: Path) -> int | None:
    """Data rows of a CSV file (records less the header), or None if unreadable (or a Git
    LFS pointer: the base ref's data is not fetched)."""
    if is_lfs_pointer(file):
        return None
    try:
        with open_text(file) as fh:
            return max(sum(1 for _ in csv.reader(fh)) - 1, 0)
    except (OSError, UnicodeDecodeError, csv.Error, UnreadableData):
        return None


def _value(ds: Dataset, key: str) -> str:
    v = getattr(ds, key)
    if key == "contact":
        return f"{v.name} <{v.email}>"
    if isinstance(v, tuple):
        return ", ".join(map(str, v))
    if isinstance(v, dict):
        return ", ".join(f"{k}: {x}" for k, x in v.items())
    return "" if v is None else str(v)


def _schema_changes(old: Resource | None, new: Resource | None) -> list[tuple[str, bool]]:
    if old is None and new is None:
        return []
    if old is None:
        return [(f"resource added ({len(new.schema.fields)} columns)", False)] if new else []
    if new is None:
        return [("resource removed", True)]
    out: list[tuple[str, bool]] = []
    before = {f.name: f for f in old.schema.fields}
    after = {f.name: f for f in new.schema.fields}
    for name in after.keys() - before.keys():
        out.append((f"column {markdown_code(name)} added ({after[name].type})", False))
    for name in before.keys() - after.keys():
        out.append((f"column {markdown_code(name)} removed", True))
    for name in sorted(before.keys() & after.keys()):
        a, b = before[name], after[name]
        if a.type != b.type or (a.format or "default") != (b.format or "default"):
            out.append((f"column {markdown_code(name)} retyped {a.type} → {b.type}", True))
        if dict(a.constraints) != dict(b.constraints):
            was = markdown_text(dict(a.constraints) or "{}")
            now = markdown_text(dict(b.constraints) or "{}")
            out.append(
                (
                    f"column {markdown_code(name)} constraints {was} → {now}",
                    True,
                )
            )
    if old.schema.primary_key != new.schema.primary_key:
        out.append(
            (
                f"primary key {markdown_text(list(old.schema.primary_key))} → "
                f"{markdown_text(list(new.schema.primary_key))}",
                True,
            )
        )
    order_before = [f for f in before if f in after]
    order_after = [f for f in after if f in before]
    if order_before != order_after:
        out.append(("columns reordered", True))
    return sorted(out)


def compare(base: Catalog | None, head: Catalog, touched: set[str]) -> list[DatasetChange]:
    """Each dataset added, changed, archived or removed between two catalogs."""
    before = {d.id: d for d in base.datasets} if base else {}
    after = {d.id: d for d in head.datasets}
    roots = (Path(base.root) if base else None, Path(head.root))
    changes: list[DatasetChange] = []
    for ident in sorted(before.keys() | after.keys()):
        old, new = before.get(ident), after.get(ident)
        if old and new and ident not in touched:
            continue
        if new is None:
            assert old is not None
            changes.append(
                DatasetChange(
                    ident, "removed", old.title, notes=[f"was {markdown_text(old.access_level)}"]
                )
            )
        else:
            changes.append(_compare_dataset(old, new, roots))
    return changes


def _compare_dataset(
    old: Dataset | None, new: Dataset, roots: tuple[Path | None, Path]
) -> DatasetChange:
    change = DatasetChange(new.id, "added" if old is None else "changed", new.title)
    if old and old.status != "archived" and new.status == "archived":
        change.kind = "archived"
    _compare_access(change, old, new)
    old_res = {r.name: r for r in old.resources} if old else {}
    new_res = {r.name: r for r in new.resources}
    for name in sorted(old_res.keys() | new_res.keys()):
        _compare_resource(change, name, (old, old_res.get(name)), (new, new_res.get(name)), roots)
    change.notes += _boundary_notes(old, new, roots)
    if old:
        for key in COMPARED:
            a, b = _value(old, key), _value(new, key)
            if a != b:
                change.metadata.append((key, _short(a), _short(b)))
        if old.status != new.status:
            change.metadata.append(("status", old.status, new.status))
    return change


def _boundary_notes(
    old: Dataset | None, new: Dataset, roots: tuple[Path | None, Path]
) -> list[str]:
    """What changed in a boundary dataset's areas: keys added and removed (a map on it may
    lose areas), names changed (maps matching by name may break)."""
    (base_root, head_root), b = roots, new.boundaries
    if b is None:
        return []
    after = areas_of(head_root, b, MAX_BOUNDARY_MB)
    before = (
        areas_of(base_root, old.boundaries, MAX_BOUNDARY_MB)
        if old and old.boundaries and base_root
        else None
    )
    if before is None:
        return [f"boundaries: {len(after.keys):,} areas"]
    was = dict(zip(before.keys, before.names, strict=True))
    now = dict(zip(after.keys, after.names, strict=True))
    notes = []
    if was.keys() != now.keys():
        notes.append(f"boundaries: {len(was):,} areas → {len(now):,}")
    for word, keys in (("added", now.keys() - was.keys()), ("removed", was.keys() - now.keys())):
        if keys:
            shown = ", ".join(markdown_code(k) for k in sorted(keys)[:20])
            more = f" and {len(keys) - 20:,} more" if len(keys) > 20 else ""
            notes.append(f"boundaries: areas {word}: {shown}{more}")
    renamed = sorted(k for k in was.keys() & now.keys() if was[k] != now[k])
    if renamed:
        shown = ", ".join(
            f"{markdown_code(k)} {markdown_text(str(was[k]))} → {markdown_text(str(now[k]))}"
            for k in renamed[:20]
        )
        notes.append(f"boundaries: areas renamed: {shown}")
    return notes


def _compare_access(change: DatasetChange, old: Dataset | None, new: Dataset) -> None:
    """Anything becoming more public is an alert; less public, a note."""
    was = markdown_text(old.access_level) if old else ""
    now = markdown_text(new.access_level)
    if OPENNESS.get(new.access_level, -1) > OPENNESS.get(was, -1):
        change.alerts.append(f"access level {was} → **{now}**" if old else f"new **{now}** dataset")
    elif old and OPENNESS.get(new.access_level, -1) < OPENNESS.get(was, -1):
        change.notes.append(f"access level {was} → {now}")


def _compare_resource(
    change: DatasetChange,
    name: str,
    old: tuple[Dataset | None, Resource | None],
    new: tuple[Dataset, Resource | None],
    roots: tuple[Path | None, Path],
) -> None:
    (old_ds, o), (new_ds, n) = old, new
    o_prot = {f.name for f in o.schema.fields if f.protected} if o else set()
    n_prot = {f.name for f in n.schema.fields if f.protected} if n else set()
    for f in sorted(o_prot - n_prot):
        if n and n.schema.field_named(f):
            change.alerts.append(
                f"{markdown_code(name)}: column {markdown_code(f)} is **no longer protected**"
            )
    for f in sorted(n_prot - o_prot):
        change.notes.append(f"{markdown_code(name)}: column {markdown_code(f)} is now protected")
    if old_ds:
        for text, breaking in _schema_changes(o, n):
            change.schema.append((name, text, breaking))
    base_root, head_root = roots
    old_file = base_root / o.path if (o and base_root and old_ds and old_ds.is_public) else None
    new_file = head_root / n.path if (n and new_ds.is_public) else None
    diff = None
    if (
        o
        and n
        and old_file
        and new_file
        and not (is_lfs_pointer(old_file) or is_lfs_pointer(new_file))
    ):
        diff = _row_diff(old_file, o, new_file, n)  # it counts the rows too: each file read once
    rows_before = diff.rows_before if diff else count_rows(old_file) if old_file else None
    rows_after = diff.rows_after if diff else count_rows(new_file) if new_file else None
    if rows_before != rows_after or (diff and (diff.added or diff.removed or diff.changed)):
        change.rows.append((name, rows_before, rows_after, diff))


def _row_diff(old_file: Path, old: Resource, new_file: Path, new: Resource) -> RowDiff | None:
    """Rows added, removed and changed, over the published columns only (the engine of the
    change history); None if either file cannot be read."""
    same_key = old.schema.primary_key == new.schema.primary_key
    try:
        return diff_resource(
            old_file,
            [f.name for f in old.schema.public_fields],
            new_file,
            [f.name for f in new.schema.public_fields],
            key=new.schema.primary_key if same_key else (),
        )
    except (OSError, ValueError, UnreadableData, pa.ArrowException):
        return None


def _short(text: str, n: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def review(root: Path, ref: str) -> str:
    """The Markdown report of what changed between ``ref`` and the work tree."""
    head_loaded = load_catalog(root)
    touched = {
        "/".join(f.split("/")[1:3])
        for f in changed_files(root, ref)
        if f.startswith("datasets/") and f.count("/") >= 3
    }
    tmp = Path(tempfile.mkdtemp(prefix="catalog-review-"))
    try:
        base = base_catalog(root, ref, tmp)
        changes = compare(base, head_loaded.catalog, touched)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    wanted = [c.id for c in changes if c.kind != "removed"]
    problems = validate(head_loaded, wanted) if wanted else []
    by_dataset: dict[str, list[Problem]] = {}
    for p in problems:
        parts = p.path.split("/")
        key = "/".join(parts[1:3]) if len(parts) >= 3 and parts[0] == "datasets" else "(catalog)"
        by_dataset.setdefault(key, []).append(p)
    for c in changes:
        c.problems = by_dataset.pop(c.id, [])
    # what is left concerns datasets not changed themselves: maps drawn on changed boundaries
    elsewhere = [p for key in sorted(by_dataset) for p in by_dataset[key]]
    return render(changes, ref, elsewhere)


def render(changes: list[DatasetChange], ref: str, catalog_problems: list[Problem]) -> str:
    """The review report in Markdown, alerts first. ``catalog_problems``: those of
    catalog.yaml and of datasets not changed themselves (maps drawn on changed boundaries)."""
    out = [f"## Catalog review: changes since {markdown_code(ref)}", ""]
    if not changes:
        out.append("No dataset changed.")
    else:
        counts = {k: sum(c.kind == k for c in changes) for k in KINDS}
        errors = sum(
            p.severity == "error"
            for p in [*catalog_problems, *(p for c in changes for p in c.problems)]
        )
        verdict = "✅ passes" if not errors else f"❌ {errors} error(s)"
        out += [
            ", ".join(f"{n} {k}" for k, n in counts.items() if n) + f" · validation: {verdict}",
            "",
        ]
    alerts = [(c, a) for c in changes for a in c.alerts]
    if alerts:
        out += ["### ⚠️ Becoming more public — check each before merging", ""]
        out += [f"- **{markdown_text(c.id)}** ({markdown_text(c.title)}): {a}" for c, a in alerts]
        out.append("")
    for kind, heading in KINDS.items():
        group = [c for c in changes if c.kind == kind]
        if group:
            out += [f"### {heading}", ""]
            for c in group:
                out += _render_change(c)
    if catalog_problems:
        out += ["### Other problems", *_problems_table(catalog_problems), ""]
    return "\n".join(out).rstrip() + "\n"


KINDS = {"added": "Added", "changed": "Changed", "archived": "Archived", "removed": "Removed"}


def _render_change(c: DatasetChange) -> list[str]:
    status = "❌" if any(p.severity == "error" for p in c.problems) else "✅"
    out = [f"#### {status} {markdown_code(c.id)} — {markdown_text(c.title)}", ""]
    out += [f"- ⚠️ {a}" for a in c.alerts] + [f"- {n}" for n in c.notes]
    if c.metadata:
        out += _table(
            ("metadata", "before", "after"),
            [(k, markdown_cell(a), markdown_cell(b)) for k, a, b in c.metadata],
        )
    if c.schema:
        out += _table(
            ("resource", "schema change", "breaking"),
            [
                (markdown_code(r), t, "**breaking**" if b else "") for r, t, b in c.schema
            ],  # t: Markdown,
        )
    if c.rows:
        out += _table(
            ("resource", "rows before", "rows after", "added", "removed", "changed", "matched by"),
            [
                (markdown_code(r), _count_text(a), _count_text(b), *_diff_cells(d))
                for r, a, b, d in c.rows
            ],
        )
        out += [
            f"- {markdown_code(r)}: {markdown_text(note)}"
            for r, _, _, d in c.rows
            if d
            for note in d.notes
        ]
    if c.problems:
        out += _problems_table(c.problems[:50])
    return [*out, ""]


def _diff_cells(d: RowDiff | None) -> tuple[str, str, str, str]:
    if d is None:
        return ("—", "—", "—", "—")
    key = ", ".join(markdown_code(k) for k in d.key) if d.key else "whole rows"
    changed = _count_text(d.changed) if d.key else "—"
    return (_count_text(d.added), _count_text(d.removed), changed, key)


def _count_text(n: int | None) -> str:
    return "—" if n is None else f"{n:,}"


def _problems_table(problems: list[Problem]) -> list[str]:
    return _table(
        ("severity", "where", "problem"),
        [(p.severity, markdown_cell(p.location), markdown_cell(p.message)) for p in problems],
    )


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    return [
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(r) + " |" for r in rows),
    ]
