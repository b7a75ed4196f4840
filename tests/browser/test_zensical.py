"""The catalog built by Zensical (``build --engine zensical``), checked in Chromium as the MkDocs build is.

Each registry is built twice, by MkDocs + Material through the plugin and by
Zensical from the generated files: the MkDocs build is the oracle for what the
Zensical one must show (the same models, stages, plots, lineage diagrams and
comparisons) and for the JSON API, which must be the same bytes (both builds
with .html page URLs, the style the generated pages link in).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ..gitutil import GitBuilder, run_cli
from ..test_generate import flat_mkdocs_build
from .conftest import Site, Watch, _open_page, build_ok, page_on, screenshot, serve
from .scenario import DESCRIPTION, IMG, SCRIPT, hostile_repo
from .test_catalog import IMAGES_LOADED, wait_for_diagrams
from .test_hostile import assert_inert, visit

pytest.importorskip("zensical", reason="the zensical test extra is not installed")


@dataclass
class Pair:
    """One registry built by both engines; the Zensical site is served."""

    zensical: Site
    mkdocs: Path


def _build_both(base: Path, repo: Path) -> Iterator[Pair]:
    flat_mkdocs_build(repo, base / "flat", base / "mkdocs-site")
    build_ok(run_cli("build", "--engine", "zensical", "--repo", str(repo), "-o", str(base / "zensical-site"), "-q"))
    for site in serve(base / "zensical-site"):
        yield Pair(site, base / "mkdocs-site")


@pytest.fixture(scope="module")
def demo_pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    """``modelshelf demo``'s registry."""
    base = tmp_path_factory.mktemp("zensical-demo")
    build_ok(run_cli("demo", "-o", str(base), "--no-build", "-q"))
    yield from _build_both(base, base / "registry")


@pytest.fixture(scope="module")
def hostile_pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    """A GTO-managed registry whose every text tries to run script."""
    base = tmp_path_factory.mktemp("zensical-hostile")
    builder = GitBuilder(base / "repo")
    hostile_repo(builder)
    yield from _build_both(base, builder.path)


@pytest.fixture
def demo_page(browser: Any, demo_pair: Pair, watch: Watch) -> Iterator[Any]:
    yield from page_on(browser, demo_pair.zensical, watch)


@pytest.fixture
def hostile_page(browser: Any, hostile_pair: Pair, watch: Watch) -> Iterator[Any]:
    yield from page_on(browser, hostile_pair.zensical, watch)


def _api(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "api").rglob("*")) if p.is_file()}


@pytest.mark.parametrize("which", ["demo_pair", pytest.param("hostile_pair", marks=pytest.mark.gto)])
def test_the_json_api_is_the_bytes_of_the_mkdocs_build(which: str, request: pytest.FixtureRequest) -> None:
    pair: Pair = request.getfixturevalue(which)
    api = _api(pair.zensical.root)
    assert len(api) >= 3 and api == _api(pair.mkdocs)
    assert (pair.zensical.root / "feed.xml").read_bytes() == (pair.mkdocs / "feed.xml").read_bytes()


def test_every_model_page_has_its_stages_plots_and_lineage(demo_page: Any, demo_pair: Pair, watch: Watch) -> None:
    page, site = demo_page, demo_pair.zensical
    models = site.index["models"]
    assert len(models) >= 4
    drawn = 0
    for model in models:
        page.goto(site.page_url(model["name"]))
        page.wait_for_load_state("networkidle")
        assert page.inner_text("h1.ms-title").startswith(model["name"])
        facts = page.inner_text(".ms-facts")
        for stage, version in model["stages"].items():
            assert f"{stage}: {version}" in facts.replace("\xa0", " "), (model["name"], stage)
        mkdocs_html = (demo_pair.mkdocs / model["page"]).read_text()
        expected = re.findall(r'<img src="([^"]*assets/plots/[^"]+)"', mkdocs_html)
        plots = page.locator("img[src*='assets/plots/']")
        assert [img.get_attribute("src") for img in plots.all()] == expected
        assert bool(expected) == bool(model["latest"]), model["name"]  # the catalog has plots to show
        for img in plots.all():
            img.scroll_into_view_if_needed()
        page.wait_for_function(f"({IMAGES_LOADED})([...document.querySelectorAll(\"img[src*='assets/plots/']\")])")
        lineages = wait_for_diagrams(page)  # every lineage block drawn by the catalog's own Mermaid
        assert lineages == len(re.findall(r'<details class="[^"]*\bms-lineage\b', mkdocs_html))
        drawn += lineages
    assert drawn > 0
    richest = max(models, key=lambda m: len(m["versions"]))
    page.goto(site.page_url(richest["name"]))
    wait_for_diagrams(page)
    screenshot(page, "zensical-model")
    watch.assert_clean(offline=True)  # no console error, and nothing fetched from another host


def test_search_finds_a_model(demo_page: Any, demo_pair: Pair, watch: Watch) -> None:
    page, site = demo_page, demo_pair.zensical
    page.goto(site.url)
    page.click(".md-search__button")  # Zensical's search: a dialog with a combobox
    box = page.locator("input[role=combobox][aria-label=Search]")
    box.fill("demand")
    hit = page.locator(f"#{box.get_attribute('aria-controls')} a[href*='demand-forecast.html']").first
    hit.wait_for()
    screenshot(page, "zensical-search", full_page=False)
    hit.click()
    page.wait_for_url("**/demand-forecast.html**")
    assert page.inner_text("h1.ms-title").startswith("demand-forecast")
    watch.assert_clean(offline=True)


def test_the_compare_page_compares_as_in_the_mkdocs_build(browser: Any, demo_page: Any, demo_pair: Pair,
                                                           watch: Watch) -> None:
    site = demo_pair.zensical
    model = max(site.index["models"], key=lambda m: len(m["versions"]))
    versions = [v["version"] for v in model["versions"]][:2]
    query = f"compare.html?model={model['name']}&v={versions[0]}&v={versions[1]}"
    rows = "rows => rows.map(r => [...r.cells].map(c => c.textContent.trim()))"
    demo_page.goto(site.url + query)
    demo_page.wait_for_selector(".ms-compare-metrics table")
    shown = demo_page.eval_on_selector_all(".ms-compare-metrics table tbody tr", rows)
    screenshot(demo_page, "zensical-compare")
    watch.assert_clean(offline=True)
    for oracle in serve(demo_pair.mkdocs):
        other = _open_page(browser, oracle, Watch())
        try:
            other.goto(oracle.url + query)
            other.wait_for_selector(".ms-compare-metrics table")
            assert shown and shown == other.eval_on_selector_all(".ms-compare-metrics table tbody tr", rows)
        finally:
            other.context.close()


@pytest.mark.gto  # hostile_pair registers with gto
def test_hostile_text_is_inert_in_the_zensical_build(hostile_page: Any, hostile_pair: Pair, watch: Watch) -> None:
    page, site = hostile_page, hostile_pair.zensical
    visit(page, site.page_url("evil-model"))
    assert_inert(page)
    assert DESCRIPTION.split("[")[0].strip() in page.inner_text(".ms-description")
    assert IMG in page.inner_text(".ms-facts")
    assert SCRIPT in page.inner_text(".ms-card")
    assert "alert(1)" not in page.inner_html(".ms-card-body")
    assert "<img src=x onerror=alert(1)>" in page.locator("div.mermaid svg").first.text_content()
    screenshot(page, "zensical-hostile-model")
    for url in (site.url, site.url + "activity.html", site.url + "stages.html", site.url + "compare.html?model=evil-model"):
        visit(page, url)
        assert_inert(page)
    page.click(".md-search__button")
    page.locator("input[role=combobox][aria-label=Search]").fill("alert")
    page.wait_for_timeout(500)  # results render (or not) asynchronously: then nothing may be live
    assert_inert(page)
    assert not watch.dialogs and not watch.page_errors, (watch.dialogs, watch.page_errors)
