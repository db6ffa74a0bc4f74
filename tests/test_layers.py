"""The package's layers: each module imports only from its own layer or the ones below.

    core → io → load → checks → site → commands → cli

Imports inside functions count too (they are how a command avoids loading what it does
not need, not a way around the layers)."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "catalog"
LAYERS = ["core", "io", "load", "checks", "site", "commands", "cli"]


def layer_of(module: str) -> int:
    parts = module.split(".")
    if parts[0] != "catalog":
        raise ValueError(module)
    if len(parts) == 1:
        return -1  # the package itself: its version
    if parts[1] in ("cli", "__main__"):
        return LAYERS.index("cli")
    return LAYERS.index(parts[1])


def module_name(file: Path) -> str:
    rel = file.relative_to(REPO).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(file: Path) -> list[tuple[int, str]]:
    """(line, absolute module) of every catalog import in a file, nested ones included."""
    tree = ast.parse(file.read_text("utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "catalog"]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, (
                f"{file}:{node.lineno}: relative import (the package uses absolute imports)"
            )
            if node.module and node.module.split(".")[0] == "catalog":
                out.append((node.lineno, node.module))
    return out


def test_every_module_belongs_to_a_layer() -> None:
    for file in PACKAGE.rglob("*.py"):
        name = module_name(file)
        if name != "catalog":
            assert layer_of(name) >= 0, name


def test_no_layer_imports_a_higher_one() -> None:
    wrong = []
    for file in sorted(PACKAGE.rglob("*.py")):
        here = module_name(file)
        mine = layer_of(here) if here != "catalog" else 0
        for line, target in imports(file):
            if layer_of(target) > mine:
                where = f"{file.relative_to(REPO)}:{line}"
                wrong.append(
                    f"{where}: {LAYERS[mine]} imports {target} ({LAYERS[layer_of(target)]})"
                )
    assert wrong == []


def test_the_layer_test_sees_a_wrong_way_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from catalog.site.build import build\n")
    assert imports(bad) == [(2, "catalog.site.build")] and layer_of(
        "catalog.site.build"
    ) > layer_of("catalog.core.model")
