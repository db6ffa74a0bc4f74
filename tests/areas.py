"""Generated boundary files for the area-map tests and benchmarks: a grid of areas over
Connecticut's extent whose shared borders wiggle, written as GeoJSON (coordinates in WGS84).

Neighbouring areas share each border's points exactly, as real boundary files do, so a
topology (TopoJSON) finds them shared.  ``detail`` is the number of points per border:
about 500 make a 10 MB file of 169 areas.
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path
from typing import Any

WEST, EAST, SOUTH, NORTH = -73.73, -71.79, 40.98, 42.05

# The first names are real Connecticut towns; the rest are made up ("Town 042").
TOWNS = [
    "Hartford",
    "New Haven",
    "Bridgeport",
    "Stamford",
    "Waterbury",
    "Norwalk",
    "Danbury",
    "New Britain",
    "West Hartford",
    "Greenwich",
]


def town_names(n: int) -> list[str]:
    """``n`` area names: real towns first, then numbered ones."""
    return (TOWNS + [f"Town {i:03d}" for i in range(len(TOWNS) + 1, n + 1)])[:n]


def grid_areas(side: int = 13, detail: int = 2, seed: int = 7) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of ``side``×``side`` areas with ``town`` (name) and
    ``geoid`` (``"09" + five digits``) properties."""
    rng = random.Random(seed)
    dx, dy = (EAST - WEST) / side, (NORTH - SOUTH) / side

    def corner(i: int, j: int) -> tuple[float, float]:
        return (WEST + i * dx, SOUTH + j * dy)

    def border(a: tuple[float, float], b: tuple[float, float], edge: bool) -> list[list[float]]:
        pts = []
        phase = rng.random() * math.tau
        for k in range(detail + 1):
            t = k / detail
            x, y = a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t
            if not edge and 0 < k < detail:
                off = 0.08 * math.sin(t * math.pi) * math.sin(phase + 9 * t)
                # displaced across the border: perpendicular to (b - a)
                if a[0] == b[0]:
                    x += off * dx
                else:
                    y += off * dy
            pts.append([round(x, 6), round(y, 6)])
        return pts

    horizontal = {
        (i, j): border(corner(i, j), corner(i + 1, j), j in (0, side))
        for i in range(side)
        for j in range(side + 1)
    }
    vertical = {
        (i, j): border(corner(i, j), corner(i, j + 1), i in (0, side))
        for i in range(side + 1)
        for j in range(side)
    }
    names = town_names(side * side)
    features = []
    for j in range(side):
        for i in range(side):
            bottom = horizontal[(i, j)]
            right = vertical[(i + 1, j)]
            top = list(reversed(horizontal[(i, j + 1)]))
            left = list(reversed(vertical[(i, j)]))
            ring = bottom + right[1:] + top[1:] + left[1:]  # counter-clockwise, closed
            n = j * side + i
            features.append(
                {
                    "type": "Feature",
                    "properties": {"geoid": f"09{n + 1:05d}", "town": names[n]},
                    "geometry": {"type": "Polygon", "coordinates": [ring]},
                }
            )
    return {"type": "FeatureCollection", "features": features}


def write_areas(path: Path, **kwargs: Any) -> dict[str, Any]:
    """Write ``grid_areas(**kwargs)`` to ``path`` (one feature per line) and return it."""
    fc = grid_areas(**kwargs)
    lines = ",\n".join(json.dumps(f, separators=(",", ":")) for f in fc["features"])
    path.write_text('{"type": "FeatureCollection", "features": [\n' + lines + "\n]}\n", "utf-8")
    return fc
