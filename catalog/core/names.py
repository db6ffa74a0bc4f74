"""Names: slugs for folders and URLs, "did you mean" for misspelt values, and the path a
site is served under."""

from __future__ import annotations

import difflib
import ipaddress
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
    """A resource's table in bulk/catalog.sqlite.gz: 'dot__traffic_crashes_2023__crashes'."""
    return f"{dataset_id.replace('/', '__')}__{resource}".replace("-", "_").replace(".", "_")


def slugify(text: str) -> str:
    """A lowercase slug of ``text`` (at most 80 characters), or "" if nothing is left."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80].strip("-")


def did_you_mean(value: object, choices: list[str] | tuple[str, ...], cutoff: float = 0.6) -> str:
    """ " Did you mean 'x'?" for the closest choice (case aside), or ""."""
    if not isinstance(value, str):
        return ""
    lowered = {c.lower(): c for c in choices}
    if value.lower() in lowered:
        return f" Did you mean {lowered[value.lower()]!r}?"
    close = difflib.get_close_matches(value.lower(), list(lowered), n=1, cutoff=cutoff)
    return f" Did you mean {lowered[close[0]]!r}?" if close else ""


def base_path_of(url: str) -> str:
    """The path a site is served under, from its base URL: '/open-data-catalog/'."""
    path = urlsplit(url).path or "/"
    return path if path.endswith("/") else path + "/"


_URL_UNSAFE = re.compile(r"[\x00-\x20\x7f\"<>\\^`{|}]")  # RFC 3986 never allows them unencoded
_HOST_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


def http_url_problem(text: str) -> str | None:
    """Why ``text`` is not an absolute http(s) URL fit to publish as a link, or None:
    a scheme, a host name with a dot (or an IP address), no user name or password (which
    can disguise the real host: ``https://data.ct.gov@example.com``), no spaces or
    characters a URL must encode."""
    bad = _URL_UNSAFE.search(text)
    if bad:
        return f"it holds {bad[0]!r}, which a URL must percent-encode"
    try:
        parts = urlsplit(text)
        port_ok = parts.port is None or 0 < parts.port < 65536
    except ValueError as exc:
        return str(exc)
    if parts.scheme.lower() not in ("http", "https"):
        return "it does not start with http:// or https://"
    if "@" in parts.netloc:
        return "it holds a user name before '@', which hides the real host"
    if not port_ok:
        return "its port is out of range"
    host = (parts.hostname or "").rstrip(".")
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return f"{host!r} is not a host name"
    labels = ascii_host.split(".")
    named = len(labels) >= 2 and all(_HOST_LABEL.fullmatch(x) for x in labels)
    if not named and not _is_ip(host):
        return f"{host or 'the host'!r} is not a host name with a domain"
    return None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
