"""One invariant, tested by generation: every catalog that `catalog validate` accepts,
`catalog build` builds — without a traceback, within the time the test allows, and with
downloads no larger than validation's estimate of them (the figure `limits.max_output_mb`
is checked against).

Hypothesis generates datasets with odd names and sizes, unicode, control characters,
Markdown constructs and colliding names. The short profile (derandomised, so CI is
repeatable) runs with the suite; the long one by hand or weekly in CI:

    CATALOG_PROPERTY_PROFILE=long .venv/bin/pytest tests/test_property.py
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
import yaml
from conftest import AGENCY_YAML, CATALOG_YAML
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from catalog.checks.tabular import json_estimate
from catalog.checks.validate import validate
from catalog.core.problems import Problem
from catalog.io.filebytes import FileBytes
from catalog.load.loader import load_catalog
from catalog.site.build import build

settings.register_profile(
    "short",
    max_examples=30,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long",
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("CATALOG_PROPERTY_PROFILE", "short"))

BUILD_SECONDS = 120  # one small generated dataset; a slower build is a finding

# --- text ----------------------------------------------------------------------------------

ODD = "\x00\x07\x1b\x7f\u2028\u200b\ufeff\u0301éü漢字🙂\"'`<>&|\\[]()*_#-=+@:;,.!\t"
words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=10)
any_character = st.characters(blacklist_categories=["Cs"])  # text, not lone surrogates
odd_text = st.text(alphabet=st.sampled_from(ODD) | any_character, max_size=40)
MARKDOWN = [
    "[",
    "]",
    "[link](javascript:alert(1))",
    "**bold**",
    "_em_",
    "`code`",
    "# Heading\n",
    "> quote\n",
    "- item\n",
    "1. item\n",
    "Term\n: definition\n\n",
    "| a | b |\n|---|---|\n| 1 | 2 |\n\n",
    "<script>alert(1)</script>",
    "<!-- comment",
    "[^1]\n\n[^1]: note\n",
    "\n\n",
    "    indented code\n",
    "***",
    "<https://example.gov>",
]
description = st.lists(st.sampled_from(MARKDOWN) | words | odd_text, min_size=1, max_size=30).map(
    lambda parts: "A generated dataset described at length for the test. " + " ".join(parts)
)
title = st.one_of(words, odd_text.filter(lambda t: t.strip()), st.sampled_from(["=1+1", "@x"]))

# --- tables -------------------------------------------------------------------------------

TYPES = ["string", "integer", "number", "boolean", "date", "datetime", "year", "time"]
VALID = {
    "string": st.one_of(
        odd_text,
        words,
        st.integers(1_000, 200_000).map(lambda n: "x" * n),  # long records
    ),
    "integer": st.integers(-(2**63), 2**63 - 1).map(str),
    "number": st.one_of(
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    ),
    "boolean": st.sampled_from(["true", "false", "True", "FALSE", "1", "0"]),
    "date": st.dates().map(lambda d: d.isoformat()),
    "datetime": st.datetimes().map(lambda d: d.isoformat()),
    "year": st.integers(1000, 9999).map(str),  # Frictionless reads four digits
    "time": st.times().map(lambda t: t.isoformat()),
}
field_name = st.one_of(
    words,
    st.text(alphabet=any_character, min_size=1, max_size=30),
    st.sampled_from(["ID", "id", "a b", " lead", "trail ", "x,y", 'q"uote', "é", "n" * 200]),
)


@st.composite
def table(draw: st.DrawFn) -> tuple[list[dict[str, Any]], str]:
    """A Table Schema's fields and a CSV whose cells mostly read as their types."""
    names = draw(st.lists(field_name, min_size=1, max_size=6, unique_by=str.casefold))
    fields = [{"name": n, "type": draw(st.sampled_from(TYPES))} for n in names]
    for f in fields:
        if draw(st.booleans()):
            f["title"] = draw(title)
        if f["type"] in ("integer", "number") and draw(st.integers(0, 4)) == 0:
            f["constraints"] = {"minimum": 0}
    rows = []
    noisy = draw(st.integers(0, 4)) == 0  # a table with odd cells, which validation may refuse
    for _ in range(draw(st.integers(0, 25))):
        row = []
        for f in fields:
            cell = draw(
                st.one_of(VALID[f["type"]], st.just(""), odd_text)
                if noisy and draw(st.integers(0, 9)) == 0
                else VALID[f["type"]]
            )
            row.append(cell)
        rows.append(row)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(names)
    writer.writerows(rows)
    return fields, buf.getvalue()


resource_name = st.one_of(
    st.from_regex(r"[a-z0-9][a-z0-9._-]{0,12}", fullmatch=True),
    st.sampled_from(["data", "a-b", "a_b", "a.b", "datapackage", "index", "output"]),
)


@st.composite
def dataset(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, str]]:
    """A dataset.yaml and its CSV files."""
    resources, files = [], {}
    for i in range(draw(st.integers(1, 2))):
        fields, text = draw(table())
        name = draw(resource_name)
        path = f"r{i}.csv" + draw(st.sampled_from(["", "", ".gz", ".zst"]))  # compressed too
        resources.append(
            {"name": name, "path": path, "title": draw(title), "schema": {"fields": fields}}
        )
        files[path] = text
    meta = {
        "title": draw(title),
        "description": draw(description),
        "category": "Government",
        "keywords": draw(st.lists(title, min_size=1, max_size=3, unique=True)),
        "update_frequency": "Annually",
        "access_level": draw(st.sampled_from(["public", "public", "public", "restricted public"])),
        "contact": {"name": "Data Officer", "email": "data@example.gov"},
        "resources": resources,
    }
    if draw(st.booleans()):  # imported from a Socrata portal: old addresses on the site
        meta["socrata"] = {
            "id": draw(st.from_regex(r"[a-z0-9]{4}-[a-z0-9]{4}", fullmatch=True)),
            "fields": {
                f["name"]: draw(st.sampled_from(["a_b", ":id", "x1", "bad name"]))
                for f in resources[0]["schema"]["fields"]
            },
        }
        if draw(st.booleans()):
            meta["socrata"]["path"] = draw(
                st.sampled_from(["Health/Deaths-2012", "dataset/X-1", "api/views", "A/" + "b" * 99])
            )
    if draw(st.booleans()):  # harvested from another catalog: its data may live elsewhere
        url = st.sampled_from(
            ["https://x.example/a.csv", "javascript:alert(1)", "https://x.example/?a=<b>"]
        )
        meta["harvested"] = {
            "from": draw(title),
            "identifier": draw(title),
            "distributions": [
                {
                    "title": draw(title),
                    "url": draw(url),
                    "media_type": draw(title),
                    "kind": draw(st.sampled_from(["download", "access"])),
                }
                for _ in range(draw(st.integers(0, 2)))
            ],
        }
        if draw(st.booleans()):
            del meta["resources"]
            files = {}
    if meta["access_level"] != "public":
        meta["rights"] = "Available on request."
        meta["access_url"] = "https://example.gov/request"
        meta["exemptions"] = [{"authority": "CGS 1-210(b)(2)", "category": "personal-privacy"}]
        meta.pop("resources", None)
        files = {}
    return meta, files


def _write(root: Path, meta: dict[str, Any], files: dict[str, str]) -> None:
    def dump(path: Path, data: dict[str, Any]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")

    dump(root / "catalog.yaml", CATALOG_YAML)
    dump(root / "datasets/dot/agency.yaml", AGENCY_YAML)
    dump(root / "datasets/dot/generated/dataset.yaml", meta)
    for name, text in files.items():
        raw = text.encode("utf-8")
        if name.endswith((".gz", ".zst")):
            codec = "gzip" if name.endswith(".gz") else "zstd"
            raw = _compressed(raw, codec)
        (root / "datasets/dot/generated" / name).write_bytes(raw)


def _compressed(raw: bytes, codec: str) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.CompressedOutputStream(sink, codec) as out:
        out.write(raw)
    return bytes(sink.getvalue().to_pybytes())


def _errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


@pytest.mark.slow
@given(dataset())
def test_what_validate_accepts_build_builds(
    generated: tuple[dict[str, Any], dict[str, str]],
) -> None:
    meta, files = generated
    root = Path(tempfile.mkdtemp(prefix="catalog-property-"))
    try:
        _write(root, meta, files)
        problems = validate(load_catalog(root))  # never raises: problems are values
        assert all(p.path and p.message for p in problems)
        assert not [p for p in problems if p.code == "internal-error"], problems
        if _errors(problems):
            event(
                "refused by validation: " + ", ".join(sorted({p.code for p in _errors(problems)}))
            )
            return
        event("validated, then built")
        started = time.monotonic()
        report = build(root, root / "site", cache_dir=root / "cache", search=False, jobs=1)
        assert time.monotonic() - started < BUILD_SECONDS
        assert report.datasets == 1
        _within_estimate(root, meta, files)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _within_estimate(root: Path, meta: dict[str, Any], files: dict[str, str]) -> None:
    """Each resource's CSV and JSON downloads are no larger than validation estimated."""
    folder = root / "site/datasets/dot/generated"
    for r in meta.get("resources", []):
        data = FileBytes(root / "datasets/dot/generated" / r["path"])
        size = data.size  # the data's bytes, decompressed
        names = [f["name"] for f in r["schema"]["fields"]]
        estimate = size + json_estimate(names, size, max(data.lines - 1, 0), data.escapes)
        written = sum((folder / f"{r['name']}.{ext}").stat().st_size for ext in ("csv", "json"))
        assert written <= estimate, (r["name"], written, estimate)
