"""The catalog as plain files in a docs folder, for builders that run no MkDocs plugin.

Zensical (Material for MkDocs' successor) reads ``mkdocs.yml`` but silently
ignores plugins it does not support, so the modelshelf plugin's virtual pages
never appear there. ``modelshelf generate -o docs/models`` writes what the
plugin would have handed MkDocs, from the same renderer (``render_site``):
each page's Markdown with its HTML blocks, the plots, the JSON API, the feed,
the catalog's CSS/JS, and a snippet of the config lines the site needs.

The folder is self-contained: the catalog is rendered with its home at the
folder's root (``catalog_dir: ""``), so every link between its pages, plots,
scripts and ``api/`` is relative and works wherever the folder sits in the docs.
Links are rendered as for ``use_directory_urls: false`` (relative to each
Markdown file): Zensical rewrites every relative URL in a page's HTML as a link
from its Markdown file, and MkDocs leaves raw HTML alone, so only that URL
style reads the same in both; the site's config must say so (the snippet does).
It is generated as a whole: the files are listed in a manifest
(``.modelshelf-generated.json``), a new generation replaces the folder in one
rename (no page of a deregistered model survives), and a folder that holds a
file the manifest does not list is the user's: it is never written into.
"""

from __future__ import annotations

import json
import os
import posixpath
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..core.errors import ModelshelfError
from .. import __version__
from ..atomic import current_umask
from ..delivery.publish import ARTIFACTS_DIR, publish_configured
from ..index.build import build_index
from ..plugin.plugin import REQUIRED_EXTENSIONS
from ..plugin.mkdocs_options import ModelshelfConfig, site_options
from ..registry import load_registry, publishing_blocker
from ..render.compare_page import COMPARE_JS_PATH
from ..render.site_options import OptionsError
from ..render.site import CSS_PATH, JS_PATH, MERMAID_PATH, api_files, render_site
from .site_cache import plot_cache_dir
from ..delivery.linking import place_file
from .mkdocs_build import _swap_into_place, find_config

MANIFEST = ".modelshelf-generated.json"
SNIPPET = ".modelshelf-mkdocs.yml"  # dot-files are never published by MkDocs or Zensical
# What the generated pages load, in order (Mermaid first: Material then skips its CDN copy).
STYLESHEETS = (CSS_PATH,)
SCRIPTS = (MERMAID_PATH, JS_PATH, COMPARE_JS_PATH)
Log = Callable[[str], None]


class GenerateError(ModelshelfError):
    """The catalog cannot be generated there (a user's file in the way, a bad option, ...)."""


@dataclass
class Generated:
    """What a generation wrote: the folder, its files, and the config lines the site needs."""

    folder: Path
    files: list[str]
    snippet: str
    problems: list[str] = field(default_factory=list)
    directory_urls: bool = False  # the site's config uses directory URLs: the catalog's links would break


def read_config(config_file: Path | None) -> dict[str, Any]:
    """The MkDocs config as data (``{}`` without one); the site trusts its own config."""
    if config_file is None:
        return {}
    from mkdocs.utils.yaml import yaml_load

    with open(config_file, "rb") as handle:
        return yaml_load(handle) or {}


def plugin_settings(raw: dict[str, Any]) -> dict[str, Any] | None:
    """The ``modelshelf`` plugin's options in a loaded config (``None``: not listed)."""
    plugins = raw.get("plugins") or []
    items = plugins.items() if isinstance(plugins, dict) else (
        (next(iter(p)), next(iter(p.values()))) if isinstance(p, dict) and p else (p, {}) for p in plugins)
    for name, options in items:
        if name == "modelshelf":
            return dict(options or {})
    return None


def check_folder(folder: Path) -> None:
    """Refuse a folder holding anything the last generation's manifest does not list."""
    if not folder.exists():
        return
    if not folder.is_dir():
        raise GenerateError(f"{folder}: exists and is not a folder")
    listed: set[str] = set()
    manifest = folder / MANIFEST
    if manifest.is_file():
        try:
            listed = set(json.loads(manifest.read_text(encoding="utf-8"))["files"])
        except (ValueError, KeyError, TypeError) as exc:
            raise GenerateError(f"{manifest}: not a modelshelf manifest ({exc}); move the folder away") from None
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_dir() or rel == MANIFEST or rel in listed:
            continue
        why = "which its manifest does not list" if manifest.is_file() else "and no modelshelf manifest"
        raise GenerateError(f"{folder} holds {rel}, {why}: modelshelf generate replaces the whole folder and "
                            "never overwrites your files; use a new or empty folder (e.g. docs/models)")


def config_snippet(prefix: str, nav: list[tuple[str, str]]) -> str:
    """The lines a site's ``mkdocs.yml`` needs for a catalog generated at ``prefix`` of docs_dir."""
    lines = ["# modelshelf generate: the lines your mkdocs.yml needs (MkDocs and Zensical read them)",
             "# Page URLs end in .html: the pages' HTML links are relative to each Markdown file, which is",
             "# what Zensical assumes (it rewrites them) and what MkDocs serves only without directory URLs.",
             "use_directory_urls: false",
             "# Catalog pages for the navigation (model pages stay out of it; the Models page lists them):",
             "nav:"]
    lines += [f"  - {json.dumps(title)}: {json.dumps(prefix + src)}" for title, src in nav]
    lines += ["extra_css:"] + [f"  - {json.dumps(prefix + p)}" for p in STYLESHEETS]
    lines += ["extra_javascript:"] + [f"  - {json.dumps(prefix + p)}" for p in SCRIPTS]
    lines.append("markdown_extensions:  # keep yours; add those missing")
    for name, options in REQUIRED_EXTENSIONS.items():
        if name == "pymdownx.superfences":
            lines += ["  - pymdownx.superfences:", "      custom_fences:", "        - name: mermaid",
                      "          class: mermaid",
                      "          format: !!python/name:pymdownx.superfences.fence_code_format"]
        elif options:
            lines.append(f"  - {name}:")
            lines += [f"      {key}: {json.dumps(value)}" for key, value in options.items()]
        else:
            lines.append(f"  - {name}")
    return "\n".join(lines) + "\n"


def generate(repo: str | os.PathLike[str], output: str | os.PathLike[str], *, docs_dir: str | os.PathLike[str] | None = None,
             config_file: str | os.PathLike[str] | None = None, allow_shallow: bool = False,
             candidates: int | None = None, log: Log | None = None,
             publish: dict[str, Any] | None = None) -> Generated:
    """Write the catalog of ``repo`` into ``output`` (replaced as a whole); returns what was written.

    ``docs_dir`` (default: the parent of ``output``) is where the site's pages start:
    only the config snippet's paths depend on it. Options, site name and URL come
    from the repo's ``mkdocs.yml`` (its ``modelshelf`` plugin entry) when it has one;
    ``publish`` overrides its ``publish_artifacts`` / ``publish_max_size`` /
    ``dvc_remotes`` (the build flags). Artifacts are published as the plugin does
    (``publish_configured``), into ``artifacts/`` beside ``api/``: a
    ``download_url`` is relative to the folder that holds ``api/``.
    """
    repo_path = Path(repo).absolute()
    target = Path(output).absolute()
    docs = Path(docs_dir).absolute() if docs_dir is not None else target.parent
    try:
        prefix = target.relative_to(docs).as_posix()
    except ValueError:
        raise GenerateError(f"{target} is not inside the docs folder {docs}") from None
    prefix = "" if prefix == "." else prefix + "/"
    check_folder(target)
    found = find_config(repo_path, config_file)
    raw = read_config(found)
    options = ModelshelfConfig()
    options.load_dict({**(plugin_settings(raw) or {}), **(publish or {}), "catalog_dir": ""})
    errors, _ = options.validate()
    if errors:
        raise GenerateError(f"{found}: modelshelf plugin options: " + "; ".join(f"{k}: {e}" for k, e in errors))
    registry = load_registry(repo_path)
    try:
        if not allow_shallow:
            blocker = publishing_blocker(registry.repo, "pass --allow-shallow")
            if blocker:
                raise GenerateError(blocker)
        index = build_index(registry, candidates=max(0, options.candidates if candidates is None else candidates))
        # the plugin's cache rules: its cache_dir option unless committed, else the Git dir's
        own = found.parent / options.cache_dir if found is not None and options.cache_dir else None
        plot_cache, cache_warnings = plot_cache_dir(registry.repo, own)
        try:
            site_opts = site_options(options, remote=index.data["repository"].get("remote"),
                                     site_url=_catalog_url(raw.get("site_url"), prefix),
                                     site_name=str(raw.get("site_name") or "Model registry"),
                                     use_directory_urls=False)
        except OptionsError as exc:
            raise GenerateError(f"{found or 'modelshelf'}: {exc}") from None
    finally:
        registry.close()  # before the plot workers fork: no Git reader thread holds a lock then
    theme = raw.get("theme") if isinstance(raw.get("theme"), dict) else {}
    overrides = [str(found.parent / theme["custom_dir"])] if found is not None and theme.get("custom_dir") else []
    site = render_site(index.data, site_opts, plot_cache=plot_cache, template_dirs=overrides)  # yours first
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.gen-", dir=target.parent))
    try:
        written = _write_pages(site, staging)
        try:  # as the plugin does once the pages are built: bytes first, then the API that links them
            publish_problems = publish_configured(registry, site.index, staging, setting=options.publish_artifacts,
                                                  max_size=options.publish_max_size, dvc_remotes=options.dvc_remotes)
        finally:
            registry.close()
        written += _listed(staging / ARTIFACTS_DIR, staging)
        written += _write_data(site, staging)
        nav = [(page.title, page.src_uri) for page in site.pages if page.in_nav]
        snippet = config_snippet(prefix, nav)
        (staging / SNIPPET).write_text(snippet, encoding="utf-8")
        written.append(SNIPPET)
        manifest = {"generator": f"modelshelf {__version__}", "files": sorted(written)}
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
        staging.chmod(0o777 & ~current_umask())
        check_folder(target)  # a file added meanwhile is still the user's
        _swap_into_place(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Generated(target, sorted(written), snippet, list(index.problems) + cache_warnings + publish_problems,
                     directory_urls=bool(raw.get("use_directory_urls", True)) if raw else False)


def _catalog_url(site_url: object, prefix: str) -> str | None:
    """The catalog's own URL (the feed's links are relative to it)."""
    if not site_url:
        return None
    return posixpath.join(str(site_url).rstrip("/") + "/", prefix) if prefix else str(site_url)


def _put(folder: Path, path: str, content: bytes, written: list[str]) -> None:
    target = folder / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    written.append(path)


def _listed(root: Path, folder: Path) -> list[str]:
    """The files under ``root`` (published artifacts), as paths relative to ``folder``."""
    return sorted(p.relative_to(folder).as_posix() for p in root.rglob("*") if p.is_file()) if root.is_dir() else []


def _write_pages(site: Any, folder: Path) -> list[str]:
    """The pages, assets and plots of a rendered catalog under ``folder`` (plots drawn); returns their paths."""
    written: list[str] = []

    def put(path: str, content: bytes) -> None:
        _put(folder, path, content, written)

    try:
        for page in site.pages:
            put(page.src_uri, page.content.encode("utf-8"))
        for item in site.files:
            if item.source is None:
                put(item.path, item.content)
        site.pending.wait()
    except BaseException:
        site.pending.cancel()
        raise
    for item in site.files:
        if item.source is not None:
            place_file(Path(item.source), folder / item.path)  # a hardlink into the cache (delivery/linking.py)
            written.append(item.path)
    return written


def _write_data(site: Any, folder: Path) -> list[str]:
    """The JSON API and the feed: written after publishing, which fills in ``download_url``."""
    written: list[str] = []
    for item in api_files(site.index):
        _put(folder, item.path, item.content, written)
    if site.feed is not None:
        _put(folder, "feed.xml", site.feed, written)
    return written
