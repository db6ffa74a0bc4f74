"""Markdown rendered and sanitised (nh3), and plain text for metadata files."""

from __future__ import annotations

import html
import re
import threading
from functools import lru_cache

import markdown as md
import nh3

TAGS = {"p", "br", "strong", "em", "b", "i", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h2", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "hr", "abbr", "sup", "sub"}
ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}, "td": set()}


_local = threading.local()


def _render(text: str, *extensions: str) -> str:
    """Markdown → HTML with one converter per thread and set of extensions (making a
    converter costs ten times more than converting a short description)."""
    converters = _local.__dict__.setdefault("converters", {})
    converter = converters.get(extensions)
    if converter is None:
        converter = converters[extensions] = md.Markdown(extensions=list(extensions), output_format="html")
    return str(converter.reset().convert(text))


@lru_cache(maxsize=4096)
def markdown_html(text: str) -> str:
    """Markdown → HTML → sanitised: no scripts, styles, event handlers or javascript: URLs.
    Headings start at h2 (the page's h1 is the title)."""
    raw = _render(text, "extra", "sane_lists")
    raw = re.sub(r"<(/?)h1\b", r"<\1h2", raw)
    return nh3.clean(raw, tags=TAGS, attributes=ATTRIBUTES, url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow")


@lru_cache(maxsize=8192)
def plain_text(text: str) -> str:
    """Markdown → plain text (for JSON-LD, data.json, feeds and search snippets)."""
    stripped = nh3.clean(_render(text, "extra"), tags=set())
    return " ".join(html.unescape(stripped).split())
