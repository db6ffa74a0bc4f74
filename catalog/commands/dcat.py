"""`catalog import dcat`: the datasets of any DCAT-US 1.1 catalog (a ``data.json`` file or
address: Socrata, CKAN and ArcGIS Hub all publish one) into catalog entries.

Each dataset becomes a folder with its metadata mapped (title, description made Markdown
text, keywords, theme → category, accrualPeriodicity → update frequency, contact point,
licence, temporal and spatial coverage, landing page, access level). Its data either stays
where it is — a *harvested* entry, whose downloads link to the source and are shown as such
on its page and in ``data.json`` — or, with ``--download``, its CSV distribution is fetched
into the folder and goes through `catalog new` like any new dataset (a download that fails
leaves a harvested entry and says why). Re-running updates what changed at the source and
never overwrites an ADO's edits (see ``catalog/commands/importing.py``).
"""

from __future__ import annotations

import json
import mimetypes
import re
import shutil
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from catalog.commands.importing import (
    Agencies,
    Imported,
    ImportFailed,
    Vocabulary,
    Writer,
    contact,
    date_of,
    frequency,
    long_enough,
    markdown_from_html,
    report,
    scaffold,
    unique,
    utf8,
    yaml_text,
)
from catalog.commands.scaffold import ScaffoldError
from catalog.core import contract
from catalog.core.contract import PLACEHOLDER_MARK

REQUIRED = (
    "title",
    "description",
    "keyword",
    "modified",
    "publisher",
    "contactPoint",
    "identifier",
    "accessLevel",
)
USER_AGENT = "open-data-catalog-import/1 (+catalog import dcat)"


def read_catalog(source: str, timeout: float = 30.0) -> list[Any]:
    """The ``dataset`` list of a DCAT-US catalog (a path or an http(s) address);
    ImportFailed saying what is wrong when it cannot be read or is not one."""
    try:
        if re.match(r"(?i)https?://", source):
            request = urllib.request.Request(
                source, headers={"User-Agent": USER_AGENT, "Accept": "application/json"}
            )
            with urllib.request.urlopen(request, timeout=timeout) as response:
                text = response.read().decode("utf-8-sig")
        else:
            text = Path(source).read_text("utf-8-sig")
    except (OSError, urllib.error.URLError, UnicodeDecodeError, ValueError) as exc:
        raise ImportFailed(f"{source}: cannot be read ({exc})") from None
    try:
        data = utf8(json.loads(text))
    except ValueError as exc:
        raise ImportFailed(f"{source}: not JSON ({exc})") from None
    if isinstance(data, dict) and isinstance(data.get("dataset"), list):
        return list(data["dataset"])
    if isinstance(data, list):  # DCAT-US 1.0 catalogs are a bare list of datasets
        return data
    raise ImportFailed(
        f"{source}: not a DCAT-US catalog (expected a data.json: an object whose `dataset` is a "
        "list)"
    )


def import_dcat(
    root: Path,
    source: str,
    *,
    download: bool = False,
    agency: str | None = None,
    timeout: float = 30.0,
) -> tuple[list[Imported], str]:
    """Import every dataset of the catalog at ``source`` into ``root``; return what became
    of each and the report. One dataset's failure never stops the batch."""
    datasets = read_catalog(source, timeout)
    vocab = Vocabulary.of(root)
    agencies = Agencies(root)
    writer = Writer(root, f"dcat:{source}")
    items: list[Imported] = []
    seen: set[str] = set()
    for n, d in enumerate(datasets, 1):
        item = Imported(f"{source} #{n}", "", f"dataset {n}")
        items.append(item)
        try:
            if not isinstance(d, dict):
                raise ImportFailed(f"dataset {n} is not an object")
            title, identifier = d.get("title"), d.get("identifier")
            if (
                not isinstance(title, str)
                or not title.strip()
                or not isinstance(identifier, str)
                or not identifier.strip()
            ):
                raise ImportFailed(
                    f"dataset {n} has no title or no identifier (DCAT-US requires both): skipped"
                )
            item.title, item.identifier = " ".join(title.split()), identifier.strip()
            if item.identifier in seen:
                raise ImportFailed(
                    f"identifier {item.identifier!r} appears twice in the catalog: imported once"
                )
            seen.add(item.identifier)
            missing = [k for k in REQUIRED if k not in d]
            if missing:
                item.notes.append("not valid DCAT-US, missing: " + ", ".join(missing))
            _import_one(root, source, d, item, vocab, agencies, writer, agency, download, timeout)
        except (ImportFailed, ScaffoldError) as exc:
            item.status = "failed"
            item.notes.append(str(exc))
    writer.save()
    return items, report(items, agencies.started, f"Import from {source}")


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _url(value: Any) -> str | None:
    text = _text(value)
    return text if text and re.match(r"(?i)https?://\S+$", text) else None


def _distributions(d: dict[str, Any]) -> list[dict[str, str]]:
    out = []
    for x in d.get("distribution") or []:
        if not isinstance(x, dict):
            continue
        url = _url(x.get("downloadURL")) or _url(x.get("accessURL"))
        if not url:
            continue
        kind = "download" if _url(x.get("downloadURL")) else "access"
        media = _text(x.get("mediaType")) or ""
        if kind == "download" and not media:  # DCAT-US wants a media type with a download
            media = mimetypes.guess_type(url.split("?")[0])[0] or ""
            kind = "download" if media else "access"
        fmt = _text(x.get("format")) or (media.rsplit("/", 1)[-1].upper() if media else "")
        title = _text(x.get("title")) or fmt or ("Download" if kind == "download" else "Access")
        out.append({"title": title[:200], "url": url, "media_type": media[:100], "kind": kind})
    return out


SOCRATA_ADDRESS = re.compile(r"/(?:api/views|d|resource)/([a-z0-9]{4}-[a-z0-9]{4})(?:[/.?#]|$)")
SOCRATA_PAGE = re.compile(
    r"^https?://[^/]+/([A-Za-z0-9-]{1,100})/([A-Za-z0-9-]{1,100})/([a-z0-9]{4}-[a-z0-9]{4})/?$"
)


def socrata_of(d: dict[str, Any]) -> dict[str, str] | None:
    """The Socrata identity of a dataset harvested from a Socrata portal's data.json: the
    4×4 in its identifier or landing page, and the landing page's ``<Category>/<Name>``."""
    for value in (d.get("identifier"), d.get("landingPage")):
        found = SOCRATA_ADDRESS.search(value) if isinstance(value, str) else None
        if found:
            out = {"id": found[1]}
            page = SOCRATA_PAGE.match(_text(d.get("landingPage")) or "")
            if page and page[3] == found[1] and page[1].lower() not in ("d", "resource", "api"):
                out["path"] = f"{page[1]}/{page[2]}"
            return out
    return None


def _is_csv(x: dict[str, str]) -> bool:
    return x["kind"] == "download" and (
        x["media_type"].lower() == "text/csv"
        or x["title"].lower() == "csv"
        or x["url"].lower().split("?")[0].endswith(".csv")
    )


def _metadata(d: dict[str, Any], title: str, vocab: Vocabulary, notes: list[str]) -> dict[str, Any]:
    description, short = long_enough(markdown_from_html(_text(d.get("description"))), title)
    notes.extend(short)
    keywords = unique(k for k in d.get("keyword") or [] if isinstance(k, str))
    if not keywords:
        notes.append("no keywords: add some (marked FILL IN)")
    themes = [t for t in d.get("theme") or [] if isinstance(t, str)]
    cp = _dict(d.get("contactPoint"))
    meta: dict[str, Any] = {
        "title": title[:200],
        "description": description,
        "category": vocab.category(themes[0] if themes else None, notes),
        "keywords": [k[:100] for k in keywords[:50]] or [PLACEHOLDER_MARK],
        "update_frequency": frequency(_text(d.get("accrualPeriodicity")), notes),
        "access_level": "public",
        "contact": contact({"name": cp.get("fn"), "email": cp.get("hasEmail")}, notes),
    }
    level = _text(d.get("accessLevel")) or "public"
    if level not in contract.ACCESS_LEVELS:
        notes.append(
            f"access level {level!r} is not a DCAT-US value: imported as non-public until the ADO "
            "decides"
        )
        level = "non-public"
    meta["access_level"] = level
    if level != "public":
        meta["rights"] = (
            _text(d.get("rights"))
            or f"{PLACEHOLDER_MARK}: why it is not public, or how to ask for it"
        )[:255]
        meta["exemptions"] = [
            {"authority": f"{PLACEHOLDER_MARK}: the law or policy", "category": PLACEHOLDER_MARK}
        ]
        notes.append(f"{level}: name the legal basis (exemptions, marked FILL IN)")
        if level == "restricted public":
            meta["access_url"] = _url(d.get("landingPage")) or "https://example.invalid/fill-in"
    spdx = vocab.license(_text(d.get("license")), notes)
    if spdx:
        meta["license"] = spdx
    temporal = _text(d.get("temporal"))
    if temporal and "/" in temporal:
        start, end = (date_of(p) for p in temporal.split("/", 1))
        if start:
            meta["temporal_coverage"] = {"start": start, "end": end}
    spatial = _text(d.get("spatial"))
    if spatial:
        meta["spatial"] = spatial[:300]
    landing = _url(d.get("landingPage"))
    if landing:
        meta["source_link"] = landing
    references = [u for u in (_url(r) for r in d.get("references") or []) if u]
    if references:
        meta["references"] = references
    issued = date_of(d.get("issued"))
    if issued:
        meta["issued"] = issued
    return meta


def _import_one(
    root: Path,
    source: str,
    d: dict[str, Any],
    item: Imported,
    vocab: Vocabulary,
    agencies: Agencies,
    writer: Writer,
    agency: str | None,
    download: bool,
    timeout: float,
) -> None:
    notes = item.notes
    publisher = _dict(d.get("publisher"))
    slug = agency or agencies.find(_text(publisher.get("name")), notes)
    item.folder = writer.folder_for(slug, item.title, item.identifier)
    meta = _metadata(d, item.title, vocab, notes)
    former = socrata_of(d)
    if former:  # harvested from a Socrata portal: its old addresses will lead here
        meta["socrata"] = former
    links = _distributions(d)
    modified = _text(d.get("modified")) or ""
    header = (
        f"Imported from {source} (identifier {item.identifier}) by `catalog import dcat`.\nDecide "
        "what is marked FILL IN, then run `catalog validate`."
    )
    csv_link = next((x for x in links if _is_csv(x)), None)
    if download and meta["access_level"] == "public" and csv_link is not None:
        with tempfile.TemporaryDirectory(prefix="catalog-import-") as tmp:
            made = _downloaded(root, Path(tmp), item, csv_link["url"], timeout)
            if made is not None:
                resource, data_file = made
                meta["resources"] = [resource]
                writer.write(
                    item,
                    {"dataset.yaml": yaml_text(header, meta), resource["path"]: data_file},
                    modified,
                )
                return
    if meta["access_level"] == "public":
        if not links:
            notes.append(
                "no distribution with an address: the entry has no data; add a resource or a link"
            )
        meta["harvested"] = {
            "from": source if re.match(r"(?i)https?://", source) else Path(source).name,
            "identifier": item.identifier,
            "distributions": links,
        }
    writer.write(item, {"dataset.yaml": yaml_text(header, meta)}, modified)


def _downloaded(
    root: Path, scratch: Path, item: Imported, url: str, timeout: float
) -> tuple[dict[str, Any], Path] | None:
    """The distribution's CSV fetched and scaffolded (resource, data file), or None with a
    note saying why the entry stays harvested."""
    name = re.sub(r"[^a-z0-9]+", "-", Path(url.split("?")[0]).stem.lower()).strip("-") or "data"
    target = scratch / f"{name}.csv"
    try:
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        with urllib.request.urlopen(request, timeout=timeout) as response, target.open("wb") as out:
            shutil.copyfileobj(response, out, 1 << 20)
    except (OSError, urllib.error.URLError, ValueError) as exc:
        item.notes.append(f"could not download {url} ({exc}): kept as a harvested link")
        return None
    try:
        doc, data_file = scaffold(root, scratch, item.folder, target, item.title, item.notes)
    except ScaffoldError as exc:
        item.notes.append(f"the CSV at {url} cannot be imported ({exc}): kept as a harvested link")
        return None
    return doc["resources"][0], data_file
