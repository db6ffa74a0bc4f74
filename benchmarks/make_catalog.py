"""Generate a large catalog for benchmarks: many agencies and datasets of mixed sizes,
each with a declared chart.

    python benchmarks/make_catalog.py OUT [--datasets 1000] [--rows 5000000] [--seed 1]

About 90% of datasets are small (hundreds of rows), 9% medium and 1% large; sizes are
scaled so the catalog holds about --rows rows in all. Every value is generated.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import yaml

from catalog.core.contract import DEFAULT_CATEGORIES

CATEGORIES = list(DEFAULT_CATEGORIES)
WORDS = [
    "permits",
    "inspections",
    "grants",
    "crashes",
    "enrollment",
    "payroll",
    "licenses",
    "violations",
    "bridges",
    "wells",
    "parks",
    "claims",
    "sales",
    "complaints",
    "vehicles",
    "water",
    "energy",
    "housing",
    "libraries",
    "transit",
]
TOWNS = [
    "Hartford",
    "New Haven",
    "Stamford",
    "Waterbury",
    "Norwalk",
    "Danbury",
    "Bristol",
    "Meriden",
    "Milford",
    "Enfield",
]


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("out", type=Path)
    ap.add_argument("--datasets", type=int, default=1000)
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--agencies", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    out = args.out
    (out / "datasets").mkdir(parents=True, exist_ok=True)
    (out / "catalog.yaml").write_text(
        yaml.safe_dump(
            {
                "title": "Benchmark Catalog",
                "base_url": "https://data.example.gov/",
                "cdo": {"name": "Chief Data Officer", "email": "cdo@example.gov", "handle": "@cdo"},
            }
        )
    )
    agencies = [f"agency-{i:02d}" for i in range(args.agencies)]
    for a in agencies:
        (out / "datasets" / a).mkdir(exist_ok=True)
        (out / "datasets" / a / "agency.yaml").write_text(
            yaml.safe_dump(
                {
                    "name": f"Department {a[-2:]}",
                    "abbreviation": f"D{a[-2:]}",
                    "website": "https://example.gov/",
                    "description": "A generated agency.",
                    "data_officer": {"name": "Agency Data Officer", "handle": f"@{a}"},
                }
            )
        )
    weights = [200 if i % 100 == 0 else (20 if i % 10 == 0 else 1) for i in range(args.datasets)]
    scale = args.rows / sum(weights)
    for i in range(args.datasets):
        rows = max(10, int(weights[i] * scale))
        a = agencies[i % len(agencies)]
        word = WORDS[i % len(WORDS)]
        slug = f"{word}-{i:05d}"
        folder = out / "datasets" / a / slug
        folder.mkdir(exist_ok=True)
        meta = {
            "title": f"{word.title()} {i}",
            "description": (
                f"Generated {word} records for benchmark dataset {i}. Sample data: every value "
                "is generated for benchmarks."
            ),
            "category": CATEGORIES[i % len(CATEGORIES)],
            "keywords": [word, TOWNS[i % len(TOWNS)].lower()],
            "update_frequency": "Monthly",
            "access_level": "public",
            "contact": {"name": "Agency Data Officer", "email": "data@example.gov"},
            "resources": [
                {
                    "name": "data",
                    "path": "data.csv",
                    "schema": {
                        "primaryKey": ["id"],
                        "fields": [
                            {
                                "name": "id",
                                "type": "integer",
                                "constraints": {"required": True, "minimum": 1},
                            },
                            {"name": "date", "type": "date"},
                            {"name": "town", "type": "string"},
                            {
                                "name": "kind",
                                "type": "string",
                                "constraints": {"enum": ["A", "B", "C", "D"]},
                            },
                            {"name": "amount", "type": "number", "constraints": {"minimum": 0}},
                        ],
                    },
                }
            ],
            "charts": [
                {
                    "resource": "data",
                    "mark": "line",
                    "title": "Amount by month",
                    "x": {"field": "date", "timeUnit": "yearmonth"},
                    "y": {"field": "amount", "aggregate": "sum"},
                }
            ],
        }
        (folder / "dataset.yaml").write_text(yaml.safe_dump(meta, sort_keys=False))
        with (folder / "data.csv").open("w") as fh:
            fh.write("id,date,town,kind,amount\n")
            for n in range(1, rows + 1):
                day = f"20{15 + n % 10:02d}-{1 + n % 12:02d}-{1 + n % 28:02d}"
                fh.write(f"{n},{day},{TOWNS[n % 10]},{'ABCD'[n % 4]},{rng.random() * 1000:.2f}\n")


if __name__ == "__main__":
    main()
