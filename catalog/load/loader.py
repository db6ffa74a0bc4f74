"""Load: read catalog.yaml, every agency.yaml and dataset.yaml into the frozen model.

Loading checks structure (JSON Schema of each file, slugs, safe paths, duplicate names)
and returns problems as values; it builds a model object even from a file with problems
where it can, so that validation can still report everything in one run.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Collection, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from catalog.core import contract
from catalog.core.errors import CatalogError
from catalog.core.model import (
    Agency,
    Boundaries,
    Catalog,
    Chart,
    Config,
    Dataset,
    Encoding,
    Exemption,
    Field,
    Harvested,
    Limits,
    Link,
    Person,
    Resource,
    Schema,
    Socrata,
)
from catalog.core.names import SLUG, slugify
from catalog.core.problems import Problem, problem
from catalog.core.yamlfile import (
    MAX_DEPTH,
    MAX_YAML_BYTES,
    KeyPath,
    Lines,
    YamlDoc,
    nested_too_deep,
    read_yaml,
)
from catalog.load import structure
from catalog.load.memo import Memo

DATA_SUFFIXES = {
    ".csv",
    ".tsv",
    ".txt",
    ".xlsx",
    ".xls",
    ".parquet",
    ".zip",
    ".gz",
    ".zst",
    ".json",
    ".geojson",
    ".ndjson",
    ".sqlite",
    ".db",
}
META_FILES = {"dataset.yaml", "README.md", ".gitkeep"}


class CatalogNotFound(CatalogError):
    """No catalog.yaml at or above the given folder."""


@dataclass(frozen=True)
class Loaded:
    """The loaded catalog and the problems loading found."""

    catalog: Catalog
    problems: tuple[Problem, ...]


def find_root(start: Path) -> Path:
    """The folder holding catalog.yaml, at ``start`` or above it."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / "catalog.yaml").is_file():
            return folder
    raise CatalogNotFound(f"no catalog.yaml in {start} or any folder above it")


def rel(root: Path, path: Path) -> str:
    """``path`` relative to the catalog root, as a POSIX string, for messages."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


# the memo of the load under way (see catalog/load/memo.py); None: no memo
_MEMO: ContextVar[Memo | None] = ContextVar("catalog_load_memo", default=None)


def _read_json(file: Path, where: str) -> tuple[Any, list[Problem]]:
    """A JSON Table Schema file's value, or the problems that stopped it (as for YAML: at
    most MAX_YAML_BYTES, nested at most MAX_DEPTH levels)."""
    try:
        size = file.stat().st_size
        if size > MAX_YAML_BYTES:
            return None, [
                problem("file-unreadable:json-size", where, size=size, limit=MAX_YAML_BYTES)
            ]
        data = json.loads(file.read_text("utf-8"))
    except RecursionError:
        return None, [problem("yaml-syntax:too-deep", where, limit=MAX_DEPTH)]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        return None, [problem("invalid-table-schema:json", where, line=line, error=exc)]
    if nested_too_deep(data):
        return None, [problem("yaml-syntax:too-deep", where, limit=MAX_DEPTH)]
    return data, []


def _checked(
    file: Path, rel_path: str, kind: str
) -> tuple[YamlDoc | None, list[Problem], list[Problem]]:
    """(document, read problems, structure problems) of a YAML file of ``kind`` ("catalog",
    "agency", "dataset", "table-schema"), or the memo's for the same bytes."""
    memo = _MEMO.get()
    try:  # a file over the size limit is refused by read_yaml, unhashed
        small = file.stat().st_size <= MAX_YAML_BYTES
        digest = hashlib.blake2b(file.read_bytes(), digest_size=16).hexdigest() if small else ""
    except OSError:
        digest = ""
    key = f"{kind}:{rel_path}"
    if memo is not None and digest and key in memo and memo[key][0] == digest:
        _, doc, read_problems, found = memo[key]
        return doc, list(read_problems), list(found)
    doc, read_problems = read_yaml(file, rel_path)
    found = structure.check(doc, kind) if doc is not None and isinstance(doc.data, dict) else []
    if memo is not None and digest:
        memo[key] = (digest, doc, read_problems, found)
    return doc, read_problems, found


def dataset_ids(root: Path) -> list[str]:
    """The ids of the dataset folders under ``datasets/``, from the folder listing alone."""
    base = root / "datasets"
    if not base.is_dir():
        return []
    agencies = [a for a in base.iterdir() if a.is_dir() and not a.name.startswith(".")]
    return sorted(
        f"{a.name}/{d.name}"
        for a in agencies
        for d in a.iterdir()
        if d.is_dir() and not d.name.startswith(".")
    )


def load_catalog(
    root: Path, memo: Memo | None = None, only: Collection[str] | None = None
) -> Loaded:
    """Load the catalog at ``root``. ``memo`` lets unchanged YAML files skip parsing and
    checking; ``only`` (dataset ids) leaves the other datasets unread (catalog.yaml and
    every agency are still loaded, for the catalog-wide rules)."""
    token = _MEMO.set(memo)
    try:
        return _load_catalog(root, set(only) if only is not None else None)
    finally:
        _MEMO.reset(token)


def _load_catalog(root: Path, only: set[str] | None) -> Loaded:
    root = root.resolve()
    problems: list[Problem] = []
    config = _load_config(root, problems)
    agencies: list[Agency] = []
    datasets: list[Dataset] = []
    base = root / "datasets"
    if not base.is_dir():
        problems.append(problem("file-missing:datasets-folder", "datasets"))
    else:
        for agency_dir in sorted(p for p in base.iterdir()):
            if agency_dir.name.startswith("."):
                continue
            if not agency_dir.is_dir():
                if agency_dir.name != "README.md":
                    problems.append(
                        problem("stray-file", rel(root, agency_dir), name=agency_dir.name)
                    )
                continue
            agency = _load_agency(root, agency_dir, problems)
            if agency:
                agencies.append(agency)
            for ds_dir in sorted(
                p for p in agency_dir.iterdir() if p.is_dir() and not p.name.startswith(".")
            ):
                if only is not None and f"{agency_dir.name}/{ds_dir.name}" not in only:
                    continue
                ds = _load_dataset(root, agency_dir.name, ds_dir, problems)
                if ds:
                    datasets.append(ds)
    if only is not None and base.is_dir():
        datasets += _map_context(root, config, datasets, problems)
    return Loaded(Catalog(str(root), config, tuple(agencies), tuple(datasets)), tuple(problems))


def _map_context(
    root: Path, config: Config, datasets: list[Dataset], problems: list[Problem]
) -> list[Dataset]:
    """With ``only``, the other datasets maps tie to the chosen ones: the boundary datasets
    their charts (and catalog.yaml's map_outlines) name, and the datasets whose maps are
    drawn on a chosen boundary dataset (found by its id in their dataset.yaml's text)."""
    have = {d.id for d in datasets}
    wanted = {c.boundaries for d in datasets for c in d.charts if c.boundaries}
    if config.map_outlines:
        wanted.add(config.map_outlines)
    shapes = [d.id for d in datasets if d.boundaries]
    if shapes:
        for meta in sorted((root / "datasets").glob("*/*/dataset.yaml")):
            ident = f"{meta.parent.parent.name}/{meta.parent.name}"
            if ident not in have and any(s.encode() in meta.read_bytes() for s in shapes):
                wanted.add(ident)
    out = []
    for ident in sorted(wanted - have):
        folder = root / "datasets" / ident
        if "/" in ident and (folder / "dataset.yaml").is_file():
            ds = _load_dataset(root, ident.split("/")[0], folder, problems)
            if ds:
                out.append(ds)
    return out


# --- catalog.yaml ------------------------------------------------------------------------


def _person(d: dict[str, Any], role: str) -> Person:
    """A role's name (the role itself when none is given), mailbox and handle."""
    return Person(_str(d.get("name")) or role, _str(d.get("email")), _str(d.get("handle")))


def _folder_url(url: str | None) -> str | None:
    return url.rstrip("/") + "/" if url else None


def _load_config(root: Path, problems: list[Problem]) -> Config:
    doc, found, structure_problems = _checked(root / "catalog.yaml", "catalog.yaml", "catalog")
    problems.extend(found)
    if doc is None:
        return Config(
            title="Open Data",
            base_url="http://localhost/",
            licenses=contract.DEFAULT_LICENSES,
            categories=contract.DEFAULT_CATEGORIES,
        )
    problems.extend(structure_problems)
    d = doc.data
    limits = _dict(d.get("limits"))
    cdo = _dict(d.get("cdo"))
    return Config(
        title=_str(d.get("title")) or "Open Data",
        base_url=(_str(d.get("base_url")) or "http://localhost/").rstrip("/") + "/",
        files_url=_folder_url(_str(d.get("files_url"))),
        description=_str(d.get("description")) or "",
        publisher=_str(d.get("publisher")) or "State of Connecticut",
        language=_str(d.get("language")) or "en",
        default_license=_str(d.get("default_license")) or "CC0-1.0",
        licenses=_strs(d.get("licenses")) or contract.DEFAULT_LICENSES,
        categories=_strs(d.get("categories")) or contract.DEFAULT_CATEGORIES,
        cdo=_person(cdo, "Chief Data Officer") if cdo else None,
        repository=_str(d.get("repository")) or "public",
        repository_url=_str(d.get("repository_url")),
        list_non_public=d.get("list_non_public", True) is not False,
        keep_old_files=d.get("keep_old_files") is True,
        map_outlines=_str(d.get("map_outlines")),
        limits=_limits(limits),
        bureau_code=_str(d.get("bureau_code")),
        program_code=_str(d.get("program_code")),
        lines=doc.lines,
    )


def _limits(given: dict[str, Any]) -> Limits:
    """catalog.yaml's limits over the defaults (values of the wrong type are reported by
    the schema check and left at their defaults here)."""
    values: dict[str, Any] = {}
    for f in dataclasses.fields(Limits):
        value: Any = given.get(f.name)
        if _num(value):
            values[f.name] = int(value) if f.type in ("int", int) else float(value)
    return Limits(**values)


# --- agency.yaml -------------------------------------------------------------------------


def _load_agency(root: Path, folder: Path, problems: list[Problem]) -> Agency | None:
    where = rel(root, folder)
    if not SLUG.match(folder.name):
        problems.append(
            problem(
                "folder-not-slug", where, kind="agency", name=folder.name, slug=slugify(folder.name)
            )
        )
        return None
    file = folder / "agency.yaml"
    if not file.is_file():
        problems.append(problem("agency-yaml-missing", rel(root, file), name=folder.name))
        return None
    doc, found, structure_problems = _checked(file, rel(root, file), "agency")
    problems.extend(found)
    if doc is None:
        return None
    problems.extend(structure_problems)
    d = doc.data
    officer = _dict(d.get("data_officer"))
    return Agency(
        slug=folder.name,
        name=_str(d.get("name")) or folder.name,
        abbreviation=_str(d.get("abbreviation")) or folder.name.upper(),
        website=_str(d.get("website")) or "",
        description=_str(d.get("description")) or "",
        data_officer=_person(officer, "Agency Data Officer"),
        path=doc.path,
    )


# --- dataset.yaml ------------------------------------------------------------------------


def _load_dataset(root: Path, agency: str, folder: Path, problems: list[Problem]) -> Dataset | None:
    where = rel(root, folder)
    file = folder / "dataset.yaml"
    if not file.is_file():
        problems.append(
            problem(
                "file-missing:dataset-yaml",
                rel(root, file),
                folder=where,
                ident=f"{agency}/{folder.name}",
            )
        )
        return None
    if not SLUG.match(folder.name):
        problems.append(
            problem(
                "folder-not-slug",
                where,
                kind="dataset",
                name=folder.name,
                slug=slugify(folder.name),
            )
        )
        return None
    doc, read_problems, found = _checked(file, rel(root, file), "dataset")
    problems.extend(read_problems)
    if doc is None:
        return None
    problems.extend(found)
    d = doc.data
    resources = _load_resources(root, folder, doc, problems, doc_ok=not _errors(found))
    charts = _load_charts(doc, problems)
    contact = _dict(d.get("contact"))
    tc = _dict(d.get("temporal_coverage"))
    return Dataset(
        id=f"{agency}/{folder.name}",
        agency=agency,
        slug=folder.name,
        folder=where,
        path=doc.path,
        title=_str(d.get("title")) or folder.name,
        description=_str(d.get("description")) or "",
        category=_str(d.get("category")) or "",
        keywords=_strs(d.get("keywords")),
        update_frequency=_str(d.get("update_frequency")) or "",
        access_level=_str(d.get("access_level")) or "",
        contact=Person(_str(contact.get("name")) or "", _str(contact.get("email"))),
        rights=_str(d.get("rights")),
        exemptions=tuple(
            Exemption(
                _str(e.get("authority")) or "",
                _str(e.get("category")) or "",
                _str(e.get("note")) or "",
            )
            for e in _list(d.get("exemptions"))
            if isinstance(e, dict)
        ),
        access_url=_str(d.get("access_url")),
        license=_str(d.get("license")),
        attribution=_str(d.get("attribution")),
        row_label=_str(d.get("row_label")),
        geographic_unit=_str(d.get("geographic_unit")),
        temporal_coverage={"start": _str(tc.get("start")), "end": _str(tc.get("end"))}
        if tc
        else None,
        spatial=d.get("spatial"),
        source_link=_str(d.get("source_link")),
        references=_strs(d.get("references")),
        issued=_str(d.get("issued")),
        status=_str(d.get("status")) or "published",
        default_chart=d.get("default_chart", True) is not False,
        resources=resources,
        charts=charts,
        lines=doc.lines,
        data_files=tuple(rel(root, p) for p in _data_files(folder)),
        socrata=_socrata(_dict(d.get("socrata"))),
        harvested=_harvested(_dict(d.get("harvested"))),
        boundaries=_boundaries(root, folder, doc, problems),
    )


def _boundaries(
    root: Path, folder: Path, doc: YamlDoc, problems: list[Problem]
) -> Boundaries | None:
    d = _dict(doc.data.get("boundaries"))
    written, key = _str(d.get("path")), _str(d.get("key"))
    if not written or not key:
        return None
    reason = unsafe_reason(folder, written)
    if reason:
        problems.append(
            problem(
                "unsafe-path:boundaries",
                doc.path,
                line=doc.lines.of(("boundaries", "path")),
                path=written,
                reason=reason,
            )
        )
        return None
    return Boundaries(
        rel(root, folder / written), written, key, _str(d.get("name")), _strs(d.get("aliases"))
    )


def _socrata(d: dict[str, Any]) -> Socrata | None:
    ident = _str(d.get("id"))
    if not ident:
        return None
    fields = {str(k): v for k, v in _dict(d.get("fields")).items() if isinstance(v, str)}
    return Socrata(ident, _str(d.get("path")), fields)


def _harvested(d: dict[str, Any]) -> Harvested | None:
    source, ident = _str(d.get("from")), _str(d.get("identifier"))
    if not source or not ident:
        return None
    links = tuple(
        Link(
            _str(x.get("title")) or "Data",
            url,
            _str(x.get("media_type")) or "",
            _str(x.get("kind")) or "download",
        )
        for x in _list(d.get("distributions"))
        if isinstance(x, dict) and (url := _str(x.get("url")))
    )
    return Harvested(source, ident, links)


def _data_files(folder: Path) -> Iterable[Path]:
    for p in sorted(folder.rglob("*")):
        if p.is_file() and p.suffix.lower() in DATA_SUFFIXES and p.name not in META_FILES:
            yield p


def unsafe_reason(folder: Path, written: str) -> str | None:
    """Why ``written`` (a path from dataset.yaml) may not be used, or None if it is safe."""
    if "\\" in written or PureWindowsPath(written).drive:
        return "uses backslashes or a drive letter"
    pure = PurePosixPath(written)
    if pure.is_absolute():
        return "is absolute"
    if ".." in pure.parts:
        return "contains '..'"
    current = folder
    for part in pure.parts:
        current = current / part
        if current.is_symlink():
            return "goes through a symbolic link"
    try:
        current.resolve().relative_to(folder.resolve())
    except ValueError:
        return "leaves the dataset folder"
    return None


def _load_resources(
    root: Path, folder: Path, doc: YamlDoc, problems: list[Problem], *, doc_ok: bool
) -> tuple[Resource, ...]:
    out: list[Resource] = []
    seen: set[str] = set()
    for i, r in enumerate(_list(doc.data.get("resources"))):
        if not isinstance(r, dict):
            continue
        name, written = _str(r.get("name")), _str(r.get("path"))
        if not name or not written:
            continue
        if name in seen:
            problems.append(
                problem(
                    "duplicate-identifier:resource",
                    doc.path,
                    line=doc.lines.of(("resources", i, "name")),
                    name=name,
                )
            )
            continue
        seen.add(name)
        reason = unsafe_reason(folder, written)
        if reason:
            problems.append(
                problem(
                    "unsafe-path:resource",
                    doc.path,
                    line=doc.lines.of(("resources", i, "path")),
                    path=written,
                    reason=reason,
                )
            )
            continue
        schema = _load_schema(
            root, folder, doc, r.get("schema"), ("resources", i, "schema"), problems, doc_ok=doc_ok
        )
        if schema is None:
            continue
        out.append(
            Resource(
                name=name,
                path=rel(root, folder / written),
                file=written,
                title=_str(r.get("title")) or name,
                description=_str(r.get("description")) or "",
                schema=schema,
                index=i,
            )
        )
    return tuple(out)


def _load_schema(
    root: Path,
    folder: Path,
    doc: YamlDoc,
    value: Any,
    key: KeyPath,
    problems: list[Problem],
    *,
    doc_ok: bool,
) -> Schema | None:
    if isinstance(value, str):
        reason = unsafe_reason(folder, value)
        if reason:
            problems.append(
                problem(
                    "unsafe-path:schema",
                    doc.path,
                    line=doc.lines.of(key),
                    path=value,
                    reason=reason,
                )
            )
            return None
        file = folder / value
        if not file.is_file():
            problems.append(
                problem("file-missing:schema", doc.path, line=doc.lines.of(key), path=value)
            )
            return None
        checked: list[Problem] | None = None  # a YAML file's structure problems, from _checked
        if file.suffix.lower() == ".json":
            data, found = _read_json(file, rel(root, file))
            if found:
                problems.extend(found)
                return None
            sdoc = YamlDoc(rel(root, file), data, Lines({(): 1}))
        else:
            parsed, found, checked = _checked(file, rel(root, file), "table-schema")
            problems.extend(found)
            if parsed is None:
                return None
            sdoc = parsed
        if not isinstance(sdoc.data, dict):
            problems.append(problem("invalid-table-schema:not-mapping", sdoc.path, line=1))
            return None
        found = checked if checked is not None else structure.check(sdoc, "table-schema")
        problems.extend(found)
        return _schema(sdoc.data, sdoc.path, (), sdoc, problems, well_formed=not _errors(found))
    if isinstance(value, dict):
        # structure problems of an inline schema are reported with the dataset.yaml's
        well_formed = doc_ok or not _errors(
            structure.check(YamlDoc(doc.path, value, doc.lines), "table-schema")
        )
        return _schema(value, None, key, doc, problems, well_formed=well_formed)
    return None


def _schema(
    d: dict[str, Any],
    path: str | None,
    key: KeyPath,
    doc: YamlDoc,
    problems: list[Problem],
    *,
    well_formed: bool,
) -> Schema:
    fields: list[Field] = []
    seen: dict[str, str] = {}  # casefolded → as written
    names: set[str] = set()
    for i, f in enumerate(_list(d.get("fields"))):
        if not isinstance(f, dict) or not _str(f.get("name")):
            continue
        name = str(f["name"])
        if name in names:
            problems.append(
                problem(
                    "duplicate-identifier:field",
                    doc.path,
                    line=doc.lines.of((*key, "fields", i, "name")),
                    field=name,
                    name=name,
                )
            )
            continue
        if name.casefold() in seen:
            problems.append(
                problem(
                    "duplicate-identifier:field-case",
                    doc.path,
                    line=doc.lines.of((*key, "fields", i, "name")),
                    field=name,
                    first=seen[name.casefold()],
                    name=name,
                )
            )
        seen[name.casefold()] = name
        names.add(name)
        fields.append(
            Field(
                name=name,
                type=_str(f.get("type")) or "string",  # Table Schema's default type
                format=_str(f.get("format")),
                title=_str(f.get("title")),
                description=_str(f.get("description")),
                constraints=_dict(f.get("constraints")),
                protected=f.get("protected") is True,
                exemption=_str(f.get("exemption")),
                min_cell=f.get("min_cell") if isinstance(f.get("min_cell"), int) else None,
                unit=_str(f.get("unit")),
                descriptor={**f, "name": name},
            )
        )
    pk = d.get("primaryKey")
    missing = d.get("missingValues")
    return Schema(
        fields=tuple(fields),
        primary_key=(pk,) if isinstance(pk, str) else tuple(str(k) for k in _list(pk)),
        missing_values=tuple(str(m) for m in missing) if isinstance(missing, list) else ("",),
        descriptor=d,
        path=path,
        key_path=key,
        well_formed=well_formed,
    )


# --- charts ------------------------------------------------------------------------------


def _encoding(value: Any) -> Encoding | None:
    if isinstance(value, str) and value:
        return Encoding(field=value)
    if isinstance(value, dict) and _str(value.get("field")):
        return Encoding(
            field=str(value["field"]),
            aggregate=_str(value.get("aggregate")),
            time_unit=_str(value.get("timeUnit")),
            type=_str(value.get("type")),
            title=_str(value.get("title")),
            sort=_str(value.get("sort")),
        )
    if isinstance(value, dict) and value.get("aggregate") == "count":
        return Encoding(field="", aggregate="count", title=_str(value.get("title")))
    return None


def _load_charts(doc: YamlDoc, problems: list[Problem]) -> tuple[Chart, ...]:
    out: list[Chart] = []
    slugs: set[str] = set()
    for i, c in enumerate(_list(doc.data.get("charts"))):
        if not isinstance(c, dict):
            continue
        title = _str(c.get("title")) or f"Chart {i + 1}"
        slug = slugify(title) or f"chart-{i + 1}"
        while slug in slugs:
            slug += f"-{i + 1}"
        slugs.add(slug)
        out.append(
            Chart(
                resource=_str(c.get("resource")) or "",
                mark=_str(c.get("mark")) or "bar",
                title=title,
                description=_str(c.get("description")) or "",
                x=_encoding(c.get("x")),
                y=_encoding(c.get("y")),
                color=_encoding(c.get("color")),
                latitude=_str(c.get("latitude")),
                longitude=_str(c.get("longitude")),
                area=_str(c.get("area")),
                boundaries=_str(c.get("boundaries")),
                filter=tuple(
                    (str(k), v)
                    for k, v in _dict(c.get("filter")).items()
                    if isinstance(v, (str, int, float, bool))
                ),
                midpoint=_number(c.get("midpoint")),
                others=_strs(c.get("others")),
                index=i,
                slug=slug,
            )
        )
    return tuple(out)


# --- small helpers -----------------------------------------------------------------------


def _number(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def _str(v: Any) -> str | None:
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, (str, int, float)):
        return str(v)
    return None


def _strs(v: Any) -> tuple[str, ...]:
    return (
        tuple(str(x) for x in v if isinstance(x, (str, int, float)) and not isinstance(x, bool))
        if isinstance(v, list)
        else ()
    )


def _dict(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def _list(v: Any) -> list[Any]:
    return v if isinstance(v, list) else []


def _errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def _num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)
