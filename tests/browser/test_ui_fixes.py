"""The demo catalog as a new user sees it, in light and dark schemes: compare tables styled like the
model page's, readable overlaid plots, metric changes coloured by improvement, the catalog pages
reachable at desktop width, one model count on the home page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ..gitutil import GitBuilder, run_cli
from .conftest import Site, Watch, _open_page, build_ok, screenshot, serve

SCHEMES = {"light": "default", "dark": "slate"}
DESKTOP = 1280  # Material shows tabs and hides its drawer from 1220px

# WCAG contrast of two computed CSS colours (alpha composited over white).
CONTRAST = """
([fg, bg]) => {
  const rgb = c => { const m = c.match(/[\\d.]+/g).map(Number); const a = m.length > 3 ? m[3] : 1;
                     return m.slice(0, 3).map(v => v * a + 255 * (1 - a)); };
  const lum = c => rgb(c).map(v => v / 255).map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
                         .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}
"""
TABLE_STYLE = """
table => {
  const cell = table.querySelector('tbody td'), head = table.querySelector('thead th');
  const t = getComputedStyle(table), c = getComputedStyle(cell), h = getComputedStyle(head);
  return {wrapped: table.parentElement.classList.contains('md-typeset__table'),
          border: t.borderTopWidth + ' ' + t.borderTopStyle, radius: t.borderTopLeftRadius, display: t.display,
          fontSize: t.fontSize, cellPadding: c.padding, headWeight: h.fontWeight, rowRule: c.borderTopWidth};
}
"""
# For each row: the gap between the text of neighbouring cells, in pixels.
TEXT_GAPS = """
table => [...table.querySelectorAll('tr')].flatMap(row => {
  const boxes = [...row.cells].map(cell => { const r = document.createRange(); r.selectNodeContents(cell);
                                             return r.getBoundingClientRect(); });
  return boxes.slice(1).map((box, i) => box.left - boxes[i].right);
})
"""
DELTAS = """
(root, mode) => [...root.querySelectorAll('.ms-delta')].map(span => {
  const cell = span.closest('td'), row = cell.closest('tr'), table = cell.closest('table');
  const name = mode === 'columns' ? table.tHead.rows[0].cells[cell.cellIndex].textContent.trim()
                                  : row.cells[0].textContent.trim();
  return {name, text: span.textContent, classes: span.className, color: getComputedStyle(span).color,
          title: span.title};
})
"""


def open_scheme(page: Any, scheme: str) -> None:
    page.emulate_media(color_scheme=scheme)


def richest_compare(site: Site) -> str:
    return f"{site.url}compare.html?model=churn-classifier&v=v1.0.0&v=v1.2.0"


@pytest.fixture(params=list(SCHEMES))
def scheme(request: pytest.FixtureRequest) -> str:
    return request.param


def test_compare_tables_are_styled_like_the_model_page_tables(demo_page: Any, demo_site: Site, watch: Watch,
                                                              scheme: str) -> None:
    page = demo_page
    open_scheme(page, scheme)
    page.goto(demo_site.page_url("churn-classifier"))
    assert page.get_attribute("body", "data-md-color-scheme") == SCHEMES[scheme]
    model_style = page.eval_on_selector("#ms-versions", TABLE_STYLE)
    assert model_style["wrapped"] and model_style["border"] != "0px none"
    page.goto(richest_compare(demo_site))
    page.wait_for_selector(".ms-compare-lineage table")
    for name in ("metrics", "params", "lineage"):
        table = f".md-typeset__table.ms-compare-{name} > table"
        assert page.eval_on_selector(table, TABLE_STYLE) == model_style, name
        gaps = page.eval_on_selector(table, TEXT_GAPS)
        assert gaps and min(gaps) >= 16, (name, gaps)  # two cell paddings between texts, never touching
    screenshot(page, f"ui-compare-tables-{scheme}")
    watch.assert_clean()


def test_overlaid_plot_is_dark_on_white_in_both_schemes_like_model_page_plots(
        demo_page: Any, demo_site: Site, watch: Watch, scheme: str) -> None:
    page = demo_page
    open_scheme(page, scheme)
    page.goto(demo_site.page_url("churn-classifier"))
    model_plot_bg = page.eval_on_selector(".ms-plot img", "i => getComputedStyle(i).backgroundColor")
    page.goto(richest_compare(demo_site))
    figure = page.locator("figure.ms-compare-plot").first
    figure.wait_for()
    assert page.eval_on_selector("figure.ms-compare-plot svg", "s => getComputedStyle(s).backgroundColor") \
        == model_plot_bg == "rgb(255, 255, 255)"
    card = page.eval_on_selector("figure.ms-compare-plot svg rect.ms-plot-bg", "r => getComputedStyle(r).fill")
    texts = page.eval_on_selector_all("figure.ms-compare-plot svg text",
                                      "ts => ts.map(t => [t.textContent, getComputedStyle(t).fill, t.getBBox().height])")
    assert len(texts) >= 8  # three ticks per axis and both axis names
    for text, fill, height in texts:
        assert page.evaluate(CONTRAST, [fill, card]) >= 7, (text, fill, card)
        assert height >= 11, text
    # the legend under the plot is page text: readable on the scheme's background
    caption = page.eval_on_selector("figure.ms-compare-plot figcaption", "c => getComputedStyle(c).color")
    background = page.eval_on_selector("body", "b => getComputedStyle(b).backgroundColor")
    assert page.evaluate(CONTRAST, [caption, background]) >= 4.5
    figure.screenshot(path=str(screenshot(page, f"ui-compare-plot-{scheme}", full_page=False)))
    watch.assert_clean()


def judge(deltas: list[dict], scheme: str) -> None:
    """Green for improvements and red for regressions, whatever the sign; the sign stays."""
    assert deltas
    for d in deltas:
        if "ms-delta--same" in d["classes"]:
            continue
        lower = d["name"] in ("loss", "latency_ms")
        up = d["text"].startswith("+")
        assert ("ms-delta--up" if up else "ms-delta--down") in d["classes"], d
        better = up != lower
        assert ("ms-delta--better" if better else "ms-delta--worse") in d["classes"], d
        assert ("lower is better" if lower else "higher is better") in d["title"], d
        r, g, _ = (int(v) for v in d["color"][d["color"].index("(") + 1:-1].split(",")[:3])
        assert (g > r + 40) if better else (r > g + 40), (scheme, d)


def test_metric_changes_are_coloured_by_improvement_on_both_pages(demo_page: Any, demo_site: Site, watch: Watch,
                                                                 scheme: str) -> None:
    page = demo_page
    open_scheme(page, scheme)
    page.goto(demo_site.page_url("churn-classifier"))
    model_deltas = page.eval_on_selector("#ms-versions", DELTAS, "columns")
    judge(model_deltas, scheme)
    assert {d["name"] for d in model_deltas} >= {"latency_ms", "loss", "accuracy"}
    page.goto(richest_compare(demo_site))
    page.wait_for_selector(".ms-compare-metrics table")
    compare_deltas = page.eval_on_selector(".ms-compare-metrics table", DELTAS, "rows")
    judge(compare_deltas, scheme)
    by_name = {d["name"]: d for d in compare_deltas}
    assert by_name["latency_ms"]["text"] == "+0.4" and "ms-delta--worse" in by_name["latency_ms"]["classes"]
    assert by_name["loss"]["text"] == "−0.011" and "ms-delta--better" in by_name["loss"]["classes"]
    watch.assert_clean()


def visible_in_viewport(page: Any, selector: str) -> bool:
    locator = page.locator(selector).first
    if not locator.is_visible():
        return False
    style = locator.evaluate("e => { const s = getComputedStyle(e); return [s.display, s.visibility, s.opacity]; }")
    box = locator.bounding_box()
    return (style[0] != "none" and style[1] == "visible" and float(style[2]) > 0 and box is not None
            and box["width"] > 0 and box["height"] > 0 and 0 <= box["x"] and box["x"] + box["width"] <= DESKTOP)


@pytest.mark.parametrize("where", ["home", "model", "compare", "stages"])
def test_catalog_pages_are_reachable_from_every_catalog_page_at_desktop_width(
        demo_page: Any, demo_site: Site, watch: Watch, where: str) -> None:
    page = demo_page
    assert page.viewport_size["width"] == DESKTOP
    url = {"home": demo_site.url, "model": demo_site.page_url("churn-classifier"),
           "compare": richest_compare(demo_site), "stages": demo_site.url + "stages.html"}[where]
    page.goto(url)
    for title in ("Models", "Stages", "Activity", "Compare"):
        current = page.locator(f'.ms-catalog-nav [aria-current="page"]:text-is("{title}")').count() == 1
        if not current:
            assert visible_in_viewport(page, f'.ms-catalog-nav a:text-is("{title}")'), (where, title)
        # the packaged config's tabs name the same pages
        assert visible_in_viewport(page, f'.md-tabs a.md-tabs__link:text-is("{title}")'), (where, title)
    if where == "model":
        assert not page.locator(".md-sidebar--primary").is_visible()  # why the links row is needed
        page.click('.ms-catalog-nav a:text-is("Activity")')
        page.wait_for_url("**/activity.html")
        assert page.locator('.ms-catalog-nav [aria-current="page"]').inner_text() == "Activity"
    watch.assert_clean()


def test_home_page_count_matches_the_filter_counter(demo_page: Any, demo_site: Site, watch: Watch) -> None:
    page = demo_page
    page.goto(demo_site.url)
    page.wait_for_selector("[data-ms-filters][data-ms-bound]")
    models = demo_site.index["models"]
    deprecated = sum(1 for m in models if m["deprecated"])
    assert deprecated >= 1
    lead = page.inner_text(".ms-home .ms-lead")
    assert lead.startswith(f"{len(models)} models in this registry ({deprecated} of them deprecated, listed separately below).")
    assert page.inner_text("[data-filter-count]") == f"{len(models)} models"
    assert page.locator("table[data-ms-table] tbody tr:visible").count() == len(models)
    watch.assert_clean()


def test_deregistered_status_stays_readable_in_both_schemes(demo_page: Any, demo_site: Site, watch: Watch,
                                                            scheme: str) -> None:
    """The row is dimmed (opacity) and the word is red: both together must still read on the background."""
    page = demo_page
    open_scheme(page, scheme)
    page.goto(demo_site.page_url("churn-classifier"))
    status = page.locator("#ms-versions .ms-status--deregistered").first
    fg, opacity = status.evaluate("s => [getComputedStyle(s).color, getComputedStyle(s.closest('td')).opacity]")
    background = page.eval_on_selector("body", "b => getComputedStyle(b).backgroundColor")
    def channels(css: str) -> list[int]:
        return [int(float(v)) for v in css[css.index("(") + 1:-1].split(",")[:3]]

    alpha = float(opacity)
    seen = "rgb({})".format(", ".join(str(round(alpha * f + (1 - alpha) * b))
                                      for f, b in zip(channels(fg), channels(background))))
    assert page.evaluate(CONTRAST, [seen, background]) >= 3, (scheme, fg, opacity, background)
    watch.assert_clean()


@pytest.mark.gto
def test_a_one_model_catalog_says_model_not_models(browser: Any, tmp_path: Path, watch: Watch) -> None:
    g = GitBuilder(tmp_path / "repo")
    g.commit("model", {"dvc.yaml": "artifacts:\n  solo:\n    path: m.bin\n    type: model\n", "m.bin": "w"})
    g.gto("register", "solo")
    build_ok(run_cli("build", "--repo", str(g.path), "-o", str(tmp_path / "site"), "-q"))
    for site in serve(tmp_path / "site"):
        page = _open_page(browser, site, watch)
        try:
            page.goto(site.url)
            assert page.inner_text(".ms-lead").startswith("1 model in this registry.")
            assert page.inner_text("[data-filter-count]") == "1 model"
            page.fill("[data-filter=text]", "nothing matches this")
            assert page.inner_text("[data-filter-count]") == "0 of 1 model"
            watch.assert_clean()
        finally:
            page.context.close()


PHONE = {"width": 390, "height": 844}


@pytest.mark.gto
def test_long_names_labels_and_stages_never_make_a_phone_scroll_sideways(browser: Any, tmp_path: Path,
                                                                          watch: Watch) -> None:
    stage = "production-eu-west-1-canary-rollout-with-a-very-long-stage-name-indeed"  # 72 characters
    label = "a-fifty-character-label-that-has-no-spaces-at-all-x"
    folder = "deep/folder/path/that/goes/on/and/on/for/a/while/yes"
    name = f"{folder}:model-with-a-name-long-enough-to-be-annoying-on-any-phone-screen-really"
    g = GitBuilder(tmp_path / "repo")
    g.commit("model", {f"{folder}/dvc.yaml": "artifacts:\n  " + name.split(":")[1] + ":\n    path: m.bin\n    type: model\n"
                                             f"    labels: [{label}, tabular]\n",
                       f"{folder}/m.bin": "w"})
    g.gto("register", name, "--version", "v1.0.0")
    g.gto("assign", name, "--version", "v1.0.0", "--stage", stage)
    build_ok(run_cli("build", "--repo", str(g.path), "-o", str(tmp_path / "site"), "-q"))
    for site in serve(tmp_path / "site"):
        page = _open_page(browser, site, watch)
        page.set_viewport_size(PHONE)
        try:
            stem = "deep~folder~path~that~goes~on~and~on~for~a~while~yes.model-with-a-name-long-enough-to-be-annoying-on-any-phone-screen-really"
            for url in (site.url, f"{site.url}stages/", f"{site.url}{stem}/",
                        f"{site.url}compare/?model={name}&v=v1.0.0"):
                page.goto(url)
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= PHONE["width"], (url, width)
            watch.assert_clean()
        finally:
            page.context.close()
