"""The old portal's addresses, kept working: for each dataset imported from Socrata (its
``socrata.id`` in dataset.yaml) the site also answers

- ``/resource/<id>.csv`` and ``/api/views/<id>/rows.csv``: the published CSV itself;
- ``/resource/<id>.json``: the rows as JSON objects keyed by the old API's field names (for
  tables with a JSON download), else a Socrata-style error object saying where the data is;
- ``/d/<id>/`` and ``/<Category>/<Name>/<id>/``: a page that sends the browser to the
  dataset's page (static hosts cannot answer with a redirect status).

Static hosts ignore query strings: ``$limit``, ``$offset``, ``$where`` and ``$select`` are
not applied (the developers page says so). With ``files_url`` the data paths are written to
the downloads' tree, to be served from the old host by routing those paths to the bucket.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from catalog.core.escape import html_attribute
from catalog.site.entries import Entry, Site
from catalog.site.files import link_file

REDIRECT = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Moved: {title}</title>
<meta http-equiv="refresh" content="0; url={url}">
<link rel="canonical" href="{url}">
<meta name="robots" content="noindex">
</head>
<body>
<p>This dataset has moved to <a href="{url}">{title}</a>.</p>
</body>
</html>
"""


def legacy_paths(e: Entry) -> list[str]:
    """The old portal's paths this site answers for a dataset (none if not imported)."""
    s = e.ds.socrata
    if s is None:
        return []
    pages = [f"d/{s.id}/index.html"] + ([f"{s.path}/{s.id}/index.html"] if s.path else [])
    data = [f"resource/{s.id}.csv", f"api/views/{s.id}/rows.csv", f"resource/{s.id}.json"]
    return pages + data


def write_legacy(site: Site, staging: Path, files_tree: Path | None) -> None:
    """Write the old addresses of every imported dataset (call after the datasets' files
    are in ``staging`` and before they move to ``files_tree``)."""
    for e in site.entries:
        s = e.ds.socrata
        if s is None:
            continue
        url = site.absolute(e.url)
        page = REDIRECT.format(title=html_attribute(e.ds.title), url=html_attribute(url))
        for path in (f"d/{s.id}/index.html", f"{s.path}/{s.id}/index.html" if s.path else None):
            if path:
                (staging / path).parent.mkdir(parents=True, exist_ok=True)
                (staging / path).write_text(page, "utf-8")
        tree = files_tree or staging
        resource = e.output.resources[0] if e.output and e.output.resources else None
        target = tree / "resource" / f"{s.id}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        if resource is None:
            target.write_text(_error(_where(e, url)), "utf-8")
            continue
        csv_file = staging / e.url / resource.files["csv"]["path"]
        for path in (f"resource/{s.id}.csv", f"api/views/{s.id}/rows.csv"):
            (tree / path).parent.mkdir(parents=True, exist_ok=True)
            link_file(csv_file, tree / path)
        if "json" in resource.files:
            _renamed_json(staging / e.url / resource.files["json"]["path"], target, s.fields)
        else:
            target.write_text(
                _error(
                    "This table has more rows than the JSON download carries; its CSV is at "
                    f"/resource/{s.id}.csv and its Parquet file is listed at {url}"
                ),
                "utf-8",
            )


def _where(e: Entry, url: str) -> str:
    """Where the data of a dataset without downloads here is (a harvested entry's links)."""
    links = e.ds.harvested.links if e.ds.harvested and e.ds.is_public else ()
    if links:
        return f"This dataset's data is published elsewhere: {links[0].url} (see {url})"
    return f"The data of this dataset is not published here ({e.ds.access_level}). See {url}"


def _error(message: str) -> str:
    return json.dumps({"error": True, "message": message}, ensure_ascii=False) + "\n"


def _renamed_json(source: Path, target: Path, fields: Mapping[str, str]) -> None:
    """The JSON download with each key renamed to the old API's field name."""
    rows: list[dict[str, Any]] = json.loads(source.read_text("utf-8"))
    renamed = [{fields.get(k, k): v for k, v in row.items()} for row in rows]
    target.write_text(
        json.dumps(renamed, ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8"
    )
