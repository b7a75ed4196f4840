"""The JSON index -> the catalog's generated pages and files.

``render_site`` is the one renderer behind the MkDocs plugin and the CLI. Its
output is Markdown pages whose generated parts are raw HTML blocks: Python-
Markdown leaves block-level HTML alone, so repository text (escaped by
Jinja2's autoescape) is never read as Markdown either, and it never starts
a line (newlines, backticks, braces are written as character references) so
no Markdown preprocessor (fences, snippets, macros) can pick it up.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Callable

import jinja2
from markupsafe import Markup, escape

from ..json_text import dumps
from .feed import atom_feed
from .pages import PLOTS_DIR, PageSpec, SiteFile, page_url, relative_url
from ..core.naming import api_file
from .site_options import SiteOptions
from .lineage import mermaid_lineage
from .overlay import overlay_jobs
from .plots import PendingPlots, metric_plot_jobs, metric_plot_refs, start_drawing
from .compare_page import COMPARE_JS_PATH, compare_page, compare_script, model_compare
from .units import human_size
from .views import (DESCRIPTION_CHARS, HOME_ROWS, CatalogView, ModelRow, fmt_time, fold_text, home_list_row, meta_facts,
                    short, shown_message, truncate_text)

JSON = dict[str, Any]
Progress = Callable[[int, int, str], None]

TEMPLATES_DIR = Path(__file__).parent / "templates"
ASSETS_DIR = Path(__file__).parent / "assets"
CSS_PATH = "assets/modelshelf/modelshelf.css"
JS_PATH = "assets/modelshelf/modelshelf.js"
# Material fetches Mermaid from a CDN unless the page already defines it: ship our own copy.
MERMAID_PATH = "assets/modelshelf/mermaid.min.js"
WORKER_SHIM_PATH = "assets/modelshelf/iframe-worker-shim.js"  # Material's search on file:// (offline sites)
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class SiteContent:
    pages: list[PageSpec] = field(default_factory=list)
    files: list[SiteFile] = field(default_factory=list)  # assets with the pages; plots after them
    feed: bytes | None = None
    index: JSON = field(default_factory=dict)  # the published index (with page/api URLs)
    pending: PendingPlots = field(default_factory=PendingPlots)  # plots still drawing


_MARKDOWN_SAFE = str.maketrans({"\n": "&#10;", "\r": "&#13;", "`": "&#96;", "{": "&#123;", "}": "&#125;",
                                "~": "&#126;", "\t": "&#9;"})


def markdown_inert(html: str) -> str:
    """Escaped HTML with nothing a Markdown preprocessor could act on."""
    return html.translate(_MARKDOWN_SAFE)


def _finalize(value: object) -> object:
    """Every ``{{ value }}``: HTML-escaped, then made inert for Markdown."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    return Markup(markdown_inert(str(escape(value))))


def _yaml_str(value: str) -> Markup:
    """A YAML (JSON) string scalar for front matter; ASCII-only so nothing can break out."""
    return Markup(json.dumps(str(value), ensure_ascii=True).replace("<", "\\u003c").replace(">", "\\u003e"))


# What a JSON text inside <script type="application/json"> must not contain: "<" (</script>,
# <!--), and the characters a Markdown preprocessor acts on (see markdown_inert). All of them
# can only occur inside JSON strings when the value holds no objects, and are escaped there.
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "`": "\\u0060",
                              "{": "\\u007b", "}": "\\u007d", "~": "\\u007e"})


def json_script(value: list) -> Markup:
    """A list (of lists and scalars, no objects) as the text of a JSON ``<script>`` element.

    A script element's text is never entity-decoded, so instead of ``markdown_inert`` the
    unsafe characters are written as JSON ``\\u`` escapes, which JSON.parse reads back.
    """
    _no_objects(value)
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    return Markup(text.translate(_SCRIPT_SAFE))


def _no_objects(value: object) -> None:
    if isinstance(value, dict):
        raise TypeError("json_script takes lists and scalars only: a '{' would be escaped")
    if isinstance(value, list):
        for item in value:
            _no_objects(item)


def make_environment(template_dirs: list[str] | None = None) -> jinja2.Environment:
    """Templates from the theme dirs first (user overrides), then ours. No bytecode cache:
    Jinja's loads compiled code from files, and a cache folder is not proof of who wrote it."""
    dirs = [*(template_dirs or []), str(TEMPLATES_DIR)]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(dirs), autoescape=True, finalize=_finalize,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined,
    )
    env.filters.update(
        when=fmt_time, short=short, yaml_str=_yaml_str, truncate_text=truncate_text, shown_message=shown_message,
        tojson_text=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True), json_script=json_script,
    )
    return env


# -- the renderer -----------------------------------------------------------
def _storage_summary(model: JSON) -> str | None:
    latest = next((v for v in model["versions"] if v["version"] == model["latest"]), None)
    storage = latest.get("storage") if latest else None
    if not storage or storage.get("kind") == "missing":
        return None
    parts = [storage["kind"]]
    if storage.get("path"):
        parts.append(storage["path"])
    elif storage.get("url"):
        parts.append(storage["url"])
    size = storage.get("size")
    if isinstance(size, int):
        parts.append(human_size(size))
    return " · ".join(parts)


@dataclass(frozen=True)
class _Lineage:
    version: str
    produced_by: str | None
    source: str


class _Renderer:
    def __init__(self, index: JSON, options: SiteOptions, env: jinja2.Environment, plot_cache: Path) -> None:
        self.options = options
        self.catalog = CatalogView(index, options)
        self.env = env
        self.plot_cache = plot_cache
        self.urls = {name: page_url(src, options.use_directory_urls) for name, src in self.catalog.pages.items()}

    def render(self, template: str, src_uri: str, **context: Any) -> str:
        here = page_url(src_uri, self.options.use_directory_urls)

        def url(target_src: str) -> str:
            return relative_url(page_url(target_src, self.options.use_directory_urls), here)

        def asset(path: str) -> str:
            return relative_url(path, here)

        feed_url = asset("feed.xml") if self.options.feed else None
        return self.env.get_template(template).render(url=url, asset=asset, feed_url=feed_url,
                                                      catalog_nav=self.catalog.nav_links(src_uri), **context)

    def home(self) -> PageSpec:
        rows = self.catalog.model_rows()
        active = [r for r in rows if not r.deprecated]
        deprecated = [r for r in rows if r.deprecated]
        stages = [self.catalog.badge(s, None) for s in self.catalog.stage_order]
        here = page_url(self.catalog.home_src, self.options.use_directory_urls)
        content = self.render(
            "modelshelf/home.html", self.catalog.home_src, title="Models", active=active,
            deprecated=deprecated, types=sorted({r.type for r in rows if r.type}),
            all_labels=sorted({label for r in rows for label in r.labels}),
            stage_order=self.catalog.stage_order, stage_badges=stages, home_rows=HOME_ROWS,
            description_chars=DESCRIPTION_CHARS,
            lists={name: self._home_list(part, here) for name, part in (("models", active), ("deprecated", deprecated))
                   if len(part) > HOME_ROWS},
            stage_colors={b.stage: [b.background, b.text_color] for b in stages},
        )
        return PageSpec(self.catalog.home_src, "Models", content, True)

    def _home_list(self, rows: list[ModelRow], here: str) -> list[list[Any]]:
        """A long model table as compact rows for modelshelf.js, which renders the matches a page
        at a time (the HTML has the first ``HOME_ROWS``): one array per model, in table order."""
        return [home_list_row(r, relative_url(self.urls[r.name], here)) for r in rows]

    def stages(self) -> PageSpec:
        src = self.catalog.stages_src
        content = self.render("modelshelf/stages.html", src, title="Stages", columns=self.catalog.stage_columns())
        return PageSpec(src, "Stages", content, True)

    def activity(self) -> PageSpec:
        src = self.catalog.activity_src
        events = self.catalog.event_rows(self.catalog.index["events"], self.options.activity_entries)
        return PageSpec(src, "Activity", self.render("modelshelf/activity.html", src, title="Activity", events=events), True)

    def model(self, model: JSON) -> tuple[PageSpec, list[SiteFile]]:
        from .card import card_facts, render_card

        src = self.catalog.pages[model["name"]]
        choice = self.catalog.metric_choice(model)
        metrics = choice.shown
        plots = [ref for ref, _ in metric_plot_refs(model, metrics)] if metrics else []
        files = [SiteFile(f"{PLOTS_DIR}/{p.filename}", source=self.plot_cache / p.filename) for p in plots]
        lineages = []
        for version in model["versions"]:
            if not version.get("lineage", {}).get("stages"):
                continue
            source = mermaid_lineage(model["name"], version)
            if source:
                lineages.append(_Lineage(short(version["version"]), version["lineage"].get("produced_by"), source))
        card = model.get("card")
        card_html = Markup(markdown_inert(render_card(card["markdown"]))) if card else None
        facts = card_facts(card.get("front_matter") or {}) if card else []
        deprecations = [e for e in model["events"] if e["event"] == "deprecation"]

        compare, compare_files = model_compare(self, model, src, metrics)
        files += compare_files
        content = self.render(
            "modelshelf/model.html", src, model=model, badges=self.catalog.badges(model),
            storage=_storage_summary(model), api_path=api_file(model["name"]), meta=meta_facts(model.get("meta")),
            deprecation=max(deprecations, key=lambda e: e["timestamp"], default=None),
            use_tabs=self.catalog.use_tabs(model), use_reads_clone=self.catalog.use_reads_clone,
            versions=self.catalog.version_rows(model, metrics),
            table_metrics=metrics[: self.options.table_metrics], metric_choice=choice,
            description=fold_text(model["description"] or ""),
            plots=[{"metric": p.metric, "path": f"{PLOTS_DIR}/{p.filename}"} for p in plots],
            param_diffs=self.catalog.param_diffs(model), lineages=lineages,
            card_html=card_html, card_facts=facts,
            events=self.catalog.event_rows(model["events"]), compare=compare,
        )
        return PageSpec(src, model["name"], content, False), files

    def published_index(self) -> JSON:
        """The index with page and API URLs added, sharing what nobody changes.

        Copied down to each version's ``storage``, the one part ``publish_artifacts``
        fills in; a deep copy of everything took a fifth of a warm rebuild.
        """
        index = self.catalog.index
        data = {**index, "repository": {**index["repository"], "commit_url": self.options.commit_url}}
        data["models"] = [
            {
                **model,
                "versions": [_with_own_storage(v) for v in model.get("versions", [])],
                "page": self.urls[model["name"]],
                "api": api_file(model["name"]),
            }
            for model in index["models"]
        ]
        return data

    def feed(self) -> bytes:
        events = self.catalog.event_rows(self.catalog.index["events"], self.options.feed_entries)
        repo_id = self.catalog.index["repository"].get("remote") or self.options.site_name
        clean = [
            type(e)(**{k: _INVALID_XML.sub("\ufffd", v) if isinstance(v, str) else v for k, v in e.__dict__.items()})
            for e in events
        ]
        return atom_feed(clean, title=f"{self.options.site_name}: registry events", site_url=self.options.site_url,
                         page_url=self.urls, repo_id=_INVALID_XML.sub("", repo_id))


def render_site(index: JSON, options: SiteOptions, *, plot_cache: Path, template_dirs: list[str] | None = None,
                progress: Progress | None = None) -> SiteContent:
    """Every generated page and file of the catalog, from the JSON index.

    Missing plots are still drawing when this returns: ``site.pending.wait()`` before
    reading the files of ``site.files`` that have a ``source``.
    """
    plot_cache = Path(plot_cache)
    renderer = _Renderer(index, options, make_environment(template_dirs), plot_cache)
    site = SiteContent()
    site.pages.append(renderer.home())
    if options.stages_page:
        site.pages.append(renderer.stages())
    if options.activity_page:
        site.pages.append(renderer.activity())
    plots: dict[str, SiteFile] = {}
    models = renderer.catalog.models
    jobs = metric_plot_jobs([(m, renderer.catalog.metric_names(m)) for m in models], plot_cache)
    for model in models:
        jobs.update(overlay_jobs(model, plot_cache))
    # The pool draws while the pages are rendered (and while MkDocs builds them): pages need
    # only the plots' names.
    site.pending = start_drawing(jobs, plot_cache)
    try:
        for position, model in enumerate(models, start=1):
            if progress:
                progress(position, len(models), model["name"])
            page, files = renderer.model(model)
            site.pages.append(page)
            plots.update((f.path, f) for f in files)

        site.pages.append(compare_page(renderer))
        site.index = renderer.published_index()
        site.feed = renderer.feed() if options.feed else None
    except BaseException:
        site.pending.cancel()
        raise
    site.files.extend(plots[path] for path in sorted(plots))
    for name in ("modelshelf.css", "modelshelf.js"):
        site.files.append(SiteFile(f"assets/modelshelf/{name}", (ASSETS_DIR / name).read_bytes()))
    site.files.append(SiteFile(COMPARE_JS_PATH, compare_script()))
    site.files.append(SiteFile(MERMAID_PATH, (ASSETS_DIR / "mermaid" / "mermaid.min.js").read_bytes()))
    return site


def api_files(index: JSON, scripts: bool = False) -> list[SiteFile]:
    """The JSON API of a built site: the whole index, one file per model, the schema.

    Rendered after the pages so ``publish_artifacts`` can fill in download URLs first.
    Compact, like ``modelshelf index``: scripts read these, and the C encoder is ~5x faster.
    ``scripts``: each model also as ``api/models/<name>.js``, for the compare page of a
    site opened from disk (browsers refuse ``fetch`` on file://, not ``<script src>``).
    """
    files = [SiteFile("api/registry.json", dumps(index).encode())]
    files += [SiteFile(model["api"], dumps(model).encode()) for model in index["models"]]
    if scripts:
        files += [SiteFile(model_script_path(model["api"]), _model_script(model)) for model in index["models"]]
    files.append(SiteFile("api/schema.json", _schema_bytes()))
    return files


def offline_files() -> list[SiteFile]:
    """Assets only a site opened from disk needs: Material's worker shim (vendored)."""
    return [SiteFile(WORKER_SHIM_PATH, (ASSETS_DIR / "iframe-worker" / "shim.js").read_bytes())]


def model_script_path(api_path: str) -> str:
    return api_path.removesuffix(".json") + ".js"


def _model_script(model: JSON) -> bytes:
    """``modelshelfModels[name] = {...}``: JSON is a JS literal; ASCII-only, so no
    character can end the string or the statement early in any engine."""
    data = json.dumps(model, ensure_ascii=True, separators=(",", ":"))
    name = json.dumps(model["name"], ensure_ascii=True)
    return f"(window.modelshelfModels = window.modelshelfModels || {{}})[{name}] = {data};\n".encode()


def _with_own_storage(version: JSON) -> JSON:
    storage = version.get("storage")
    return {**version, "storage": dict(storage)} if isinstance(storage, dict) else dict(version)


def deferred_paths(index: JSON, feed: bool) -> list[str]:
    """Site paths written after the build (registered early so links to them validate)."""
    paths = ["api/registry.json", "api/schema.json"] + [model["api"] for model in index["models"]]
    return paths + (["feed.xml"] if feed else [])


def _schema_bytes() -> bytes:
    return resources.files("modelshelf").joinpath("schema/registry.schema.json").read_bytes()
