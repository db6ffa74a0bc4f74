"""The explorer's third-party modules, served from the site: hyparquet (reads Parquet over
HTTP range requests) and fzstd (zstd pages). Both are pinned in ``js/package.json``;
``npm ci`` installs them into ``js/node_modules`` after checking each against the integrity
hash in ``js/package-lock.json``, and the build copies their ES modules into
``static/vendor/`` (nothing is loaded from a CDN)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

# package → (folder of its ES modules, files left out)
PACKAGES = {"hyparquet": ("src", {"node.js"}), "fzstd": ("esm", set())}
PROJECT = Path(__file__).resolve().parents[2]


def node_modules(root: Path) -> Path | None:
    """Where the pinned packages are installed: ``$CATALOG_JS_MODULES``, the catalog's own
    ``js/node_modules``, or this checkout's; the first whose installed versions are the ones
    its ``package.json`` pins, else None."""
    candidates = [Path(p) for p in [os.environ.get("CATALOG_JS_MODULES", "")] if p]
    candidates += [root / "js" / "node_modules", PROJECT / "js" / "node_modules"]
    for folder in candidates:
        pins = _pins(folder.parent / "package.json")
        if pins and all(_installed(folder / name) == version for name, version in pins.items()):
            return folder
    return None


def _pins(manifest: Path) -> dict[str, str]:
    try:
        declared = json.loads(manifest.read_text("utf-8")).get("dependencies", {})
    except (OSError, ValueError, AttributeError):
        return {}
    return (
        {name: str(declared[name]) for name in PACKAGES} if set(PACKAGES) <= set(declared) else {}
    )


def _installed(package: Path) -> str | None:
    try:
        return str(json.loads((package / "package.json").read_text("utf-8")).get("version"))
    except (OSError, ValueError):
        return None


def write_vendor(static: Path, modules: Path) -> None:
    """Copy each package's ES modules (and licence) into ``static/vendor/<package>/``, and
    list every module the explorer loads in ``static/vendor/modules.json`` (paths from
    ``static/``), so the page can fetch them side by side."""
    listed = [p.relative_to(static).as_posix() for p in sorted((static / "explorer").glob("*.js"))]
    for name, (folder, left_out) in PACKAGES.items():
        target = static / "vendor" / name
        target.mkdir(parents=True, exist_ok=True)
        for source in sorted((modules / name / folder).iterdir()):
            if source.suffix in (".js", ".mjs") and source.name not in left_out:
                shutil.copyfile(source, target / source.name)
                listed.append(f"vendor/{name}/{source.name}")
        shutil.copyfile(modules / name / "LICENSE", target / "LICENSE")
    (static / "vendor" / "modules.json").write_text(json.dumps(listed, indent=0) + "\n", "utf-8")
