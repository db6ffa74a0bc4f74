"""Boundary files: GeoJSON or TopoJSON areas read, checked and repaired.

A boundary dataset's file is read whole (its size is checked first against
``limits.boundary_mb``), TopoJSON is decoded to polygons, and every area is checked: a
polygon or multipolygon, longitude/latitude coordinates (WGS84), valid rings (or repaired
with shapely's ``make_valid``, and a warning), a key property unique across areas.
Problems name the file and the line of the area they concern, found by the key's text.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from catalog.core.model import Boundaries
from catalog.core.problems import Problem, problem
from catalog.io.datafile import is_lfs_pointer

POLYGONAL = ("Polygon", "MultiPolygon")
# longitude/latitude reference systems (a `crs` member of GeoJSON 2008): WGS84 and the
# NAD83 family, which TIGER/Line and state GIS files use; they differ by a metre or two
GEOGRAPHIC_CRS = ("CRS84", "CRS83", "4326", "4269", "4152", "6318", "4258")


@dataclass
class Areas:
    """The areas of one boundary file, in the file's order."""

    path: str  # relative to the catalog root
    version: tuple[int, int] = (0, 0)  # the file's size and modification time when read
    topojson: bool = False  # a TopoJSON Topology (else a GeoJSON FeatureCollection)
    keys: list[str] = field(default_factory=list)
    names: list[str | None] = field(default_factory=list)
    aliases: list[tuple[str, ...]] = field(default_factory=list)  # other names of each area
    geometries: list[Any] = field(default_factory=list)  # shapely (multi)polygons, repaired
    problems: list[Problem] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        """True when no problem of the file is an error: maps can be drawn from it."""
        return bool(self.keys) and not any(p.severity == "error" for p in self.problems)

    def lookup(self) -> dict[str, int]:
        """Area index by normalised key, and by normalised name where names are unique."""
        out: dict[str, int] = {}
        named = [
            {normal(n) for n in (name, *more) if n}
            for name, more in zip(self.names, self.aliases, strict=True)
        ]
        seen = Counter(n for names in named for n in names)
        for i, names in enumerate(named):
            for n in names:
                if seen[n] == 1:
                    out[n] = i
        for i, k in enumerate(self.keys):
            out[normal(k)] = i  # a key wins over a name that reads the same
        return out

    def label(self, i: int) -> str:
        """An area as people name it: its name, else its key."""
        return self.names[i] or self.keys[i]


def normal(value: object) -> str:
    """How area values are compared: text trimmed, its runs of spaces made one and
    case-folded, leading zeros of a number dropped (so 9110 in an integer column matches
    the key "09110", and "WEST  HAVEN" West Haven)."""
    text = " ".join(str(value).split()).casefold()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    return text.lstrip("0") or "0" if text.isdigit() else text


def read_areas(
    root: Path,
    path: str,
    key: str,
    name: str | None,
    max_mb: float,
    aliases: tuple[str, ...] = (),
) -> Areas:
    """The areas of ``root/path``, with the problems found (none fatal to the caller)."""
    return _read(str(root), path, key, name, aliases, max_mb, _stamp(root / path))


def areas_of(root: Path, b: Boundaries, max_mb: float) -> Areas:
    """The areas of a dataset's boundary file."""
    return read_areas(root, b.path, b.key, b.name, max_mb, b.aliases)


def _stamp(file: Path) -> tuple[int, int]:
    try:
        st = file.stat()
    except OSError:
        return (-1, -1)
    return (st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=8)
def _read(
    root: str,
    path: str,
    key: str,
    name: str | None,
    aliases: tuple[str, ...],
    max_mb: float,
    stamp: tuple[int, int],
) -> Areas:
    """Read once per process and file version: validation and every map of a build share it."""
    areas = Areas(path, stamp)
    found = _document(Path(root) / path, path, stamp[0], max_mb)
    if isinstance(found, Problem):
        areas.problems.append(found)
        return areas
    text, doc = found
    areas.topojson = isinstance(doc, dict) and doc.get("type") == "Topology"
    features = _features(doc, text, path)
    if isinstance(features, Problem):
        areas.problems.append(features)
    elif not features:
        areas.problems.append(problem("invalid-boundaries:empty", path, line=1))
    else:
        _check_features(areas, text, features, key, name, aliases)
    return areas


def read_features(file: Path, max_mb: float) -> list[Any] | Problem:
    """The GeoJSON features of a boundary file (TopoJSON decoded), or why they cannot be read
    (the problem's path is the file's name)."""
    size = file.stat().st_size if file.is_file() else -1
    found = _document(file, file.name, size, max_mb)
    if isinstance(found, Problem):
        return found
    text, doc = found
    return _features(doc, text, file.name)


def _document(file: Path, path: str, size: int, max_mb: float) -> tuple[str, Any] | Problem:
    """The file's text and JSON value, or the problem that stops reading it."""

    def bad(code: str, line: int | None = None, **values: Any) -> Problem:
        return problem(f"invalid-boundaries:{code}", path, line=line, **values)

    if size < 0 or not file.is_file():
        return bad("missing", file=file.name)
    if size > max_mb * 1e6:
        return bad("too-large", size=size / 1e6, limit=max_mb)
    if is_lfs_pointer(file):
        return problem("file-unreadable:lfs-pointer", path, line=1, file=file.name)
    try:
        text = file.read_text("utf-8-sig")
    except UnicodeDecodeError as exc:
        return bad("encoding", line=_line_at(file.read_bytes(), exc.start), error=exc.reason)
    try:
        return text, json.loads(text, parse_constant=_not_json)
    except json.JSONDecodeError as exc:
        return bad("json", line=exc.lineno, error=exc.msg, column=exc.colno)
    except _NotJson as exc:
        return bad("json", line=_line_of(text, exc.name), error=str(exc), column="-")
    except RecursionError:
        return bad("json", line=1, error="arrays nested too deeply", column="-")


def _features(doc: Any, text: str, path: str) -> list[Any] | Problem:
    """The GeoJSON features of a FeatureCollection or a decoded Topology."""
    kind = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
    if kind == "Topology":
        try:
            return topology_features(doc)
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            return problem("invalid-boundaries:topojson", path, error=_why(exc))
    if kind == "FeatureCollection" and isinstance(doc.get("features"), list):
        crs = _crs_name(doc.get("crs"))
        if crs and not any(crs.endswith(w) for w in GEOGRAPHIC_CRS):
            line = _line_of(text, '"crs"')
            return problem(
                "invalid-boundaries:projected", path, line=line, where=f"its crs is {crs}"
            )
        return list(doc["features"])
    return problem("invalid-boundaries:type", path, line=1, found=str(kind))


def _check_features(
    areas: Areas,
    text: str,
    features: list[Any],
    key: str,
    name: str | None,
    aliases: tuple[str, ...] = (),
) -> None:
    import shapely
    from shapely.geometry import shape

    finder = _Lines(text, key)
    first: dict[str, int] = {}
    missing_key = 0
    no_key: Problem | None = None
    for i, f in enumerate(features):
        props = f.get("properties") if isinstance(f, dict) else None
        props = props if isinstance(props, dict) else {}
        value = props.get(key)
        if value is None or value == "":
            missing_key += 1
            if no_key is None:
                no_key = problem(
                    "invalid-boundaries:no-key",
                    areas.path,
                    line=finder.nth_feature(i),
                    number=i + 1,
                    key=key,
                    found=", ".join(sorted(props)) or "no properties",
                )
                areas.problems.append(no_key)
            continue
        k = str(value)
        line = finder.of_value(value)
        if normal(k) in first:
            areas.problems.append(
                problem(
                    "invalid-boundaries:duplicate-key",
                    areas.path,
                    line=line,
                    key=key,
                    value=k,
                    other=first[normal(k)],
                )
            )
            continue
        geometry = f.get("geometry") if isinstance(f, dict) else None
        gtype = geometry.get("type") if isinstance(geometry, dict) else None
        if gtype not in POLYGONAL:
            areas.problems.append(
                problem(
                    "invalid-boundaries:geometry", areas.path, line=line, value=k, found=str(gtype)
                )
            )
            continue
        try:
            shp = shape(geometry)
        except Exception as exc:  # noqa: BLE001 — shapely's readers raise many kinds on bad input
            areas.problems.append(
                problem(
                    "invalid-boundaries:coordinates",
                    areas.path,
                    line=line,
                    value=k,
                    error=_why(exc),
                )
            )
            continue
        minx, miny, maxx, maxy = shp.bounds if not shp.is_empty else (0, 0, 0, 0)
        if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)) or (
            minx < -180 or maxx > 180 or miny < -90 or maxy > 90
        ):
            areas.problems.append(
                problem(
                    "invalid-boundaries:projected",
                    areas.path,
                    line=line,
                    where=f"area {k!r} spans x {minx:g}…{maxx:g}, y {miny:g}…{maxy:g}",
                )
            )
            return  # one projected area means they all are: no more noise
        if shp.is_empty:
            areas.problems.append(
                problem(
                    "invalid-boundaries:coordinates", areas.path, line=line, value=k, error="empty"
                )
            )
            continue
        if not shp.is_valid:
            reason = shapely.is_valid_reason(shp)
            shp = _polygonal(shapely.make_valid(shp))
            areas.problems.append(
                problem("boundary-repaired", areas.path, line=line, value=k, reason=reason)
            )
        first[normal(k)] = line or 0
        areas.keys.append(k)
        label = props.get(name) if name else None
        areas.names.append(str(label) if label not in (None, "") else None)
        areas.aliases.append(
            tuple(str(props[a]) for a in aliases if props.get(a) not in (None, ""))
        )
        areas.geometries.append(shp)
    if missing_key and missing_key == len(features):  # the key is wrong, not the areas
        areas.problems[:] = [p for p in areas.problems if p is not no_key] + [
            problem(
                "invalid-boundaries:key",
                areas.path,
                line=1,
                key=key,
                found=", ".join(sorted(_property_names(features))) or "none",
            )
        ]


class _NotJson(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(f"{name} is not a number JSON allows")
        self.name = name


def _not_json(name: str) -> Any:
    """Python's reader takes NaN and Infinity; JSON (and so GeoJSON) has no such numbers."""
    raise _NotJson(name)


def _polygonal(geom: Any) -> Any:
    """The polygons of a repaired geometry (make_valid may add the lines of a bow-tie)."""
    from shapely.geometry import MultiPolygon, Polygon

    if isinstance(geom, (Polygon, MultiPolygon)):
        return geom
    parts: list[Polygon] = []
    for g in getattr(geom, "geoms", []):
        if isinstance(g, Polygon):
            parts.append(g)
        elif isinstance(g, MultiPolygon):
            parts.extend(g.geoms)
    return MultiPolygon(parts)


def _property_names(features: list[Any]) -> set[str]:
    out: set[str] = set()
    for f in features[:50]:
        props = f.get("properties") if isinstance(f, dict) else None
        if isinstance(props, dict):
            out.update(str(k) for k in props)
    return out


def _crs_name(crs: Any) -> str | None:
    if isinstance(crs, dict):
        props = crs.get("properties")
        name = props.get("name") if isinstance(props, dict) else None
        if isinstance(name, str):
            return name
    return None


def _why(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:200]


def _line_at(data: bytes | str, offset: int) -> int:
    if isinstance(data, bytes):
        return data[:offset].count(b"\n") + 1
    return data[:offset].count("\n") + 1


def _line_of(text: str, needle: str) -> int | None:
    at = text.find(needle)
    return _line_at(text, at) if at >= 0 else None


class _Lines:
    """Lines of areas in the file's text: where the key property holds a value."""

    def __init__(self, text: str, key: str) -> None:
        self.text = text
        self.key = json.dumps(key)
        self.seen: dict[str, int] = {}

    def of_value(self, value: object) -> int | None:
        """The line of the next occurrence of ``"key": value`` (the nth for the nth area
        with that value, so a duplicate points at its own line)."""
        pattern = (
            re.escape(self.key) + r"\s*:\s*" + re.escape(json.dumps(value, ensure_ascii=False))
        )
        start = self.seen.get(pattern, 0)
        m = re.compile(pattern).search(self.text, start)
        if m is None:
            return None
        self.seen[pattern] = m.end()
        return _line_at(self.text, m.start())

    def nth_feature(self, i: int) -> int | None:
        """The line of the ``i``-th area found by its geometry's "type" (a best guess)."""
        found = -1
        for n, m in enumerate(re.finditer(r'"type"\s*:\s*"(Multi)?Polygon"', self.text)):
            if n == i:
                found = m.start()
                break
        return _line_at(self.text, found) if found >= 0 else None


# --- TopoJSON ----------------------------------------------------------------------------


def topology_features(topo: dict[str, Any]) -> list[dict[str, Any]]:
    """The features of a TopoJSON topology's first object, as GeoJSON (arcs decoded)."""
    objects = topo["objects"]
    if not isinstance(objects, dict) or not objects:
        raise ValueError("the topology has no objects")
    transform = topo.get("transform")
    arcs = [_decode_arc(a, transform) for a in topo["arcs"]]

    def ring(indexes: list[int]) -> list[list[float]]:
        out: list[list[float]] = []
        for i in indexes:
            arc = arcs[i] if i >= 0 else arcs[~i][::-1]
            out.extend(arc if not out else arc[1:])
        return out

    def geometry(g: dict[str, Any]) -> dict[str, Any] | None:
        t = g.get("type")
        if t == "Polygon":
            return {"type": t, "coordinates": [ring(r) for r in g["arcs"]]}
        if t == "MultiPolygon":
            return {"type": t, "coordinates": [[ring(r) for r in p] for p in g["arcs"]]}
        return {"type": t} if t else None

    obj = next(iter(objects.values()))
    members = obj["geometries"] if obj.get("type") == "GeometryCollection" else [obj]
    return [
        {
            "type": "Feature",
            "properties": {**(g.get("properties") or {}), **({"id": g["id"]} if "id" in g else {})},
            "geometry": geometry(g),
        }
        for g in members
    ]


def _decode_arc(arc: list[list[float]], transform: dict[str, Any] | None) -> list[list[float]]:
    if not transform:
        return [[float(p[0]), float(p[1])] for p in arc]
    (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
    x = y = 0.0
    out = []
    for p in arc:
        x += p[0]
        y += p[1]
        out.append([x * sx + tx, y * sy + ty])
    return out
