"""Check a YAML document against its JSON Schema and turn each finding into a Problem
that names the line, says what is wrong and how to fix it (with "did you mean")."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from catalog.core import contract
from catalog.core.names import did_you_mean
from catalog.core.problems import Problem, problem
from catalog.core.yamlfile import KeyPath, YamlDoc

_validators = {name: Draft202012Validator(schema) for name, schema in contract.SCHEMAS.items()}
_validators["table-schema"] = Draft202012Validator(contract.TABLE_SCHEMA)

_TYPE_WORDS = {
    "string": "text",
    "array": "a list",
    "object": "a mapping of keys to values",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "null": "nothing",
}


def _dotted(path: KeyPath) -> str:
    return "/".join(str(p) for p in path) or "(top level)"


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "nothing" if value is None else type(value).__name__


def check(doc: YamlDoc, kind: str) -> list[Problem]:
    """Problems of ``doc`` against the ``kind`` ('dataset', 'agency', 'catalog') schema."""
    out: list[Problem] = []
    for error in sorted(_validators[kind].iter_errors(doc.data), key=lambda e: list(map(str, e.absolute_path))):
        out.extend(_explain(error, doc))
    return out


def _explain(error: ValidationError, doc: YamlDoc) -> list[Problem]:
    path: KeyPath = tuple(error.absolute_path)
    line = doc.lines.of(path)
    where = _dotted(path)
    key = str(path[-1]) if path else None
    v: Any = error.validator
    value: Any = error.instance
    schema: dict[str, Any] = dict(error.schema) if isinstance(error.schema, dict) else {}
    want_value: Any = error.validator_value
    if v == "required":
        missing = [k for k in want_value if isinstance(value, dict) and k not in value]
        return [
            problem(
                "access-level-missing" if k == "access_level" else "required-key",
                f"required key {k!r} is missing" + (f" in {where}" if path else ""),
                doc.path,
                line=line,
                field=k,
                hint=f"Add `{k}:` {_describe(schema.get('properties', {}).get(k, {}))}.",
            )
            for k in missing
        ]
    if v == "additionalProperties":
        known = sorted(schema.get("properties", {}))
        extras = [k for k in value if k not in known] if isinstance(value, dict) else []
        return [
            problem(
                "unknown-key",
                f"unknown key {k!r}" + (f" in {where}" if path else "") + "." + did_you_mean(k, known),
                doc.path,
                line=doc.lines.of((*path, k)),
                field=k,
                hint="Allowed keys here: " + ", ".join(known) + ".",
            )
            for k in extras
        ]
    if v == "enum":
        allowed = [str(x) for x in want_value]
        return [
            problem(
                "invalid-value",
                f"{where}: {value!r} is not allowed.{did_you_mean(value, allowed)}",
                doc.path,
                line=line,
                field=key,
                hint="Use one of: " + "; ".join(allowed) + ".",
            )
        ]
    if v == "type":
        want = want_value
        want_words = " or ".join(_TYPE_WORDS.get(str(t), str(t)) for t in (want if isinstance(want, list) else [want]))
        return [problem("wrong-type", f"{where} must be {want_words}, not {_type_name(value)}", doc.path, line=line, field=key, hint=_example_hint(schema))]
    if v in ("minLength", "minItems"):
        unit = "characters" if v == "minLength" else "items"
        have = len(value) if isinstance(value, (str, list)) else 0
        return [problem("too-short", f"{where} has {have} {unit}; at least {want_value} needed", doc.path, line=line, field=key, hint=_short_hint(path, want_value, unit))]
    if v in ("maxLength", "maxItems"):
        unit = "characters" if v == "maxLength" else "items"
        have = len(value) if isinstance(value, (str, list)) else 0
        return [problem("too-long", f"{where} has {have} {unit}; at most {want_value} allowed", doc.path, line=line, field=key, hint=f"Shorten it to {want_value} {unit} or fewer.")]
    if v == "pattern":
        pat = want_value
        if pat == contract.DATE_PATTERN:
            return [problem("invalid-date", f"{where}: {value!r} is not a date written YYYY-MM-DD", doc.path, line=line, field=key, hint="Write the date as YYYY-MM-DD, e.g. 2024-07-01.")]
        if pat == "^https?://":
            return [problem("invalid-url", f"{where}: {value!r} is not an http(s) URL", doc.path, line=line, field=key, hint="Write the full address, starting with https://.")]
        if pat == contract.EMAIL_PATTERN:
            return [problem("invalid-email", f"{where}: {value!r} is not an email address", doc.path, line=line, field=key, hint="Write a role mailbox such as data.officer@agency.example.gov.")]
        if pat == contract.HANDLE_PATTERN:
            return [problem("invalid-value", f"{where}: {value!r} is not a code-host handle", doc.path, line=line, field=key, hint="Write a user or team handle such as @octocat or @org/team.")]
        if pat == contract.RESOURCE_NAME_PATTERN:
            return [
                problem(
                    "invalid-value",
                    f"{where}: {value!r} is not a valid resource name",
                    doc.path,
                    line=line,
                    field=key,
                    hint="Use lowercase letters, digits, '-', '_' or '.', starting with a letter or digit.",
                )
            ]
        return [problem("invalid-value", f"{where}: {value!r} does not match {pat}", doc.path, line=line, field=key, hint="Correct the value's format.")]
    if v == "oneOf":
        return _explain_one_of(error, doc)
    if v in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return [problem("invalid-value", f"{where}: {value!r} is out of range ({v} {want_value})", doc.path, line=line, field=key, hint="Correct the number.")]
    return [problem("invalid-value", f"{where}: {error.message}", doc.path, line=line, field=key, hint="Correct the value.")]


def _explain_one_of(error: ValidationError, doc: YamlDoc) -> list[Problem]:
    """For ``oneOf`` (a field name or a mapping; a path or an inline schema) explain the
    branch whose type matches what was written."""
    by_branch: dict[int, list[ValidationError]] = {}
    for sub in error.context or []:
        by_branch.setdefault(sub.schema_path[0] if sub.schema_path else 0, []).append(sub)  # type: ignore[arg-type]
    for subs in by_branch.values():
        if not any(s.validator == "type" and not s.relative_path for s in subs):
            out: list[Problem] = []
            for s in subs:
                out.extend(_explain(s, doc))
            if out:
                return out
    path: KeyPath = tuple(error.absolute_path)
    wants = " or ".join(_TYPE_WORDS.get(str(b.get("type")), str(b.get("type"))) for b in _as_list(error.validator_value) if "type" in b)
    return [
        problem(
            "wrong-type",
            f"{_dotted(path)} must be {wants or 'another type'}, not {_type_name(error.instance)}",
            doc.path,
            line=doc.lines.of(path),
            field=str(path[-1]) if path else None,
            hint=_example_hint(dict(error.schema) if isinstance(error.schema, dict) else {}),
        )
    ]


def _describe(schema: dict[str, Any]) -> str:
    if "enum" in schema:
        return "with one of: " + "; ".join(map(str, schema["enum"]))
    t = schema.get("type")
    if t == "array":
        return "with a list (one `- item` per line)"
    if t == "object":
        keys = schema.get("required") or list(schema.get("properties", {}))
        return "with the keys " + ", ".join(keys)
    if schema.get("pattern") == contract.DATE_PATTERN:
        return "with a date YYYY-MM-DD"
    if schema.get("minLength", 0) > 1:
        return f"with at least {schema['minLength']} characters of text"
    return "with a value"


def _example_hint(schema: dict[str, Any]) -> str:
    return "Write it " + _describe(schema) + "."


def _short_hint(path: KeyPath, minimum: int, unit: str) -> str:
    if path and path[-1] == "description":
        return f"Write at least {minimum} {unit}: what the data is, who collects it, how and why (search engines require it)."
    return f"Give at least {minimum} {unit}."


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else []
