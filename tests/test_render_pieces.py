"""The catalog's rendering pieces: metric plots, model cards, Mermaid lineage."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modelshelf.render import plots
from modelshelf.render.card import card_facts, render_card
from modelshelf.render.lineage import mermaid_lineage, mermaid_text
from modelshelf.render.plots import Plot, default_metrics, render_metric_plots

from .indexdata import model, version

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(1)> $\\alpha$ "q" & `b` %%{init: {}}%%'


def svg_texts(svg: bytes) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


@pytest.fixture
def draws(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The metrics actually drawn (not served from the cache)."""
    drawn: list[str] = []
    real = plots._draw

    def counting(metric, points):
        drawn.append(metric)
        return real(metric, points)

    monkeypatch.setattr(plots, "_draw", counting)
    return drawn


TREND = model(
    version("v1.10.0", {"acc": 0.9, "loss": 0.1}, stages=["prod"]),
    version("v1.2.0", {"acc": 0.8, "loss": 0.2}, status="deregistered"),
    version("v1.0.0", {"acc": 0.7, "loss": 0.3}),
    version("v1.0.0-rc.1", {"acc": 0.6, "loss": 0.4}, stages=["staging"]),
    version("b" * 40, {"acc": 0.1}, status="unregistered"),
)


# -- plots ------------------------------------------------------------------
def test_plots_are_deterministic_and_content_addressed(tmp_path: Path) -> None:
    first = render_metric_plots(TREND, None, tmp_path / "a")
    second = render_metric_plots(TREND, None, tmp_path / "b")
    assert [p.metric for p in first] == ["acc", "loss"]
    assert first == second  # same names, same bytes, drawn independently
    for plot in first:
        assert isinstance(plot, Plot)
        assert re.fullmatch(r"[0-9a-f]{16}\.svg", plot.filename)
        assert (tmp_path / "a" / plot.filename).read_bytes() == plot.svg
        assert b"<dc:date>" not in plot.svg
    assert first[0].filename != first[1].filename
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(p.filename for p in first)  # no temp files


def test_x_axis_is_semver_order_of_registered_versions(tmp_path: Path) -> None:
    (acc,) = render_metric_plots(TREND, ["acc"], tmp_path)
    texts = svg_texts(acc.svg)
    ticks = [t for t in texts if t.startswith("v")]
    assert ticks == ["v1.0.0-rc.1", "v1.0.0", "v1.2.0", "v1.10.0"]  # the unregistered commit is left out
    assert "\u25cb deregistered" in texts  # deregistered points are marked, and a key in the title line says so
    assert {"prod", "staging"} <= set(texts)  # the stage each version holds


def test_cache_hit_skips_drawing_and_only_changes_are_redrawn(tmp_path: Path, draws: list[str]) -> None:
    first = render_metric_plots(TREND, None, tmp_path)
    assert draws == ["acc", "loss"]
    again = render_metric_plots(TREND, None, tmp_path)
    assert draws == ["acc", "loss"] and again == first
    changed = model(*TREND["versions"], version("v2.0.0", {"loss": 0.05}))
    render_metric_plots(changed, None, tmp_path)
    assert draws == ["acc", "loss", "loss"]  # acc did not change: served from the cache


def test_cached_bytes_are_reused_as_is(tmp_path: Path, draws: list[str]) -> None:
    (plot,) = render_metric_plots(TREND, ["acc"], tmp_path)
    (tmp_path / plot.filename).write_bytes(b"<svg>cached</svg>")
    (again,) = render_metric_plots(TREND, ["acc"], tmp_path)
    assert again.svg == b"<svg>cached</svg>" and draws == ["acc"]


def test_default_metrics_are_numeric_in_two_versions_sorted_and_capped() -> None:
    numeric = {f"m{i}": float(i) for i in range(8)}
    subject = model(
        version("v1.0.0", {**numeric, "flag": True, "name": "x", "nan": float("nan"), "once": 1.0}),
        version("v1.1.0", {**numeric, "flag": False, "name": "y", "nan": float("nan")}),
        version("v1.2.0", {"once": 2.0}, status="unregistered"),
    )
    assert default_metrics(subject) == ["m0", "m1", "m2", "m3", "m4", "m5"]


def test_explicit_metrics_keep_order_and_skip_single_points(tmp_path: Path) -> None:
    subject = model(version("v1.0.0", {"a": 1, "b": 2, "c": 3}), version("v1.1.0", {"a": 2, "b": 3}))
    assert [p.metric for p in render_metric_plots(subject, ["b", "c", "a", "b"], tmp_path)] == ["b", "a"]
    assert render_metric_plots(model(), None, tmp_path) == []


def test_hostile_metric_name_is_inert_literal_text(tmp_path: Path) -> None:
    name = '<script>alert(1)</script> $\\alpha$ & "q"'
    subject = model(version("v1.0.0", {name: 1}, stages=["<b>$x$</b>"]), version("v1.1.0", {name: 2}))
    (plot,) = render_metric_plots(subject, None, tmp_path)
    root = ET.fromstring(plot.svg)  # well-formed XML
    for element in root.iter():
        assert not element.tag.endswith("script")
        assert not element.tag.endswith("foreignObject")
        assert not any(name.lower().startswith("on") for name in element.attrib)
    assert b"<script" not in plot.svg and b"<img" not in plot.svg
    texts = svg_texts(plot.svg)
    assert name in texts  # shown literally: no mathtext, escaped XML
    assert "<b>$x$</b>" in texts


def test_long_histories_get_a_few_ticks_never_on_neighbouring_points(tmp_path: Path) -> None:
    for count in (7, 10, 40, 41):
        subject = model(*(version(f"v1.{i}.0", {"acc": i / 40}) for i in range(count)))
        (plot,) = render_metric_plots(subject, None, tmp_path)
        shown = [int(t.split(".")[1]) for t in svg_texts(plot.svg) if t.startswith("v1.")]
        assert shown[-1] == count - 1  # the latest version is always labelled
        assert 3 <= len(shown) <= 6
        gaps = {b - a for a, b in zip(shown, shown[1:])}
        assert len(gaps) == 1 and gaps.pop() >= 2  # evenly spaced, never two neighbours (labels would overlap)


def test_title_is_cut_to_fit_beside_the_key(tmp_path: Path) -> None:
    name = "validation." + "x" * 80
    plain = model(version("v1.0.0", {name: 1}), version("v1.1.0", {name: 2}))
    keyed = model(version("v1.0.0", {name: 1}), version("v1.1.0", {name: 2}, status="deregistered"))
    (wide,) = render_metric_plots(plain, None, tmp_path)
    (narrow,) = render_metric_plots(keyed, None, tmp_path)
    title = next(t for t in svg_texts(wide.svg) if t.startswith("validation."))
    beside_key = next(t for t in svg_texts(narrow.svg) if t.startswith("validation."))
    assert title.endswith("\u2026") and beside_key.endswith("\u2026") and len(beside_key) < len(title)
    assert "\u25cb deregistered" not in svg_texts(wide.svg)


# -- model cards ------------------------------------------------------------
@pytest.mark.parametrize(
    "source, forbidden",
    [
        ("<script>alert(1)</script>hello", ["<script", "alert(1)"]),
        ('<img src=x onerror="alert(1)">', ["onerror", "alert"]),
        ("[click](javascript:alert(1))", ["javascript:", "href"]),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', ["javascript", "href"]),
        ('<a href="jav&#x09;ascript:alert(1)">x</a>', ["ascript", "href"]),
        ("<style>body{display:none}</style>text", ["<style", "display"]),
        ('<iframe src="https://example.org"></iframe>', ["<iframe", "example.org"]),
        ('<div onclick="x()" style="color:red">z</div>', ["onclick", "style"]),
        ("![x](data:image/svg+xml;base64,PHN2Zz4=)", ["data:", "src"]),
        ("<svg><script>alert(1)</script></svg>", ["<svg", "alert"]),
        ("<form action=/x><input name=a></form>", ["<form", "<input"]),
    ],
)
def test_card_html_is_sanitized(source: str, forbidden: list[str]) -> None:
    html = render_card(source).lower()
    for text in forbidden:
        assert text.lower() not in html


def test_card_keeps_formatting_tables_code_and_safe_links() -> None:
    html = render_card(
        "# Title\n\nSome **bold** and [docs](https://example.org/a?b=1) and [me](mailto:a@example.org).\n\n"
        "![plot](images/plot.png) ![remote](https://example.org/p.png)\n\n"
        "| a | b |\n|:--|--:|\n| 1 | 2 |\n\n```python\nx = '<b>'\n```\n"
    )
    assert "<h1>Title</h1>" in html and "<strong>bold</strong>" in html
    assert '<a href="https://example.org/a?b=1" rel="noopener noreferrer">docs</a>' in html
    assert 'href="mailto:a@example.org"' in html
    assert 'src="images/plot.png"' in html and 'src="https://example.org/p.png"' in html
    assert '<th align="left">a</th>' in html and '<td align="right">2</td>' in html
    assert '<code class="language-python">' in html and "x = '&lt;b&gt;'" in html


def test_card_relative_links_are_dropped_but_text_kept() -> None:
    html = render_card("[train](src/train.py)")
    assert "href" not in html and ">train</a>" in html


def test_card_facts_from_hugging_face_front_matter() -> None:
    facts = card_facts({
        "license": "apache-2.0",
        "datasets": ["imdb", "sst2"],
        "base_model": "bert-base-uncased",
        "language": ["en", "de"],
        "tags": ["sentiment"],
        "pipeline_tag": "text-classification",
        "library_name": "transformers",
        "metrics": ["accuracy"],
        "unknown": "ignored",
        "model-index": [{"name": "m", "results": [
            {"task": {"type": "text-classification"}, "dataset": {"name": "IMDB", "type": "imdb"},
             "metrics": [{"type": "accuracy", "value": 0.93}, {"type": "f1", "name": "F1", "value": 0.9}]},
        ]}],
    })
    assert facts == [
        ("License", "apache-2.0"),
        ("Base model", "bert-base-uncased"),
        ("Datasets", "imdb, sst2"),
        ("Languages", "en, de"),
        ("Task", "text-classification"),
        ("Library", "transformers"),
        ("Tags", "sentiment"),
        ("Metrics", "accuracy"),
        ("Evaluation results", "accuracy 0.93 (IMDB, text-classification); F1 0.9 (IMDB, text-classification)"),
    ]


def test_card_facts_summarise_big_model_index_and_tolerate_junk() -> None:
    results = [{"metrics": [{"type": f"m{i}", "value": i}]} for i in range(10)]
    facts = dict(card_facts({"model-index": [{"results": results}], "license": None, "tags": [], "language": 3}))
    assert facts["Evaluation results"].endswith("; and 4 more")
    assert facts["Languages"] == "3" and "License" not in facts and "Tags" not in facts
    assert card_facts({"model-index": "nonsense", "datasets": [None, {"a": 1}]}) == [("Datasets", "a: 1")]
    assert card_facts([]) == []  # type: ignore[arg-type]


# -- lineage ----------------------------------------------------------------
def filehash(path: str, md5: str | None, size: int | None = None, nfiles: int | None = None) -> dict:
    return {"path": path, "md5": md5, "size": size, "nfiles": nfiles}


def lineage_version(stages: list[dict], commit: str = "c0ffee" + "0" * 34) -> dict:
    return {"version": "v1.0.0", "commit": commit, "lineage": {"produced_by": stages[-1]["name"] if stages else None,
            "stages": stages}, "storage": {"kind": "dvc", "path": "models/m/model.pkl"}}


def stage(name: str, deps: list[dict], outs: list[dict], lock_file: str = "dvc.lock") -> dict:
    return {"name": name, "lock_file": lock_file, "cmd": f"python {name}.py", "deps": deps, "outs": outs, "params": {}}


PIPELINE = [
    stage("prepare", [filehash("data/raw.csv", "1111111122222222", 2_500_000)], [filehash("data/prep", "33333333aaaa.dir", 10, 2)]),
    stage("train", [filehash("data/prep", "33333333aaaa.dir", 10, 2), filehash("src/train.py", "44444444bbbb", 600)],
          [filehash("model.pkl", "55555555cccc", 4096), filehash("metrics.json", "66666666dddd", 50)]),
]

LINE = re.compile(
    r'flowchart LR|    n\d+(\[\[|\[|\(\[)"[^"`\n]*"(\]\]|\]|\]\))|    n\d+ --> n\d+|'
    r"    classDef \w+ [\w:#,-]+|    class n\d+(,n\d+)* \w+"
)


def assert_well_formed(source: str) -> None:
    for line in source.splitlines():
        assert LINE.fullmatch(line), line
        for label in re.findall(r'"([^"]*)"', line):
            assert not re.search(r"[<>&%]", label.replace("<br/>", "")), line


def test_lineage_flows_from_inputs_through_stages_to_the_model() -> None:
    source = mermaid_lineage("m", lineage_version(PIPELINE))
    assert source is not None
    assert_well_formed(source)
    assert source.splitlines() == [
        "flowchart LR",
        '    n0[["stage: prepare"]]',
        '    n1["data/raw.csv<br/>11111111 · 2.4 MiB"]',
        "    n1 --> n0",
        '    n2["data/prep<br/>33333333 · 10 B · 2 files"]',
        "    n0 --> n2",
        '    n3[["stage: train"]]',
        "    n2 --> n3",
        '    n4["src/train.py<br/>44444444 · 600 B"]',
        "    n4 --> n3",
        '    n5(["m v1.0.0<br/>55555555 · 4.0 KiB<br/>commit c0ffee0"])',
        "    n3 --> n5",
        "    classDef stage fill:#fff3e0,stroke:#ef6c00",
        "    classDef model fill:#e8eaf6,stroke:#3f51b5,stroke-width:2px",
        "    class n0,n3 stage",
        "    class n5 model",
    ]


def test_no_lineage_gives_none() -> None:
    assert mermaid_lineage("m", lineage_version([])) is None
    assert mermaid_lineage("m", {"version": "v1.0.0", "commit": "a" * 40}) is None


def test_lineage_labels_are_escaped_for_mermaid() -> None:
    hostile = stage('t"]; click n0 call alert(1) %%{init: {"securityLevel": "loose"}}%%',
                    [filehash("a\nb`c<script>&#lt;", None)], [], lock_file="sub/dvc.lock")
    source = mermaid_lineage('x<img src=x onerror=alert(1)>"', lineage_version([hostile]))
    assert source is not None
    assert_well_formed(source)
    assert "#quot;]; click n0 call alert(1) #37;#37;{init: {#quot;securityLevel#quot;" in source
    assert "a bc#lt;script#gt;#amp;#35;lt;" in source  # '#' itself is escaped: no entity smuggling
    assert "x#lt;img src=x onerror=alert(1)#gt;#quot;" in source
    assert "(sub/dvc.lock)" in source


@settings(max_examples=200, deadline=None)
@given(st.text(), st.text(), st.text())
def test_any_repo_text_keeps_the_diagram_well_formed(name: str, path: str, step: str) -> None:
    source = mermaid_lineage(name, lineage_version([stage(step, [filehash(path, "ab")], [])]))
    assert source is not None
    assert_well_formed(source)
    assert "\n".join(source.splitlines()) + "\n" == source
    assert len(re.findall(r"^    n\d+ --> n\d+$", source, re.M)) == 2
    assert "`" not in mermaid_text(path) and "\n" not in mermaid_text(path)


def test_extreme_values_plot_without_overflow_or_a_scale_note_on_the_title(tmp_path: Path) -> None:
    """1e308 overflowed matplotlib's margins (the build crashed); 1e15 got a '1e15' note drawn over the title."""
    subject = model(version("v1.0.0", {"huge": 1e308, "big": 1e15, "neg": -2.5e-12}),
                    version("v1.1.0", {"huge": 1e307, "big": 3e15, "neg": -1e-12}),
                    version("v1.2.0", {"huge": 5.0, "big": 2e15, "neg": -3e-12}))
    plots = {p.metric: p for p in render_metric_plots(subject, None, tmp_path)}
    assert set(plots) == {"big", "neg"}  # 'huge' has one plottable point left (5.0): no trend
    for metric, low, high in (("big", 1e14, 1e16), ("neg", 1e-13, 1e-11)):
        texts = [t for t in svg_texts(plots[metric].svg) if not t.startswith("v1.") and t != metric]
        ticks = [float(t.replace("\u2212", "-")) for t in texts]  # every other text is a number ...
        assert len(ticks) >= 3 and all(low <= abs(v) <= high for v in ticks), texts  # ... of the data's own size


# That neighbouring stage labels never overlap is measured in Chromium: tests/browser/test_plot_labels.py


def test_stage_holders_are_ringed_and_labelled_in_a_dense_plot(tmp_path: Path) -> None:
    stages = {56: ["prod"], 57: ["canary"], 58: ["staging", "qa"], 59: ["dev"]}
    subject = model(*(version(f"v{1 + i // 20}.{i % 20}.0", {"acc": 0.8 + i / 600 + (i % 3) / 100},
                              stages=stages.get(i)) for i in range(60)))
    (plot,) = render_metric_plots(subject, None, tmp_path)
    texts = svg_texts(plot.svg)
    assert {"prod", "canary", "qa, staging", "dev"} <= set(texts)
    assert plot.svg.count(b"stroke: #c2185b") >= 2  # the rings and the leader lines
