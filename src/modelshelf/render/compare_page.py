"""The compare page and the compare parts of model pages (candidates, plot overlays).

The compare page itself is one static page: ``compare.js`` reads the model
and the versions to compare from its URL (``?model=NAME&v=v1.0.0&v=abc1234``,
or the same in the ``#`` fragment), fetches the model's JSON from
``api/models/`` and builds the tables and overlaid plots with DOM calls only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..core.naming import api_file
from .overlay import overlay_refs
from .pages import PLOTS_DIR, PageSpec, SiteFile, page_url, relative_url
from .views import MetricCell, compare_src, fmt_time, metric_cell, short

if TYPE_CHECKING:
    from .site import _Renderer

JSON = dict[str, Any]
COMPARE_JS_PATH = "assets/modelshelf/compare.js"
COMPARE_JS = Path(__file__).parent / "assets" / "compare.js"


@dataclass(frozen=True)
class CandidateRow:
    commit: str
    display: str
    date: str | None
    author: str | None
    message: str | None
    experiment: str | None
    changed: list[str]
    metrics: list[MetricCell]
    register: str
    compare_url: str | None


@dataclass(frozen=True)
class OverlayView:
    title: str
    path: str
    versions: tuple[str, ...]


@dataclass(frozen=True)
class ModelCompare:
    url: str | None  # the compare page for the latest version and its predecessor
    candidates: list[CandidateRow]
    overlays: list[OverlayView]


def compare_query(name: str, tokens: list[str]) -> str:
    return "?model=" + quote(name, safe="") + "".join("&v=" + quote(t, safe="") for t in tokens)


def model_compare(renderer: _Renderer, model: JSON, src: str, metrics: list[str]) -> tuple[ModelCompare, list[SiteFile]]:
    options = renderer.options
    here = page_url(src, options.use_directory_urls)
    page = relative_url(page_url(compare_src(options.catalog_dir), options.use_directory_urls), here)
    latest = model.get("latest")
    by_name = {v["version"]: v for v in model["versions"]}
    base = by_name.get(latest) if latest else None
    pair = [t for t in (base.get("previous") if base else None, latest) if t]
    url = page + compare_query(model["name"], pair) if len(pair) == 2 else None
    rows = []
    for candidate in model.get("candidates", []):
        token = candidate["commit"][:7]
        cells = [metric_cell(m, candidate["metrics"].get(m), (base or {}).get("metrics", {}).get(m),
                             options.is_lower_better(m))
                 for m in metrics[: options.table_metrics]]
        rows.append(CandidateRow(
            commit=candidate["commit"], display=short(candidate["commit"]), date=candidate.get("date"),
            author=candidate.get("author"), message=candidate.get("message"),
            experiment=candidate.get("experiment"), changed=list(candidate.get("changed", [])), metrics=cells,
            register=candidate["register"],
            compare_url=page + compare_query(model["name"], [latest, token] if latest else [token]),
        ))
    overlays = overlay_refs(model)  # drawn into the plot cache by render_site's pool
    files = [SiteFile(f"{PLOTS_DIR}/{o.filename}", source=renderer.plot_cache / o.filename) for o in overlays]
    views = [OverlayView(o.title, f"{PLOTS_DIR}/{o.filename}", o.versions) for o in overlays]
    return ModelCompare(url, rows, views), files


def compare_page(renderer: _Renderer) -> PageSpec:
    src = compare_src(renderer.options.catalog_dir)
    models = [
        {"name": m["name"], "api": api_file(m["name"]),
         "page": page_url(renderer.catalog.pages[m["name"]], renderer.options.use_directory_urls),
         "lower_is_better": renderer.catalog.lower_is_better(m)}
        for m in renderer.catalog.models if not m["deprecated"] or m["versions"]
    ]
    catalog = renderer.catalog
    badges = [catalog.badge(stage, None) for stage in catalog.stage_order]
    colors = {b.stage: b.background for b in badges}
    texts = {b.stage: b.text_color for b in badges}
    content = renderer.render("modelshelf/compare.html", src, title="Compare", models=models, stage_colors=colors,
                              stage_text_colors=texts)
    return PageSpec(src, "Compare", content, True)  # a top-level catalog page, like Stages and Activity


def compare_script() -> bytes:
    return COMPARE_JS.read_bytes()


__all__ = ["COMPARE_JS_PATH", "CandidateRow", "ModelCompare", "OverlayView", "compare_page", "compare_query",
           "compare_script", "compare_src", "fmt_time", "model_compare"]
