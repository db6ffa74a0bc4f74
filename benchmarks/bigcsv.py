"""Generate the benchmark CSV: N rows x 9 columns with a Table Schema of types and
constraints (the shape of a state payroll or sales file; 5,000,000 rows make about 830 MB,
the size of the file in the performance issue, the work location being a quoted address).

    python benchmarks/bigcsv.py OUT_FOLDER [--rows 5000000] [--errors 0.0001] [--seed 7]

Writes OUT_FOLDER/data.csv and OUT_FOLDER/schema.json. With --errors, that share of rows
gets one planted mistake (a bad integer, a value under its minimum, a bad date, a
pattern miss, an enum miss), so validators have findings to agree on.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer", "constraints": {"required": True, "minimum": 1}},
        {
            "name": "agency",
            "type": "string",
            "constraints": {"enum": ["DPH", "DOT", "DECD", "SDE", "OPM", "DESPP", "DAS", "DSS"]},
        },
        {"name": "employee_code", "type": "string", "constraints": {"pattern": "E[0-9]{6}"}},
        {"name": "work_location", "type": "string", "constraints": {"maxLength": 160}},
        {"name": "pay_date", "type": "date"},
        {"name": "fiscal_year", "type": "year", "constraints": {"minimum": 2000, "maximum": 2030}},
        {"name": "gross_pay", "type": "number", "constraints": {"minimum": 0}},
        {"name": "hours", "type": "number", "constraints": {"minimum": 0, "maximum": 400}},
        {"name": "overtime", "type": "boolean"},
    ]
}
AGENCY_NAMES = [
    "Department of Public Health",
    "Department of Transportation",
    "Department of Economic and Community Development",
    "State Department of Education",
    "Office of Policy and Management",
    "Department of Emergency Services and Public Protection",
    "Department of Administrative Services",
    "Department of Social Services",
]
BUILDINGS = [
    "State Office Building",
    "Legislative Office Building",
    "Regional Service Center",
    "Transportation Building",
    "Public Health Laboratory",
]
STREETS = [
    "Capitol Avenue",
    "Farmington Avenue",
    "Elm Street",
    "Washington Street",
    "Main Street",
    "Church Street",
    "Berlin Turnpike",
]
TOWNS = [
    "Hartford",
    "New Haven",
    "Stamford",
    "Waterbury",
    "Norwalk",
    "Danbury",
    "New Britain",
    "West Hartford",
    "Greenwich",
    "Fairfield",
    "Bristol",
    "Meriden",
]
AGENCIES = SCHEMA["fields"][1]["constraints"]["enum"]


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("out", type=Path)
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--errors", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "schema.json").write_text(json.dumps(SCHEMA, indent=2))
    with (args.out / "data.csv").open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(f["name"] for f in SCHEMA["fields"]) + "\n")
        buf = []
        for i in range(1, args.rows + 1):
            row = [
                str(i),
                AGENCIES[i % len(AGENCIES)],
                f"E{rng.randrange(1_000_000):06d}",
                f"{AGENCY_NAMES[i % len(AGENCY_NAMES)]}, {BUILDINGS[i % len(BUILDINGS)]}, "
                f"Room {rng.randrange(100, 1300)}, {rng.randrange(10, 999)} "
                f"{STREETS[i % len(STREETS)]}, {TOWNS[i % len(TOWNS)]}, "
                f"CT 06{rng.randrange(1000):03d}",
                f"20{10 + i % 15:02d}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                str(2010 + i % 15),
                f"{rng.uniform(500, 9000):.2f}",
                f"{rng.uniform(0, 90):.1f}",
                "true" if i % 7 == 0 else "false",
            ]
            if args.errors and rng.random() < args.errors:
                k = rng.randrange(5)
                if k == 0:
                    row[0] = f"{i}x"
                elif k == 1:
                    row[6] = "-5.00"
                elif k == 2:
                    row[4] = "2024-13-45"
                elif k == 3:
                    row[2] = "X12"
                else:
                    row[1] = "NOPE"
            if "," in row[3] or '"' in row[3]:
                row[3] = f'"{row[3]}"'
            buf.append(",".join(row))
            if len(buf) >= 100_000:
                fh.write("\n".join(buf) + "\n")
                buf = []
        if buf:
            fh.write("\n".join(buf) + "\n")


if __name__ == "__main__":
    main()
