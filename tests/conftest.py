"""Shared fixtures: small catalogs written to a temporary folder, and the shared corpus."""

from __future__ import annotations

import copy
import json
import os
import socket
import textwrap
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from catalog.checks.validate import validate
from catalog.commands.upload import client
from catalog.core.problems import Problem
from catalog.load.loader import load_catalog

REPO = Path(__file__).resolve().parent.parent

CATALOG_YAML = {
    "title": "Test Catalog",
    "base_url": "https://data.example.gov/",
    "cdo": {"name": "Chief Data Officer", "email": "cdo@example.gov", "handle": "@cdo"},
}
AGENCY_YAML = {
    "name": "Department of Testing",
    "abbreviation": "DOT",
    "website": "https://example.gov/dot",
    "description": "Tests things.",
    "data_officer": {
        "name": "Agency Data Officer",
        "handle": "@dot-data",
        "email": "data@example.gov",
    },
}


def dataset_yaml(**overrides: Any) -> dict[str, Any]:
    """A valid public dataset.yaml with one resource ``data.csv`` (id, name, amount)."""
    base: dict[str, Any] = {
        "title": "Test dataset",
        "description": (
            "A dataset used by the tests. It has enough words to pass the fifty character rule."
        ),
        "category": "Government",
        "keywords": ["test"],
        "update_frequency": "Annually",
        "access_level": "public",
        "contact": {"name": "Data Officer", "email": "data@example.gov"},
        "resources": [
            {
                "name": "data",
                "path": "data.csv",
                "schema": {
                    "primaryKey": ["id"],
                    "fields": [
                        {"name": "id", "type": "integer"},
                        {"name": "name", "type": "string"},
                        {"name": "amount", "type": "number", "constraints": {"minimum": 0}},
                    ],
                },
            }
        ],
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


GOOD_CSV = "id,name,amount\n1,alpha,1.5\n2,beta,2\n3,gamma,0\n"


class CatalogMaker:
    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, rel: str, content: str | bytes | dict[str, Any]) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, dict):
            path.write_text(yaml.safe_dump(content, sort_keys=False, allow_unicode=True), "utf-8")
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(
                textwrap.dedent(content) if content.startswith("\n") else content, "utf-8"
            )
        return path

    def catalog(self, **overrides: Any) -> CatalogMaker:
        self.write("catalog.yaml", {**CATALOG_YAML, **overrides})
        return self

    def agency(self, slug: str = "dot", **overrides: Any) -> CatalogMaker:
        self.write(f"datasets/{slug}/agency.yaml", {**AGENCY_YAML, **overrides})
        return self

    def dataset(
        self,
        ident: str = "dot/test",
        csv: str | bytes | None = GOOD_CSV,
        meta: dict[str, Any] | str | None = None,
        **overrides: Any,
    ) -> CatalogMaker:
        agency = ident.split("/")[0]
        if not (self.root / "catalog.yaml").exists():
            self.catalog()
        if not (self.root / "datasets" / agency / "agency.yaml").exists():
            self.agency(agency)
        self.write(
            f"datasets/{ident}/dataset.yaml",
            meta if meta is not None else dataset_yaml(**overrides),
        )
        if csv is not None:
            self.write(f"datasets/{ident}/data.csv", csv)
        return self

    def problems(self, only: list[str] | None = None) -> list[Problem]:
        return validate(load_catalog(self.root), only)

    def table(self, only: list[str] | None = None) -> list[tuple[Any, ...]]:
        """Problems as compact tuples (path, line, row, field, code), the frictionless way."""
        return [(p.path, p.line, p.row, p.field, p.code) for p in self.problems(only)]

    def codes(self) -> list[str]:
        return [p.code for p in self.problems()]


def colliding_resources(make: CatalogMaker) -> CatalogMaker:
    """A dataset whose resources `a-b` and `a_b` would share one SQLite table."""
    meta = dataset_yaml()
    second = copy.deepcopy(meta["resources"][0])
    meta["resources"][0]["name"] = "a-b"
    second.update(name="a_b", path="data2.csv")
    meta["resources"].append(second)
    make.dataset(meta=meta)
    make.write("datasets/dot/test/data2.csv", GOOD_CSV)
    return make


@pytest.fixture
def make(tmp_path: Path) -> CatalogMaker:
    return CatalogMaker(tmp_path)


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The shared test data folder (CATALOG_TEST_DATA); corpus tests skip, saying so, when
    absent."""
    value = os.environ.get("CATALOG_TEST_DATA")
    if not value:
        pytest.skip("corpus tests need CATALOG_TEST_DATA=<path to shared/data> (.ci/run sets it)")
    path = Path(value)
    if not path.is_dir():
        pytest.skip(
            f"corpus tests need the shared test data: CATALOG_TEST_DATA={value} does not exist"
        )
    return path


Runner = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Runner:
    """Run the CLI in-process: returns (exit code, stdout, stderr)."""
    from catalog.cli import main

    def run(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
        if cwd:
            monkeypatch.chdir(cwd)
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture(scope="session")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example catalog, built once for the session (search index included)."""
    from catalog.site.build import build

    out = tmp_path_factory.mktemp("example") / "site"
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = "1735689600"
    try:
        build(REPO, out, cache_dir=out.parent / "cache", jobs=2)
    finally:
        if old is None:
            os.environ.pop("SOURCE_DATE_EPOCH")
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old
    return out


# --- an S3-compatible server on 127.0.0.1 (moto's server mode) ---------------------------

BUCKET = "state-data-files"


PUBLIC_READ = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "PublicRead",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{BUCKET}/*",
        }
    ],
}
CORS = {
    "CORSRules": [
        {
            "AllowedOrigins": ["*"],
            "AllowedMethods": ["GET", "HEAD"],
            "AllowedHeaders": ["Range"],
            "ExposeHeaders": ["Content-Length", "Content-Range", "ETag"],
            "MaxAgeSeconds": 86400,
        }
    ]
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An S3-compatible server on 127.0.0.1 with an empty bucket; its endpoint URL."""
    from moto.server import ThreadedMotoServer

    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    # moto keeps its buckets in the process: start each test from none
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"))
    s3 = client(endpoint)
    s3.create_bucket(Bucket=BUCKET)
    # the settings docs/publishing.md asks of a CDO: anyone may read, and the site's pages
    # may fetch (with ranges) from their origin
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(PUBLIC_READ))
    s3.put_bucket_cors(Bucket=BUCKET, CORSConfiguration=CORS)
    try:
        yield endpoint
    finally:
        server.stop()
