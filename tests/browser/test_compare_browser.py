"""The compare page in headless Chromium: a shared URL, then clicking through a comparison."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ..compare_scenario import pipeline_repo
from .conftest import Site, Watch, _open_page, build_and_serve, screenshot

pytestmark = pytest.mark.gto  # pipeline_repo is written with the real gto CLI


@pytest.fixture(scope="module")
def compare_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, dict[str, str]]]:
    yield from build_and_serve(tmp_path_factory, "compare-browser", pipeline_repo)


@pytest.fixture
def page(browser: Any, compare_site: tuple[Site, dict[str, str]], watch: Watch) -> Iterator[Any]:
    opened = _open_page(browser, compare_site[0], watch)
    yield opened
    opened.context.close()


def cells(page: Any, table: str) -> list[list[str]]:
    return page.eval_on_selector_all(
        f".{table} table tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent.trim()))")


def test_a_compare_url_shows_metric_and_param_differences_and_an_overlaid_plot(
        page: Any, compare_site: tuple[Site, dict[str, str]], watch: Watch) -> None:
    site, shas = compare_site
    candidate = shas["candidate"][:7]
    page.goto(f"{site.url}compare/?model=churn&v=v1.0.0&v=v1.1.0")
    page.wait_for_selector(".ms-compare-metrics table")
    assert cells(page, "ms-compare-metrics") == [["accuracy", "0.8", "0.84 +0.04"], ["f1", "0.75", "0.79 +0.04"]]
    assert page.inner_text("[data-compare-result]").count("Params are identical.") == 1
    lineage = cells(page, "ms-compare-lineage")
    assert ["prepare", "data", "data/raw.csv", "1ddddddddd", "2ddddddddd"] in lineage
    roc = page.locator('figure[data-plot="eval/roc.json"] svg polyline')
    assert roc.count() == 2
    assert [roc.nth(i).get_attribute("data-label") for i in range(2)] == ["v1.0.0", "v1.1.0"]
    screenshot(page, "compare-two-versions")

    # Add the candidate by clicking it: the tables grow a column and the address names the comparison.
    page.check(f'input[data-token="{candidate}"]')
    page.wait_for_function("document.querySelectorAll('.ms-compare-metrics table thead th').length === 4")
    assert page.url.endswith(f"?model=churn&v=v1.0.0&v=v1.1.0&v={candidate}")
    assert cells(page, "ms-compare-params") == [["train.lr", "0.1", "0.1", "0.05"]]
    assert page.locator('figure[data-plot="eval/roc.json"] svg polyline').count() == 3
    assert f"modelshelf register churn {shas['candidate']} --bump-minor" in page.inner_text("code.ms-register")

    # The address is shareable: opening it again gives the same comparison.
    shared = page.url
    page.goto("about:blank")
    page.goto(shared)
    page.wait_for_function("document.querySelectorAll('.ms-compare-metrics table thead th').length === 4")
    assert cells(page, "ms-compare-params") == [["train.lr", "0.1", "0.1", "0.05"]]
    watch.assert_clean()


def test_click_through_from_the_model_page(page: Any, compare_site: tuple[Site, dict[str, str]], watch: Watch) -> None:
    site, shas = compare_site
    page.goto(site.page_url("churn"))
    rows = page.locator("#ms-candidates tbody tr")
    assert rows.count() == 2
    assert "candidate" in rows.first.text_content()
    page.click(f'tr[data-commit="{shas["candidate"]}"] a.ms-compare-candidate')
    page.wait_for_selector(".ms-compare-params table")
    assert cells(page, "ms-compare-params") == [["train.lr", "0.1", "0.05"]]
    metrics = cells(page, "ms-compare-metrics")
    assert metrics[0] == ["accuracy", "0.84", "0.87 +0.03"]
    # Swap the candidate for the experiment by clicking.
    page.uncheck(f'input[data-token="{shas["candidate"][:7]}"]')
    page.check(f'input[data-token="{shas["experiment"][:7]}"]')
    page.wait_for_function("document.querySelector('.ms-compare-params table td:last-child').textContent === '0.2'")
    assert page.url.endswith(f"v=v1.1.0&v={shas['experiment'][:7]}")
    screenshot(page, "compare-experiment")
    # The model page's lineage diagram asks a CDN for Mermaid (blocked here; not this feature's doing).
    watch.page_errors = [e for e in watch.page_errors if not any(url in e for url in watch.external)]
    watch.assert_clean()


def test_hash_fragment_and_unknown_model(page: Any, compare_site: tuple[Site, dict[str, str]], watch: Watch) -> None:
    site, _ = compare_site
    page.goto(f"{site.url}compare/#model=churn&v=churn%23prod&v=churn@latest")
    page.wait_for_selector(".ms-compare-metrics table")
    assert [h for h in page.eval_on_selector_all(".ms-compare-metrics table thead th", "t => t.map(h => h.textContent)")] \
        == ["Metric", "v1.0.0", "v1.1.0"]
    page.goto(f"{site.url}compare/?model=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E")
    page.wait_for_selector("[data-compare-status]")
    assert "Unknown model: <img src=x onerror=alert(1)>" in page.inner_text("[data-compare-result]")
    watch.assert_clean()
