"""Formatting problems for people and machines: text, JSON, GitHub annotations, Markdown."""

from __future__ import annotations

from collections.abc import Sequence

from catalog.core.escape import markdown_cell, markdown_code, workflow_data, workflow_property
from catalog.core.problems import Problem, to_json


def counts(problems: Sequence[Problem]) -> str:
    """'2 errors, 1 warning'."""
    e = sum(p.severity == "error" for p in problems)
    w = len(problems) - e
    return f"{e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}"


def as_text(problems: Sequence[Problem], checked: int) -> str:
    """Problems for a terminal: location, severity, code, message and fix."""
    out = []
    for p in problems:
        out.append(f"{p.location}: {p.severity} [{p.code}] {p.message}")
        if p.hint:
            out.append(f"    fix: {p.hint}")
    what = f"{checked} dataset{'s' * (checked != 1)}"
    out.append(
        ("" if not problems else "\n")
        + f"Checked {what}: {counts(problems)}."
        + (" All clear." if not problems else "")
    )
    return "\n".join(out)


def as_json(problems: Sequence[Problem]) -> str:
    """Problems as JSON, for machines."""
    return to_json(problems)


def as_github(problems: Sequence[Problem]) -> str:
    """GitHub workflow commands: one annotation per problem, on the file and line."""
    out = []
    for p in problems:
        props = [f"file={workflow_property(p.path)}"]
        line = p.line if p.line is not None else p.row
        if line is not None:
            props.append(f"line={line}")
        props.append(f"title={workflow_property(p.code)}")
        where = f"row {p.row}: " if p.row is not None and p.line is None else ""
        text = where + p.message + (f"\nfix: {p.hint}" if p.hint else "")
        out.append(f"::{p.severity} {','.join(props)}::{workflow_data(text)}")
    return "\n".join(out)


def as_markdown(problems: Sequence[Problem], checked: int) -> str:
    """Problems as a Markdown table, for a workflow's job summary."""
    head = f"### Validation: {checked} dataset{'s' * (checked != 1)}, {counts(problems)}\n"
    if not problems:
        return head + "\nAll clear.\n"
    rows = [
        "| severity | file | line | row | field | code | problem | fix |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for p in problems:
        cells = [markdown_cell(x) for x in (p.severity, p.path, p.line, p.row, p.field)]
        cells += [markdown_code(p.code), markdown_cell(p.message), markdown_cell(p.hint)]
        rows.append("| " + " | ".join(cells) + " |")
    return head + "\n" + "\n".join(rows) + "\n"
