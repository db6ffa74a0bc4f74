"""Markdown rendered and sanitised (nh3), and plain text for metadata files.

Descriptions are CommonMark with tables, strikethrough, definition lists and footnotes,
rendered by markdown-it-py: its parser runs in time close to linear in the text, and caps
nesting, so a hostile description cannot make a build slow or crash it (Python-Markdown
took minutes on 20,000 '[' and overflowed the stack on deeply nested lists). Raw HTML in
a description is shown as text, never passed through.
"""

from __future__ import annotations

import html
import re
import threading
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin

TAGS = {
    "p", "br", "strong", "em", "b", "i", "s", "del", "code", "pre", "blockquote", "ul", "ol",
    "li", "a", "h2", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "hr", "abbr",
    "sup", "sub", "dl", "dt", "dd", "section",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "abbr": {"title"},
    "th": {"scope"},
    "td": set(),
    "sup": {"id"},
    "li": {"id"},
    "ol": {"start"},
}
ALIGN = {
    "align-left",
    "align-center",
    "align-right",
}  # table columns (no inline style: the CSP forbids it)
MAX_NESTING = 20  # blocks within blocks; deeper markup is shown flat

_local = threading.local()


def _parser() -> MarkdownIt:
    """One parser per thread (creating one costs more than rendering a short text)."""
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = MarkdownIt(
            "commonmark",
            {"html": False, "linkify": False, "typographer": False, "maxNesting": MAX_NESTING},
        )
        parser.enable(["table", "strikethrough"]).use(deflist_plugin).use(footnote_plugin)
        _local.parser = parser
    return parser


@lru_cache(maxsize=4096)
def markdown_html(text: str) -> str:
    """Markdown → HTML → sanitised: no scripts, styles, event handlers or javascript: URLs.
    Headings start at h2 (the page's h1 is the title)."""
    raw = _parser().render(text)
    raw = re.sub(r"<(/?)h1\b", r"<\1h2", raw)
    raw = re.sub(r' style="text-align:(left|center|right)"', r' class="align-\1"', raw)
    return nh3.clean(
        raw,
        tags=TAGS,
        attributes=ATTRIBUTES,
        allowed_classes={"th": ALIGN, "td": ALIGN},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


@lru_cache(maxsize=8192)
def plain_text(text: str) -> str:
    """Markdown → plain text (for JSON-LD, data.json, feeds and search snippets)."""
    stripped = nh3.clean(_parser().render(text), tags=set())
    return " ".join(html.unescape(stripped).split())
