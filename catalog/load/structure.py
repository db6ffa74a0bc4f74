"""Check a YAML document against its JSON Schema and turn each finding into a Problem
that names the line, says what is wrong and how to fix it (with "did you mean")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from catalog.core import contract
from catalog.core.names import did_you_mean, ecma_regex, http_url_problem
from catalog.core.problems import Problem, problem
from catalog.core.yamlfile import KeyPath, YamlDoc

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError


@cache
def _validator(kind: str) -> Draft202012Validator:
    """The JSON Schema validator of one kind of file (jsonschema is imported, and the
    schemas compiled, only when a file needs checking: the memo spares most runs it)."""
    from jsonschema import Draft202012Validator, validators
    from jsonschema.exceptions import ValidationError

    def pattern(_v: Any, expected: str, instance: object, _schema: Any) -> Any:
        # ECMA-262's '$', as every other JSON Schema validator reads it
        if isinstance(instance, str) and not _ecma(expected).search(instance):
            yield ValidationError(f"{instance!r} does not match {expected!r}")

    def format_(_v: Any, kind: str, instance: object, schema: Any) -> Any:
        # 'uri' checked here (jsonschema leaves formats unchecked); an http(s) pattern,
        # when the schema has one, is reported first and alone
        url = kind == "uri" and isinstance(instance, str)
        if url and _ecma(schema.get("pattern", "")).search(str(instance)):
            reason = http_url_problem(str(instance))
            if reason:
                yield ValidationError(reason)

    schema = contract.TABLE_SCHEMA if kind == "table-schema" else contract.SCHEMAS[kind]
    cls = validators.extend(Draft202012Validator, {"pattern": pattern, "format": format_})  # type: ignore[no-untyped-call]
    return cls(schema)  # type: ignore[no-any-return]


@cache
def _ecma(pattern: str) -> re.Pattern[str]:
    return re.compile(ecma_regex(pattern))


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
    data = _capped(doc.data, kind)
    for error in sorted(
        _validator(kind).iter_errors(data), key=lambda e: list(map(str, e.absolute_path))
    ):
        out.extend(_explain(error, doc))
    return out + _text_warnings(doc)


def _capped(data: dict[str, Any], kind: str) -> dict[str, Any]:
    """The document with each table's fields cut to the most any catalog accepts: the
    fields beyond are refused as over the limit anyway (checks/metadata.py), and checking
    each costs time (a dataset.yaml of 1 MB can list 25,000 fields)."""
    most = contract.MOST_COLUMNS

    def cut(schema: Any) -> Any:
        fields = schema.get("fields") if isinstance(schema, dict) else None
        if isinstance(fields, list) and len(fields) > most:
            return {**schema, "fields": fields[:most]}
        return schema

    if kind == "table-schema":
        return cut(data)  # type: ignore[no-any-return]
    resources = data.get("resources") if kind == "dataset" else None
    if not isinstance(resources, list):
        return data
    kept = [
        {**r, "schema": cut(r["schema"])} if isinstance(r, dict) and "schema" in r else r
        for r in resources
    ]
    return {**data, "resources": kept}


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # all but tab and line breaks
_FORMULA_KEYS = {"title", "keywords"}  # texts that become catalog.csv cells (and agency names)


def _text_warnings(doc: YamlDoc) -> list[Problem]:
    """Warnings about texts that read well in YAML but not where they go: invisible
    control characters, and titles shaped like spreadsheet formulas."""
    out: list[Problem] = []
    stack: list[tuple[KeyPath, object]] = [((), doc.data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            stack += [((*path, k), v) for k, v in value.items()]
        elif isinstance(value, list):
            stack += [((*path, i), v) for i, v in enumerate(value)]
        elif isinstance(value, str):
            out += _text_warning(doc, path, value)
    return sorted(out, key=lambda p: (p.line or 0, p.message))


def _text_warning(doc: YamlDoc, path: KeyPath, value: str) -> list[Problem]:
    line, where = doc.lines.of(path), _dotted(path)
    control = _CONTROL.search(value)
    if control:
        return [
            problem("control-characters", doc.path, line=line, where=where, code=ord(control[0]))
        ]
    named = [k for k in path if isinstance(k, str)]
    cell = path == ("name",) or (named and named[-1] in _FORMULA_KEYS)
    if cell and value.startswith(("=", "+", "-", "@")):
        short = value if len(value) <= 40 else value[:39] + "…"
        return [
            problem(
                "formula-like-text", doc.path, line=line, where=where, first=value[0], value=short
            )
        ]
    return []


@dataclass(frozen=True)
class _Finding:
    """One JSON Schema error, in the terms problems are told in."""

    error: ValidationError
    doc: YamlDoc

    @property
    def path(self) -> KeyPath:
        return tuple(self.error.absolute_path)

    @property
    def line(self) -> int | None:
        return self.doc.lines.of(self.path)

    @property
    def where(self) -> str:
        return _dotted(self.path)

    @property
    def key(self) -> str | None:
        return str(self.path[-1]) if self.path else None

    @property
    def schema(self) -> dict[str, Any]:
        return dict(self.error.schema) if isinstance(self.error.schema, dict) else {}

    def problem(self, key: str, **values: Any) -> Problem:
        return problem(
            key, self.doc.path, line=self.line, field=self.key, **{"where": self.where, **values}
        )


def _required(f: _Finding) -> list[Problem]:
    value: Any = f.error.instance
    inside = f" in {f.where}" if f.path else ""
    missing = [
        k for k in _as_list(f.error.validator_value) if isinstance(value, dict) and k not in value
    ]
    want = f.schema.get("properties", {})
    return [
        problem(
            "access-level-missing" if k == "access_level" else "required-key",
            f.doc.path,
            line=f.line,
            field=k,
            key=k,
            where=inside,
            want=_describe(want.get(k, {})),
        )
        for k in missing
    ]


def _additional(f: _Finding) -> list[Problem]:
    value: Any = f.error.instance
    inside = f" in {f.where}" if f.path else ""
    known = sorted(f.schema.get("properties", {}))
    extras = [k for k in value if k not in known] if isinstance(value, dict) else []
    return [
        problem(
            "unknown-key",
            f.doc.path,
            line=f.doc.lines.of((*f.path, k)),
            field=k,
            key=k,
            where=inside,
            suggestion=did_you_mean(k, known),
            allowed=", ".join(known),
        )
        for k in extras
    ]


def _enum(f: _Finding) -> list[Problem]:
    allowed = [str(x) for x in _as_list(f.error.validator_value)]
    if "propertyNames" in f.error.schema_path:  # a constraint the field's type does not have
        kind = _at(f.doc.data, f.path[:-1]).get("type", "string") if f.path else "string"
        return [
            f.problem(
                "invalid-table-schema:constraint",
                value=f.error.instance,
                type=kind,
                allowed=", ".join(allowed),
            )
        ]
    return [
        f.problem(
            "invalid-value",
            value=f.error.instance,
            suggestion=did_you_mean(f.error.instance, allowed),
            allowed="; ".join(allowed),
        )
    ]


def _type(f: _Finding) -> list[Problem]:
    want = f.error.validator_value
    words = " or ".join(
        _TYPE_WORDS.get(str(t), str(t)) for t in (want if isinstance(want, list) else [want])
    )
    return [
        f.problem(
            "wrong-type", want=words, have=_type_name(f.error.instance), example=_describe(f.schema)
        )
    ]


def _length(f: _Finding) -> list[Problem]:
    v, value = f.error.validator, f.error.instance
    unit = "characters" if v in ("minLength", "maxLength") else "items"
    have = len(value) if isinstance(value, (str, list)) else 0
    if v in ("minLength", "minItems"):
        key = "too-short:description" if f.path and f.path[-1] == "description" else "too-short"
        return [f.problem(key, have=have, unit=unit, least=f.error.validator_value)]
    return [f.problem("too-long", have=have, unit=unit, most=f.error.validator_value)]


# a pattern of the contract, and the message that explains it
_PATTERNS = {
    contract.DATE_PATTERN: "invalid-date",
    "^https?://": "invalid-url",
    contract.EMAIL_PATTERN: "invalid-email",
    contract.HANDLE_PATTERN: "invalid-value:handle",
    contract.RESOURCE_NAME_PATTERN: "invalid-value:resource-name",
}


def _pattern(f: _Finding) -> list[Problem]:
    key = _PATTERNS.get(str(f.error.validator_value), "invalid-value:pattern")
    return [f.problem(key, value=f.error.instance, pattern=f.error.validator_value)]


def _url_reason(f: _Finding) -> list[Problem]:
    return [f.problem("invalid-url:reason", value=f.error.instance, reason=f.error.message)]


def _range(f: _Finding) -> list[Problem]:
    return [
        f.problem(
            "invalid-value:range",
            value=f.error.instance,
            bound=f.error.validator,
            limit=f.error.validator_value,
        )
    ]


def _one_of(f: _Finding) -> list[Problem]:
    """For ``oneOf`` (a field name or a mapping; a path or an inline schema) explain the
    branch whose type matches what was written."""
    by_branch: dict[int, list[ValidationError]] = {}
    for sub in f.error.context or []:
        by_branch.setdefault(int(sub.schema_path[0]) if sub.schema_path else 0, []).append(sub)
    for subs in by_branch.values():
        if not any(s.validator == "type" and not s.relative_path for s in subs):
            out: list[Problem] = []
            for s in subs:
                out.extend(_explain(s, f.doc))
            if out:
                return out
    wants = " or ".join(
        _TYPE_WORDS.get(str(b.get("type")), str(b.get("type")))
        for b in _as_list(f.error.validator_value)
        if "type" in b
    )
    return [
        f.problem(
            "wrong-type",
            want=wants or "another type",
            have=_type_name(f.error.instance),
            example=_describe(f.schema),
        )
    ]


_EXPLAIN = {
    "required": _required,
    "additionalProperties": _additional,
    "enum": _enum,
    "type": _type,
    "minLength": _length,
    "minItems": _length,
    "maxLength": _length,
    "maxItems": _length,
    "pattern": _pattern,
    "minimum": _range,
    "maximum": _range,
    "exclusiveMinimum": _range,
    "exclusiveMaximum": _range,
    "oneOf": _one_of,
    "format": _url_reason,
}


def _explain(error: ValidationError, doc: YamlDoc) -> list[Problem]:
    """The problems one JSON Schema error stands for, each with its line and fix."""
    f = _Finding(error, doc)
    handler = _EXPLAIN.get(str(error.validator))
    if handler is None:
        return [f.problem("invalid-value:other", what=error.message)]
    return handler(f)


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


def _at(data: Any, path: KeyPath) -> Any:
    """The value at a key path of a document (a mapping, or {} when there is none)."""
    for key in path:
        if isinstance(data, dict):
            data = data.get(key, {})
        elif isinstance(data, list) and isinstance(key, int) and key < len(data):
            data = data[key]
        else:
            data = {}
    return data if isinstance(data, dict) else {}


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else []
