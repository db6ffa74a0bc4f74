"""Maps by area: boundary files, and the charts that colour their areas by a column.

A boundary dataset's file is checked by ``catalog.io.areas``. A chart that maps a column on
areas is checked against the boundary dataset it names: it exists, is public, its file is
usable, and every value of the area column is one of its areas' keys or names (a
"did you mean" for the others) — or is listed under the chart's ``others``.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

from catalog.core.model import Catalog, Chart, Dataset, Resource
from catalog.core.names import did_you_mean
from catalog.core.problems import Problem, problem
from catalog.io.areas import Areas, areas_of, normal
from catalog.io.blocks import CsvBatches, header_of, text_batches
from catalog.io.datafile import UnreadableData

AREA_CUTOFF = 0.8  # difflib ratio of a suggested area ('Hartfrod' → 'Hartford': 0.875)


def check_boundaries(catalog: Catalog, ds: Dataset) -> list[Problem]:
    """Problems of a boundary dataset's file (none when the dataset has none)."""
    b = ds.boundaries
    if b is None:
        return []
    areas = areas_of(Path(catalog.root), b, catalog.config.limits.boundary_mb)
    return list(areas.problems)


def mapped_on(catalog: Catalog, idents: set[str]) -> set[str]:
    """The datasets whose declared maps are drawn on one of the boundary datasets ``idents``."""
    return {d.id for d in catalog.datasets if any(c.boundaries in idents for c in d.charts)}


def boundaries_of(catalog: Catalog, ident: str) -> Areas | None:
    """The areas of boundary dataset ``ident`` (None if it has no boundary file)."""
    ds = catalog.dataset(ident)
    if ds is None or ds.boundaries is None:
        return None
    b = ds.boundaries
    return areas_of(Path(catalog.root), b, catalog.config.limits.boundary_mb)


def check_area_charts(
    catalog: Catalog, ds: Dataset, chart: Chart, res: Resource, bad: Callable[..., Problem]
) -> list[Problem]:
    """Problems of a map chart that names boundaries (areas coloured, or outlines)."""
    known = _known(catalog)
    if not chart.boundaries:
        return [bad("no-boundaries", "mark", known=known)]
    other = catalog.dataset(chart.boundaries)
    if other is None:
        ids = [d.id for d in catalog.datasets if d.boundaries]
        return [
            bad(
                "boundaries",
                "boundaries",
                name=chart.boundaries,
                suggestion=did_you_mean(chart.boundaries, ids),
                known=known,
            )
        ]
    if other.boundaries is None:
        return [bad("not-boundaries", "boundaries", name=other.id, known=known)]
    if not other.is_public:
        return [bad("boundaries-not-public", "boundaries", name=other.id)]
    areas = boundaries_of(catalog, other.id)
    if areas is None or not areas.usable:
        return [bad("unusable-boundaries", "boundaries", name=other.id, file=other.boundaries.path)]
    if not chart.area:
        return []
    names = [f.name for f in res.schema.public_fields]
    f = res.schema.field_named(chart.area)
    if f is None:
        suggestion = did_you_mean(chart.area, names)
        return [
            bad(
                "area-field",
                "area",
                name=chart.area,
                resource=res.name,
                suggestion=suggestion,
                names=", ".join(names),
            )
        ]
    if f.protected:
        return [bad("protected", "area", role="area", name=f.name)]
    return _scan_values(catalog, chart, res, areas, other)


def _known(catalog: Catalog) -> str:
    ids = sorted(d.id for d in catalog.datasets if d.boundaries and d.is_public)
    return f" ({', '.join(ids[:10])})" if ids else " (the catalog has none yet)"


def _scan_values(
    catalog: Catalog,
    chart: Chart,
    res: Resource,
    areas: Areas,
    boundary_ds: Dataset,
) -> list[Problem]:
    """Every value of the area column is an area (or one of ``others``): a problem at the
    first row of each value that is not."""
    import pyarrow as pa
    import pyarrow.compute as pc

    assert chart.area
    batches = text_columns(Path(catalog.root) / res.path, [chart.area])
    if batches is None:
        return []  # the data's own checks report it
    lookup = areas.lookup()
    skip = {normal(o) for o in chart.others} | {normal(m) for m in res.schema.missing_values}
    first: dict[str, tuple[str, int]] = {}  # normalised value → (as written, row)
    try:
        row = 2
        for batch in batches:
            col = batch.column(chart.area)
            for value, index in _first_rows(pc.utf8_trim_whitespace(col)):
                key = normal(value)
                if key not in lookup and key not in skip and key not in first:
                    first[key] = (value, row + index)
            row += batch.num_rows
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError, UnicodeDecodeError):
        return []  # the data's own checks report it
    cap = catalog.config.limits.max_problems_per_code
    labels = sorted({areas.label(i) for i in range(len(areas.keys))})
    out = [
        problem(
            "unknown-area",
            res.path,
            row=r,
            field=chart.area,
            column=chart.area,
            value=value,
            boundaries=boundary_ds.id,
            # a close spelling only: data by town is full of villages and other states'
            # cities (Amston, Bronx) that a looser match would "correct" to a town
            suggestion=did_you_mean(value, labels, AREA_CUTOFF) if len(labels) <= 5000 else "",
        )
        for value, r in sorted(first.values(), key=lambda x: x[1])[:cap]
    ]
    if len(first) > cap:
        out.append(
            problem(
                "more-problems:unknown-area",
                res.path,
                field=chart.area,
                column=chart.area,
                more=len(first) - cap,
                boundaries=boundary_ds.id,
            )
        )
    return out


def text_columns(file: Path, names: list[str]) -> CsvBatches | None:
    """The cells of columns ``names`` of a CSV as written, block by block; None when the
    file cannot be read so (its own checks say why)."""
    import pyarrow as pa

    try:
        header = header_of(file)
    except (OSError, UnicodeDecodeError, csv.Error, UnreadableData):
        return None
    if not header or any(n not in header for n in names) or len(set(header)) != len(header):
        return None
    try:
        return text_batches(file, header, sorted(set(names)))
    except (pa.ArrowInvalid, OSError):
        return None


def _first_rows(col: Any) -> list[tuple[str, int]]:
    """(value, index of its first row) of each distinct non-empty value of a text column."""
    import numpy as np
    import pyarrow.compute as pc

    positions = pc.index_in(col, value_set=pc.unique(col)).to_numpy(zero_copy_only=False)
    _, first = np.unique(positions, return_index=True)
    return [(v, i) for i in first.tolist() if (v := col[i].as_py())]
