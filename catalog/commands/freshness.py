"""Scheduled reports: datasets overdue for their update frequency (from git history) and
``source_link``/``references`` URLs that no longer answer."""

from __future__ import annotations

import datetime as dt
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from catalog.core import contract
from catalog.core.model import Catalog
from catalog.io.gitinfo import histories


@dataclass(frozen=True)
class Freshness:
    """One published dataset's last update against its update frequency."""

    id: str
    title: str
    frequency: str
    last_update: str | None  # ISO date of the last commit touching the data files
    days_since: int | None
    overdue_by: int | None  # days past the expected interval; None when not applicable


def freshness(catalog: Catalog, today: dt.date | None = None) -> list[Freshness]:
    """Every published dataset's freshness, from git history."""
    today = today or dt.datetime.now(dt.UTC).date()
    public = [d for d in catalog.datasets if d.is_public and not d.archived]
    hist = histories(Path(catalog.root), [d.folder for d in public])
    out = []
    for d in public:
        data_commits = hist.get(d.folder, [])
        last = dt.date.fromisoformat(data_commits[0].date[:10]) if data_commits else None
        limit = contract.FREQUENCY_DAYS.get(d.update_frequency)
        since = (today - last).days if last else None
        overdue = (
            since - limit if (since is not None and limit is not None and since > limit) else None
        )
        out.append(
            Freshness(
                d.id,
                d.title,
                d.update_frequency,
                last.isoformat() if last else None,
                since,
                overdue,
            )
        )
    return sorted(out, key=lambda f: (-(f.overdue_by or -1), f.id))


def freshness_markdown(rows: list[Freshness]) -> str:
    """The freshness report in Markdown, overdue datasets first."""
    overdue = [r for r in rows if r.overdue_by]
    out = [
        "## Freshness report",
        "",
        f"{len(overdue)} of {len(rows)} published datasets are overdue for their update frequency.",
        "",
    ]
    if rows:
        out += [
            "| dataset | update frequency | last updated | days since | overdue by |",
            "|---|---|---|---|---|",
        ]
        for r in rows:
            since = "" if r.days_since is None else r.days_since
            late = f"**{r.overdue_by} days**" if r.overdue_by else ""
            updated = r.last_update or "not in git history"
            out.append(f"| `{r.id}` {r.title} | {r.frequency} | {updated} | {since} | {late} |")
    return "\n".join(out) + "\n"


@dataclass(frozen=True)
class LinkResult:
    """One URL checked: whether it answered, and how."""

    dataset: str
    url: str
    status: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status is not None and self.status < 400


def _check(url: str, timeout: float) -> tuple[int | None, str | None]:
    headers = {"User-Agent": "open-data-catalog link check"}
    for method in ("HEAD", "GET"):
        try:
            with urllib.request.urlopen(
                urllib.request.Request(url, method=method, headers=headers), timeout=timeout
            ) as resp:
                return resp.status, None
        except urllib.error.HTTPError as exc:
            if method == "HEAD" and exc.code in (403, 405, 501):
                continue  # some servers refuse HEAD
            return exc.code, exc.reason if isinstance(exc.reason, str) else str(exc.reason)
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            return None, str(getattr(exc, "reason", exc))
    return None, "no answer"


def check_links(
    catalog: Catalog,
    timeout: float = 15.0,
    checker: Callable[[str, float], tuple[int | None, str | None]] = _check,
) -> list[LinkResult]:
    """Request every source_link and references URL of the catalog."""
    targets = sorted(
        {
            (d.id, u)
            for d in catalog.datasets
            for u in (*d.references, *([d.source_link] if d.source_link else []))
        }
    )
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda t: checker(t[1], timeout), targets))
    return [
        LinkResult(ident, url, status, error)
        for (ident, url), (status, error) in zip(targets, answers, strict=True)
    ]


def links_markdown(results: list[LinkResult]) -> str:
    """The link report in Markdown, broken links first."""
    broken = [r for r in results if not r.ok]
    out = [
        "## Link check",
        "",
        f"{len(broken)} of {len(results)} source and reference links fail.",
        "",
    ]
    if broken:
        out += ["| dataset | URL | answer |", "|---|---|---|"]
        out += [f"| `{r.dataset}` | {r.url} | {r.status or ''} {r.error or ''} |" for r in broken]
    return "\n".join(out) + "\n"
