"""Names: slugs for folders and URLs, "did you mean" for misspelt values, and the path a
site is served under."""

from __future__ import annotations

import difflib
import re
from urllib.parse import urlsplit

from catalog.core import contract


def ecma_regex(pattern: str) -> str:
    """A JSON Schema (ECMA-262) pattern in Python's dialect: an unescaped '$' outside a
    character class means the end of the text (``\\Z``), not "before a final line break"
    as Python reads it, so 'abc\\n' does not pass '^[a-z]+$'."""
    out: list[str] = []
    escaped = in_class = False
    for ch in pattern:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        elif ch == "$" and not in_class:
            out.append(r"\Z")
            continue
        out.append(ch)
    return "".join(out)


SLUG = re.compile(ecma_regex(contract.SLUG_PATTERN))


def sqlite_table_name(dataset_id: str, resource: str) -> str:
    """A resource's table in bulk/catalog.sqlite: 'dot__traffic_crashes_2023__crashes'."""
    return f"{dataset_id.replace('/', '__')}__{resource}".replace("-", "_").replace(".", "_")


def slugify(text: str) -> str:
    """A lowercase slug of ``text`` (at most 80 characters), or "" if nothing is left."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80].strip("-")


def did_you_mean(value: object, choices: list[str] | tuple[str, ...]) -> str:
    """ " Did you mean 'x'?" for the closest choice (case aside), or ""."""
    if not isinstance(value, str):
        return ""
    lowered = {c.lower(): c for c in choices}
    if value.lower() in lowered:
        return f" Did you mean {lowered[value.lower()]!r}?"
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else ""


def base_path_of(url: str) -> str:
    """The path a site is served under, from its base URL: '/open-data-catalog/'."""
    path = urlsplit(url).path or "/"
    return path if path.endswith("/") else path + "/"
