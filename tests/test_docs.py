"""Docs are tested: generated files current, every command and problem code documented."""

from __future__ import annotations

import json
import re

import pytest
from conftest import REPO
from jsonschema import Draft202012Validator

from catalog.cli import COMMANDS, main
from catalog.core.problems import messages, problem, registry


def test_generated_docs_are_current(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["docs", "all", "--check"]) == 0, (
        capsys.readouterr().out + "\nrun `catalog docs all` and commit"
    )


def test_every_problem_code_and_message_documented() -> None:
    text = (REPO / "docs/problems.md").read_text()
    for code in registry():
        assert f"`{code}`" in text
    for key in messages():
        assert f"`{key}`" in text


def test_every_message_template_fills_and_names_a_known_code() -> None:
    import string

    for key, m in messages().items():
        assert m.code in registry(), key
        fields = {
            name: (1 if spec else "x")
            for template in (m.message, m.hint)
            for _, name, spec, _ in string.Formatter().parse(template)
            if name
        }
        assert m.message.format(**fields) and m.hint.format(**fields), key


def test_every_message_is_used_and_unknown_keys_are_refused() -> None:
    source = "\n".join(p.read_text() for p in (REPO / "catalog").rglob("*.py"))
    for key in messages():
        code, _, variant = key.partition(":")
        used = (
            f'"{key}"' in source
            or (code == "invalid-chart" and f'"{variant}"' in source)
            or variant == "reported"
        )
        assert used, f"message {key} is never used"
    with pytest.raises(KeyError):
        problem("no-such-code", "x")


def test_every_command_in_readme() -> None:
    readme = (REPO / "README.md").read_text()
    for name in COMMANDS:
        assert re.search(rf"catalog {name}\b", readme), f"README does not mention `catalog {name}`"


@pytest.mark.parametrize("name", ["catalog", "agency", "dataset"])
def test_shipped_json_schemas_are_valid_json_schema(name: str) -> None:
    schema = json.loads((REPO / "catalog/schemas" / f"{name}.schema.json").read_text())
    Draft202012Validator.check_schema(schema)


def test_example_catalog_validates_clean(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--root", str(REPO), "-j", "1"]) == 0, capsys.readouterr().out


def test_example_catalog_covers_the_contract() -> None:
    from catalog.load.loader import load_catalog

    cat = load_catalog(REPO).catalog
    levels = {d.access_level for d in cat.datasets}
    assert len(cat.agencies) >= 4 and len(cat.datasets) >= 10
    assert levels == {"public", "restricted public", "non-public"}
    assert any(f.min_cell for d in cat.datasets for r in d.resources for f in r.schema.fields)
    assert any(f.protected for d in cat.datasets for r in d.resources for f in r.schema.fields)
    assert any(d.archived for d in cat.datasets)
    assert any(c.mark == "map" for d in cat.datasets for c in d.charts)
    assert any(c.area and c.boundaries for d in cat.datasets for c in d.charts)  # a choropleth
    assert any(d.boundaries for d in cat.datasets)
    big = max((REPO / r.path).read_bytes().count(b"\n") for d in cat.datasets for r in d.resources)
    assert big > 100_000
    for d in cat.datasets:
        if d.boundaries:  # real boundaries (Census), saying where they come from
            assert "**source:**" in d.description.lower()
        elif d.resources:
            assert "sample data" in d.description.lower()
    total = sum(p.stat().st_size for p in (REPO / "datasets").rglob("*") if p.is_file())
    assert total < 10 * 1024 * 1024
