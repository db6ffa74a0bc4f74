"""The change history as published data: ``datasets/<id>/changes.json`` and an Atom feed
per dataset (``changes.xml``), and a catalog-wide feed of data changes
(``changes.xml``). Versions come from ``catalog/site/history.py``; only what the site may
show is in them (rows of versions whose data was public, published columns only)."""

from __future__ import annotations

import hashlib
import heapq
from pathlib import Path
from typing import Any

from catalog.core.escape import xml_text
from catalog.site.cache import Cache
from catalog.site.entries import Entry, Site
from catalog.site.files import kept_url, link_file
from catalog.site.history import ResourceChange, Version, changes_data, newest_data

FEED_ENTRIES = 100


def summary(v: Version) -> str:
    """One line: what a version changed."""
    if v.level == "first":
        return "; ".join(["first version", *v.metadata])  # and where it moved from
    parts = []
    if v.access:
        parts.append(f"access level {v.access[0] or '—'} → {v.access[1]}")
    for r in v.resources:
        parts.append(f"{r.name}: {_resource_summary(r)}")
    if v.metadata:
        parts.append("metadata: " + ", ".join(v.metadata))
    return "; ".join(parts) or "no visible change"


def _resource_summary(r: ResourceChange) -> str:
    if r.status in ("added", "removed"):
        return f"resource {r.status}"
    bits = []
    rows = r.rows
    if rows:
        if rows["added"]:
            bits.append(f"{rows['added']:,} rows added")
        if rows["removed"]:
            bits.append(f"{rows['removed']:,} removed")
        if rows["changed"]:
            bits.append(f"{rows['changed']:,} changed")
    bits += list(r.schema)
    if r.note:
        bits.append(r.note)
    return ", ".join(bits) or "no row changed"


def current_files(site: Site, e: Entry) -> list[dict[str, Any]]:
    """Each published file of the current version, with its SHA-256."""
    out = []
    for r in e.output.resources if e.output else []:
        for fmt, f in sorted(r.files.items()):
            out.append(
                {
                    "resource": r.name,
                    "format": fmt,
                    "url": site.download(e, f),
                    "bytes": f["bytes"],
                    "sha256": f.get("digest", ""),
                }
            )
    return out


def version_json(site: Site, e: Entry, v: Version) -> dict[str, Any]:
    """One version as changes.json lists it: with catalog.yaml's keep_old_files, each of its
    CSVs has the permanent address the build publishes it at."""
    out = {**v.to_json(), "summary_of_changes": summary(v)}
    if site.config.keep_old_files:
        out["files"] = [
            {**f, "url": kept_url(site.config, e.id, f["resource"], f["sha256"])} for f in v.files
        ]
    return out


def changes_json(site: Site, e: Entry) -> dict[str, Any]:
    """A dataset's versions, newest first, and the current version's files."""
    return {
        "dataset": e.id,
        "title": e.ds.title,
        "url": site.absolute(e.url),
        "current": {"version": e.versions[0].number, "files": current_files(site, e)}
        if e.versions
        else None,
        "versions": [version_json(site, e, v) for v in e.versions],
    }


def citation(site: Site, e: Entry, base: str) -> str:
    """``base`` (the dataset's citation) with its version and the first file's hash."""
    if not e.versions:
        return base
    v = e.versions[0]
    files = current_files(site, e)
    digest = next((f for f in files if f["format"] == "csv"), files[0] if files else None)
    tail = f" Version {v.number} ({v.date[:10]}, commit {v.commit[:12]})."
    if digest and digest["sha256"]:
        tail += f" SHA-256 of {digest['resource']}.{digest['format']}: {digest['sha256']}."
    return base.rstrip() + tail


def bibtex(site: Site, e: Entry) -> str:
    """A BibTeX entry for the current version."""
    v = e.versions[0] if e.versions else None
    year = (v.date if v else e.modified)[:4]
    key = e.id.replace("/", "-") + (f"-v{v.number}" if v else "")

    def field(text: str) -> str:  # BibTeX: braces balanced, specials escaped
        out = text
        for ch, repl in (
            ("\\", r"\textbackslash{}"),
            ("{", r"\{"),
            ("}", r"\}"),
            ("%", r"\%"),
            ("&", r"\&"),
            ("$", r"\$"),
            ("#", r"\#"),
            ("_", r"\_"),
        ):
            out = out.replace(ch, repl)
        return out

    lines = [
        f"@misc{{{key},",
        f"  title = {{{field(e.ds.title)}}},",
        f"  author = {{{field(e.agency.name)}}},",
        f"  publisher = {{{field(site.config.publisher)}}},",
        f"  year = {{{year}}},",
    ]
    if v:
        lines.append(f"  version = {{{v.number}}},")
        files = current_files(site, e)
        if files and files[0]["sha256"]:
            first = files[0]
            name = f"{field(first['resource'])}.{first['format']}"
            lines.append(f"  note = {{SHA-256 of {name}: {first['sha256']}}},")
    lines.append(f"  url = {{{field(site.absolute(e.url))}}}")
    lines.append("}")
    return "\n".join(lines)


def _atom_time(value: str) -> str:
    return value if "T" in value else value + "T00:00:00Z"


def _feed(
    site: Site, title: str, self_url: str, link: str, items: list[tuple[Entry, Version]]
) -> str:
    updated = max((v.date for _, v in items), default=site.built)
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"  <title>{xml_text(title)}</title>",
        f"  <id>{xml_text(self_url)}</id>",
        f'  <link rel="self" href="{xml_text(self_url)}"/>',
        f'  <link href="{xml_text(link)}"/>',
        f"  <updated>{_atom_time(updated)}</updated>",
        f"  <author><name>{xml_text(site.config.publisher)}</name></author>",
    ]
    for e, v in items:
        page = site.absolute(e.url)
        out += [
            "  <entry>",
            f"    <title>{xml_text(f'{e.ds.title}: version {v.number}')}</title>",
            f"    <id>{xml_text(f'{page}#version-{v.number}')}</id>",
            f'    <link href="{xml_text(f"{page}changes/#version-{v.number}")}"/>',
            f"    <updated>{_atom_time(v.date)}</updated>",
            f"    <author><name>{xml_text(e.agency.name)}</name></author>",
            f"    <summary>{xml_text(v.summary + ' — ' + summary(v))}</summary>",
            "  </entry>",
        ]
    out.append("</feed>")
    return "\n".join(out) + "\n"


def dataset_feed(site: Site, e: Entry) -> str:
    """Atom: each version of one dataset (data and metadata changes, with the counts)."""
    url = site.absolute(e.url + "changes.xml")
    return _feed(
        site,
        f"{e.ds.title}: changes",
        url,
        site.absolute(e.url),
        [(e, v) for v in e.versions[:FEED_ENTRIES]],
    )


def newest_changes(
    site: Site, limit: int, since: str = ""
) -> tuple[list[tuple[Entry, Version]], bool]:
    """The newest versions that changed data across the catalog (from ``since``, an ISO
    date), at most ``limit`` of them, newest first; and whether more were left out. Only
    the datasets that can have one of them are read (by their newest data change)."""
    order = sorted(
        ((newest_data(e.versions), e.id, n) for n, e in enumerate(site.entries)), reverse=True
    )
    kept: list[tuple[str, str, int, int]] = []  # a heap of the newest: (date, id, entry, version)
    more = False
    for newest, ident, n in order:
        if not newest or newest[:10] < since:
            break
        if len(kept) >= limit and (newest, ident) < kept[0][:2]:
            more = True
            break
        for k, v in enumerate(site.entries[n].versions):
            if v.date[:10] >= since and changes_data(v):
                heapq.heappush(kept, (v.date, ident, n, k))
                if len(kept) > limit:
                    heapq.heappop(kept)
                    more = True
    kept.sort(reverse=True)
    return [(site.entries[n], site.entries[n].versions[k]) for _, _, n, k in kept], more


def catalog_feed(site: Site) -> str:
    """Atom: the newest versions, across the catalog, that changed data."""
    url = site.absolute("changes.xml")
    return _feed(
        site,
        f"{site.config.title}: data changes",
        url,
        site.config.base_url,
        newest_changes(site, FEED_ENTRIES)[0],
    )


def write_changes(site: Site, staging: Path, dump: Any, cache: Cache | None = None) -> None:
    """changes.json and changes.xml for each dataset with versions (an unchanged dataset's
    from the cache, without reading its history); the catalog's feed."""
    config = repr(site.config)
    for e in site.entries:
        if not e.versions:
            continue
        folder = staging / e.url
        folder.mkdir(parents=True, exist_ok=True)
        record = getattr(e.versions, "record", "")
        key = ""
        if cache is not None and record:
            inputs = [
                record,
                config,
                site.absolute(e.url),
                e.ds.title,
                e.agency.name,
                current_files(site, e),
            ]
            key = hashlib.blake2b(repr(inputs).encode(), digest_size=20).hexdigest()
        for name in ("changes.json", "changes.xml"):
            kept = cache.file(f"changes/{key}-{name}") if cache is not None and key else None
            if kept is not None:
                link_file(kept, folder / name)
                continue
            (folder / name).write_text(
                dump(changes_json(site, e)) if name == "changes.json" else dataset_feed(site, e),
                "utf-8",
            )
            if cache is not None and key:
                cache.keep(f"changes/{key}-{name}", folder / name)
    (staging / "changes.xml").write_text(catalog_feed(site), "utf-8")
