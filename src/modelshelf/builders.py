"""Which site builder will read this repository's config, and whether it runs the plugin.

Zensical reads ``mkdocs.yml`` but silently ignores plugins it does not support:
a site whose catalog comes from the ``modelshelf`` plugin builds without a
single model page, and says "No issues found". ``doctor`` warns instead.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

CONFIG_NAMES = ("mkdocs.yml", "mkdocs.yaml")
_PLUGIN_LINE = re.compile(r"^\s*-\s*[\"']?modelshelf[\"']?\s*:?\s*(#.*)?$", re.MULTILINE)
_ZENSICAL_RUN = re.compile(r"\bzensical\s+(build|serve)\b")
_CI_FILES = (".gitlab-ci.yml", ".github/workflows")
FIX = "generate the catalog as files instead: `modelshelf build --engine zensical` (README: Building with Zensical)"


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _ci_runs_zensical(root: Path) -> str | None:
    """The first CI definition that runs ``zensical build``/``serve`` directly."""
    paths = [root / _CI_FILES[0], *sorted((root / _CI_FILES[1]).glob("*.y*ml"))]
    for path in paths:
        try:
            if path.is_file() and _ZENSICAL_RUN.search(path.read_text(encoding="utf-8", errors="replace")):
                return path.relative_to(root).as_posix()
        except OSError:
            continue
    return None


def ignored_plugin_findings(root: Path) -> list[str]:
    """Findings when the config lists the ``modelshelf`` plugin but the builder in use would skip it."""
    config = next((root / name for name in CONFIG_NAMES if (root / name).is_file()), None)
    if config is None:
        return []
    try:
        lists_plugin = _PLUGIN_LINE.search(config.read_text(encoding="utf-8", errors="replace")) is not None
    except OSError:
        return []
    if not lists_plugin:
        return []
    why = []
    if (root / "zensical.toml").is_file():
        why.append("zensical.toml is present (Zensical builds this site)")
    if _installed("zensical") and not _installed("mkdocs"):
        why.append("zensical is installed and mkdocs is not")
    ci = _ci_runs_zensical(root)
    if ci:
        why.append(f"{ci} runs zensical")
    return [f"site: {config.name} lists the modelshelf plugin, but {w}: Zensical ignores MkDocs plugins it "
            f"does not support, so the site would have no model pages; {FIX}" for w in why]
