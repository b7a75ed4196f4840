"""The catalog renderer on hand-made indexes: naming, links, views, escaping."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import markdown
import pytest

from modelshelf.render.githost import commit_url_template
from modelshelf.core.naming import api_file, file_stem, model_name, page_stem
from modelshelf.render.site_options import OptionsError, SiteOptions
from modelshelf.render.site import page_url, relative_url, render_site
from modelshelf.render.views import FOLD_AT, LEAD_CHARS, LEAD_LINES, CatalogView, fold_text, fmt_value

from .htmlutil import Collect

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
MDLINK = "[x](javascript:alert(1))"
HOSTILE = f"{SCRIPT} {IMG} {MDLINK}"
SHA1, SHA2 = "a" * 40, "b" * 40


def event(kind: str, version: str | None, stage: str | None, stamp: str, tag: str, message: str = "m") -> dict:
    return {"timestamp": stamp, "model": "m", "event": kind, "version": version, "stage": stage, "commit": SHA1,
            "tag": tag, "author": "Ana", "author_email": "ana@example.com", "message": message}


def version(name: str, previous: str | None, metrics: dict, params: dict, stages: list[str], commit: str) -> dict:
    return {
        "version": name, "status": "active", "tag": f"m@{name}", "commit": commit,
        "created_at": "2024-01-01T00:00:00+00:00", "author": "Ana", "author_email": "ana@example.com",
        "message": HOSTILE, "stages": stages, "previous": previous, "commit_info": None,
        "metrics": metrics, "metric_sources": [], "params": params, "param_sources": [], "missing": [],
        "lineage": {"produced_by": None, "stages": []}, "storage": {"kind": "missing"}, "problems": [],
    }


def make_index(name: str = "m") -> dict:
    model = {
        "name": name, "type": "model", "path": "m.pkl", "description": HOSTILE, "labels": [IMG, "tabular"],
        "meta": {}, "declared_in": "dvc.yaml", "card": None, "registered": True, "deprecated": False,
        "latest": "v1.1.0", "stages": {"prod": "v1.0.0", "dev": "v1.1.0"},
        "versions": [
            version("v1.1.0", "v1.0.0", {"acc": 0.9, "loss": 0.2}, {"lr": 0.1, "depth": 6}, ["dev"], SHA2),
            version("v1.0.0", None, {"acc": 0.8, "loss": 0.2}, {"lr": 0.3, "old": 1}, ["prod"], SHA1),
        ],
        "events": [
            event("assignment", "v1.1.0", "dev", "2024-01-03T00:00:00+00:00", "m#dev#2", HOSTILE),
            event("registration", "v1.1.0", None, "2024-01-02T00:00:00+00:00", "m@v1.1.0"),
            event("assignment", "v1.0.0", "prod", "2024-01-01T00:00:01+00:00", "m#prod#1"),
            event("registration", "v1.0.0", None, "2024-01-01T00:00:00+00:00", "m@v1.0.0"),
        ],
    }
    for e in model["events"]:
        e["model"] = name
    return {"schema_version": 1, "generator": "modelshelf test", "repository": {"head": SHA2, "remote": None},
            "stages": ["dev", "prod"], "models": [model], "events": copy.deepcopy(model["events"]), "ignored_tags": []}




def as_html(markdown_page: str) -> str:
    """What MkDocs would make of the page (front matter dropped), with Material's usual extensions."""
    body = markdown_page.split("\n---\n", 1)[1]
    return markdown.markdown(body, extensions=["attr_list", "md_in_html", "tables", "toc", "admonition"])


@pytest.mark.parametrize("name", ["churn", "models/vision:detector", "a/b/c", "x_y-z", "stages", "Index"])
def test_file_names_are_reversible_and_url_safe(name: str) -> None:
    stem = file_stem(name)
    assert model_name(stem) == name
    assert all(c.isalnum() or c in "-_.~" for c in stem)
    assert api_file(name) == f"api/models/{stem}.json"
    assert page_stem(name).lower() not in {"stages", "index"}


@pytest.mark.parametrize(
    ("remote", "expected"),
    [
        ("git@github.com:acme/models.git", "https://github.com/acme/models/commit/{sha}"),
        ("https://github.com/acme/models", "https://github.com/acme/models/commit/{sha}"),
        ("ssh://git@gitlab.example.com:2222/group/sub/models.git", "https://gitlab.example.com/group/sub/models/-/commit/{sha}"),
        ("https://user:secret@bitbucket.org/acme/models.git", "https://bitbucket.org/acme/models/commits/{sha}"),
        ("/srv/git/models.git", None),
        ("https://git.example.com/acme/models.git", None),
        (None, None),
    ],
)
def test_commit_urls_from_remotes(remote: str | None, expected: str | None) -> None:
    assert commit_url_template(remote) == expected


def test_git_url_option_wins() -> None:
    assert commit_url_template("git@github.com:a/b.git", "https://cgit.example.com/b/commit/?id={sha}") == \
        "https://cgit.example.com/b/commit/?id={sha}"
    assert commit_url_template(None, "https://gitlab.example.com/a/b") == "https://gitlab.example.com/a/b/-/commit/{sha}"


def test_page_urls_and_relative_links() -> None:
    assert page_url("models/index.md", True) == "models/"
    assert page_url("index.md", True) == "./"
    assert page_url("models/a~b.md", False) == "models/a~b.html"
    assert relative_url("models/m/", "models/") == "m/"
    assert relative_url("api/registry.json", "models/m/") == "../../api/registry.json"
    assert relative_url("m.html", "index.html") == "m.html"
    assert relative_url("./", "models/m/") == "../../"


def test_options_reject_bad_values() -> None:
    with pytest.raises(OptionsError, match="catalog_dir"):
        SiteOptions(catalog_dir="../out")
    with pytest.raises(OptionsError, match="stage_colors"):
        SiteOptions(stage_colors={"prod": "red; background: url(x)"})
    assert SiteOptions(catalog_dir="/models").catalog_dir == "models/"


def test_views_deltas_params_and_use_commands() -> None:
    catalog = CatalogView(make_index(), SiteOptions(site_url="https://models.example.com/"))
    model = catalog.models[0]
    rows = catalog.version_rows(model, ["acc", "loss"])
    assert [(c.value, c.delta, c.direction) for c in rows[0].metrics] == [("0.9", "+0.1", "up"), ("0.2", "±0", "same")]
    assert rows[1].metrics[0].delta is None
    [diff] = catalog.param_diffs(model)
    assert [(c.key, c.before, c.after, c.kind) for c in diff.changes] == [
        ("depth", "—", "6", "added"), ("lr", "0.3", "0.1", "changed"), ("old", "1", "—", "removed")]
    tabs = {t.title: [c.code for c in t.commands] for t in catalog.use_tabs(model)}
    index = "https://models.example.com/api/registry.json"
    assert tabs["CLI"] == [f"modelshelf download m@v1.1.0 --index {index}",
                           f"modelshelf download m#dev --index {index}", f"modelshelf download m#prod --index {index}"]
    assert ("curl -fsSL https://models.example.com/api/models/m.json"
            " | jq -nr 'input | .stages[\"prod\"] // error(\"stage prod holds no version\")'") in tabs["JSON index"]
    assert [b.stage for b in catalog.badges(model)] == ["dev", "prod"]
    assert fmt_value(0.30000000000000004) == "0.3" and fmt_value(True) == "true" and fmt_value(1e-05) == "1e-5"


@pytest.fixture
def rendered(tmp_path: Path):
    index = make_index("team/m:x")
    site = render_site(index, SiteOptions(), plot_cache=tmp_path)
    return index, site


def test_pages_escape_repo_text_and_never_make_markdown_of_it(rendered) -> None:
    index, site = rendered
    model_page = next(p for p in site.pages if not p.in_nav)
    assert model_page.src_uri == "models/team~m.x.md"
    for page in site.pages:
        assert page.content.startswith("---\n")
        html = as_html(page.content)
        assert SCRIPT not in html and "<img src=x" not in html
        parser = Collect()
        parser.feed(html)
        hrefs = [a.get("href") or "" for tag, a in parser.tags if tag == "a"]
        assert not [h for h in hrefs if h.lower().startswith("javascript")], page.src_uri
        assert not [t for t, a in parser.tags if t in ("script", "img") and "alert" in json.dumps(a)]
    html = as_html(model_page.content)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    parser = Collect()
    parser.feed(html)
    assert MDLINK in "".join(parser.text)  # shown as text, not turned into a link
    # nothing from the repo starts a line: no Markdown preprocessor can act on it
    for line in model_page.content.splitlines():
        assert "alert" not in line or line.startswith("<") or line.startswith("title:")


def test_published_index_keeps_original_text_and_adds_urls(rendered) -> None:
    index, site = rendered
    model = site.index["models"][0]
    assert model["description"] == HOSTILE and model["labels"][0] == IMG
    assert model["page"] == "models/team~m.x/" and model["api"] == "api/models/team~m.x.json"
    assert index["models"][0].get("page") is None  # the input is not mutated
    before = copy.deepcopy(index)
    for published in site.index["models"][0]["versions"]:  # what publish_artifacts does to it
        published["storage"]["download_url"] = "artifacts/x"
        published["storage"]["sha256"] = "0" * 64
    site.index["repository"]["remote"] = "changed"
    assert index == before


def test_feed_is_valid_atom_with_escaped_text(rendered) -> None:
    from xml.etree import ElementTree as ET

    _, site = rendered
    root = ET.fromstring(site.feed)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    assert len(entries) == 4
    assert root.find("a:updated", ns).text == "2024-01-03T00:00:00+00:00"
    assert HOSTILE in entries[0].find("a:summary", ns).text
    assert b"<script>" not in site.feed


def test_the_metric_cap_is_spent_on_metrics_with_a_trend_first() -> None:
    """Alphabetical order put one-off metrics ('a_once', 'b_once') before plottable ones, which the cap then hid."""
    index = make_index()
    model = index["models"][0]
    model["versions"][0]["metrics"] = {"a_once": 1, "b_once": 2, "zeta": 0.9, "loss": 0.2}
    model["versions"][1]["metrics"] = {"zeta": 0.8, "loss": 0.3}
    assert CatalogView(index, SiteOptions(max_metrics=2)).metric_names(model) == ["loss", "zeta"]
    assert CatalogView(index, SiteOptions(max_metrics=6)).metric_names(model) == ["loss", "zeta", "a_once", "b_once"]
    configured = CatalogView(index, SiteOptions(metrics=("b_once", "zeta", "missing"), max_metrics=6))
    assert configured.metric_names(model) == ["b_once", "zeta"]  # a configured order is kept as given


def model_html(index: dict, options: SiteOptions, tmp_path: Path) -> str:
    site = render_site(index, options, plot_cache=tmp_path)
    return as_html(next(p for p in site.pages if not p.in_nav).content)


def test_metrics_the_cap_leaves_out_are_named_with_the_options_that_choose_them(tmp_path: Path) -> None:
    index = make_index()
    model = index["models"][0]
    for n, v in enumerate(model["versions"]):
        v["metrics"] = {f"m{i}": i + n / 10 for i in range(9)} | {SCRIPT: 1.0 + n}
    html = model_html(index, SiteOptions(), tmp_path)
    note = re.search(r'<p class="ms-note ms-metrics-note"[^>]*>(.*?)</p>', html, re.S)
    assert note, "the cap is not applied silently"
    text = re.sub(r"<[^>]+>", "", note.group(1))
    assert text.startswith("6 of this model's 10 metrics are shown (max_metrics: 6; the versions table has the first 4")
    # left out (trend first, then by name): m5..m8; the hostile name sorts first, so it is shown, escaped
    assert "Left out: m5, m6, m7, m8, still on the compare page and in the JSON index." in text
    assert "list them in the plugin's metrics option in mkdocs.yml" in text
    assert SCRIPT not in html
    configured = model_html(index, SiteOptions(metrics=("m8", "m7", "m6"), max_metrics=2, table_metrics=2), tmp_path)
    text = re.sub(r"<[^>]+>", "", re.search(r'ms-metrics-note[^>]*>(.*?)</p>', configured, re.S).group(1))
    assert text.startswith("2 of this model's 3 metrics are shown (max_metrics: 2). Left out: m6,")
    assert "raise max_metrics in mkdocs.yml" in text
    assert "ms-metrics-note" not in model_html(index, SiteOptions(max_metrics=12), tmp_path)


def test_a_long_description_is_folded_at_a_break_and_loses_nothing() -> None:
    paragraphs = "\n\n".join(f"Paragraph {i}. " + "Words and more words. " * 12 for i in range(8))
    folded = fold_text(paragraphs)
    assert folded.rest and len(folded.lead) <= LEAD_CHARS and folded.lead.count("\n") < LEAD_LINES
    assert folded.lead.endswith("words.")  # a sentence end, the best break inside the window
    assert (folded.lead + folded.rest).replace(" ", "").replace("\n", "") == paragraphs.replace(" ", "").replace("\n", "")
    lines = "\n".join(f"line {i}" for i in range(30))
    assert fold_text(lines).lead == "line 0\nline 1\nline 2\nline 3\nline 4"
    assert fold_text("x" * 2000) == type(folded)("x" * LEAD_CHARS, "x" * (2000 - LEAD_CHARS))  # no break: a hard cut
    short = "A short description.\nTwo lines."
    assert fold_text(short) == type(folded)(short, "") and fold_text("y" * FOLD_AT).rest == ""


def test_a_folded_description_stays_escaped_in_both_parts(tmp_path: Path) -> None:
    index = make_index()
    index["models"][0]["description"] = f"{SCRIPT} lead. " + "Filler text goes here. " * 60 + f"{IMG} end"
    html = model_html(index, SiteOptions(), tmp_path)
    parser = Collect()
    parser.feed(html)
    assert not [t for t, a in parser.tags if t in ("script", "img") and "alert" in json.dumps(a)]
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt; lead.") == 1 and "&lt;img src=x onerror=alert(1)&gt; end" in html
    assert re.search(r'<details class="ms-description__more"><summary>.*Show the whole description \(1,\d{3} more characters\)', html)


def test_model_meta_is_shown_as_facts_escaped_flattened_and_cut(tmp_path: Path) -> None:
    index = make_index()
    index["models"][0]["meta"] = {"owner": SCRIPT, "tags": ["a", "b"], "deploy": {"region": "eu", "gpu": None},
                                  "notes": "x" * 500}
    site = render_site(index, SiteOptions(), plot_cache=tmp_path)
    html = as_html(next(p for p in site.pages if not p.in_nav).content)
    facts = re.findall(r"<dt>([^<]*)</dt>\s*<dd>([^<]*)</dd>", html)
    meta = {k: v for k, v in facts if k in ("owner", "tags", "deploy.region", "deploy.gpu", "notes")}
    assert list(meta) == ["deploy.gpu", "deploy.region", "notes", "owner", "tags"]  # key order, nested flattened
    assert meta["tags"] == "a, b" and meta["deploy.gpu"] == "—" and len(meta["notes"]) == 200
    assert "&lt;script&gt;" in meta["owner"] and SCRIPT not in html  # shown as text
    assert index["models"][0]["meta"]["notes"] == "x" * 500  # the index keeps it whole
