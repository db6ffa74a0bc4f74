"""The command line: the only module that prints or exits.

Exit codes: 0 clean (warnings allowed), 1 problems found, 2 usage or internal error.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from catalog import __version__
from catalog.core import report
from catalog.core.errors import CatalogError
from catalog.core.problems import has_errors
from catalog.io.sealed import KEY_VARIABLE
from catalog.load.loader import dataset_ids, find_root, load_catalog
from catalog.load.memo import FILE as MEMO_FILE
from catalog.load.memo import pruned, read_memo, write_memo

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class UsageError(CatalogError):
    """A mistake in how the command was called; the message says how to call it."""


if TYPE_CHECKING:
    from catalog.site.build import BuildReport


def _root_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--root",
        type=Path,
        default=None,
        help=(
            "catalog root (the folder with catalog.yaml); default: found from the current "
            "folder upwards"
        ),
    )


def _jobs_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="worker processes (default: number of cores)",
    )


def parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    top = argparse.ArgumentParser(
        prog="catalog", description="A git-native open data catalog: scaffold, validate and build."
    )
    top.add_argument("--version", action="version", version=f"catalog {__version__}")
    sub = top.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "new",
        help="scaffold a dataset folder from a CSV",
        description=(
            "Scaffold datasets/<agency>/<dataset>/ from a CSV: a UTF-8 copy, an inferred "
            "Table Schema and a dataset.yaml to fill in."
        ),
    )
    p.add_argument(
        "ident",
        metavar="AGENCY/DATASET",
        help="the new dataset's identifier, e.g. dph/overdose-deaths",
    )
    p.add_argument(
        "--from",
        dest="source",
        type=Path,
        required=True,
        metavar="CSV",
        help="the CSV file to start from",
    )
    p.add_argument("--title", help="the dataset's title (default: from the file name)")
    _root_option(p)

    p = sub.add_parser(
        "validate",
        help="check datasets against the contract",
        description=(
            "Check metadata, Table Schemas, data and exemption rules. Exit 0 when clean "
            "(warnings allowed), 1 on errors, 2 on usage errors."
        ),
    )
    p.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="dataset or agency folders, or files inside them (default: the whole catalog)",
    )
    p.add_argument(
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="output format (github: workflow annotations plus a job summary)",
    )
    p.add_argument(
        "--changed-since",
        metavar="GIT-REF",
        help="check only datasets changed since this git ref (plus catalog-wide rules)",
    )
    _root_option(p)
    _jobs_option(p)

    p = sub.add_parser(
        "build",
        help="build the static site",
        description=(
            "Validate, then build the static site into site/ (or --out). Errors stop "
            "the build before anything is written; the previous site stays whole."
        ),
    )
    p.add_argument(
        "--out", type=Path, default=None, help="output folder (default: site/ in the catalog root)"
    )
    p.add_argument(
        "--base-url",
        help="absolute URL the site is published at (default: catalog.yaml's base_url)",
    )
    p.add_argument(
        "--cache",
        type=Path,
        default=None,
        help="incremental build cache (default: .cache/build in the catalog root)",
    )
    p.add_argument(
        "--no-search", action="store_true", help="skip the search index (faster previews)"
    )
    p.add_argument(
        "--files-out",
        type=Path,
        default=None,
        help=(
            "with catalog.yaml's files_url: where the downloads' tree is written, for "
            "`catalog upload` (default: the output folder's name + '-files', beside it)"
        ),
    )
    _root_option(p)
    _jobs_option(p)

    p = sub.add_parser(
        "serve",
        help="serve the built site on 127.0.0.1",
        description="Serve the built site locally for a preview (127.0.0.1 only).",
    )
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument(
        "--out", type=Path, default=None, help="the built site (default: site/ in the catalog root)"
    )
    _root_option(p)

    p = sub.add_parser(
        "review",
        help="the CDO's report on a change, in Markdown",
        description=(
            "Compare the catalog with a git ref: datasets added, changed, archived, removed; "
            "metadata, schema (breaking changes marked), row counts, access levels and "
            "protections; validation status. Anything becoming more public is listed first."
        ),
    )
    p.add_argument(
        "--base", required=True, metavar="GIT-REF", help="the ref to compare with, e.g. origin/main"
    )
    _root_option(p)

    p = sub.add_parser(
        "upload",
        help="upload the downloads' tree to S3-compatible object storage",
        description=(
            "Copy the downloads' tree that `catalog build` writes when catalog.yaml sets "
            "files_url to an S3-compatible bucket (only the keys it lacks), then record "
            "the build's keys in a manifest; with --prune-days, delete objects no site of "
            "that many days links. Credentials come from AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY (and AWS_DEFAULT_REGION); run it before deploying the "
            "pages."
        ),
    )
    p.add_argument("--to", required=True, help="s3://BUCKET[/PREFIX], the bucket behind files_url")
    p.add_argument(
        "--endpoint-url",
        default=os.environ.get("CATALOG_S3_ENDPOINT") or None,
        help="the store's S3 endpoint for R2, MinIO or GCS (default: AWS or $CATALOG_S3_ENDPOINT)",
    )
    p.add_argument(
        "--files",
        type=Path,
        default=None,
        help="the downloads' tree (default: site-files/ in the catalog root)",
    )
    p.add_argument(
        "--prune-days",
        type=float,
        default=None,
        help="then delete objects that no manifest of the last N days names",
    )
    _root_option(p)

    p = sub.add_parser(
        "import",
        help="import datasets from a Socrata portal or a DCAT catalog",
        description=(
            "Turn another portal's datasets into dataset folders (see docs/migrating.md); "
            "prints a report and validates what it wrote."
        ),
    )
    kinds = p.add_subparsers(dest="kind", metavar="FROM", required=True)
    s = kinds.add_parser(
        "socrata",
        help="views exported from Socrata (<id>.json + <id>.csv)",
        description=(
            "Import Socrata views: each <id>.json (from /api/views/<id>.json) with its "
            "<id>.csv (from /api/views/<id>/rows.csv) beside it; give files or folders."
        ),
    )
    s.add_argument("sources", nargs="+", type=Path, metavar="VIEW_OR_FOLDER")
    s.add_argument("--agency", help="put every dataset in this agency (default: by attribution)")
    s.add_argument("--domain", default="", help="the portal's host name, e.g. data.ct.gov")
    s.add_argument("--report", type=Path, help="also write the report (Markdown) to this file")
    _root_option(s)
    d = kinds.add_parser(
        "dcat",
        help="a DCAT-US data.json (a file or an address)",
        description=(
            "Import every dataset of a DCAT-US 1.1 catalog: as harvested entries linking to "
            "their data, or with --download, with each CSV distribution fetched."
        ),
    )
    d.add_argument("source", metavar="DATA_JSON", help="a data.json file or http(s) address")
    d.add_argument("--download", action="store_true", help="fetch each CSV distribution")
    d.add_argument("--agency", help="put every dataset in this agency (default: by publisher)")
    d.add_argument("--timeout", type=float, default=30.0, help="seconds per request (default 30)")
    d.add_argument("--report", type=Path, help="also write the report (Markdown) to this file")
    _root_option(d)

    p = sub.add_parser(
        "codeowners",
        help="write .github/CODEOWNERS from the agencies' data officers",
        description=(
            "Write .github/CODEOWNERS: the CDO owns catalog.yaml, .github/ and templates/; "
            "each agency's data officer owns its folder."
        ),
    )
    p.add_argument(
        "--check", action="store_true", help="do not write; exit 1 if the file is out of date"
    )
    _root_option(p)

    p = sub.add_parser(
        "freshness",
        help="report datasets overdue for their update frequency",
        description=(
            "Markdown report of published datasets overdue for their update_frequency, "
            "from git history."
        ),
    )
    p.add_argument("--fail-overdue", action="store_true", help="exit 1 when any dataset is overdue")
    _root_option(p)

    p = sub.add_parser(
        "check-links",
        help="check source_link and references URLs",
        description=(
            "Request every source_link and references URL and report the ones that fail, "
            "in Markdown."
        ),
    )
    p.add_argument("--timeout", type=float, default=15.0, help="seconds per request (default 15)")
    _root_option(p)

    p = sub.add_parser(
        "docs",
        help="write generated reference docs",
        description=(
            "Write docs generated from the code: problem codes and the JSON Schemas of "
            "the YAML files."
        ),
    )
    p.add_argument("what", choices=("problems", "schemas", "all"), help="which docs to write")
    p.add_argument(
        "--check", action="store_true", help="do not write; exit 1 if the files are out of date"
    )
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; return its exit code (0 clean, 1 problems, 2 usage or internal)."""
    args = parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except CatalogError as exc:  # a mistake the person can fix: the message says how
        print(f"catalog: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("catalog: interrupted", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # the boundary: no traceback reaches a user
        print(
            (
                f"catalog: internal error: {type(exc).__name__}: {exc}\nPlease report this "
                "with the command you ran; set CATALOG_DEBUG=1 for a traceback."
            ),
            file=sys.stderr,
        )
        if os.environ.get("CATALOG_DEBUG"):
            raise
        return EXIT_USAGE


def _root(args: argparse.Namespace) -> Path:
    """--root names the catalog exactly; without it, look upwards from here."""
    if args.root is not None:
        if not (args.root / "catalog.yaml").is_file():
            raise UsageError(f"no catalog.yaml in {args.root}; give the folder that holds it")
        return Path(args.root).resolve()
    return find_root(Path.cwd())


def cmd_new(args: argparse.Namespace) -> int:
    """`catalog new`: scaffold a dataset folder, then validate it."""
    from catalog.checks.validate import validate
    from catalog.commands.scaffold import ScaffoldError, new_dataset

    root = _root(args)
    try:
        made = new_dataset(root, args.ident, args.source, title=args.title)
    except ScaffoldError as exc:
        raise UsageError(str(exc)) from exc
    for f in made.files:
        print(f"wrote {f.relative_to(root)}")
    for note in made.notes:
        print(f"note: {note}")
    problems = validate(load_catalog(root), only=[args.ident])
    print()
    print(report.as_text(problems, 1))
    print(
        f"\nNext: edit {made.folder.relative_to(root)}/dataset.yaml (replace every "
        f"FILL IN), then run `catalog validate {made.folder.relative_to(root)}`."
    )
    return EXIT_PROBLEMS if has_errors(problems) else EXIT_OK


def selected_datasets(root: Path, paths: Sequence[Path], known: Sequence[str]) -> list[str]:
    """Dataset ids named by paths (dataset/agency folders or files inside them)."""
    chosen: set[str] = set()
    for raw in paths:
        p = raw.resolve()
        if not p.exists():
            raise UsageError(f"{raw} does not exist")
        try:
            parts = p.relative_to(root).parts
        except ValueError:
            raise UsageError(f"{raw} is not inside the catalog at {root}") from None
        if not parts or parts == ("datasets",) or parts == ("catalog.yaml",):
            chosen.update(known)
        elif parts[0] != "datasets":
            raise UsageError(
                f"{raw} is not a dataset; give dataset or agency folders under datasets/"
            )
        elif len(parts) == 2 or (len(parts) == 3 and parts[2] == "agency.yaml"):
            chosen.update(i for i in known if i.startswith(parts[1] + "/"))
        else:
            chosen.add(f"{parts[1]}/{parts[2]}")
    return sorted(chosen)


def cmd_validate(args: argparse.Namespace) -> int:
    """`catalog validate`: print the problems of the catalog or the datasets named."""
    from catalog.checks.validate import validate

    root = _root(args)
    known = dataset_ids(root)
    only: list[str] | None = None
    if args.paths:
        only = selected_datasets(root, args.paths, known)
    if args.changed_since:
        from catalog.io.gitinfo import GitError, changed_datasets

        try:
            changed = changed_datasets(root, args.changed_since)
        except GitError as exc:
            raise UsageError(str(exc)) from exc
        only = sorted(set(changed) & set(only)) if only is not None else changed
    memo_file = root / MEMO_FILE
    memo = read_memo(memo_file)
    loaded = load_catalog(root, memo, only=only)
    with contextlib.suppress(OSError):  # a read-only checkout still validates
        write_memo(memo_file, pruned(memo, root))
    problems = validate(loaded, only, jobs=max(1, args.jobs))
    checked = len(only) if only is not None else len(known)
    if args.format == "json":
        print(report.as_json(problems))
    elif args.format == "github":
        if problems:
            print(report.as_github(problems))
        print(f"Checked {checked} dataset(s): {report.counts(problems)}.")
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary:
            with open(summary, "a", encoding="utf-8") as fh:
                fh.write(report.as_markdown(problems, checked))
    else:
        print(report.as_text(problems, checked))
    return EXIT_PROBLEMS if has_errors(problems) else EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    """`catalog build`: validate, then build the site."""
    from catalog.site.build import BuildFailed, build

    root = _root(args)
    tty = sys.stderr.isatty() and not os.environ.get("CI")

    def progress(message: str) -> None:
        if tty:
            print(f"\r\033[K{message}", end="", file=sys.stderr, flush=True)
        else:
            print(message, file=sys.stderr)

    try:
        done = build(
            root,
            args.out,
            base_url=args.base_url,
            jobs=max(1, args.jobs),
            cache_dir=args.cache,
            progress=progress,
            search=not args.no_search,
            files_out=args.files_out,
        )
    except BuildFailed as exc:
        if tty:
            print(file=sys.stderr)
        print(report.as_text(exc.problems, len({p.path for p in exc.problems})))
        print(
            "Build stopped: fix the errors above. Nothing was written; the previous site "
            "is unchanged."
        )
        return EXIT_PROBLEMS
    if tty:
        print(file=sys.stderr)
    if done.up_to_date:
        print(
            f"{done.out} is up to date: nothing changed since it was built ({done.seconds:.1f}s)."
        )
        return EXIT_OK
    for p in done.warnings:
        print(f"{p.location}: {p.severity} [{p.code}] {p.message}")
    if done.discarded:
        print(
            f"{done.discarded} cached results were not sealed with this cache's key (a cache "
            f"restored from elsewhere, or without {KEY_VARIABLE} set) and were made again."
        )
    print(
        f"Built {done.datasets} datasets ({done.transformed} transformed, {done.reused} "
        f"from cache), {done.pages} pages into {done.out} in {done.seconds:.1f}s."
    )
    if done.sizes is not None:
        _print_sizes(done)
    return EXIT_OK


def _print_sizes(done: BuildReport) -> None:
    from catalog.site.budget import MB, largest_text

    sizes = done.sizes
    assert sizes is not None
    limit_mb = sizes.limit_mb
    print(
        f"Pages: {sizes.pages / MB:,.1f} MB in {done.out} "
        f"({100 * sizes.pages / (limit_mb * MB):.1f} % of limits.site_mb, {limit_mb:,.0f} MB)."
    )
    if sizes.files is not None:
        print(f"Downloads for object storage: {sizes.files / MB:,.1f} MB in {done.files_out}.")
    print(f"Largest datasets (downloads): {largest_text(sizes)}.")


def cmd_serve(args: argparse.Namespace) -> int:
    """`catalog serve`: serve the built site on 127.0.0.1."""
    from catalog.commands.serve import make_server
    from catalog.core.names import base_path_of

    root = _root(args)
    site = (args.out or root / "site").resolve()
    if not (site / "index.html").is_file():
        raise UsageError(f"{site} has no built site; run `catalog build` first")
    built = (
        json.loads((site / "build.json").read_text("utf-8"))
        if (site / "build.json").is_file()
        else {}
    )
    base = base_path_of(built.get("base_url", "/"))
    server = make_server(site, args.port, base_path=base)
    print(f"Serving {site} at http://127.0.0.1:{args.port}{base} (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return EXIT_OK


def cmd_review(args: argparse.Namespace) -> int:
    """`catalog review`: the CDO's Markdown report on a change."""
    from catalog.commands.review import review
    from catalog.io.gitinfo import GitError

    root = _root(args)
    try:
        print(review(root, args.base), end="")
    except GitError as exc:
        raise UsageError(str(exc)) from exc
    return EXIT_OK


def cmd_upload(args: argparse.Namespace) -> int:
    """`catalog upload`: the downloads' tree to object storage, then prune if asked."""
    from catalog.commands.upload import Target, client, prune, upload

    files = args.files or _root(args) / "site-files"
    target = Target.parse(args.to)
    s3 = client(args.endpoint_url)
    done = upload(files, target, s3)
    print(
        f"Uploaded {done.uploaded} files ({done.uploaded_bytes / 1_048_576:,.1f} MB) to "
        f"s3://{target.bucket}/{target.prefix}; {done.present} were there already; "
        f"{done.aliased} stable addresses now name new versions. Manifest: {done.manifest}."
    )
    if args.prune_days is not None:
        pruned = prune(target, s3, args.prune_days)
        print(
            f"Pruned {pruned.deleted} objects no site of the last {args.prune_days:g} days "
            f"links ({pruned.kept} kept) and {pruned.manifests_deleted} old manifests."
        )
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    """`catalog import socrata|dcat`: folders from another portal, a report, validation."""
    from catalog.checks.validate import validate
    from catalog.commands.importing import validated

    root = _root(args)
    if args.agency and not (root / "datasets" / args.agency / "agency.yaml").is_file():
        raise UsageError(
            f"--agency {args.agency}: datasets/{args.agency}/agency.yaml does not exist"
        )
    if args.kind == "socrata":
        from catalog.commands.socrata import import_socrata

        items, text = import_socrata(root, args.sources, agency=args.agency, domain=args.domain)
    else:
        from catalog.commands.dcat import import_dcat

        items, text = import_dcat(
            root, args.source, download=args.download, agency=args.agency, timeout=args.timeout
        )
    ids = sorted(
        {i.folder.removeprefix("datasets/") for i in items if i.status in ("created", "updated")}
    )
    problems = validate(load_catalog(root, only=ids), ids) if ids else []
    text += validated(items, problems)
    print(text, end="")
    if args.report:
        args.report.write_text(text, "utf-8")
    failed = any(i.status == "failed" for i in items)
    return EXIT_PROBLEMS if failed or has_errors(problems) else EXIT_OK


def cmd_codeowners(args: argparse.Namespace) -> int:
    """`catalog codeowners`: write or check .github/CODEOWNERS."""
    from catalog.checks.codeowners import PATH, codeowners

    root = _root(args)
    text = codeowners(load_catalog(root).catalog)
    target = root / PATH
    if args.check:
        current = target.read_text("utf-8") if target.is_file() else None
        if current != text:
            print(f"{PATH} is out of date: run `catalog codeowners` and commit it")
            return EXIT_PROBLEMS
        print(f"{PATH} is up to date")
        return EXIT_OK
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, "utf-8")
    print(f"wrote {PATH}")
    return EXIT_OK


def cmd_freshness(args: argparse.Namespace) -> int:
    """`catalog freshness`: datasets overdue for their update frequency."""
    from catalog.commands.freshness import freshness, freshness_markdown

    rows = freshness(load_catalog(_root(args)).catalog)
    print(freshness_markdown(rows), end="")
    return EXIT_PROBLEMS if args.fail_overdue and any(r.overdue_by for r in rows) else EXIT_OK


def cmd_check_links(args: argparse.Namespace) -> int:
    """`catalog check-links`: source and reference URLs that do not answer."""
    from catalog.commands.freshness import check_links, links_markdown

    results = check_links(load_catalog(_root(args)).catalog, timeout=args.timeout)
    print(links_markdown(results), end="")
    return EXIT_PROBLEMS if any(not r.ok for r in results) else EXIT_OK


def cmd_docs(args: argparse.Namespace) -> int:
    """`catalog docs`: write or check the reference docs generated from the code."""
    from catalog.core import contract
    from catalog.core.problems import docs_markdown

    package = Path(__file__).parent
    targets: dict[Path, str] = {}
    if args.what in ("problems", "all"):
        targets[package.parent / "docs" / "problems.md"] = docs_markdown()
    if args.what in ("schemas", "all"):
        for name in contract.SCHEMAS:
            targets[package / "schemas" / f"{name}.schema.json"] = contract.schema_json(name)
    stale = [p for p, text in targets.items() if not p.is_file() or p.read_text("utf-8") != text]
    if args.check:
        for p in stale:
            print(f"out of date: {p}")
        return EXIT_PROBLEMS if stale else EXIT_OK
    for p in stale:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(targets[p], "utf-8")
        print(f"wrote {p}")
    return EXIT_OK


COMMANDS = {
    "new": cmd_new,
    "validate": cmd_validate,
    "build": cmd_build,
    "serve": cmd_serve,
    "review": cmd_review,
    "import": cmd_import,
    "codeowners": cmd_codeowners,
    "upload": cmd_upload,
    "freshness": cmd_freshness,
    "check-links": cmd_check_links,
    "docs": cmd_docs,
}
