"""Accessibility, layout and scale of the catalog in Chromium (issue 13 items 9 and 12, issue 15).

- axe-core (pinned in tests/browser/package.json; ``npm ci --prefix tests/browser``) finds no
  WCAG 2 A/AA violation on any page of the demo or of a real registry's catalog, light and dark.
- The demo's versions table fits a 1,400 px screen: no sideways scrolling, last column visible.
- A catalog with more models than the home page's HTML lists: the filter searches all of them,
  and "Show more" reaches every match.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .a11y_scenario import HOSTILE_AT, HOSTILE_DESC, LONG_MODELS, long_name, long_repo, real_repo
from .conftest import Site, Watch, _open_page, build_and_serve

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCHEMES = ("light", "dark")
HOME_ROWS = 100  # views.HOME_ROWS, as a user sees it: the first page of a long list


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe-core's script; missing, it fails under CI (the check must run there) and skips locally."""
    if not AXE.exists():
        message = f"{AXE} is missing: run `npm ci --prefix tests/browser` (axe-core, pinned)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    pinned = json.loads((Path(__file__).parent / "package.json").read_text())["devDependencies"]["axe-core"]
    installed = json.loads((AXE.parent / "package.json").read_text())["version"]
    assert installed == pinned, (f"axe-core {installed} is installed, {pinned} is pinned: "
                                 "run `npm ci --prefix tests/browser`")
    return AXE


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    for site, _ in build_and_serve(tmp_path_factory, "a11y-real", real_repo):
        yield site


@pytest.fixture(scope="session")
def long_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, list[str]]]:
    yield from build_and_serve(tmp_path_factory, "long", long_repo)


def active(model: dict) -> list[str]:
    return [v["version"] for v in model["versions"] if v["status"] == "active"]


def site_pages(site: Site) -> list[str]:
    """Every HTML page of the built site (URLs), and the compare page with a comparison open."""
    urls = []
    for path in sorted(site.root.rglob("*.html")):
        rel = path.relative_to(site.root).as_posix()
        urls.append(site.url + rel)
    compared = next((m for m in site.index["models"] if len(active(m)) >= 2), None)
    if compared:
        versions = active(compared)[:2]
        compare = next(u for u in urls if u.endswith(("compare.html", "compare/index.html")))
        urls.append(f"{compare}?model={compared['name']}&v={versions[0]}&v={versions[1]}")
    return urls


def axe_violations(page: Any, axe: Path) -> list[str]:
    page.add_script_tag(path=str(axe))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    found = []
    for violation in result["violations"]:
        for node in violation["nodes"]:
            detail = (node.get("any") or node.get("all") or node.get("none") or [{}])[0].get("message", "")
            found.append(f"{violation['id']}: {node['target']} {node['html'][:120]!r} {detail[:200]}")
    return found


def check_site(browser: Any, site: Site, axe: Path, scheme: str) -> None:
    watch = Watch()
    page = _open_page(browser, site, watch)
    try:
        page.emulate_media(color_scheme=scheme)
        problems: dict[str, list[str]] = {}
        for url in site_pages(site):
            page.goto(url, wait_until="load")
            if "compare" in url and "?model=" in url:
                page.wait_for_selector(".ms-compare-metrics table")
            expected = "slate" if scheme == "dark" else "default"
            assert page.get_attribute("body", "data-md-color-scheme") == expected, url
            found = axe_violations(page, axe)
            if found:
                problems[url[len(site.url):]] = found
        assert not problems, "\n".join(f"{url} ({scheme}):\n  " + "\n  ".join(v) for url, v in problems.items())
        watch.assert_clean()
    finally:
        page.context.close()


@pytest.mark.parametrize("scheme", SCHEMES)
def test_no_wcag_violation_on_any_demo_page(browser: Any, demo_site: Site, axe_script: Path, scheme: str) -> None:
    check_site(browser, demo_site, axe_script, scheme)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_no_wcag_violation_on_any_page_of_a_real_registry(browser: Any, real_site: Site, axe_script: Path,
                                                          scheme: str) -> None:
    models = {m["name"]: m for m in real_site.index["models"]}
    assert models["old"]["deprecated"] and not models["draft"]["registered"]  # every kind of row is there
    assert len(models["fraud"]["stages"]) >= 8  # known stage colours and the palette's, light and dark ones
    check_site(browser, real_site, axe_script, scheme)


def test_versions_table_fits_a_1400px_screen(browser: Any, demo_site: Site, watch: Watch) -> None:
    page = _open_page(browser, demo_site, watch)
    try:
        page.set_viewport_size({"width": 1400, "height": 900})
        for model in demo_site.index["models"]:
            if not model["versions"]:
                continue
            page.goto(demo_site.page_url(model["name"]))
            box = page.eval_on_selector("#ms-versions", """table => {
              const scroller = table.closest('.md-typeset__scrollwrap') || table.parentElement;
              const cells = table.tHead.rows[0].cells, last = cells[cells.length - 1].getBoundingClientRect();
              const view = scroller.getBoundingClientRect();
              return {scroll: scroller.scrollWidth, client: scroller.clientWidth, tableScroll: table.scrollWidth,
                      tableClient: table.clientWidth, lastRight: last.right, viewRight: view.right,
                      page: document.documentElement.scrollWidth, last: cells[cells.length - 1].textContent};
            }""")
            name = model["name"]
            assert box["scroll"] <= box["client"] and box["tableScroll"] <= box["tableClient"], (name, box)
            assert box["lastRight"] <= box["viewRight"] and box["lastRight"] <= 1400, (name, box)  # last column shown
            assert box["page"] <= 1400, (name, box)
        watch.assert_clean()
    finally:
        page.context.close()


ROWS = "table[data-ms-table='models'] tbody tr"


def shown_names(page: Any) -> list[str]:
    return page.eval_on_selector_all(f"{ROWS}:not([hidden]) a.ms-model-link", "links => links.map(a => a.textContent)")


def show_all(page: Any) -> None:
    button = page.locator(".ms-more__button")
    while button.is_visible():
        button.click()


def test_a_long_catalog_lists_a_page_of_models_and_finds_every_one(browser: Any, long_site: tuple[Site, list[str]],
                                                                  watch: Watch, axe_script: Path) -> None:
    site, names = long_site
    html = (site.root / "index.html").read_text()
    assert html.count('class="ms-model-link"') == HOME_ROWS  # the HTML holds the first page only
    page = _open_page(browser, site, watch)
    try:
        page.goto(site.url)
        page.wait_for_selector("[data-ms-filters][data-ms-bound]")
        assert shown_names(page) == names[:HOME_ROWS]
        assert page.inner_text("[data-filter-count]") == f"{LONG_MODELS} models"
        assert page.inner_text(".ms-more__button") == f"Show {LONG_MODELS - HOME_ROWS} more"
        for scheme in SCHEMES:  # the paged list and its button pass axe too
            page.emulate_media(color_scheme=scheme)
            assert axe_violations(page, axe_script) == [], scheme
        show_all(page)
        assert shown_names(page) == names
        hostile = page.locator(f"{ROWS}").nth(HOSTILE_AT).locator("td.ms-desc")
        assert hostile.inner_text() == HOSTILE_DESC and hostile.locator("img, script").count() == 0  # text only

        # The filter searches every model, not only the rows in the page.
        page.fill("[data-filter=text]", "model-12")
        wanted = [n for n in names if "model-12" in n]
        assert shown_names(page) == wanted and wanted[-1] == long_name(129)
        assert page.inner_text("[data-filter-count]") == f"{len(wanted)} of {LONG_MODELS} models"
        assert not page.locator(".ms-more__button").is_visible()

        # A broad match is paged: the first page, then every match.
        page.fill("[data-filter=text]", "long catalog")
        assert shown_names(page) == names[:HOME_ROWS]
        show_all(page)
        assert shown_names(page) == names

        page.fill("[data-filter=text]", "")
        page.select_option("[data-filter=label]", "rare")
        assert shown_names(page) == [n for i, n in enumerate(names) if i % 7 == 0]
        page.select_option("[data-filter=label]", "")
        page.select_option("[data-filter=stage]", "prod")
        prod = [n for i, n in enumerate(names) if i % 10 == 0]
        assert shown_names(page) == prod
        badge = page.locator(f"{ROWS} .ms-badge").first
        assert badge.inner_text() == "prod:\u00a0v1.0.0" and badge.get_attribute("data-stage") == "prod"
        page.select_option("[data-filter=stage]", "")

        # Sorting sorts the whole list: descending by name starts at the last model.
        header = page.locator("table[data-ms-table='models'] th", has_text="Model")
        header.click()
        header.click()
        assert header.get_attribute("aria-sort") == "descending"
        assert shown_names(page) == sorted(names, reverse=True)[:HOME_ROWS]
        first = page.locator(f"{ROWS} a.ms-model-link").first
        first.click()
        page.wait_for_url(re.compile(re.escape(long_name(LONG_MODELS - 1)) + r"(/|\.html)$"))
        assert page.locator("h1").first.inner_text().startswith(long_name(LONG_MODELS - 1))
        watch.assert_clean()
    finally:
        page.context.close()
