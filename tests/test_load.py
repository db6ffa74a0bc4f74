"""Loading: structure of the three YAML files, slugs, safe paths, duplicates."""

from __future__ import annotations

import copy
import json
import os
from typing import Any

import pytest
from conftest import CatalogMaker, dataset_yaml

DS = "datasets/dot/test/dataset.yaml"


def test_valid_dataset_has_no_problems(make: CatalogMaker) -> None:
    assert make.dataset().table() == []


def test_unknown_key_did_you_mean(make: CatalogMaker) -> None:
    make.dataset(meta="title: T\ndescrption: x\n")
    ps = [p for p in make.problems() if p.code == "unknown-key"]
    assert [(p.path, p.line, p.field) for p in ps] == [(DS, 2, "descrption")]
    assert "Did you mean 'description'?" in ps[0].message


def test_required_keys_reported_each(make: CatalogMaker) -> None:
    meta = dataset_yaml()
    del meta["category"], meta["keywords"], meta["access_level"]
    make.dataset(meta=meta)
    got = {(p.code, p.field) for p in make.problems()}
    assert ("required-key", "category") in got
    assert ("required-key", "keywords") in got
    assert ("access-level-missing", "access_level") in got


def test_vocabulary_with_did_you_mean(make: CatalogMaker) -> None:
    make.dataset(update_frequency="anually", access_level="Public")
    ps = {p.field: p for p in make.problems()}
    assert (
        ps["update_frequency"].code == "invalid-value"
        and "Did you mean 'Annually'?" in ps["update_frequency"].message
    )
    assert (
        ps["access_level"].code == "invalid-value"
        and "Did you mean 'public'?" in ps["access_level"].message
    )


@pytest.mark.parametrize(
    ("override", "code", "field"),
    [
        ({"title": ["a"]}, "wrong-type", "title"),
        ({"keywords": "one"}, "wrong-type", "keywords"),
        ({"keywords": []}, "too-short", "keywords"),
        ({"description": "Too short."}, "too-short", "description"),
        ({"rights": "x" * 256, "access_level": "public"}, "too-long", "rights"),
        ({"source_link": "www.example.gov"}, "invalid-url", "source_link"),
        ({"source_link": "https://data.ct.gov@example.com/"}, "invalid-url", "source_link"),
        ({"source_link": "https://portal.ct.gov/a b"}, "invalid-url", "source_link"),
        ({"source_link": "https://localhost/x"}, "invalid-url", "source_link"),
        ({"contact": {"name": "Officer", "email": 'a"b@example.gov'}}, "invalid-email", "email"),
        (
            {"contact": {"name": "Officer", "email": "a@example.gov?cc=b@x.com"}},
            "invalid-email",
            "email",
        ),
        ({"contact": {"name": "Officer", "email": "not-an-email"}}, "invalid-email", "email"),
        # '$' ends the text, as in every JSON Schema validator, not "before a final newline"
        ({"contact": {"name": "Officer", "email": "a@b.gov\n"}}, "invalid-email", "email"),
        ({"issued": "2024-01-01\n"}, "invalid-date", "issued"),
        ({"issued": "07/01/2024"}, "invalid-date", "issued"),
        ({"issued": "2024-02-30"}, "invalid-date", "issued"),
        (
            {"temporal_coverage": {"start": "2024-01-01", "end": "2023-01-01"}},
            "invalid-date",
            "temporal_coverage",
        ),
        ({"geographic_unit": "Town"}, "invalid-value", "geographic_unit"),
        ({"status": "deleted"}, "invalid-value", "status"),
        ({"category": "Helth and Human Services"}, "invalid-category", "category"),
        ({"license": "GPL-3.0"}, "invalid-license", "license"),
        ({"keywords": ["a", "a"]}, "duplicate-identifier", "keywords"),
    ],
)
def test_metadata_rules(
    make: CatalogMaker, override: dict[str, object], code: str, field: str
) -> None:
    make.dataset(**override)
    got = [(p.code, p.field) for p in make.problems()]
    assert (code, field) in got, got


def test_problem_lines_point_into_dataset_yaml(make: CatalogMaker) -> None:
    make.dataset(
        meta="title: T\ndescription: short\ncategory: Government\nkeywords: [a]\nupdate_frequency: "
        "Annually\naccess_level: public\ncontact: {name: n, email: a@b.gov}\nresources: "
        "[]\n"
    )
    (p,) = [p for p in make.problems() if p.code == "too-short"]
    assert (p.path, p.line) == (DS, 2)


def test_agency_yaml_missing(make: CatalogMaker) -> None:
    make.dataset()
    (make.root / "datasets/dot/agency.yaml").unlink()
    assert ("datasets/dot/agency.yaml", None, None, None, "agency-yaml-missing") in make.table()


def test_agency_yaml_structure(make: CatalogMaker) -> None:
    make.dataset()
    make.agency(website="portal.example.gov", data_officer={"name": "Officer"})
    codes = {(p.code, p.field) for p in make.problems()}
    assert ("invalid-url", "website") in codes and ("required-key", "handle") in codes


@pytest.mark.parametrize("name", ["DPH", "public_health", "-x", "é"])
def test_folders_must_be_slugs(make: CatalogMaker, name: str) -> None:
    make.dataset(f"dot/{name}")
    assert "folder-not-slug" in make.codes()


def test_dataset_folder_without_yaml(make: CatalogMaker) -> None:
    make.dataset()
    (make.root / "datasets/dot/empty").mkdir()
    assert ("datasets/dot/empty/dataset.yaml", None, None, None, "file-missing") in make.table()


@pytest.mark.parametrize(
    "path", ["/etc/passwd", "../other/data.csv", "sub/../../x.csv", "C:\\data.csv"]
)
def test_unsafe_resource_paths(make: CatalogMaker, path: str) -> None:
    meta = dataset_yaml()
    meta["resources"][0]["path"] = path
    make.dataset(meta=meta)
    assert "unsafe-path" in make.codes()


def test_symlinked_resource_refused(
    make: CatalogMaker, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside") / "secret.csv"
    outside.write_text("id,name,amount\n1,a,1\n")
    make.dataset(csv=None)
    os.symlink(outside, make.root / "datasets/dot/test/data.csv")
    ps = [p for p in make.problems() if p.code == "unsafe-path"]
    assert ps and "symbolic link" in ps[0].message


def test_schema_by_path_and_unsafe_schema_path(make: CatalogMaker) -> None:
    meta = dataset_yaml()
    meta["resources"][0]["schema"] = "schema.yaml"
    make.dataset(meta=meta)
    make.write(
        "datasets/dot/test/schema.yaml",
        "fields:\n  - {name: id, type: integer}\n  - {name: name, type: string}\n "
        " - {name: amount, type: numbr}\n",
    )
    ps = make.problems()
    assert [(p.path, p.line, p.code) for p in ps] == [
        ("datasets/dot/test/schema.yaml", 4, "invalid-value")
    ]
    meta["resources"][0]["schema"] = "../schema.yaml"
    make.dataset(meta=meta)
    assert "unsafe-path" in make.codes()


def test_duplicate_resource_and_field_names(make: CatalogMaker) -> None:
    meta = dataset_yaml()
    meta["resources"].append(copy.deepcopy(meta["resources"][0]))
    meta["resources"][0]["schema"]["fields"].append({"name": "id", "type": "string"})
    make.dataset(meta=meta)
    dup = [p for p in make.problems() if p.code == "duplicate-identifier"]
    assert {p.message for p in dup} == {
        "two resources are named 'data'",
        "two fields are named 'id'",
    }


def test_catalog_yaml_rules(make: CatalogMaker) -> None:
    make.catalog(default_license="MIT", licenses=["CC0-1.0"], repository="secret")
    make.dataset()
    got = {(p.path, p.code) for p in make.problems()}
    assert ("catalog.yaml", "invalid-license") in got and ("catalog.yaml", "invalid-value") in got


def test_catalog_yaml_missing_base_url(make: CatalogMaker) -> None:
    make.write("catalog.yaml", {"title": "T"})
    make.dataset()
    assert ("catalog.yaml", 1, None, "base_url", "required-key") in make.table()


def test_custom_categories_from_catalog_yaml(make: CatalogMaker) -> None:
    make.catalog(categories=["Roads", "Parks"])
    make.dataset(category="Parks")
    assert make.table() == []


DESCRIPTORS = [
    {"fields": [{"name": "a", "type": "integer", "constraints": {"minLength": "x"}}]},
    {"fields": [{"name": "a", "type": "integer", "constraints": {"foo": 1}}]},
    {"fields": [{"name": "a", "type": "integer", "constraints": {"required": "yes"}}]},
    {"fields": [{"name": "a", "type": "integer", "constraints": {"unique": 1}}]},
    {"fields": [{"name": "a", "type": "string", "constraints": {"pattern": 5}}]},
    {"fields": [{"name": "a", "type": "string", "constraints": {"enum": "x"}}]},
    {"fields": [{"name": "a", "type": "string", "constraints": {"minimum": 1}}]},
    {"fields": [{"name": "a", "constraints": {"minimum": 1}}]},
    {"fields": [{"name": "a", "type": "boolean", "constraints": {"pattern": "x"}}]},
    {"fields": [{"name": "a", "type": "string", "format": "xyz"}]},
    {"fields": [{"name": "a"}], "foreignKeys": [{"fields": "a"}]},
    {"fields": [{"name": "a"}], "fieldsMatch": "nope"},
    {"fields": [{"name": "a", "type": "integer", "constraints": {"maxLength": 3}}]},
    {"fields": [{"name": "a", "type": "string", "constraints": {"minLength": 1.5}}]},
    {"fields": [{"name": "a", "type": "number", "groupChar": 5}]},
    # and what both accept
    {"fields": [{"name": "a", "type": "string", "constraints": {"minLength": 3, "enum": ["abc"]}}]},
    {
        "fields": [
            {
                "name": "a",
                "type": "date",
                "format": "%m/%d/%Y",
                "constraints": {"minimum": "2020-01-01"},
            }
        ]
    },
    {
        "fields": [
            {"name": "a", "type": "string", "format": "email", "constraints": {"unique": True}}
        ]
    },
    {"fields": [{"name": "a", "type": "geopoint", "format": "array"}], "fieldsMatch": "subset"},
    {
        "fields": [{"name": "a"}],
        "foreignKeys": [{"fields": "a", "reference": {"resource": "other", "fields": "b"}}],
    },
]


@pytest.mark.parametrize("descriptor", DESCRIPTORS, ids=lambda d: json.dumps(d)[11:70])
def test_table_schema_rules_agree_with_frictionless(descriptor: dict[str, Any]) -> None:
    """Frictionless' descriptor rules are in our JSON Schema, so validation need not import
    Frictionless to check a schema: both refuse, or both accept, each descriptor."""
    import frictionless

    from catalog.core.yamlfile import Lines, YamlDoc
    from catalog.load import structure

    theirs = bool(frictionless.Schema.validate_descriptor(descriptor).errors)
    ours = bool(structure.check(YamlDoc("schema.yaml", descriptor, Lines()), "table-schema"))
    assert ours == theirs


def test_patterns_read_dollar_as_the_end_of_the_text() -> None:
    from catalog.core.names import SLUG, ecma_regex

    assert SLUG.match("bridges") and not SLUG.match("bridges\n")
    assert ecma_regex(r"^a[$]\$b$") == r"^a[$]\$b\Z"
