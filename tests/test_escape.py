"""Every text leaving the catalog is escaped for the language it lands in: the same hostile
payloads go through each escaper, and each output is read back by a parser of that
language, which must give the text back intact and nothing else (no new tag, attribute,
cell, line, command or rule)."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from catalog.core import escape

PAYLOADS = [
    "plain",
    "</script><script>alert(1)</script>",
    '" onmouseover="alert(2)" x="',
    "' onfocus='alert(3)",
    "<img src=x onerror=alert(4)>",
    "<!-- hides the rest",
    "]]><x/>",
    "a & b &amp; &lt;c&gt;",
    "`code` **bold** _em_ [link](javascript:alert(5)) ![img](x) <https://x.example>",
    "| a | b |",
    "line one\nline two\r\n# heading\n- item",
    "\\`escaped\\` \\\\ backslashes \\",
    "~~strike~~ {curly} (paren) #hash +plus -minus .dot !bang :colon",
    '=HYPERLINK("http://x.example","click")',
    "+1+2",
    "+ plus item",
    "* star item",
    "1. numbered",
    "12) numbered",
    "> quoted",
    "***",
    "www.example.com and https://x.example/a_b_c",
    "-2+3",
    "@SUM(A1:A2)",
    "\tTab first",
    "%0A%25 ::error file=x::injected\n::warning::second",
    "a, b: c",
    "unicode é ü 漢字 🙂 \u2028 \u2029",
    "nul\x00 and bell\x07 and escape\x1b",
    "trailing space ",
    " leading space",
    "#not-a-comment",
    "path with spaces/and #hash",
    "",
]


class _Collect(HTMLParser):
    """Tags with their attributes and the text of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)


def _html(fragment: str) -> _Collect:
    parser = _Collect()
    parser.feed(fragment)
    parser.close()
    return parser


def _one_line(text: str) -> str:
    """The text as inline Markdown shows it: one line, white space collapsed, control
    characters dropped."""
    return " ".join(re.sub("[\x00-\x08\x0e-\x1b\x7f]", "", text).split())


@pytest.mark.parametrize("text", PAYLOADS)
def test_html_attribute(text: str) -> None:
    doc = _html(f'<a title="{escape.html_attribute(text)}" href="/x">t</a>')
    assert doc.tags == [("a", {"title": text, "href": "/x"})]


@pytest.mark.parametrize("text", PAYLOADS)
def test_embed_snippet_keeps_the_title_in_its_attribute(text: str) -> None:
    snippet = escape.embed_snippet("https://data.example.gov/charts/a?b=1&c=2", text)
    doc = _html(snippet)
    assert len(doc.tags) == 1
    tag, attrs = doc.tags[0]
    assert tag == "iframe"
    assert attrs["title"] == text
    assert attrs["src"] == "https://data.example.gov/charts/a?b=1&c=2"
    assert set(attrs) == {"src", "title", "width", "height", "style", "loading"}


@pytest.mark.parametrize("text", PAYLOADS)
def test_script_json_stays_inside_its_script_and_parses(text: str) -> None:
    data = {"name": text, "list": [text], text: 1}
    body = str(escape.script_json(data))
    assert "</" not in body and "<!--" not in body and "\u2028" not in body
    doc = _html(f'<script type="application/ld+json">{body}</script><p>after</p>')
    assert [t for t, _ in doc.tags] == ["script", "p"]
    assert json.loads(doc.text[0]) == data


def _markdown(text: str) -> _Collect:
    # GitHub renders raw HTML (sanitised): the test parser allows it too, the harder case
    md = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")
    return _html(md.render(text))


@pytest.mark.parametrize("text", PAYLOADS)
def test_markdown_text_is_read_back_as_the_same_text(text: str) -> None:
    doc = _markdown(escape.markdown_text(text))
    assert [t for t, _ in doc.tags] in ([], ["p"])
    assert not doc.comments
    assert "".join(doc.text).strip() == _one_line(text).strip()


@pytest.mark.parametrize("text", PAYLOADS)
def test_markdown_cell_stays_in_its_cell(text: str) -> None:
    table = f"| a | b | c |\n|---|---|---|\n| 1 | {escape.markdown_cell(text)} | 3 |\n"
    doc = _markdown(table)
    cells = [t for t, _ in doc.tags if t == "td"]
    assert len(cells) == 3
    parser = _Collect()
    rendered = MarkdownIt("commonmark", {"html": True}).enable("table").render(table)
    row = rendered.split("<tbody>")[1].split("<td>")
    assert len(row) == 4, rendered  # one row, three cells
    parser.feed(row[2].split("</td>")[0])
    assert "".join(parser.text).strip() == _one_line(text).strip()
    assert not parser.tags


@pytest.mark.parametrize("text", [p for p in PAYLOADS if p])
def test_markdown_code_is_one_code_element(text: str) -> None:
    doc = _markdown("Column " + escape.markdown_code(text) + " changed")
    assert [t for t, _ in doc.tags] == ["p", "code"]
    assert "".join(doc.text).strip() == f"Column {_one_line(text)} changed"


@pytest.mark.parametrize("text", PAYLOADS)
def test_xml_text_in_content_and_both_attribute_quotes(text: str) -> None:
    value = escape.xml_text(text)
    root = ET.fromstring(f"<feed><e a=\"{value}\" b='{value}'>{value}</e></feed>")
    kept = "".join(c for c in text if c in "\t\n\r" or ord(c) >= 0x20)
    element = root[0]
    assert len(root) == 1 and len(element) == 0
    # XML normalises line breaks (and, in attributes, all white space) on reading
    assert (element.text or "") == kept.replace("\r\n", "\n").replace("\r", "\n")
    normalised = kept.replace("\r\n", " ").translate(str.maketrans("\t\n\r", "   "))
    assert element.get("a") == element.get("b") == normalised


@pytest.mark.parametrize("text", PAYLOADS)
def test_csv_metadata_cell_does_not_start_a_formula(text: str) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(["id", escape.csv_metadata_cell(text), "end"])
    rows = list(csv.reader(io.StringIO(buf.getvalue())))
    assert len(rows) == 1 and len(rows[0]) == 3 and rows[0][2] == "end"
    cell = rows[0][1]
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert cell in (text, "'" + text)


def _workflow_unescape(value: str) -> str:
    for a, b in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        value = value.replace(a, b)
    return value


@pytest.mark.parametrize("text", PAYLOADS)
def test_workflow_command_is_one_command_with_its_properties(text: str) -> None:
    prop, data = escape.workflow_property(text), escape.workflow_data(text)
    command = f"::error file={prop},title=t::{data}"
    assert "\n" not in command and "\r" not in command
    assert "," not in prop and ":" not in prop
    head, _, message = command[2:].partition("::")
    assert _workflow_unescape(message) == text
    props = dict(p.split("=", 1) for p in head.removeprefix("error ").split(","))
    assert set(props) == {"file", "title"}
    assert _workflow_unescape(props["file"]) == text


def _codeowners_rule(line: str) -> list[str]:
    """A CODEOWNERS line split the way GitHub reads it: white space separates, a
    backslash escapes the next character, an unescaped '#' starts a comment."""
    tokens, current, escaped = [], "", False
    for ch in line:
        if escaped:
            current += ch
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "#":
            break
        elif ch.isspace():
            if current:
                tokens.append(current)
            current = ""
        else:
            current += ch
    return [*tokens, current] if current else tokens


@pytest.mark.parametrize("text", [p for p in PAYLOADS if p.strip() and "\x00" not in p])
def test_codeowners_path_is_one_pattern_on_one_line(text: str) -> None:
    line = f"{escape.codeowners_path(text)} @owner"
    assert len(line.splitlines()) == 1
    assert _codeowners_rule(line) == [" ".join(text.splitlines()), "@owner"]


@pytest.mark.parametrize("text", PAYLOADS)
def test_imported_descriptions_keep_only_safe_markup(text: str) -> None:
    """A description from another portal (text or HTML) becomes Markdown that renders only
    paragraphs, lists, line breaks and http(s)/mailto links — never a script, an image, a
    comment or a javascript: link — whatever it held."""
    from catalog.commands.importing import markdown_from_html

    html_source = (
        f"<p>{text}</p><script>alert(9)</script><style>p{{}}</style>"
        "<a href='javascript:alert(1)'>bad</a> <a href='https://ok.example/a_b'>good</a>"
        f"<ul><li>{text}</li></ul><img src=x onerror=alert(6)>"
    )
    for source in (text, html_source):
        doc = _markdown(markdown_from_html(source))
        assert {t for t, _ in doc.tags} <= {"p", "ul", "li", "a", "br"}, (source, doc.tags)
        links = [attrs.get("href", "") for t, attrs in doc.tags if t == "a"]
        assert all(href.startswith(("https://", "http://", "mailto:")) for href in links), links
        assert not doc.comments and "alert(9)" not in "".join(doc.text)
    assert "https://ok.example/a_b" in [
        a.get("href") for t, a in _markdown(markdown_from_html(html_source)).tags if t == "a"
    ]
