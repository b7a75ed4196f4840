"""Catalog UI rules on real builds: which metric changes are improvements, the catalog's own
links on every page (and tabs in the packaged and scaffolded configs), one model count on the home page."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from modelshelf.plugin.mkdocs_options import ModelshelfConfig
from modelshelf.render.site_options import DEFAULT_LOWER_IS_BETTER, OptionsError, SiteOptions
from modelshelf.render.views import metric_cell
from modelshelf.scaffold.catalog import scaffold_config

from .gitutil import GitBuilder, run_cli

pytestmark = pytest.mark.gto  # the scenario repos are written with the real gto CLI

ROOT = Path(__file__).resolve().parent.parent
DVC_YAML = """\
artifacts:
  churn:
    path: models/churn.pkl
    type: model
    desc: Churn classifier
    meta:
      metrics: metrics.json
  old:
    path: models/old.pkl
    type: model
    desc: Retired model
"""


def ui_repo(path: Path) -> GitBuilder:
    """churn v1.0.0 -> v1.1.0 (accuracy and loss better, latency worse), a candidate after it,
    and a deprecated model next to it."""
    g = GitBuilder(path)
    g.commit("first", {"dvc.yaml": DVC_YAML, "models/churn.pkl": "v1", "models/old.pkl": "v1",
                       "metrics.json": {"accuracy": 0.80, "loss": 0.30, "latency_ms": 4.0}})
    g.gto("register", "churn", "--version", "v1.0.0")
    g.gto("register", "old", "--version", "v0.1.0")
    g.gto("deprecate", "old")
    g.commit("retrain", {"models/churn.pkl": "v2", "metrics.json": {"accuracy": 0.85, "loss": 0.25, "latency_ms": 4.4}})
    g.gto("register", "churn", "--version", "v1.1.0")
    g.commit("try a bigger model", {"models/churn.pkl": "v3",
                                    "metrics.json": {"accuracy": 0.84, "loss": 0.20, "latency_ms": 5.0}})
    return g


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ui_repo(tmp_path_factory.mktemp("ui") / "repo").path


@pytest.fixture(scope="module")
def site(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``modelshelf build`` with the packaged config (no mkdocs.yml in the repo)."""
    out = tmp_path_factory.mktemp("ui-site") / "site"
    result = run_cli("build", "--repo", str(repo), "-o", str(out), "--strict", "-q")
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def deltas(page: str, table_id: str) -> list[tuple[str, str, str]]:
    """(text, classes, title) of every metric change in the table, in document order."""
    table = re.search(rf'<table id="{table_id}".*?</table>', page, re.S)
    assert table, table_id
    return [(html.unescape(text), classes, html.unescape(title)) for classes, title, text in re.findall(
        r'<span class="ms-delta ([^"]*)" title="([^"]*)">([^<]*)</span>', table.group(0))]


def catalog_nav(page: str) -> list[tuple[str, str | None]]:
    """(title, href or None for the current page) of the catalog's links row."""
    block = re.search(r'<nav class="ms-catalog-nav".*?</nav>', page, re.S)
    assert block, "no catalog links row"
    items = re.findall(r'<(a|span) class="ms-catalog-nav__item"(?: href="([^"]*)")?[^>]*>([^<]*)</\1>', block.group(0))
    return [(title, href or None) for _, href, title in items]


# -- which change is an improvement ------------------------------------------
@pytest.mark.parametrize("name, lower", [
    ("loss", True), ("val/loss", True), ("eval.val_loss", True), ("LogLoss", True), ("error_rate", True),
    ("rmse", True), ("train.mae", True), ("perplexity", True), ("latency_ms", True), ("p95_latency", True),
    ("inference_seconds", True), ("duration", True), ("model_size_mb", True),
    ("accuracy", False), ("f1", False), ("roc_auc", False), ("throughput", False), ("precision", False),
    ("timestamp_count", False),
])
def test_default_metric_directions(name: str, lower: bool) -> None:
    assert SiteOptions().is_lower_better(name) is lower


def test_lower_is_better_option_replaces_the_defaults_and_rejects_blanks() -> None:
    options = SiteOptions(lower_is_better=("acc*", "*/cost"))
    assert options.is_lower_better("Accuracy") and options.is_lower_better("eval/cost")
    assert not options.is_lower_better("loss")
    assert not SiteOptions(lower_is_better=()).is_lower_better("loss")
    with pytest.raises(OptionsError, match="lower_is_better"):
        SiteOptions(lower_is_better=("loss", " "))


def test_plugin_option_defaults_to_the_documented_list() -> None:
    config = ModelshelfConfig()
    config.load_dict({})
    assert config.validate() == ([], [])
    assert tuple(config["lower_is_better"]) == DEFAULT_LOWER_IS_BETTER
    docs = (ROOT / "catalog" / "getting-started.md").read_text()
    listed = re.search(r"lower_is_better: (\[.*?\])", docs, re.S)
    assert listed and tuple(yaml.safe_load(listed.group(1))) == DEFAULT_LOWER_IS_BETTER


@pytest.mark.parametrize("value, base, lower, expected", [
    (0.85, 0.80, False, ("+0.05", "up", "better")),
    (0.75, 0.80, False, ("−0.05", "down", "worse")),
    (0.25, 0.30, True, ("−0.05", "down", "better")),
    (4.4, 4.0, True, ("+0.4", "up", "worse")),
    (3, 3, True, ("±0", "same", "same")),
])
def test_metric_cell_keeps_the_sign_and_judges_the_change(value: float, base: float, lower: bool,
                                                         expected: tuple[str, str, str]) -> None:
    cell = metric_cell("m", value, base, lower)
    assert (cell.delta, cell.direction, cell.verdict) == expected
    assert ("lower is better" if lower else "higher is better") in cell.hint
    assert metric_cell("m", "n/a", base, lower).delta is None and metric_cell("m", None, base, lower).value == "—"


def test_versions_and_candidates_tables_colour_by_improvement(site: Path) -> None:
    page = (site / "churn" / "index.html").read_text()
    # columns: accuracy, latency_ms, loss; only v1.1.0 has a predecessor
    assert deltas(page, "ms-versions") == [
        ("+0.05", "ms-delta--up ms-delta--better", "better (higher is better)"),
        ("+0.4", "ms-delta--up ms-delta--worse", "worse (lower is better)"),
        ("−0.05", "ms-delta--down ms-delta--better", "better (lower is better)"),
    ]
    # the candidate against the latest version (v1.1.0)
    assert [(text, classes) for text, classes, _ in deltas(page, "ms-candidates")] == [
        ("−0.01", "ms-delta--down ms-delta--worse"),
        ("+0.6", "ms-delta--up ms-delta--worse"),
        ("−0.05", "ms-delta--down ms-delta--better"),
    ]


def test_compare_page_gets_the_directions_from_the_page_data(site: Path) -> None:
    page = (site / "compare" / "index.html").read_text()
    found = re.search(r'data-models="([^"]*)"', page)
    assert found
    models = {m["name"]: m for m in json.loads(html.unescape(found.group(1)))}
    assert models["churn"]["lower_is_better"] == ["latency_ms", "loss"]
    # That compare.js uses these directions (and no list of its own): tests/browser/test_compare_directions.py


# -- getting around ----------------------------------------------------------
def test_every_catalog_page_links_to_the_catalog_pages(site: Path) -> None:
    pages = {"Models": "index.html", "Stages": "stages/index.html", "Activity": "activity/index.html",
             "Compare": "compare/index.html", "churn": "churn/index.html", "old": "old/index.html"}
    for title, path in pages.items():
        page = site / path
        links = catalog_nav(page.read_text())
        assert [t for t, _ in links] == ["Models", "Stages", "Activity", "Compare"], path
        for link_title, href in links:
            if href is None:
                assert link_title == title, path  # the current page is marked, not linked
                continue
            target = (page.parent / href).resolve()
            target = target / "index.html" if target.is_dir() else target
            assert target == (site / pages[link_title]).resolve(), (path, link_title, href)


def test_packaged_config_shows_the_catalog_pages_as_tabs_in_reading_order(site: Path) -> None:
    packaged = yaml.safe_load((ROOT / "src/modelshelf/defaults/mkdocs.yml").read_text().replace("!!python/name:", ""))
    assert "navigation.tabs" in packaged["theme"]["features"]
    page = (site / "churn" / "index.html").read_text()
    tabs = re.search(r'<nav class="md-tabs".*?</nav>', page, re.S)
    assert tabs, "no Material tabs on a model page"
    titles = [html.unescape(t).strip() for t in re.findall(r'class="md-tabs__link[^"]*"[^>]*>\s*([^<]+?)\s*<', tabs.group(0))]
    assert titles == ["Models", "Stages", "Activity", "Compare"]


def test_scaffolded_config_enables_tabs() -> None:
    scaffold = yaml.safe_load(scaffold_config("x").replace("!!python/name:", ""))
    assert "navigation.tabs" in scaffold["theme"]["features"]


def test_home_page_count_is_the_one_the_filter_counter_shows(site: Path) -> None:
    page = (site / "index.html").read_text()
    lead = re.search(r'<p class="ms-lead" data-ms-total="(\d+)">(.*?)</p>', page, re.S)
    assert lead
    rows = sum(len(re.findall(r"<tr data-type=", t)) for t in re.findall(r"<table id=\"ms-(?:models|deprecated)\".*?</table>",
                                                                            page, re.S))
    assert int(lead.group(1)) == rows == 2
    assert re.sub(r"<[^>]+>", "", lead.group(2)).startswith(
        "2 models in this registry (1 of them deprecated, listed separately below).")


def test_user_mkdocs_yml_sets_directions_and_gets_the_links_row_without_tabs(repo: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
    (clone / "docs").mkdir()
    (clone / "docs" / "index.md").write_text("# Our docs\n\nThe [catalog](models/index.md).\n")
    (clone / "mkdocs.yml").write_text(
        "site_name: Team models\ntheme:\n  name: material\nplugins:\n  - search\n"
        "  - modelshelf:\n      lower_is_better: ['acc*']\n")
    out = tmp_path / "site"
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)], cwd=clone,
                            capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert result.returncode == 0, result.stderr
    page = (out / "models" / "churn" / "index.html").read_text()
    # accuracy is now lower-is-better; loss and latency_ms higher-is-better
    assert [classes for _, classes, _ in deltas(page, "ms-versions")] == [
        "ms-delta--up ms-delta--worse", "ms-delta--up ms-delta--better", "ms-delta--down ms-delta--worse"]
    assert 'class="md-tabs"' not in page
    assert catalog_nav(page) == [("Models", "../"), ("Stages", "../stages/"), ("Activity", "../activity/"),
                                 ("Compare", "../compare/")]
    compare = (out / "models" / "compare" / "index.html").read_text()
    data = json.loads(html.unescape(re.search(r'data-models="([^"]*)"', compare).group(1)))
    assert next(m for m in data if m["name"] == "churn")["lower_is_better"] == ["accuracy"]


def test_home_page_of_an_empty_registry_says_how_to_start(tmp_path: Path) -> None:
    g = GitBuilder(tmp_path / "repo")
    g.commit("nothing yet", {"README.md": "# models\n"})
    out = tmp_path / "site"
    result = run_cli("build", "--repo", str(g.path), "-o", str(out), "--strict", "-q")
    assert result.returncode == 0, result.stderr
    page = (out / "index.html").read_text()
    assert "data-ms-empty" in page and "No models yet" in page and "modelshelf register NAME" in page
    assert "data-ms-filters" not in page and "<table" not in page  # no filters over an empty header row


def test_home_page_when_every_model_is_deprecated(tmp_path: Path) -> None:
    g = GitBuilder(tmp_path / "repo")
    g.commit("model", {"dvc.yaml": "artifacts:\n  old:\n    path: m.bin\n    type: model\n", "m.bin": "w"})
    g.gto("register", "old")
    g.gto("deprecate", "old")
    out = tmp_path / "site"
    assert run_cli("build", "--repo", str(g.path), "-o", str(out), "--strict", "-q").returncode == 0
    page = (out / "index.html").read_text()
    assert "No active models: every model in this registry is deprecated" in page
    assert 'id="ms-models"' not in page and 'id="ms-deprecated"' in page
