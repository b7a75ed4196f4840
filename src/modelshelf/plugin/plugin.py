"""The MkDocs plugin: hooks only. The registry is read once per build in ``on_files``.

Pages are virtual (``File.generated``), never written to docs_dir; model pages
stay out of the navigation (``NOT_IN_NAV``) because Material renders the nav
into every page. Plots and the catalog's CSS/JS are generated files written
with the site. The JSON API and the feed are written in ``on_post_build``
(after ``publish_artifacts`` may have added download URLs), each atomically;
they are registered in ``on_files`` as files MkDocs does not copy, so Markdown
links to ``api/registry.json`` validate under ``--strict``.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from pathlib import Path

import jinja2

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext
from pymdownx.superfences import fence_code_format

from ..atomic import atomic_write
from ..delivery.linking import place_file
from ..delivery.publish import publish_configured
from ..index.build import build_index
from ..progress import Progress, stderr_progress
from ..registry import load_registry, publishing_blocker
from ..render.site_options import OptionsError, SiteOptions
from ..registry import Registry
from ..render.site import (
    CSS_PATH, JS_PATH, MERMAID_PATH, TEMPLATES_DIR, WORKER_SHIM_PATH, SiteContent, api_files, deferred_paths,
    offline_files, render_site,
)
from ..render.compare_page import COMPARE_JS_PATH
from ..render.stash import restore_html, stash_html
from ..sitebuild.site_cache import WORK_TREE_CACHE, plot_cache_dir, sweep_plots
from ..sources.hub import HubIndex, hub_plot_cache, publish_hub, read_hub, with_base
from ..sources.spec import SourceError, SourceSpec
from .mkdocs_options import ModelshelfConfig, site_options, source_site_options

log = logging.getLogger("mkdocs.plugins.modelshelf")


class _GeneratedFile(File):
    """A generated asset (CSS, JS), written as MkDocs writes pages (plots: ``on_post_build``).

    ``modelshelf build`` builds into a temporary folder and swaps it in whole, so no
    reader sees a half-built site; a temp file and rename per plot cost a fifth of a
    warm build of a big catalog. The JSON API, which scripts fetch, is still written
    atomically file by file in ``on_post_build``.
    """

    def copy_file(self, dirty: bool = False) -> None:
        content = self._content
        assert content is not None
        target = Path(self.abs_dest_path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


class _DeferredFile(File):
    """A site file that ``on_post_build`` writes (the JSON API, plots); MkDocs only needs to know it exists."""

    def copy_file(self, dirty: bool = False) -> None:
        return None


def progress_logger(what: str):
    """Log ``what N of M`` about ten times per build (every step for small registries)."""

    def report(position: int, total: int, name: str) -> None:
        step = max(1, total // 10)
        if position == total or position % step == 0 or total <= 10:
            log.info(f"modelshelf: {what} {position} of {total} ({name})")

    return report


def build_progress(mode: str, what: str, unit: str) -> Progress | None:
    """The reporter of one build phase (``reading``/``rendering`` ``unit``) for the plugin option ``progress``."""
    if mode == "none":
        return None
    if mode == "stderr":  # `modelshelf build`: a bar on a terminal, plain lines in a log (progress.py)
        return stderr_progress(f"{what} {unit}", unit=unit)
    return progress_logger(f"{what} {unit.rstrip('s')}")


# What the generated pages need; added when the user's mkdocs.yml lacks them, so a bare
# `plugins: [search, modelshelf]` renders tabs, tables and Mermaid lineage correctly.
REQUIRED_EXTENSIONS: dict[str, dict] = {
    "admonition": {},
    "attr_list": {},
    "md_in_html": {},
    "tables": {},
    "pymdownx.details": {},
    "pymdownx.tabbed": {"alternate_style": True},
    "pymdownx.superfences": {
        "custom_fences": [
            {"name": "mermaid", "class": "mermaid", "format": fence_code_format},
        ]
    },
}


def ensure_markdown_extensions(config: MkDocsConfig) -> None:
    """Add the extensions the catalog pages use, keeping any the user configured."""
    for name, options in REQUIRED_EXTENSIONS.items():
        if name not in config.markdown_extensions:
            config.markdown_extensions.append(name)
            if options:
                config.mdx_configs[name] = options
    fences = config.mdx_configs.setdefault("pymdownx.superfences", {}).setdefault("custom_fences", [])
    if not any(isinstance(f, dict) and f.get("name") == "mermaid" for f in fences):
        fences.append(REQUIRED_EXTENSIONS["pymdownx.superfences"]["custom_fences"][0])


def template_problem(exc: jinja2.TemplateError) -> str:
    """One line naming the template file and line that failed (a broken override in the
    user's ``custom_dir`` is the likely cause), instead of a Jinja traceback."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where = f"{exc.filename or exc.name}, line {exc.lineno}"
    else:  # Jinja rewrites the traceback so that template lines show as frames of the template file
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".html")]
        where = f"{frames[-1].filename}, line {frames[-1].lineno}" if frames else "a catalog template"
    kind = "template not found" if isinstance(exc, jinja2.TemplateNotFound) else type(exc).__name__
    return f"modelshelf: {where}: {kind}: {exc.message}"


def _demo_registry(path: Path) -> Path:
    """The embedded demo registry, created on first use (it is deterministic)."""
    if not (path / ".git").exists():
        from ..demo.repo import create_demo_repo

        if path.exists() and not any(path.iterdir()):
            path.rmdir()
        create_demo_repo(path)
    return path


class ModelshelfPlugin(BasePlugin[ModelshelfConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.repo: Path | None = None
        self.options: SiteOptions | None = None
        self.site: SiteContent | None = None
        self.registry: Registry | None = None
        self.cache: Path | None = None  # the plot cache, known once the registry is read
        self._own_cache: Path | None = None  # the cache_dir option's folder, if set
        self._stashed: dict[str, list[str]] = {}  # src_uri -> HTML blocks kept out of Markdown
        self._command = "build"
        self.sources: list[SourceSpec] = []  # a hub's sources (empty: the one repository ``repo``)
        self._base: Path | None = None
        self.hub: HubIndex | None = None  # a hub's last read
        self.input_error: SourceError | None = None  # a bad source: `modelshelf build` exits 2 on it

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self._command = command  # "serve" previews: it may read a shallow clone; builds publish

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return None
        base = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
        self.repo = (base / self.config.repo) if self.config.repo else base
        self._own_cache = base / self.config.cache_dir if self.config.cache_dir else None
        self._base = base
        self.sources = with_base(self.config.sources, base) if self.config.sources else []
        if self.config.demo:
            self.repo = _demo_registry(base / (self.config.cache_dir or WORK_TREE_CACHE) / "demo-registry")
        ensure_markdown_extensions(config)
        config.theme.dirs.append(str(TEMPLATES_DIR))  # after custom_dir: users can override ours
        if CSS_PATH not in config.extra_css:
            config.extra_css.append(CSS_PATH)
        for script in (MERMAID_PATH, JS_PATH):  # Mermaid first: Material then skips its CDN copy
            if script not in [str(s) for s in config.extra_javascript]:
                config.extra_javascript.append(script)
        if COMPARE_JS_PATH not in [str(s) for s in config.extra_javascript]:
            config.extra_javascript.append(COMPARE_JS_PATH)
        if self.config.offline:
            # Material loads extra.polyfills before its bundle; with a shim named "iframe-worker"
            # there, its own offline plugin (if enabled too) does not add the CDN copy.
            polyfills = list(config.extra.get("polyfills") or [])
            if WORKER_SHIM_PATH not in polyfills:
                polyfills.append(WORKER_SHIM_PATH)
            config.extra["polyfills"] = polyfills
        return config

    def _options(self, config: MkDocsConfig, remote: str | None) -> SiteOptions:
        try:
            return site_options(self.config, remote=remote, site_url=config.site_url, site_name=config.site_name,
                                use_directory_urls=config.use_directory_urls)
        except OptionsError as exc:
            raise PluginError(f"modelshelf: {exc}") from None

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled:
            return None
        assert self.repo is not None
        self.release()  # serve: what the previous build left open
        if self.sources:
            return self._hub_files(files, config)
        try:
            registry = self.registry = load_registry(self.repo)
        except Exception as exc:  # NotAGitRepo and friends: one clear line
            raise PluginError(f"modelshelf: cannot read the registry at {self.repo}: {exc}") from None
        self.cache, warnings = plot_cache_dir(registry.repo, self._own_cache)
        for warning in warnings:
            log.warning(f"modelshelf: {warning}")
        if self._command != "serve" and not self.config.allow_shallow:
            blocker = publishing_blocker(
                registry.repo,
                "pass --allow-shallow to `modelshelf build` (plugin option `allow_shallow: true` for `mkdocs build`)")
            if blocker:
                raise PluginError(f"modelshelf: {blocker}")
        index = build_index(registry, progress=build_progress(self.config.progress, "reading", "versions"),
                            candidates=max(0, self.config.candidates))
        for problem in index.problems:
            log.warning(f"modelshelf: {problem}")
        if index.notices:  # data, not a broken file: info, so `--strict` does not fail on a NaN metric
            log.info(f"modelshelf: {len(index.notices)} metric/param value(s) are NaN or infinite and left "
                     "out of the catalog; `modelshelf doctor` lists them")
        self.options = self._options(config, index.data["repository"].get("remote"))
        return self._render(index.data, files, config)

    def _hub_files(self, files: Files, config: MkDocsConfig) -> Files:
        """A hub: every source read (or reused, or kept stale) and merged; then rendered as one catalog."""
        assert self.repo is not None  # the hub's own folder: its Git dir keeps the hub's cache
        try:
            hub = read_hub(self.sources, self.repo, candidates=max(0, self.config.candidates),
                           progress=build_progress(self.config.progress, "reading", "sources"))
        except SourceError as exc:
            self.input_error = exc
            raise PluginError(f"modelshelf: {exc}") from None
        self.hub = hub
        for problem in hub.problems:  # stale sources too: `--strict` fails the build on them
            log.warning(f"modelshelf: {problem}")
        self.cache = self._own_cache or hub_plot_cache(self.repo)
        for removed in sweep_plots(self.cache):
            log.warning(f"modelshelf: {removed}")
        self.options = self._options(config, None)
        try:
            per_source = source_site_options(self.options, self.sources)
        except OptionsError as exc:
            raise PluginError(f"modelshelf: {exc}") from None
        return self._render(hub.data, files, config, per_source)

    def _render(self, data: dict, files: Files, config: MkDocsConfig,
                source_options: dict[str, SiteOptions] | None = None) -> Files:
        assert self.options is not None and self.cache is not None
        try:
            self.site = render_site(
                data, self.options, source_options=source_options, plot_cache=self.cache, template_dirs=list(config.theme.dirs),
                progress=build_progress(self.config.progress, "rendering", "models"),
            )
        except jinja2.TemplateError as exc:  # most likely an override in the user's custom_dir
            raise PluginError(template_problem(exc)) from None
        # A file of docs_dir that lands where a generated page would (``models/index.md``, but also
        # ``models/README.md``, ``models/churn/index.md`` or a raw ``models/index.html``) is the
        # user's: it wins, never silently lost.
        own_files = {f.dest_uri: f for f in files}
        for page in self.site.pages:
            # With the user's own `nav:`, a catalog page they did not list is reached from the
            # catalog's links row: not reported (or, with `omitted_files: warn`, failed) as left out.
            # A NOT_IN_NAV page that `nav:` lists is still shown there.
            in_nav = page.in_nav and config.nav is None
            inclusion = InclusionLevel.INCLUDED if in_nav else InclusionLevel.NOT_IN_NAV
            skeleton, blocks = stash_html(page.content)
            generated = File.generated(config, page.src_uri, content=skeleton, inclusion=inclusion)
            own = files.get_file_from_path(page.src_uri) or own_files.get(generated.dest_uri)
            if own is not None:
                log.info(f"modelshelf: docs_dir has its own '{own.src_uri}'; keeping it instead of the generated "
                         f"page '{page.src_uri}'")
                continue
            self._stashed[page.src_uri] = blocks
            files.append(generated)
        for item in [*self.site.files, *(offline_files() if self.config.offline else [])]:
            _make_room(files, item.path)
            if item.source is not None:  # a plot, maybe still drawing: copied in on_post_build
                files.append(_DeferredFile.generated(config, item.path, content=b""))
            else:
                files.append(_GeneratedFile.generated(config, item.path, content=item.content))
        for path in deferred_paths(self.site.index, self.site.feed is not None):
            _make_room(files, path)
            files.append(_DeferredFile.generated(config, path, content=b""))
        return files

    def on_serve(self, server: LiveReloadServer, /, *, config: MkDocsConfig,
                 builder: Callable[..., None]) -> LiveReloadServer | None:
        """Plain ``mkdocs serve`` rebuilds when the registry changes (a new tag, an edited
        ``dvc.yaml``), as ``modelshelf serve`` does: MkDocs itself watches only docs_dir and mkdocs.yml."""
        if not self.config.enabled or self.repo is None or self.sources:
            return None
        from ..git import GitRepo
        from ..sitebuild.mkdocs_build import watch_paths

        with GitRepo(self.repo) as repo:
            for path in watch_paths(repo):
                server.watch(path)
        return server

    def on_page_content(self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        blocks = self._stashed.get(page.file.src_uri)
        return restore_html(html, blocks, search_excluded=False) if blocks else None

    @event_priority(-100)  # after the search plugin (0) has indexed the page
    def on_page_context(self, context: TemplateContext, /, *, page: Page, config: MkDocsConfig,
                        nav: Navigation) -> TemplateContext:
        """Put back the blocks search skips (``data-search-exclude``): search never parses them."""
        blocks = self._stashed.get(page.file.src_uri)
        if blocks and page.content:
            page.content = restore_html(page.content, blocks)
        return context

    def on_build_error(self, *, error: Exception) -> None:
        self.release()  # a failed build draws no more plots

    def release(self) -> None:
        """End what a build started: plots still drawing, the registry's ``git cat-file``
        process. Runs when the build ends either way (``modelshelf build`` also calls it
        on Ctrl-C and SIGTERM, which MkDocs does not report to plugins)."""
        if self.site is not None:
            self.site.pending.cancel()
        registry, self.registry = self.registry, None
        if registry is not None:
            registry.close()

    @event_priority(-100)  # after the search plugin wrote its index (read below for offline sites)
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if not self.config.enabled or self.site is None:
            return
        site_dir = Path(config.site_dir)
        self.site.pending.wait()  # the plots drew while MkDocs built the pages
        for item in self.site.files:
            if item.source is not None:
                place_file(Path(item.source), site_dir / item.path)  # a hardlink into the cache (delivery/linking.py)
        index = self.site.index
        if self.registry is not None:  # a hub publishes no bytes: downloads go to each source's repo or site
            for problem in publish_configured(self.registry, index, site_dir, setting=self.config.publish_artifacts,
                                              max_size=self.config.publish_max_size,
                                              dvc_remotes=self.config.dvc_remotes):
                log.warning(f"modelshelf: {problem}")
        if self.hub is not None:
            for problem in publish_hub(self.hub, index, site_dir, setting=self.config.publish_artifacts,
                                       max_size=self.config.publish_max_size,
                                       dvc_remotes=tuple(self.config.dvc_remotes)):
                log.warning(f"modelshelf: {problem}")
        for item in api_files(index, scripts=self.config.offline):
            atomic_write(site_dir / item.path, item.content)
        if self.site.feed is not None:
            atomic_write(site_dir / "feed.xml", self.site.feed)
        if self.config.offline:
            _search_index_script(site_dir)
        self.release()


def _make_room(files: Files, path: str) -> None:
    """Remove the file at ``path`` that a generated one replaces. The catalog's data and assets
    must be its own (scripts rely on ``api/``), so a docs_dir file there is dropped, with a
    warning: it used to vanish from the site unsaid."""
    existing = files.get_file_from_path(path)
    if existing is None:
        return
    if existing.generated_by is None:
        log.warning(f"modelshelf: docs_dir has its own '{existing.src_uri}', which the catalog replaces "
                    "with its generated file: move or rename yours")
    files.remove(existing)


def _search_index_script(site_dir: Path) -> None:
    """``search/search_index.js``: on file:// Material's search loads its index as a script
    (what Material's offline plugin writes, without that plugin's CDN worker shim)."""
    index = site_dir / "search" / "search_index.json"
    if index.is_file():
        atomic_write(index.with_suffix(".js"), b"var __index = " + index.read_bytes())
