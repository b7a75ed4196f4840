"""A catalog that strains the layout (dense_scenario: 60 versions, 8 metrics, neighbouring stage
holders, a 5,000-character description, candidates), in Chromium at desktop and phone widths,
light and dark: the compare page's version picker, one number format in Python and JavaScript,
the metrics the plot cap leaves out, the folded description, stage labels on dense plots, and
register commands that can be seen and copied."""

from __future__ import annotations

import json
import math
import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from modelshelf.core.semver import SemVer
from modelshelf.render.views import fmt_value

from ..gitutil import GitBuilder
from ..test_number_format import FORMAT_CASES
from .conftest import Site, Watch, _open_page, build_and_serve, screenshot
from .dense_scenario import DESCRIPTION, IMG, METRICS, NAME, SCRIPT, STAGES, VERSIONS, dense_repo, version_name

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
STAGE_FILL = "rgb(194, 24, 91)"  # plots.py's _STAGE, #c2185b


@pytest.fixture(scope="module")
def dense(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, dict[str, str]]]:
    yield from build_and_serve(tmp_path_factory, "dense", dense_repo)


@pytest.fixture
def page(browser: Any, dense: tuple[Site, dict[str, str]], watch: Watch) -> Iterator[Any]:
    opened = _open_page(browser, dense[0], watch)
    yield opened
    opened.context.close()


@pytest.fixture(params=[("desktop", "light"), ("phone", "dark")], ids=lambda p: "-".join(p))
def view(request: pytest.FixtureRequest, page: Any) -> str:
    """The page at 1280 px in the light scheme, or at 390 px in the dark one."""
    size, scheme = request.param
    page.set_viewport_size(DESKTOP if size == "desktop" else PHONE)
    page.emulate_media(color_scheme=scheme)
    return f"{size}-{scheme}"


def compare_url(site: Site, *tokens: str) -> str:
    return f"{site.url}compare/?model={NAME}" + "".join(f"&v={t}" for t in tokens)


def no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


# -- 1. the version picker ----------------------------------------------------
def test_the_version_picker_lists_sixty_versions_in_columns_newest_first_with_stage_holders_marked(
        page: Any, dense: tuple[Site, dict[str, str]], watch: Watch, view: str) -> None:
    site, shas = dense
    model = site.model(NAME)
    page.goto(compare_url(site, "v3.3.1", "v3.3.4"))
    page.wait_for_selector(".ms-compare-metrics table")
    items = page.locator(".ms-picker-list > li")
    assert items.count() == VERSIONS + 2
    tokens = page.eval_on_selector_all(".ms-picker-list input", "cs => cs.map(c => c.dataset.token)")
    versions = [v["version"] for v in model["versions"]]
    newest_first = sorted(versions, key=SemVer.parse, reverse=True)
    assert tokens == [shas["candidate2"][:7], shas["candidate1"][:7]] + newest_first  # candidates are the newest
    # stage holders carry their stage as a badge in the stage's colour, as on the model page
    for j, stages in STAGES.items():
        item = page.locator(f'.ms-picker-list li:has(input[data-token="{version_name(j)}"])')
        assert sorted(item.locator(".ms-badge").all_inner_texts()) == sorted(stages)
        assert page.get_by_role("checkbox", name=re.compile(rf"^{re.escape(version_name(j))}\b")).count() == 1
    latest = page.locator('.ms-picker-list li:has(input[data-token="v3.3.4"])')
    assert "latest" in latest.inner_text().lower()
    assert page.get_by_role("group", name="Versions and candidates to compare").count() == 1
    # a grid of columns, in a box that scrolls: not one column of sixty rows
    lefts = set(items.evaluate_all("lis => lis.map(li => Math.round(li.getBoundingClientRect().left))"))
    assert len(lefts) >= (5 if view.startswith("desktop") else 2), lefts
    box = page.locator(".ms-picker-box").bounding_box()
    assert box["height"] <= 0.6 * page.viewport_size["height"]
    no_sideways_scroll(page)
    screenshot(page, f"dense-compare-picker-{view}", full_page=False)
    watch.assert_clean()


def test_the_version_picker_filters_and_works_from_the_keyboard(page: Any, dense: tuple[Site, dict[str, str]],
                                                                watch: Watch) -> None:
    site, _ = dense
    page.goto(compare_url(site, "v3.3.1", "v3.3.4"))
    page.wait_for_selector(".ms-compare-metrics table")
    count = page.locator("[data-picker-count]")
    assert count.inner_text() == "2 chosen · 62 entries"
    page.focus("[data-picker-filter]")
    page.keyboard.type("v2.1.")
    shown = page.eval_on_selector_all(".ms-picker-list > li:not([hidden]) input", "cs => cs.map(c => c.dataset.token)")
    assert shown == ["v3.3.4", "v3.3.1", "v2.1.4", "v2.1.3", "v2.1.2", "v2.1.1", "v2.1.0"]  # the chosen stay listed
    assert count.inner_text() == "2 chosen · 7 of 62 entries listed"
    page.keyboard.press("ArrowDown")  # into the list, then through the visible ones
    assert page.evaluate("document.activeElement.dataset.token") == "v3.3.4"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.dataset.token") == "v2.1.4"
    page.keyboard.press("Space")
    page.wait_for_function("document.querySelectorAll('.ms-compare-metrics table thead th').length === 4")
    assert page.url.endswith("?model=dense&v=v3.3.1&v=v3.3.4&v=v2.1.4")
    # the filter narrowed to one: Enter picks it
    page.fill("[data-picker-filter]", "qa")
    page.focus("[data-picker-filter]")
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelectorAll('.ms-compare-metrics table thead th').length === 5")
    assert page.url.endswith("&v=v3.3.3")
    assert count.inner_text() == "4 chosen · 4 of 62 entries listed"  # the chosen ones, v3.3.3 among them
    page.click("[data-picker-clear]")
    assert page.inner_text("[data-compare-status]") == "Pick two or more versions or candidates to compare."
    assert page.url.endswith("?model=dense")
    watch.assert_clean()


def test_the_version_picker_works_opened_from_disk(browser: Any, tmp_path: Path, watch: Watch) -> None:
    """No server: the offline build (as ``modelshelf demo`` makes) read through file://."""
    from modelshelf.sitebuild.mkdocs_build import build_site

    repo = GitBuilder(tmp_path / "repo")
    dense_repo(repo)
    root = build_site(repo.path, tmp_path / "site", extra={"use_directory_urls": False},
                      plugin_options={"offline": True}, verbose=False)
    on_disk = Site(root, root.as_uri() + "/")
    page = _open_page(browser, on_disk, watch)
    try:
        page.goto(f"{on_disk.url}compare.html?model={NAME}&v=v3.3.1&v=v3.3.4")
        page.wait_for_selector(".ms-compare-metrics table")
        assert page.locator(".ms-picker-list > li").count() == VERSIONS + 2
        page.check('input[data-token="v1.0.0"]')
        page.wait_for_function("document.querySelectorAll('.ms-compare-metrics table thead th').length === 4")
        watch.assert_clean(offline=True)
    finally:
        page.context.close()


# -- 2. one number format -------------------------------------------------------
def _random_values(count: int) -> list[float]:
    rng = random.Random(1234)
    values = []
    for _ in range(count):
        values.append(rng.choice([-1, 1]) * 10 ** rng.uniform(-12, 18))
        values.append(rng.choice([-1, 1]) * round(rng.uniform(0, 2e6), rng.randint(0, 6)))  # decimal-looking
        values.append(rng.randint(-10**9, 10**9) / 2 ** rng.randint(0, 20))  # binary-exact, rounding ties
    return values


def test_javascript_formats_every_value_as_python_does(page: Any, dense: tuple[Site, dict[str, str]],
                                                       watch: Watch) -> None:
    site, _ = dense
    page.goto(compare_url(site))
    page.wait_for_function("window.modelshelf && window.modelshelf.formatValue")
    values = [v for v, _ in FORMAT_CASES if not (isinstance(v, float) and not math.isfinite(v))
              and not (isinstance(v, int) and not isinstance(v, bool) and abs(v) > 2**53)]
    values += _random_values(1500)
    # through JSON, as the compare page gets them (ints beyond 2**53 have no exact JS number)
    shown = page.evaluate("json => JSON.parse(json).map(window.modelshelf.formatValue)", json.dumps(values))
    expected = [fmt_value(v) for v in values]
    assert [(v, s) for v, s, e in zip(values, shown, expected) if s != e] == []
    special = page.evaluate("[NaN, Infinity, -Infinity].map(window.modelshelf.formatValue)")
    assert special == [fmt_value(math.nan), fmt_value(math.inf), fmt_value(-math.inf)]
    watch.assert_clean()


CELLS = """cells => cells.map(c => {
  const d = c.querySelector('.ms-delta');
  return [c.firstChild.textContent.trim(), d ? d.textContent : null]; })"""


def test_tables_and_the_compare_page_print_the_same_numbers(page: Any, dense: tuple[Site, dict[str, str]],
                                                           watch: Watch) -> None:
    site, _ = dense
    model = site.model(NAME)
    by_version = {v["version"]: v for v in model["versions"]}
    page.goto(site.page_url(NAME))
    heads = page.eval_on_selector_all("#ms-versions thead th", "ths => ths.map(t => t.textContent.trim())")
    tabled = [h for h in heads if h in METRICS]
    assert tabled == ["accuracy", "bytes_read", "calibration_shift", "drift_rate"]
    row = page.locator('#ms-versions tbody tr:has(code:text-is("v3.3.4"))')
    on_model_page = row.locator("td.ms-metric").evaluate_all(CELLS)  # (value, delta) of each metric
    page.goto(compare_url(site, "v3.3.3", "v3.3.4"))  # the versions table's deltas are against v3.3.3 too
    page.wait_for_selector(".ms-compare-metrics table")
    names = page.eval_on_selector_all(".ms-compare-metrics tbody tr", "rows => rows.map(r => r.cells[0].textContent)")
    on_compare = {name: page.locator(f".ms-compare-metrics tbody tr:nth-child({i + 1}) td.ms-metric").evaluate_all(CELLS)
                  for i, name in enumerate(names)}
    assert sorted(on_compare) == sorted(METRICS)
    for name, cells in on_compare.items():
        new, old = by_version["v3.3.4"]["metrics"][name], by_version["v3.3.3"]["metrics"][name]
        assert cells[0] == [fmt_value(old), None] and cells[1][0] == fmt_value(new), name
    for name, cell in zip(tabled, on_model_page):
        assert on_compare[name][1] == cell, name  # value and delta, character for character
    assert on_compare["bytes_read"][1][0] == "1.148e15" and on_compare["epochs"][1][0] == "13"  # 13.0
    watch.assert_clean()


# -- 3. metrics left out by the cap ---------------------------------------------
def test_the_model_page_says_which_metrics_the_cap_left_out(page: Any, dense: tuple[Site, dict[str, str]],
                                                           watch: Watch, view: str) -> None:
    site, _ = dense
    page.goto(site.page_url(NAME))
    note = page.locator(".ms-metrics-note")
    text = note.inner_text()
    assert text.startswith("6 of this model's 8 metrics are shown (max_metrics: 6;")
    assert "Left out: params_count, tie_value, still on the compare page and in the JSON index." in text
    assert "plugin's metrics option in mkdocs.yml" in text
    assert json.loads(note.get_attribute("data-metrics-left-out")) == ["params_count", "tie_value"]
    assert page.locator(".ms-plots figure").count() == 6
    note.scroll_into_view_if_needed()
    no_sideways_scroll(page)
    screenshot(page, f"dense-metrics-note-{view}", full_page=False)
    page.goto(site.page_url("small"))
    assert page.locator(".ms-metrics-note").count() == 0
    watch.assert_clean()


# -- 4. a long description, folded ----------------------------------------------
def test_a_long_description_is_folded_and_opens_from_the_keyboard(page: Any, dense: tuple[Site, dict[str, str]],
                                                                 watch: Watch, view: str) -> None:
    site, _ = dense
    page.goto(site.page_url(NAME))
    lead, rest = page.locator(".ms-description__lead"), page.locator(".ms-description__rest")
    summary = page.locator(".ms-description__more > summary")
    assert lead.inner_text().startswith(f"First line of a long description {SCRIPT}.\nSecond line: {IMG}")
    assert not rest.is_visible()
    assert re.fullmatch(r"Show the whole description \(4,\d{3} more characters\)", summary.inner_text())
    facts = page.locator(".ms-facts").bounding_box()
    title = page.locator("h1.ms-title").bounding_box()
    assert facts["y"] - title["y"] < 0.8 * page.viewport_size["height"]  # the facts are in the first screen
    screenshot(page, f"dense-description-folded-{view}", full_page=False)
    summary.focus()
    page.keyboard.press("Enter")
    assert rest.is_visible() and summary.inner_text() == "Show less"
    assert summary.bounding_box()["y"] >= rest.bounding_box()["y"] + rest.bounding_box()["height"] - 1  # under it
    shown = lead.inner_text() + rest.inner_text()
    assert re.sub(r"\s", "", shown) == re.sub(r"\s", "", DESCRIPTION)  # all of it, as text
    assert page.locator(".ms-description-fold script, .ms-description-fold img").count() == 0
    no_sideways_scroll(page)
    page.keyboard.press("Enter")
    assert not rest.is_visible()
    page.goto(site.page_url("small"))
    assert page.inner_text("p.ms-description") == "A short description."
    assert page.locator(".ms-description__more").count() == 0
    watch.assert_clean()  # and no dialog: the script and the image stayed text


# -- 5. stage labels on dense plots ---------------------------------------------
TEXT_BOXES = """svg => [...svg.querySelectorAll('text')].map(t => {
  const r = t.getBoundingClientRect();
  return {text: t.textContent, fill: getComputedStyle(t).fill, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom};
})"""


def test_stage_labels_on_dense_plots_never_overlap(page: Any, dense: tuple[Site, dict[str, str]],
                                                  watch: Watch) -> None:
    """Each plot as the browser draws it (its own fonts): no text box meets another, all inside."""
    site, _ = dense
    page.goto(site.page_url(NAME))
    sources = page.eval_on_selector_all(".ms-plots img", "imgs => imgs.map(i => i.src)")
    assert len(sources) == 6
    for number, source in enumerate(sources):
        page.goto(source)
        frame = page.eval_on_selector("svg", "s => { const r = s.getBoundingClientRect(); return [r.width, r.height]; }")
        boxes = page.eval_on_selector("svg", TEXT_BOXES)
        labels = [b for b in boxes if b["fill"] == STAGE_FILL]
        assert sorted(b["text"] for b in labels) == ["canary", "dev", "prod", "qa, staging"], source
        for i, a in enumerate(labels):
            assert 0 <= a["x0"] and a["x1"] <= frame[0] and 0 <= a["y0"] and a["y1"] <= frame[1], (source, a)
            for b in boxes:
                if b is not a:
                    apart = a["x1"] <= b["x0"] or b["x1"] <= a["x0"] or a["y1"] <= b["y0"] or b["y1"] <= a["y0"]
                    assert apart, (source, a, b)
        if number == 0:
            page.set_viewport_size({"width": 600, "height": 400})
            page.screenshot(path=str(screenshot(page, "dense-plot-stage-labels", full_page=False)))
    watch.assert_clean()


# -- 6. register commands -------------------------------------------------------
def test_register_commands_are_visible_and_copy_whole(page: Any, dense: tuple[Site, dict[str, str]], watch: Watch,
                                                     view: str) -> None:
    site, shas = dense
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.url.rstrip("/"))
    page.goto(site.page_url(NAME))
    command = f"modelshelf register {NAME} {shas['candidate2']} --bump-minor"
    code = page.locator("#ms-candidates tr.ms-candidate").first.locator("code.ms-register")
    code.scroll_into_view_if_needed()
    assert " ".join(code.inner_text().split()) == command
    table = page.locator("#ms-candidates").bounding_box()
    width = page.viewport_size["width"]
    for part in (code, page.locator("#ms-candidates button.ms-copy").first):
        box = part.bounding_box()
        assert box["x"] >= table["x"] and box["x"] + box["width"] <= min(table["x"] + table["width"], width), view
    screenshot(page, f"dense-candidates-{view}", full_page=False)
    copy = page.get_by_role("button", name=f"Copy the command that registers {shas['candidate2'][:7]}")
    copy.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(".md-dialog--active")
    assert page.inner_text(".md-dialog") == "Copied to clipboard"
    assert page.evaluate("navigator.clipboard.readText()") == command
    # the compare page: the same command, wrapped, with its own button
    page.goto(compare_url(site, "v3.3.4", shas["candidate1"][:7]))
    page.wait_for_selector("#compare-register")
    other = f"modelshelf register {NAME} {shas['candidate1']} --bump-minor"
    assert page.inner_text("[data-compare-result] code.ms-register") == other
    page.click("[data-compare-result] button.ms-copy")
    page.wait_for_function(f"navigator.clipboard.readText().then(t => t === {json.dumps(other)})")
    no_sideways_scroll(page)
    watch.assert_clean()
