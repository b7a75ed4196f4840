"""A model page as a new user's first build shows it: no empty fact row for a model without
``meta:``, and trend plots without a caption repeating the title drawn in the plot (issue 13, item 5)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .gitutil import GitBuilder, run_cli

DVC_YAML = """\
metrics:
- models/churn/metrics.json
artifacts:
  churn:
    path: models/churn/model.pkl
    type: model
    desc: Churn without any meta
  scorer:
    path: models/scorer.pkl
    type: model
    meta:
      owner: ana
      extra: {}
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("ui-model-page")
    g = GitBuilder(base / "repo")
    g.commit("declare", {"dvc.yaml": DVC_YAML, "models/churn/model.pkl": "1", "models/scorer.pkl": "1",
                         "models/churn/metrics.json": {"auc": 0.8, "loss": 0.4}})
    g.tag("churn@v0.1.0", message="first")
    g.tag("scorer@v0.1.0", message="first")
    g.commit("retrain", {"models/churn/model.pkl": "2", "models/churn/metrics.json": {"auc": 0.85, "loss": 0.3}})
    g.tag("churn@v0.2.0", message="better")
    result = run_cli("build", "--repo", str(g.path), "-o", str(base / "site"), "-q")
    assert result.returncode == 0, result.stderr
    return base / "site"


def page(site: Path, name: str) -> str:
    index = json.loads((site / "api" / "registry.json").read_text())
    url = next(m["page"] for m in index["models"] if m["name"] == name)
    path = site / url
    return (path / "index.html" if url.endswith("/") else path).read_text()


def facts(html: str) -> list[tuple[str, str]]:
    block = re.search(r'<div class="ms-facts">(.*?)</div>', html, re.S)
    assert block, "the facts list is missing"
    return re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", block.group(1), re.S)


def test_a_model_without_meta_has_no_empty_fact_row(built: Path) -> None:
    rows = facts(page(built, "churn"))
    assert [key for key, _ in rows][:2] == ["Latest", "Stages"]
    assert all(key.strip() for key, _ in rows), rows
    assert not any(value.strip() == "{}" for _, value in rows), rows


def test_meta_rows_are_named_and_an_empty_mapping_shows_a_dash(built: Path) -> None:
    rows = dict(facts(page(built, "scorer")))
    assert rows["owner"] == "ana" and rows["extra"] == "—"
    assert "" not in rows


def test_trend_plots_have_no_caption_repeating_their_title(built: Path) -> None:
    html = page(built, "churn")
    metrics = html.split('id="metrics"', 1)[1].split("<h2", 1)[0]
    figures = re.findall(r'<figure class="ms-plot">(.*?)</figure>', metrics, re.S)
    assert len(figures) == 2, metrics  # auc and loss, each drawn with its name as the plot's title
    for figure in figures:
        assert "<figcaption" not in figure
        assert re.search(r'<img [^>]*alt="(auc|loss) across versions"', figure)
