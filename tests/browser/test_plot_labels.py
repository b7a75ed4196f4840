"""Stage labels on a crowded metric plot, measured as Chromium draws them: the placement
estimates text widths, so the check is the browser's own boxes of the rendered SVG text,
not the placer's constants."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from modelshelf.render.plots import render_metric_plots

from ..indexdata import model, version

LABELS = {"prod", "canary", "qa, staging", "dev"}
MEASURE = """() => {
    const svg = document.querySelector('svg').getBoundingClientRect();
    const texts = [...document.querySelectorAll('svg text')].map(t => {
        const r = t.getBoundingClientRect();
        return {text: t.textContent, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom};
    });
    return {svg: {x0: svg.left, y0: svg.top, x1: svg.right, y1: svg.bottom}, texts};
}"""


def overlap(a: dict, b: dict) -> bool:
    return a["x0"] < b["x1"] and b["x0"] < a["x1"] and a["y0"] < b["y1"] and b["y0"] < a["y1"]


def test_stage_labels_of_neighbouring_holders_never_overlap_as_drawn(browser: Any, tmp_path: Path) -> None:
    """60 versions, stages on the last four (one holds two): every label drawn, inside the image,
    none touching another label or the axis labels."""
    stages = {56: ["prod"], 57: ["canary"], 58: ["staging", "qa"], 59: ["dev"]}
    subject = model(*(version(f"v{1 + i // 20}.{i % 20}.0", {"acc": 0.8 + i / 600 + (i % 3) / 100},
                              stages=stages.get(i)) for i in range(60)))
    (plot,) = render_metric_plots(subject, None, tmp_path)
    svg = plot.svg.decode("utf-8")
    svg = svg[svg.index("<svg"):]
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    try:
        page.set_content(f"<!doctype html><html><body style='margin:0'>{svg}</body></html>")
        measured = page.evaluate(MEASURE)
    finally:
        page.close()
    frame = measured["svg"]
    labels = [t for t in measured["texts"] if t["text"] in LABELS]
    assert sorted(t["text"] for t in labels) == sorted(LABELS)
    others = [t for t in measured["texts"] if t["text"] not in LABELS and t["x1"] > t["x0"]]
    assert others  # tick labels and the title were measured too
    for i, label in enumerate(labels):
        assert label["x1"] > label["x0"] and label["y1"] > label["y0"], label
        assert (frame["x0"] <= label["x0"] and label["x1"] <= frame["x1"]
                and frame["y0"] <= label["y0"] and label["y1"] <= frame["y1"]), (label, frame)
        assert not [other for other in labels[i + 1:] if overlap(label, other)], label
        assert not [other for other in others if overlap(label, other)], label
