"""The home page of a long catalog: the first HOME_ROWS rows in HTML, every model in a compact JSON
list that repository text cannot break out of (issue 15; the browser side is in
tests/browser/test_ui_a11y.py)."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from modelshelf.render.site_options import SiteOptions
from modelshelf.render.site import json_script, render_site
from modelshelf.render.views import HOME_ROWS, SEARCH_CHARS

from .test_site_render import make_index

NASTY = "</script><script>alert(1)</script> {{ x }} ```fence``` ~~~ & <!-- <b>"


def long_index(count: int) -> dict:
    base = make_index("m")
    template = base["models"][0]
    models = []
    for i in range(count):
        model = copy.deepcopy(template)
        model["name"] = f"model-{i:03d}"
        model["description"] = NASTY if i == 1 else ("long words " * 200 if i == 2 else f"Model {i}")
        for version in model["versions"]:
            version["metrics"] = {}  # no plots to draw
        for e in model["events"]:
            e["model"] = model["name"]
        models.append(model)
    return {**base, "models": models, "events": []}


def home(index: dict, tmp_path: Path) -> str:
    site = render_site(index, SiteOptions(), plot_cache=tmp_path)
    site.pending.cancel()
    return next(p.content for p in site.pages if p.src_uri.endswith("index.md"))


def listed(content: str) -> list:
    found = re.findall(r'<script type="application/json" data-ms-rows="models">(.*?)</script>', content, re.S)
    assert len(found) == 1
    return json.loads(found[0])


def test_a_short_catalog_keeps_every_row_in_html_and_no_list(tmp_path: Path) -> None:
    content = home(long_index(HOME_ROWS), tmp_path)
    assert content.count('class="ms-model-link"') == HOME_ROWS
    assert "data-ms-rows" not in content and "data-ms-page" not in content and "ms-more" not in content


def test_a_long_catalog_has_a_page_of_rows_and_the_whole_list(tmp_path: Path) -> None:
    count = HOME_ROWS + 25
    content = home(long_index(count), tmp_path)
    assert content.count('class="ms-model-link"') == HOME_ROWS
    rows = listed(content)
    assert [r[0] for r in rows] == [f"model-{i:03d}" for i in range(count)]
    name, url, kind, labels, desc, latest, badges, when, registered, searched = rows[1]
    assert (name, url, kind, latest, registered) == ("model-001", "model-001/", "model", "v1.1.0", 1)
    assert desc == NASTY and searched == ""  # shown whole: nothing else to search
    assert badges == [["dev", "v1.1.0"], ["prod", "v1.0.0"]] and when == "2024-01-03T00:00:00+00:00"
    long_desc = rows[2]
    assert long_desc[4].endswith("…") and len(long_desc[4]) <= 160
    assert len(long_desc[9]) == SEARCH_CHARS  # the filter searches past what the cell shows
    assert f"The first {HOME_ROWS} of {count} models" in content


def test_repository_text_cannot_leave_the_json_script(tmp_path: Path) -> None:
    content = home(long_index(HOME_ROWS + 1), tmp_path)
    script = re.search(r'data-ms-rows="models">(.*?)</script>', content, re.S).group(1)
    for char in "<>&{}`~\n":
        assert char not in script, char  # no end tag, comment, Markdown fence or attr_list brace
    assert json.loads(script)[1][4] == NASTY


def test_json_script_refuses_objects() -> None:
    with pytest.raises(TypeError):
        json_script([["a", {"b": 1}]])
    assert json.loads(json_script([["{", "</script>"]])) == [["{", "</script>"]]
