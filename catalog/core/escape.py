"""Text leaving the catalog in another language goes through one function per language.

HTML and attributes are escaped by Jinja's autoescape and ``markupsafe``; this module
holds the rest, each used by every writer of that language.
"""

from __future__ import annotations


def markdown_cell(value: object) -> str:
    """Text for a cell of a GitHub-flavoured Markdown table: a pipe would end the cell and
    a line break the row."""
    if value is None:
        return ""
    return " ".join(str(value).replace("|", "\\|").splitlines())
