"""Text leaving the catalog in another language goes through one function per language.

Pages are escaped by Jinja's autoescape (``markupsafe``); everything else a writer
produces by hand — the embed snippet people paste into their sites, Markdown for GitHub,
XML feeds, JSON inside ``<script>``, the catalog's own metadata CSV, workflow commands,
CODEOWNERS — is escaped here, and ``tests/test_escape.py`` runs the same hostile payloads
through every function, reading each output back in its language.
"""

from __future__ import annotations

import json
import re
from typing import Any

from markupsafe import Markup, escape

# --- HTML ---------------------------------------------------------------------------------


def html_attribute(value: object) -> str:
    """A value for a double-quoted HTML attribute (quotes, <, >, & as entities)."""
    return str(escape(str(value)))


def embed_snippet(src: str, title: str, width: int = 760, height: int = 560) -> str:
    """The ``<iframe>`` code people copy into their own pages, as text: every attribute
    value escaped, so a chart title cannot break out of its attribute there. (Shown on a
    page, the text is escaped once more, by the template.)"""
    return (
        f'<iframe src="{html_attribute(src)}" title="{html_attribute(title)}" '
        f'width="{int(width)}" height="{int(height)}" style="border:0" loading="lazy"></iframe>'
    )


def script_json(data: Any) -> Markup:
    """JSON safe inside ``<script>``: '<', '>', '&' and U+2028/9 escaped, so '</script>'
    cannot close it and the text stays valid JavaScript."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1)
    for a, b in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(a, b)
    return Markup(text)


# --- Markdown for GitHub (pull-request summaries, the CDO's review) ---------------------------

# characters with an inline meaning anywhere in a line (emphasis, code, links, cells,
# strike-through), and what starts a block at the start of one (heading, list item)
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]|~])")
_BLOCK_START = re.compile(r"^([#+-]|[0-9]+[.)])")


_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f]")  # C0 controls that are not white space


def markdown_text(value: object) -> str:
    """Inline text for GitHub-flavoured Markdown: one line with white space collapsed (a
    line break or a leading tab would start a block), HTML-significant characters as
    entities (so ``<!--`` cannot open a comment that hides what follows), Markdown
    punctuation backslash-escaped (no emphasis, links, code spans or table cells)."""
    if value is None:
        return ""
    text = " ".join(_CONTROL.sub("", str(value)).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)
    return _BLOCK_START.sub(lambda m: m[0][:-1] + "\\" + m[0][-1], text)


def markdown_cell(value: object) -> str:
    """Text for a cell of a GitHub-flavoured Markdown table (a pipe would end the cell, a
    line break the row)."""
    return markdown_text(value)


def markdown_code(value: object) -> str:
    """An identifier shown as code: a code span when nothing in it could end the span or
    a table cell (the usual case, readable in the raw report), otherwise a ``<code>``
    element around escaped text."""
    text = "" if value is None else str(value)
    if _PLAIN_CODE.fullmatch(text) and text.isprintable():
        return f"`{text}`"
    return f"<code>{markdown_text(value)}</code>"


_PLAIN_CODE = re.compile(r"[^`|\s\\]([^`|\\]*[^`|\s\\])?")


# --- XML (Atom, sitemap) -----------------------------------------------------------------------

# characters XML 1.0 does not allow at all (C0 controls but tab, line feed and carriage
# return; lone surrogates; U+FFFE and U+FFFF): a feed holding one is not XML
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: object) -> str:
    """Text for XML content or a double- or single-quoted attribute; characters XML cannot
    hold are dropped."""
    text = _XML_ILLEGAL.sub("", str(value))
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&apos;")
    )


# --- CSV the catalog writes about itself (catalog.csv) ---------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_metadata_cell(value: object) -> str:
    """A metadata cell a spreadsheet will not run: text starting like a formula gets a
    leading apostrophe (OWASP's advice). Published data files stay as the agency wrote
    them, as CKAN and Socrata publish them."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


# --- GitHub workflow commands (annotations on the pull request) ------------------------------


def workflow_data(value: str) -> str:
    """The message part of a ``::error ...::message`` workflow command."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def workflow_property(value: str) -> str:
    """A property (``file=``, ``title=``) of a workflow command."""
    return workflow_data(value).replace(":", "%3A").replace(",", "%2C")


# --- CODEOWNERS --------------------------------------------------------------------------------


def codeowners_path(path: str) -> str:
    """A path pattern of .github/CODEOWNERS: white space, '#' and backslashes escaped; a
    line break cannot start a new rule."""
    return _CODEOWNERS_SPECIAL.sub(r"\\\g<0>", " ".join(path.splitlines()))


_CODEOWNERS_SPECIAL = re.compile(r"[\s#\\]")
