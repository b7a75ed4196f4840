"""The compare page judges a change better or worse by the directions in the page's data
(the plugin's ``lower_is_better``), not by a list of its own: checked in Chromium by
serving the same page with the directions changed."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from ..gitutil import GitBuilder
from .conftest import Site, Watch, build_and_serve, page_on

DVC_YAML = "artifacts:\n  churn:\n    path: models/churn.pkl\n    type: model\n    meta:\n      metrics: metrics.json\n"
DATA_MODELS = re.compile(r'data-models="([^"]*)"')


def two_versions(repo: GitBuilder) -> None:
    """accuracy and loss get better, latency_ms worse (by the default directions)."""
    repo.commit("first", {"dvc.yaml": DVC_YAML, "models/churn.pkl": "v1",
                          "metrics.json": {"accuracy": 0.80, "loss": 0.30, "latency_ms": 4.0}})
    repo.tag("churn@v1.0.0")
    repo.commit("retrain", {"models/churn.pkl": "v2", "metrics.json": {"accuracy": 0.85, "loss": 0.25, "latency_ms": 4.4}})
    repo.tag("churn@v1.1.0")


@pytest.fixture(scope="module")
def directions_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    for site, _ in build_and_serve(tmp_path_factory, "directions", two_versions):
        yield site


@pytest.fixture
def page(browser: Any, directions_site: Site, watch: Watch) -> Iterator[Any]:
    yield from page_on(browser, directions_site, watch)


def verdicts(page: Any, url: str) -> dict[str, str]:
    """metric -> the verdict class of its change (``better``/``worse``) in the compare table."""
    page.goto(url)
    page.wait_for_selector(".ms-compare-metrics table tbody tr .ms-delta")
    rows = page.eval_on_selector_all(".ms-compare-metrics table tbody tr", """rows => rows.map(r => [
        r.cells[0].textContent.trim(), (r.querySelector('.ms-delta') || {className: ''}).className])""")
    return {metric: next((c.removeprefix("ms-delta--") for c in classes.split()
                          if c in ("ms-delta--better", "ms-delta--worse", "ms-delta--same")), "")
            for metric, classes in rows}


def with_directions(body: str, lower_is_better: list[str]) -> str:
    """The compare page with every model's ``lower_is_better`` replaced in its data-models attribute."""
    found = DATA_MODELS.search(body)
    assert found, "the compare page carries no data-models attribute"
    models = json.loads(html.unescape(found.group(1)))
    for model in models:
        assert "lower_is_better" in model
        model["lower_is_better"] = lower_is_better
    return body[: found.start(1)] + html.escape(json.dumps(models), quote=True) + body[found.end(1):]


def test_verdicts_follow_the_directions_in_the_page_data(page: Any, directions_site: Site, watch: Watch) -> None:
    url = f"{directions_site.url}compare/?model=churn&v=v1.0.0&v=v1.1.0"
    assert verdicts(page, url) == {"accuracy": "better", "latency_ms": "worse", "loss": "better"}

    def flipped(route: Any) -> None:
        response = route.fetch()
        route.fulfill(response=response, body=with_directions(response.text(), ["accuracy"]))

    page.route(f"{directions_site.url}compare/?*", flipped)
    assert verdicts(page, url) == {"accuracy": "worse", "latency_ms": "better", "loss": "worse"}
    watch.assert_clean()
