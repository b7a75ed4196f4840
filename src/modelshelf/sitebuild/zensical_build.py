"""``modelshelf build --engine zensical``: generate the catalog into a work folder, then run Zensical.

Zensical runs no MkDocs plugin, so the catalog is generated as plain files
(``generate``) into a copy of the docs and built from a config that INHERITs
the repository's own ``mkdocs.yml`` (or the packaged one, as ``build`` uses)
and adds the catalog's CSS and scripts, with ``use_directory_urls: false``
(the URL style the generated pages link in: see ``generate``). The site is swapped into place whole,
only when the build succeeded, as for the MkDocs engine.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from ..atomic import current_umask
from .generate import SCRIPTS, STYLESHEETS, GenerateError, Generated, generate, plugin_settings, read_config
from ..plugin.plugin import REQUIRED_EXTENSIONS
from ..packaged import PACKAGED_CONFIG
from .mkdocs_build import SiteOutputError, _swap_into_place, default_output, find_config



class BuilderFailed(Exception):
    """``zensical build`` exited non-zero (its output was shown)."""


def zensical_command() -> list[str]:
    """How to run Zensical: the ``zensical`` module of this Python (a console script may be another's)."""
    return [sys.executable, "-m", "zensical"]


def build_with_zensical(repo: str | os.PathLike[str], output: str | os.PathLike[str] | None = None, *,
                        config_file: str | os.PathLike[str] | None = None, strict: bool = False,
                        allow_shallow: bool = False, candidates: int | None = None, quiet: bool = False,
                        publish: dict[str, Any] | None = None) -> Path:
    """Build the catalog of ``repo`` with Zensical into ``output`` (replaced only on success).

    ``publish``: plugin options that override the config's (``publish_artifacts``, ...), as ``generate``'s."""
    repo_path = Path(repo).absolute()
    found = find_config(repo_path, config_file)
    target = Path(output).absolute() if output is not None else default_output(repo_path, config_file)
    if target.exists() and not target.is_dir():
        raise SiteOutputError(f"cannot write the site to {target}: a file is in the way")
    work = Path(tempfile.mkdtemp(prefix="modelshelf-zensical-"))
    try:
        config = _work_config(repo_path, found, work, allow_shallow=allow_shallow, candidates=candidates,
                              publish=publish)
        command = [*zensical_command(), "build", "--clean", "-f", str(config)] + (["--strict"] if strict else [])
        done = subprocess.run(command, cwd=work, stdout=subprocess.DEVNULL if quiet else sys.stderr,
                              stderr=sys.stderr, check=False)
        if done.returncode != 0:
            raise BuilderFailed(f"zensical build exited with {done.returncode}")
        site = work / "site"
        site.chmod(0o777 & ~current_umask())
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            _swap_into_place(site, target)
        except OSError as exc:
            raise SiteOutputError(f"cannot put the site in place at {target}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def _work_config(repo: Path, found: Path | None, work: Path, *, allow_shallow: bool,
                 candidates: int | None, publish: dict[str, Any] | None = None) -> Path:
    """``work/mkdocs.yml`` (docs in ``work/docs``, the site in ``work/site``) with the catalog generated."""
    docs = work / "docs"
    parent = found if found is not None else PACKAGED_CONFIG
    raw = read_config(parent)
    if found is not None:  # the repository's own pages, with the catalog where its plugin entry puts it
        source = found.parent / str(raw.get("docs_dir") or "docs")
        if source.is_dir():
            shutil.copytree(source, docs, symlinks=True)
        catalog_dir = str((plugin_settings(raw) or {}).get("catalog_dir", "models/")).strip("/")
    else:
        catalog_dir = ""
    catalog = docs / catalog_dir if catalog_dir else docs
    if catalog_dir and catalog.exists() and not (catalog / ".modelshelf-generated.json").exists():
        raise GenerateError(f"{source / catalog_dir}: the catalog's folder (plugin option catalog_dir) holds your "
                            "own files; the Zensical build generates the catalog there")
    if catalog_dir and catalog.exists():
        shutil.rmtree(catalog)  # a generated copy that was committed: regenerated from the tags
    docs.mkdir(parents=True, exist_ok=True)
    generated: Generated = generate(repo, catalog, docs_dir=docs, config_file=found, allow_shallow=allow_shallow,
                                    candidates=candidates, publish=publish)
    for problem in generated.problems:
        sys.stderr.write(f"WARNING -  modelshelf: {problem}\n")
    missing = _missing_extensions(raw.get("markdown_extensions"))
    if missing:  # the plugin adds them itself; a config Zensical reads must list them
        sys.stderr.write(f"WARNING -  modelshelf: {parent.name} lacks the Markdown extensions the catalog pages use: "
                         f"{', '.join(missing)}; add them (`modelshelf generate` prints the lines)\n")
    prefix = f"{catalog_dir}/" if catalog_dir else ""
    overrides: dict[str, Any] = {
        "INHERIT": str(parent), "docs_dir": "docs", "site_dir": "site", "use_directory_urls": False,
        "extra_css": _merged(raw.get("extra_css"), [prefix + p for p in STYLESHEETS]),
        "extra_javascript": _merged(raw.get("extra_javascript"), [prefix + p for p in SCRIPTS]),
    }
    if found is None:
        overrides["plugins"] = ["search"]  # the packaged config's modelshelf entry: done above
    path = work / "mkdocs.yml"
    path.write_text(json.dumps(overrides, indent=1), encoding="utf-8")
    return path


def _missing_extensions(configured: object) -> list[str]:
    names = {next(iter(e)) if isinstance(e, dict) and e else e for e in configured or []}
    return [name for name in REQUIRED_EXTENSIONS if name not in names]


def _merged(own: object, ours: list[str]) -> list[Any]:
    items = list(own) if isinstance(own, list) else []
    present = {i if isinstance(i, str) else i.get("path") for i in items if isinstance(i, (str, dict))}
    return items + [p for p in ours if p not in present]
