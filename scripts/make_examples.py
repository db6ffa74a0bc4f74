"""Generate the example catalog's CSV files (sample data, deterministic).

Run: python scripts/make_examples.py   (rewrites datasets/*/*/*.csv; the YAML is hand-written)

Every value here is generated: the datasets' descriptions say so.  Town names and their
approximate centres are real Connecticut places; nothing else is.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "datasets"

TOWNS = {
    "Bridgeport": (41.186, -73.195),
    "New Haven": (41.308, -72.925),
    "Hartford": (41.764, -72.685),
    "Stamford": (41.053, -73.539),
    "Waterbury": (41.558, -73.051),
    "Norwalk": (41.118, -73.408),
    "Danbury": (41.394, -73.454),
    "New Britain": (41.661, -72.780),
    "West Hartford": (41.762, -72.742),
    "Greenwich": (41.026, -73.628),
    "Fairfield": (41.141, -73.263),
    "Hamden": (41.396, -72.897),
    "Bristol": (41.672, -72.949),
    "Meriden": (41.538, -72.807),
    "Manchester": (41.776, -72.522),
    "West Haven": (41.271, -72.947),
    "Milford": (41.222, -73.057),
    "Stratford": (41.184, -73.133),
    "East Hartford": (41.782, -72.612),
    "Middletown": (41.562, -72.651),
    "Wallingford": (41.457, -72.823),
    "Enfield": (41.976, -72.592),
    "Southington": (41.600, -72.878),
    "Shelton": (41.316, -73.093),
    "Norwich": (41.524, -72.076),
    "Torrington": (41.800, -73.121),
    "Trumbull": (41.243, -73.201),
    "Glastonbury": (41.712, -72.608),
    "Naugatuck": (41.486, -73.051),
    "Newington": (41.698, -72.724),
    "Vernon": (41.819, -72.479),
    "Cheshire": (41.499, -72.901),
    "Windsor": (41.853, -72.644),
    "Branford": (41.280, -72.815),
    "New London": (41.356, -72.100),
    "Mansfield": (41.789, -72.229),
    "Canaan": (42.027, -73.329),
    "Union": (41.991, -72.157),
    "Warren": (41.742, -73.349),
    "Scotland": (41.699, -72.081),
}


def write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    print(f"{path.relative_to(ROOT.parent)}: {len(rows):,} rows")


def suppress(n: int, below: int = 6) -> object:
    return "*" if 0 < n < below else n


def _dph_weekly_respiratory_hospitalizations(rng: random.Random) -> None:
    """DPH: weekly respiratory hospitalizations (time series)"""
    rows: list[list[object]] = []
    day = dt.date(2019, 1, 6)
    while day <= dt.date(2024, 12, 29):
        season = 1 + 0.9 * (1 if day.month in (12, 1, 2) else 0.3 if day.month in (3, 11) else 0)
        admitted = int(rng.gauss(120 * season, 15))
        rows.append(
            [
                day.isoformat(),
                max(admitted, 0),
                int(admitted * rng.uniform(0.08, 0.14)),
                round(rng.uniform(2, 9) * season, 1),
            ]
        )
        day += dt.timedelta(days=7)
    write(
        ROOT / "dph/respiratory-hospitalizations/weekly.csv",
        ["week_ending", "admissions", "icu_admissions", "percent_positive"],
        rows,
    )


def _dph_overdose_deaths_by_town_and_year(rng: random.Random) -> None:
    """DPH: overdose deaths by town and year, small counts suppressed"""
    rows = []
    for year in range(2015, 2024):
        for town in TOWNS:
            n = (
                max(0, int(rng.expovariate(1 / 12)))
                if town not in ("Hartford", "New Haven", "Bridgeport", "Waterbury")
                else int(rng.gauss(80, 15))
            )
            rows.append([year, town, suppress(n)])
    write(ROOT / "dph/overdose-deaths-by-town/deaths.csv", ["year", "town", "deaths"], rows)


def _dot_crashes_with_coordinates(rng: random.Random) -> None:
    """DOT: crashes with coordinates"""
    rows = []
    kinds = ["Rear-end", "Angle", "Sideswipe", "Fixed object", "Pedestrian", "Head-on"]
    for i in range(1, 6001):
        town, (lat, lon) = rng.choice(list(TOWNS.items()))
        when = dt.datetime(2023, 1, 1) + dt.timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
        rows.append(
            [
                f"CR-2023-{i:05d}",
                when.isoformat(timespec="seconds"),
                town,
                rng.choice(kinds),
                rng.choices([0, 1, 2, 3], [70, 22, 6, 2])[0],
                round(lat + rng.gauss(0, 0.02), 5),
                round(lon + rng.gauss(0, 0.02), 5),
            ]
        )
    write(
        ROOT / "dot/traffic-crashes-2023/crashes.csv",
        [
            "crash_id",
            "crash_datetime",
            "town",
            "collision_type",
            "injuries",
            "latitude",
            "longitude",
        ],
        rows,
    )


def _dot_hourly_traffic_counts(rng: random.Random) -> None:
    """DOT: hourly traffic counts (the 100k-row dataset)"""
    rows = []
    stations = [f"S{n:03d}" for n in range(1, 13)]
    start = dt.datetime(2024, 1, 1)
    for h in range(24 * 365):
        t = start + dt.timedelta(hours=h)
        peak = 1.8 if t.hour in (7, 8, 16, 17) else 0.4 if t.hour < 5 else 1.0
        for s in stations[: 12 if h % 2 == 0 else 11]:
            rows.append([s, t.isoformat(timespec="seconds"), int(rng.gauss(900 * peak, 90))])
    write(
        ROOT / "dot/hourly-traffic-counts/counts.csv",
        ["station_id", "hour_starting", "vehicles"],
        rows,
    )


def _decd_business_assistance(rng: random.Random) -> None:
    """DECD: business assistance (Executive Order 38 style)"""
    rows = []
    programs = [
        "Small Business Express",
        "Manufacturing Assistance Act",
        "Urban and Industrial Sites Reinvestment",
        "Film Production Tax Credit",
        "Angel Investor Tax Credit",
    ]
    words = [
        "Nutmeg",
        "Charter Oak",
        "Harbor",
        "Valley",
        "Granite",
        "Maple",
        "River",
        "Summit",
        "Colonial",
        "Shoreline",
    ]
    nouns = [
        "Precision",
        "Foods",
        "Robotics",
        "Textiles",
        "Biotech",
        "Logistics",
        "Studios",
        "Machining",
        "Software",
        "Brewing",
    ]
    for i in range(1, 401):
        program = rng.choice(programs)
        kind = "Tax credit" if "Tax Credit" in program else rng.choice(["Loan", "Grant", "Loan"])
        amount = round(rng.lognormvariate(12, 1.1), -2)
        rows.append(
            [
                f"DECD-{2016 + i % 8}-{i:04d}",
                f"{rng.choice(words)} {rng.choice(nouns)} LLC",
                rng.choice(list(TOWNS)),
                program,
                kind,
                f"{amount:.2f}",
                rng.randint(0, 120),
                rng.randint(0, 60),
                f"{2016 + i % 8}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            ]
        )
    write(
        ROOT / "decd/business-assistance/awards.csv",
        [
            "award_id",
            "company",
            "town",
            "program",
            "assistance_type",
            "amount_usd",
            "jobs_retained",
            "jobs_created",
            "award_date",
        ],
        rows,
    )


def _sde_enrollment_by_district_and_grade(rng: random.Random) -> None:
    """SDE: enrollment by district and grade, small counts suppressed"""
    rows = []
    grades = ["K", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"]
    for year in ("2021-22", "2022-23", "2023-24"):
        for town in TOWNS:
            size = 40 if town in ("Canaan", "Union", "Warren", "Scotland") else 600
            for g in grades:
                rows.append(
                    [
                        year,
                        f"{town} School District",
                        g,
                        suppress(
                            max(0, int(rng.gauss(size / 10 if size < 100 else size, size / 8)))
                        ),
                    ]
                )
    write(
        ROOT / "sde/enrollment-by-grade/enrollment.csv",
        ["school_year", "district", "grade", "students"],
        rows,
    )


def _opm_municipal_grants(rng: random.Random) -> None:
    """OPM: municipal grants (archived)"""
    rows = []
    for year in range(2012, 2018):
        for town in TOWNS:
            rows.append(
                [year, town, "Municipal Revenue Sharing", f"{round(rng.uniform(2e5, 9e6), 2):.2f}"]
            )
    write(
        ROOT / "opm/municipal-grants-2012-2017/grants.csv",
        ["fiscal_year", "town", "grant_program", "amount_usd"],
        rows,
    )


def _opm_town_population_estimates(rng: random.Random) -> None:
    """OPM: town population estimates"""
    rows = [
        [town, 2023, int(rng.uniform(800, 150000)), lat, lon] for town, (lat, lon) in TOWNS.items()
    ]
    write(
        ROOT / "opm/town-population-estimates/population.csv",
        ["town", "year", "population", "latitude", "longitude"],
        rows,
    )


# Connecticut's planning regions (GEOID, name, a rough share of the state's children):
# the GEOIDs and names are those of the boundary dataset opm/ct-planning-regions.
REGIONS = [
    ("09110", "Capitol", 0.27),
    ("09120", "Greater Bridgeport", 0.09),
    ("09130", "Lower Connecticut River Valley", 0.05),
    ("09140", "Naugatuck Valley", 0.12),
    ("09150", "Northeastern Connecticut", 0.03),
    ("09160", "Northwest Hills", 0.02),
    ("09170", "South Central Connecticut", 0.16),
    ("09180", "Southeastern Connecticut", 0.07),
    ("09190", "Western Connecticut", 0.19),
]


def _dph_lead_poisoning_by_region(rng: random.Random) -> None:
    """DPH: children tested for lead and confirmed cases by planning region, small counts
    suppressed (and their rates with them)"""
    rows = []
    for year in range(2019, 2024):
        for geoid, name, share in REGIONS:
            tested = int(70_000 * share * rng.uniform(0.85, 1.1))
            per_1000 = rng.uniform(1.0, 9.0) if name != "Northwest Hills" else rng.uniform(0.5, 2.0)
            cases = round(tested * per_1000 / 1000)
            rate: object = round(1000 * cases / tested, 2) if cases >= 6 else "*"
            rows.append([year, geoid, name, tested, suppress(cases), rate])
    write(
        ROOT / "dph/lead-poisoning-by-region/lead.csv",
        ["year", "region_geoid", "region", "children_tested", "cases", "cases_per_1000"],
        rows,
    )


def main() -> None:
    rng = random.Random(38)  # one stream, in this order: the files stay the same
    _dph_weekly_respiratory_hospitalizations(rng)
    _dph_overdose_deaths_by_town_and_year(rng)
    _dot_crashes_with_coordinates(rng)
    _dot_hourly_traffic_counts(rng)
    _decd_business_assistance(rng)
    _sde_enrollment_by_district_and_grade(rng)
    _opm_municipal_grants(rng)
    _opm_town_population_estimates(rng)
    _dph_lead_poisoning_by_region(rng)


if __name__ == "__main__":
    main()
