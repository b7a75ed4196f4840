"""The plugin in a user's own Material site, served under a sub-path, with Material's
instant navigation: pages arrive by XHR, so the catalog's scripts must bind again on each one."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import Site, Watch, _open_page, serve

IMAGES_LOADED = "imgs => imgs.length > 0 && imgs.every(i => i.complete && i.naturalWidth > 0)"
USER_SITE = """\
site_name: Team docs
site_url: https://example.com/docs/
theme:
  name: material
  features: [navigation.instant, navigation.tabs]
  palette: {primary: deep purple, accent: amber}
nav:
  - Home: index.md
  - Guide: guide.md
  - Models: models/index.md
plugins:
  - modelshelf: {demo: true, activity_page: false}
  - search
"""


@pytest.fixture(scope="module")
def user_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A team's docs (own pages, explicit nav) with the catalog of the demo registry added,
    published at ``/docs/`` as its ``site_url`` says. Material navigates instantly only to the
    sitemap's URLs, matched with the page's scheme and host but the sitemap's port: so the
    site is built for the port it is served on."""
    root = tmp_path_factory.mktemp("user-site")
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text("# Team docs\n\nOur [models](models/index.md).\n")
    (root / "docs" / "guide.md").write_text("# Guide\n\nHow we work.\n")
    web = root / "web"
    web.mkdir()
    for served in serve(web):
        url = served.url + "docs/"
        (root / "mkdocs.yml").write_text(USER_SITE.replace("https://example.com/docs/", url))
        result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(web / "docs")],
                                cwd=root, capture_output=True, text=True,
                                env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
        assert result.returncode == 0, result.stderr
        yield Site(web / "docs", url)


@pytest.fixture
def page(browser: Any, user_site: Site, watch: Watch) -> Iterator[Any]:
    opened = _open_page(browser, user_site, watch)
    yield opened
    opened.context.close()


def still_the_same_document(page: Any) -> bool:
    """Instant navigation keeps the window: a marker set before survives it, a full load loses it."""
    return page.evaluate("window.__msMarker === 1")


def test_catalog_scripts_work_after_instant_navigation(page: Any, user_site: Site, watch: Watch) -> None:
    page.goto(user_site.url)
    page.evaluate("window.__msMarker = 1")
    page.locator("a.md-tabs__link", has_text="Models").click()
    page.wait_for_url("**/docs/models/")
    page.locator("input.ms-filter-text").fill("churn-classifier")  # filters bound on a page that came by XHR
    assert page.inner_text("[data-filter-count]") == "1 of 5 models"
    page.locator("a.ms-model-link", has_text="churn-classifier").click()
    page.wait_for_url("**/docs/models/churn-classifier/")
    assert still_the_same_document(page)
    page.wait_for_function(f"({IMAGES_LOADED})([...document.querySelectorAll('img[src*=\"assets/plots/\"]')])")
    closed = page.locator("details.ms-lineage").nth(1)  # the newest is open (and drawn) at load
    assert closed.get_attribute("open") is None
    closed.locator("summary").click()  # lazy Mermaid: drawn when opened
    closed.locator("div.mermaid").wait_for(state="attached")
    assert page.locator("pre.ms-mermaid-lazy").count() == page.locator("details.ms-lineage").count() - 2
    assert page.eval_on_selector_all(".ms-catalog-nav a", "as => as.map(a => a.textContent)") == \
        ["Models", "Stages", "Compare"]  # activity_page: false
    page.locator("a[href*='compare/?model=churn-classifier']").first.click()
    page.locator("[data-compare-result] table").first.wait_for()
    assert still_the_same_document(page)
    page.locator(".ms-catalog-nav a", has_text="Models").click()
    page.wait_for_url("**/docs/models/")
    page.locator("a.ms-model-link", has_text="fraud-scorer").wait_for()
    assert page.inner_text("[data-filter-count]") == "5 models"  # a fresh page, filters bound again
    assert still_the_same_document(page)
    watch.assert_clean()


def test_search_finds_a_model_from_the_users_own_page(page: Any, user_site: Site, watch: Watch) -> None:
    page.goto(user_site.url + "guide/")
    page.keyboard.press("/")
    page.keyboard.type("fraud-scorer")
    hit = page.locator(".md-search-result__item a", has_text="fraud-scorer").first
    hit.wait_for()
    hit.click()
    page.wait_for_url("**/docs/models/fraud-scorer/")
    page.locator("article h1.ms-title", has_text="fraud-scorer").wait_for()
    watch.assert_clean()
