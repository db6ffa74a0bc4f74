"""YAML parsing that keeps line numbers and refuses what reviewers cannot see.

``parse_yaml`` returns plain Python data (dates as ISO strings) plus a ``Lines`` map from a
key path such as ``("resources", 0, "schema")`` to the 1-based line it starts on, so that a
problem "at resources/0/schema" is reported as ``dataset.yaml:14``.  Anchors and aliases
are refused (they enable the "billion laughs" expansion), as are duplicate keys.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from catalog.core.errors import CatalogError
from catalog.core.problems import Problem, problem

KeyPath = tuple[str | int, ...]

MAX_YAML_BYTES = 1_000_000
MAX_DEPTH = 32  # nesting of mappings and lists; the contract needs fewer than ten levels
LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ~10x faster


@dataclass(frozen=True)
class Lines:
    """Line numbers of the nodes of one YAML document."""

    by_path: Mapping[KeyPath, int] = field(default_factory=dict)

    def of(self, path: KeyPath) -> int | None:
        """The line of ``path`` or of its nearest ancestor that has one."""
        p = tuple(path)
        while p:
            if p in self.by_path:
                return self.by_path[p]
            p = p[:-1]
        return self.by_path.get((), None)


@dataclass(frozen=True)
class YamlDoc:
    """A parsed YAML file: its data and the line of each key."""

    path: str  # relative to the catalog root, for messages
    data: Any
    lines: Lines


class _Refused(CatalogError):
    def __init__(self, key: str, line: int | None, /, **values: Any) -> None:
        super().__init__(key)
        self.key, self.line, self.values = key, line, values


_constructor = yaml.constructor.SafeConstructor()


_PLAIN_TAGS = {
    f"tag:yaml.org,2002:{t}"
    for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
}


def _convert(node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int], seen: set[int]) -> Any:
    lines.setdefault(path, node.start_mark.line + 1)
    if id(node) in seen:  # the composer shares one node among its aliases
        raise _Refused("yaml-alias", node.start_mark.line + 1)
    if not isinstance(node, yaml.ScalarNode):
        seen.add(id(node))
    if node.tag not in _PLAIN_TAGS:
        raise _Refused("wrong-type:yaml-tag", node.start_mark.line + 1, tag=node.tag)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Refused("wrong-type:yaml-key", key_node.start_mark.line + 1)
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Refused("yaml-alias:merge", key_node.start_mark.line + 1)
            key = str(_constructor.construct_object(key_node))
            if key in out:
                raise _Refused("yaml-duplicate-key", key_node.start_mark.line + 1, key=key)
            child = (*path, key)
            lines[child] = key_node.start_mark.line + 1
            out[key] = _convert(value_node, child, lines, seen)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*path, i), lines, seen) for i, item in enumerate(node.value)]
    value = _constructor.construct_object(node)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        raise _Refused("wrong-type:yaml-binary", node.start_mark.line + 1)
    return value


def _too_deep(root: yaml.Node) -> int | None:
    """The line of the first node nested deeper than MAX_DEPTH, or None (iteratively: the
    check must not recurse as deep as the document does)."""
    stack: list[tuple[yaml.Node, int]] = [(root, 0)]
    seen: set[int] = set()  # an alias shares its node: visit each once (aliases are refused later)
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return int(node.start_mark.line) + 1
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack += [(v, depth + 1) for _, v in node.value]
        elif isinstance(node, yaml.SequenceNode):
            stack += [(v, depth + 1) for v in node.value]
    return None


def nested_too_deep(value: object) -> bool:
    """Is a parsed JSON value nested deeper than MAX_DEPTH?"""
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        if isinstance(item, dict):
            stack += [(v, depth + 1) for v in item.values()]
        elif isinstance(item, list):
            stack += [(v, depth + 1) for v in item]
    return False


def parse_yaml(text: str, path: str) -> tuple[YamlDoc | None, list[Problem]]:
    """Parse ``text``; return the document or the problems that stopped it."""
    if len(text) > MAX_YAML_BYTES:
        return None, [
            problem(
                "file-unreadable:yaml-size",
                path,
                size=len(text.encode("utf-8")),
                limit=MAX_YAML_BYTES,
            )
        ]
    try:
        node = yaml.compose(text, Loader=LOADER)
    except RecursionError:
        return None, [problem("yaml-syntax:too-deep", path, limit=MAX_DEPTH)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or str(exc)
        if exc.context and exc.context_mark and exc.context_mark is not mark:
            what += f" ({exc.context} on line {exc.context_mark.line + 1})"
        return None, [problem("yaml-syntax", path, line=line, what=what)]
    except yaml.YAMLError as exc:
        return None, [problem("yaml-syntax:other", path, what=exc)]
    if node is None:
        return None, [problem("yaml-not-mapping:empty", path, line=1)]
    deep = _too_deep(node)
    if deep is not None:
        return None, [problem("yaml-syntax:too-deep", path, line=deep, limit=MAX_DEPTH)]
    lines: dict[KeyPath, int] = {}
    try:
        data = _convert(node, (), lines, set())
    except _Refused as exc:
        return None, [problem(exc.key, path, line=exc.line, **exc.values)]
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        return None, [problem("yaml-syntax:value", path, what=exc)]
    if not isinstance(data, dict):
        return None, [problem("yaml-not-mapping", path, line=1)]
    return YamlDoc(path, data, Lines(lines)), []


def read_yaml(file: Any, rel: str) -> tuple[YamlDoc | None, list[Problem]]:
    """Read and parse a YAML file at ``file`` (a Path); ``rel`` names it in problems."""
    try:
        size = file.stat().st_size
        if size > MAX_YAML_BYTES:
            return None, [
                problem("file-unreadable:yaml-size", rel, size=size, limit=MAX_YAML_BYTES)
            ]
        raw = file.read_bytes()
    except OSError as exc:
        return None, [problem("file-unreadable:os", rel, reason=exc.strerror)]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [problem("file-unreadable:not-utf8", rel, line=line)]
    return parse_yaml(text, rel)
