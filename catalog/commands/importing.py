"""What the importers (``catalog import socrata`` and ``catalog import dcat``) share: HTML
descriptions made Markdown text, the catalog's vocabularies matched, agencies found or
started, and folders written so that nothing already in ``datasets/`` is lost.

Each imported folder is recorded in ``datasets/.imports.json`` (its source, identifier,
the source's modification date and the digest of the dataset.yaml the import wrote). A
second import of the same source updates a folder only while its dataset.yaml is still the
one the import wrote; once an ADO has edited it, the newer import goes to
``import-conflicts/<agency>/<dataset>/`` and the report says so.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml

from catalog.commands.scaffold import new_dataset
from catalog.core import contract
from catalog.core.contract import PLACEHOLDER_EMAIL, PLACEHOLDER_MARK
from catalog.core.errors import CatalogError
from catalog.core.escape import markdown_text
from catalog.core.names import slugify
from catalog.core.problems import Problem

STATE = "datasets/.imports.json"
CONFLICTS = "import-conflicts"


class ImportFailed(CatalogError):
    """An import cannot start (its source is unreadable or not what it should be); the
    message says which file and what to do."""


@dataclass
class Imported:
    """What became of one dataset of an import."""

    source: str  # the file or URL it came from
    identifier: str  # its identifier there (a Socrata 4×4, a DCAT identifier)
    title: str
    folder: str = ""  # datasets/<agency>/<dataset>, once known
    status: str = "failed"  # created, updated, unchanged, kept (edited here), failed, skipped
    notes: list[str] = field(default_factory=list)  # what could not be mapped, what to decide
    changed: list[str] = field(default_factory=list)  # keys an update changed


# --- text ---------------------------------------------------------------------------------


def utf8(value: Any) -> Any:
    """JSON data with every string valid UTF-8: a lone surrogate (``"\\ud800"`` in the
    source) becomes ``?`` — it could not be written to a file or a terminal."""
    if isinstance(value, str):
        return value if value.isascii() else value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, list):
        return [utf8(v) for v in value]
    if isinstance(value, dict):
        return {utf8(k): utf8(v) for k, v in value.items()}
    return value


class _Markdown(HTMLParser):
    """HTML → Markdown text: paragraphs, line breaks, list items and http(s)/mailto links
    kept; every other tag dropped (script and style with their content); text escaped so
    that it renders as the words it was."""

    BLOCKS = frozenset(
        {
            "p",
            "div",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "ul",
            "ol",
            "table",
            "tr",
            "blockquote",
            "pre",
        }
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0
        self.link: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag == "br":
            self.out.append("\n")
        elif tag in self.BLOCKS:
            self.out.append("\n\n")
        elif tag == "li":
            self.out.append("\n- ")
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            ok = re.match(r"(?i)(https?://|mailto:)[^\s()<>]+$", href.strip())
            self.link.append(href.strip() if ok else None)
            if ok:
                self.out.append("[")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCKS:
            self.out.append("\n\n")
        elif tag == "a" and self.link:
            href = self.link.pop()
            if href:
                self.out.append(f"]({href})")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            lines = data.split("\n")
            self.out.append(
                "\n".join(markdown_text(line) if line.strip() else "" for line in lines)
            )


def markdown_from_html(text: str | None) -> str:
    """A description as Markdown text: HTML made text (see ``_Markdown``), plain text kept
    with its paragraphs; never markup that the site would run."""
    if not text:
        return ""
    parser = _Markdown()
    parser.feed(text if "<" in text else html.escape(text, quote=False))
    parser.close()
    body = "".join(parser.out)
    body = re.sub(r"[ \t]+\n", "\n", body)
    return re.sub(r"\n{3,}", "\n\n", body).strip()


def long_enough(description: str, title: str) -> tuple[str, list[str]]:
    """A description of at least 50 characters (the contract's minimum), or one marked for
    the ADO to finish."""
    if len(description) >= 50:
        return description, []
    start = description or title
    return (
        f"{start}\n\n{PLACEHOLDER_MARK}: describe what one row is, who collects the data and how "
        "(the old portal's description was shorter than 50 characters).",
        ["the description was shorter than 50 characters: finish it (marked FILL IN)"],
    )


# --- vocabularies ----------------------------------------------------------------------------

FREQUENCIES = {  # words portals use → the catalog's update_frequency
    "annual": "Annually",
    "annually": "Annually",
    "yearly": "Annually",
    "r/p1y": "Annually",
    "semi-annual": "Bi-annually",
    "semiannual": "Bi-annually",
    "bi-annually": "Bi-annually",
    "biannually": "Bi-annually",
    "r/p6m": "Bi-annually",
    "quarterly": "Quarterly",
    "r/p3m": "Quarterly",
    "bi-monthly": "Bi-monthly",
    "bimonthly": "Bi-monthly",
    "r/p2m": "Bi-monthly",
    "monthly": "Monthly",
    "r/p1m": "Monthly",
    "bi-weekly": "Bi-weekly",
    "biweekly": "Bi-weekly",
    "r/p2w": "Bi-weekly",
    "weekly": "Weekly",
    "r/p1w": "Weekly",
    "daily": "Daily",
    "r/p1d": "Daily",
    "every weekday": "Every weekday",
    "weekdays": "Every weekday",
    "as needed": "As needed",
    "irregular": "As needed",
    "irregularly": "As needed",
    "never": "Not updated (historical only)",
    "historical": "Not updated (historical only)",
    "not updated": "Not updated (historical only)",
    "one time": "Not updated (historical only)",
    "one-time": "Not updated (historical only)",
    "other": "Other",
}

LICENSES = {  # how portals name licences → SPDX
    "cc0_10": "CC0-1.0",
    "cc0-1.0": "CC0-1.0",
    "cc0": "CC0-1.0",
    "creative commons 1.0 universal (public domain dedication)": "CC0-1.0",
    "https://creativecommons.org/publicdomain/zero/1.0/": "CC0-1.0",
    "cc_40_by": "CC-BY-4.0",
    "cc-by-4.0": "CC-BY-4.0",
    "creative commons attribution 4.0 international": "CC-BY-4.0",
    "https://creativecommons.org/licenses/by/4.0/": "CC-BY-4.0",
    "odbl": "ODbL-1.0",
    "odbl-1.0": "ODbL-1.0",
    "open database license": "ODbL-1.0",
    "https://opendatacommons.org/licenses/odbl/1-0/": "ODbL-1.0",
    "pddl": "PDDL-1.0",
    "pddl-1.0": "PDDL-1.0",
    "open data commons public domain dedication and license": "PDDL-1.0",
    "https://opendatacommons.org/licenses/pddl/1-0/": "PDDL-1.0",
    "odc_by": "ODC-By-1.0",
    "odc-by-1.0": "ODC-By-1.0",
    "open data commons attribution license": "ODC-By-1.0",
    "https://opendatacommons.org/licenses/by/1-0/": "ODC-By-1.0",
}


@dataclass(frozen=True)
class Vocabulary:
    """The catalog's categories and licences (catalog.yaml, or the defaults)."""

    categories: tuple[str, ...]
    licenses: tuple[str, ...]
    repository: str = "public"  # public or private: where withheld values may be committed

    @staticmethod
    def of(root: Path) -> Vocabulary:
        try:
            doc = yaml.safe_load((root / "catalog.yaml").read_text("utf-8"))
        except (OSError, yaml.YAMLError):
            doc = None
        doc = doc if isinstance(doc, dict) else {}
        cats = doc.get("categories") if isinstance(doc.get("categories"), list) else None
        lics = doc.get("licenses") if isinstance(doc.get("licenses"), list) else None
        return Vocabulary(
            tuple(map(str, cats or contract.DEFAULT_CATEGORIES)),
            tuple(map(str, lics or contract.DEFAULT_LICENSES)),
            "private" if doc.get("repository") == "private" else "public",
        )

    def category(self, value: str | None, notes: list[str]) -> str:
        """The catalog category for a portal's category or theme (case and punctuation
        aside), or a placeholder the ADO must replace."""
        if value:
            key = slugify(value.replace("&", " and "))
            for c in self.categories:
                if slugify(c.replace("&", " and ")) == key:
                    return c
            notes.append(
                f"category {value!r} is not one of the catalog's: choose one (marked FILL IN)"
            )
        else:
            notes.append("no category: choose one (marked FILL IN)")
        return f"{PLACEHOLDER_MARK}: one of {'; '.join(self.categories)}"

    def license(self, value: str | None, notes: list[str]) -> str | None:
        """The SPDX id for a portal's licence, or None (the catalog's default then applies,
        and the report says so)."""
        if not value:
            return None
        spdx = LICENSES.get(value.strip().lower()) or LICENSES.get(
            value.strip().lower().replace("http://", "https://")
        )
        if spdx in self.licenses:
            return spdx
        notes.append(
            f"licence {value!r} is not one the catalog allows: the catalog's default applies "
            "until the ADO chooses one"
        )
        return None


def frequency(value: str | None, notes: list[str]) -> str:
    """The catalog's update_frequency for a portal's wording, or a placeholder."""
    if value:
        found = FREQUENCIES.get(value.strip().lower())
        if found:
            return found
        notes.append(
            f"update frequency {value!r} is not one the catalog knows: choose one (marked FILL IN)"
        )
    else:
        notes.append("no update frequency: choose one (marked FILL IN)")
    return f"{PLACEHOLDER_MARK}: one of {'; '.join(contract.UPDATE_FREQUENCIES)}"


def date_of(value: Any) -> str | None:
    """An ISO date from an epoch second count or an ISO date/date-time text."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return dt.datetime.fromtimestamp(value, dt.UTC).date().isoformat()
    if isinstance(value, str) and re.match(r"\d{4}-\d{2}-\d{2}", value):
        return value[:10]
    return None


# --- agencies --------------------------------------------------------------------------------


class Agencies:
    """The catalog's agencies by name and abbreviation; new ones started on first use."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.known: dict[str, str] = {}  # slug of a name or abbreviation → agency slug
        for file in sorted((root / "datasets").glob("*/agency.yaml")):
            try:
                doc = yaml.safe_load(file.read_text("utf-8"))
            except (OSError, yaml.YAMLError):
                continue
            slug = file.parent.name
            self.known[slug] = slug
            if isinstance(doc, dict):
                for key in ("name", "abbreviation"):
                    if isinstance(doc.get(key), str):
                        self.known.setdefault(slugify(doc[key]), slug)
        self.started: list[str] = []

    def find(self, name: str | None, notes: list[str]) -> str:
        """The agency slug for a publisher's name: a known agency, or a new one (its
        agency.yaml written with the name and placeholders for the rest)."""
        if not name or not slugify(name):
            notes.append(
                "no publisher or attribution names the agency: moved to agency 'unassigned'"
            )
            name = "Unassigned"
        key = slugify(name)
        if key in self.known:
            return self.known[key]
        slug = _cut(key, 60)
        self.known[key] = self.known[slug] = slug
        folder = self.root / "datasets" / slug
        if not (folder / "agency.yaml").is_file():
            folder.mkdir(parents=True, exist_ok=True)
            initials = (
                "".join(w[0] for w in re.findall(r"[A-Za-z0-9]+", name) if w[0].isupper())
                or slug[:10].upper()
            )
            text = yaml.safe_dump(
                {
                    "name": name[:200],
                    "abbreviation": initials[:20],
                    "website": "https://example.invalid/fill-in",
                    "description": f"{PLACEHOLDER_MARK}: what the agency does, in a sentence.",
                    "data_officer": {"name": "Agency Data Officer", "handle": "@fill-in"},
                },
                sort_keys=False,
                allow_unicode=True,
            )
            (folder / "agency.yaml").write_text(
                "# Started by `catalog import`: fill in the website, description and data "
                "officer.\n" + text,
                "utf-8",
            )
            self.started.append(slug)
        return slug


def contact(values: dict[str, Any], notes: list[str]) -> dict[str, str]:
    """A contact from a portal's name and e-mail (a ``mailto:`` address taken apart), or
    placeholders."""
    name = values.get("name") if isinstance(values.get("name"), str) else None
    email = values.get("email") if isinstance(values.get("email"), str) else None
    if email:
        email = email.removeprefix("mailto:").strip()
    if not email or not re.fullmatch(r"[^@\s\"?]+@[^@\s\"?]+\.[^@\s\"?]+", email):
        notes.append("no contact e-mail: write the role mailbox (marked FILL IN)")
        email = PLACEHOLDER_EMAIL
    return {
        "name": (name or f"{PLACEHOLDER_MARK}: a role, e.g. Agency Data Officer")[:200],
        "email": email,
    }


# --- writing folders -------------------------------------------------------------------------


def scaffold(
    root: Path, scratch: Path, folder: str, source: Path, title: str, notes: list[str]
) -> tuple[dict[str, Any], Path]:
    """`catalog new` of ``source`` as ``folder`` (``datasets/<agency>/<name>``), made in
    ``scratch`` with the catalog's settings and the agency's details: the dataset.yaml it
    wrote (as data) and its data file. ScaffoldError when the CSV cannot be imported."""
    agency = folder.split("/")[1]
    for file in ("catalog.yaml", f"datasets/{agency}/agency.yaml"):
        if (root / file).is_file():
            (scratch / file).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(root / file, scratch / file)
    made = new_dataset(scratch, folder.removeprefix("datasets/"), source, title=title)
    notes.extend(made.notes)
    doc = yaml.safe_load((made.folder / "dataset.yaml").read_text("utf-8"))
    return doc, made.folder / doc["resources"][0]["path"]


_NOT_IN_YAML = re.compile("[^\t\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def yaml_text(header: str, data: dict[str, Any]) -> str:
    """A dataset.yaml: a comment saying where it came from (characters YAML does not allow
    in a file shown as ``?``), then the keys in order."""
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    lines = [_NOT_IN_YAML.sub("?", line) for line in header.splitlines()]
    comments = "".join(f"# {line}\n" if line else "#\n" for line in lines)
    return (
        "# yaml-language-server: $schema=../../../catalog/schemas/dataset.schema.json\n"
        + comments
        + body
    )


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Writer:
    """Writes imported folders: new ones created whole (or not at all), earlier imports
    updated only while no one has edited them, and every folder recorded in STATE."""

    def __init__(self, root: Path, source: str) -> None:
        self.root = root
        self.source = source
        file = root / STATE
        try:
            state = json.loads(file.read_text("utf-8")) if file.is_file() else {}
        except (OSError, ValueError) as exc:
            raise ImportFailed(
                f"{STATE} cannot be read ({exc}): restore it from git (`git checkout {STATE}`) "
                "and import again"
            ) from None
        self.state: dict[str, dict[str, Any]] = state if isinstance(state, dict) else {}
        self.taken: set[str] = set()  # folders written by this import
        self.earlier: dict[tuple[Any, Any], str] | None = None  # (source, identifier) → folder

    def folder_for(self, agency: str, title: str, identifier: str) -> str:
        """The folder of an earlier import of this identifier, else a new one named after
        the title (with the identifier's slug added when the name is taken)."""
        if self.earlier is None:
            self.earlier = {
                (e.get("source"), e.get("identifier")): f
                for f, e in self.state.items()
                if isinstance(e, dict)
            }
        folder = self.earlier.get((self.source, identifier))
        if folder and (self.root / folder).is_dir():
            return folder
        tail = slugify(identifier.rstrip("/").rsplit("/", 1)[-1]) or slugify(
            identifier
        )  # a URL's last part
        base = _cut(slugify(title), 60) or tail or "dataset"
        for name in (base, _cut(f"{base}-{tail}", 80)):
            folder = f"datasets/{agency}/{name}"
            if not (self.root / folder).exists() and folder not in self.taken:
                return folder
        n = 2
        while (
            self.root / f"datasets/{agency}/{base}-{n}"
        ).exists() or f"datasets/{agency}/{base}-{n}" in self.taken:
            n += 1
        return f"datasets/{agency}/{base}-{n}"

    def write(self, item: Imported, files: dict[str, Path | str], modified: str | None) -> None:
        """Write ``files`` (name → a file to move in, or text) as ``item.folder``: created,
        updated (unedited since the last import), unchanged, or kept (edited here: the new
        import goes to CONFLICTS)."""
        target = self.root / item.folder
        yaml_new = files["dataset.yaml"]
        assert isinstance(yaml_new, str)
        entry = self.state.get(item.folder)
        self.taken.add(item.folder)
        if target.exists():
            current = (
                (target / "dataset.yaml").read_text("utf-8")
                if (target / "dataset.yaml").is_file()
                else ""
            )
            if (
                entry is None or entry.get("identifier") != item.identifier
            ):  # not ours: never touched
                raise AssertionError("folder_for gives an imported folder or a free one")
            if entry.get("yaml") != _digest(current):
                if entry.get("modified") == modified:
                    item.status = "unchanged"
                    return
                _write_folder(self.root / CONFLICTS / item.folder.removeprefix("datasets/"), files)
                item.status = "kept"
                item.notes.append(
                    f"{item.folder}/dataset.yaml was edited since the last import: left as it is; "
                    f"the new import is in {CONFLICTS}/{item.folder.removeprefix('datasets/')}/ "
                    "to merge by hand"
                )
                return
            if _digest(yaml_new) == entry.get("yaml") and entry.get("modified") == modified:
                item.status = "unchanged"
                return
            item.changed = _changed_keys(current, yaml_new)
            _write_folder(target, files, replace=True)
            item.status = "updated"
        else:
            _write_folder(target, files)
            item.status = "created"
        self.state[item.folder] = {
            "source": self.source,
            "identifier": item.identifier,
            "modified": modified,
            "yaml": _digest(yaml_new),
        }

    def save(self) -> None:
        file = self.root / STATE
        file.parent.mkdir(parents=True, exist_ok=True)
        tmp = file.with_name(file.name + ".tmp")
        tmp.write_text(
            json.dumps(dict(sorted(self.state.items())), indent=1, ensure_ascii=False) + "\n",
            "utf-8",
        )
        tmp.replace(file)


def _cut(slug: str, most: int) -> str:
    """A slug of at most ``most`` characters, cut between words where it can be."""
    if len(slug) <= most:
        return slug
    cut = slug[: most + 1].rsplit("-", 1)[0]
    return (cut if len(cut) >= most // 2 else slug[:most]).strip("-")


def _changed_keys(old: str, new: str) -> list[str]:
    try:
        a, b = yaml.safe_load(old) or {}, yaml.safe_load(new) or {}
    except yaml.YAMLError:
        return ["dataset.yaml"]
    if not isinstance(a, dict) or not isinstance(b, dict):
        return ["dataset.yaml"]
    return sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))


def _write_folder(target: Path, files: dict[str, Path | str], replace: bool = False) -> None:
    """Write a folder whole: into a staging folder beside it, then renamed into place (an
    update replaces only the files it brings; the folder's other files stay)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".import-", dir=target.parent))
    try:
        for name, content in files.items():
            if isinstance(content, Path):
                shutil.copyfile(content, staging / name)
            else:
                (staging / name).write_text(content, "utf-8")
        if not target.exists():
            staging.rename(target)
            return
        assert replace
        for item in staging.iterdir():
            item.replace(target / item.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


# --- the report ------------------------------------------------------------------------------


def report(items: list[Imported], agencies: list[str], title: str) -> str:
    """The import report (Markdown): counts, then each dataset with what to decide."""
    counts: dict[str, int] = {}
    for it in items:
        counts[it.status] = counts.get(it.status, 0) + 1
    lines = [
        f"# {markdown_text(title)}",
        "",
        ", ".join(f"{n:,} {s}" for s, n in sorted(counts.items())) or "nothing imported",
        "",
    ]
    if agencies:
        lines += [
            "Agencies started (fill in their agency.yaml): "
            + ", ".join(f"`{a}`" for a in agencies),
            "",
        ]
    lines += ["| dataset | from | status | to decide or check |", "|---|---|---|---|"]
    for it in items:
        what = "; ".join(markdown_text(n) for n in it.notes)
        if it.changed:
            what = ("changed: " + ", ".join(it.changed) + ("; " if what else "")) + what
        where = f"`{it.folder}`" if it.folder else markdown_text(it.title)
        lines.append(f"| {where} | {markdown_text(it.identifier)} | {it.status} | {what} |")
    return "\n".join(lines) + "\n"


def unique(values: Iterator[str]) -> list[str]:
    """Texts with white space collapsed, empty ones and repeats (case aside) left out."""
    seen: dict[str, None] = {}
    for v in values:
        v = " ".join(v.split())
        if v and v.lower() not in (s.lower() for s in seen):
            seen[v] = None
    return list(seen)


def validated(items: list[Imported], problems: list[Problem]) -> str:
    """The report's second part: what `catalog validate` says of each imported folder."""
    lines = ["", "## Validation of the imported folders", ""]
    by_folder: dict[str, list[Problem]] = {}
    for p in problems:
        by_folder.setdefault("/".join(p.path.split("/")[:3]), []).append(p)
    shown = [i for i in items if i.status in ("created", "updated")]
    if not shown:
        return ""
    for it in shown:
        found = by_folder.get(it.folder, [])
        errors = [p for p in found if p.severity == "error"]
        warnings = [p for p in found if p.severity != "error"]
        if not found:
            lines.append(f"- `{it.folder}`: valid")
            continue
        first = errors[0] if errors else warnings[0]
        where = f"{first.path}:{first.line}" if first.line else first.path
        lines.append(
            f"- `{it.folder}`: {len(errors)} error(s), {len(warnings)} warning(s); first: "
            f"{markdown_text(first.message)} ({where})"
        )
    lines.append("")
    lines.append("Run `catalog validate <folder>` for each problem with its fix.")
    return "\n".join(lines) + "\n"
