"""A hub's home page in Chromium: the source filter (a labelled select) narrows the model table,
both the plain table and the long list that modelshelf.js renders a page at a time, and the
sources table shows each source with its read commit and time."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ..gitutil import GitBuilder, run_cli
from ..hubrepos import build_mono, synthetic_index
from .conftest import Site, Watch, build_ok, page_on, serve


def _hub(tmp_path_factory: pytest.TempPathFactory, federated_models: int) -> Iterator[Site]:
    base = tmp_path_factory.mktemp("hub")
    mono = GitBuilder(base / "mono")
    build_mono(mono)
    (base / "fed" / "api").mkdir(parents=True)
    (base / "fed" / "api" / "registry.json").write_text(json.dumps(synthetic_index(federated_models)))
    hub = GitBuilder(base / "hub")
    build_ok(run_cli("build", "-q", "--source", f"mono={mono.path}", "--source",
                     f"fed={base / 'fed' / 'api' / 'registry.json'}", "-o", str(base / "site"), cwd=hub.path))
    yield from serve(base / "site")


@pytest.fixture(scope="module")
def small_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from _hub(tmp_path_factory, 3)


@pytest.fixture(scope="module")
def long_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from _hub(tmp_path_factory, 150)  # past HOME_ROWS: the list modelshelf.js renders


def _shown(page: Any) -> list[str]:
    return page.eval_on_selector_all(
        "table#ms-models tbody tr", "rows => rows.filter(r => !r.hidden).map(r => r.cells[0].textContent.trim())")


@pytest.mark.parametrize("which", ["small_hub", "long_hub"])
def test_the_home_page_filters_by_source(browser: Any, watch: Watch, request: pytest.FixtureRequest, which: str) -> None:
    site: Site = request.getfixturevalue(which)
    federated = 3 if which == "small_hub" else 150
    for page in page_on(browser, site, watch):
        page.goto(site.url)
        select = page.get_by_label("Source", exact=True)
        assert select.evaluate("s => s.tagName") == "SELECT"
        assert select.evaluate("s => Array.from(s.options).map(o => o.value)") == ["", "fed", "mono"]
        select.select_option("mono")
        assert sorted(_shown(page)) == ["mono::nlp:tagger", "mono::vision:detector"]
        assert page.locator("[data-filter-count]").inner_text() == f"2 of {federated + 2} models"
        select.select_option("fed")
        shown = _shown(page)
        assert shown and all(name.startswith("fed::") for name in shown)
        assert len(shown) == min(federated, 100)
        assert page.locator("[data-filter-count]").inner_text() == f"{federated} of {federated + 2} models"
        link = page.locator("table#ms-models a.ms-model-link", has_text="fed::model-0000").first
        assert link.get_attribute("href").endswith("models/model-0000/")  # on its own site, not the hub's
        select.select_option("")
        assert page.locator("[data-filter-count]").inner_text() == f"{federated + 2} models"
        sources = page.locator("table[data-ms-table='sources'] tbody tr")
        assert sources.count() == 2
        assert "mono" in sources.nth(0).inner_text() and "local" in sources.nth(0).inner_text()
        assert "sha256" in sources.nth(1).inner_text()
        watch.assert_clean()
