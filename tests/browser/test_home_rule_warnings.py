"""Rows past the home page's first 100 are drawn by modelshelf.js from the compact list: a stage
badge whose holder broke a rule carries the same worded warning ("⚠ breaks 1 rule", its rules in the
title) as the rows the build wrote, not a colour only (issue 17)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import GitBuilder, Site, Watch, _open_page, build_and_serve

MODELS = 120  # more than views.HOME_ROWS
ROWS = "table[data-ms-table='models'] tbody tr"
RULES = "stages:\n  staging: {}\n  prod:\n    after: [staging]\n"
VIOLATING = (5, 110)  # in prod without staging: one in the built rows, one only in the compact list
COMPLIANT = 111  # staging, then prod
# Each row's name and its stage cell as a user and a script see it: text, and each warning's words and title.
CELLS = """
rows => rows.map(tr => [tr.cells[0].textContent.trim(), tr.cells[5].textContent.replace(/\\s+/g, " ").trim(),
  [...tr.cells[5].querySelectorAll(".ms-rule-warning")].map(w => [w.textContent, w.getAttribute("title"),
                                                                 w.getAttribute("data-ms-rules")])])
"""


def name(i: int) -> str:
    return f"ruled-{i:03d}"


def ruled_repo(g: GitBuilder) -> None:
    names = [name(i) for i in range(MODELS)]
    lines = ["artifacts:"] + [f"  {n}:\n    path: models/{n}.bin\n    type: model" for n in names]
    files: dict[str, str | bytes | dict] = {"dvc.yaml": "\n".join(lines) + "\n", ".modelshelf.yaml": RULES}
    files.update({f"models/{n}.bin": n for n in names})
    g.commit("declare models under rules", files)
    for n in names:
        g.tag(f"{n}@v1.0.0", message="first")
    for i in VIOLATING:
        g.tag(f"{name(i)}#prod#1", message="straight to prod")
    g.tag(f"{name(COMPLIANT)}#staging#1", message="try")
    g.tag(f"{name(COMPLIANT)}#prod#2", message="ship")


@pytest.fixture(scope="module")
def ruled_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, None]]:
    yield from build_and_serve(tmp_path_factory, "ruled", ruled_repo)


def test_a_violating_holder_past_row_100_shows_the_worded_warning(browser: Any, ruled_site: tuple[Site, None],
                                                                  watch: Watch) -> None:
    site, _ = ruled_site
    page = _open_page(browser, site, watch)
    try:
        page.goto(site.url)
        page.wait_for_selector("[data-ms-filters][data-ms-bound]")
        built = page.evaluate("""async cells => {
          const doc = new DOMParser().parseFromString(await (await fetch(location.href)).text(), "text/html");
          return (new Function("return " + cells))()([...doc.querySelectorAll("table[data-ms-table='models'] tbody tr")]);
        }""", CELLS.strip())
        assert len(built) == 100 and name(110) not in [r[0] for r in built]
        written = {r[0]: r for r in built}[name(5)]  # the build's row of a violating holder
        assert written[2] and written[2][0][0] == "⚠ breaks 1 rule" and "stages.prod.after" in written[2][0][1]

        for i in VIOLATING:
            page.fill("[data-filter=text]", name(i))
            shown = page.eval_on_selector_all(ROWS, CELLS)
            assert [r[0] for r in shown] == [name(i)]
            row = shown[0]
            assert row[1] == "prod: v1.0.0⚠ breaks 1 rule", row
            assert row[2] == [["⚠ breaks 1 rule", written[2][0][1].replace(name(5), name(i)), "1"]]
        assert page.eval_on_selector_all(ROWS, CELLS)[0][1] == written[1]  # ruled-110's cell as the build draws ruled-005's

        page.fill("[data-filter=text]", name(COMPLIANT))
        shown = page.eval_on_selector_all(ROWS, CELLS)
        assert [r[0] for r in shown] == [name(COMPLIANT)] and shown[0][2] == [] and "breaks" not in shown[0][1]
        # The same pooled <tr> goes from a violating holder to a compliant one and back: no stale warning.
        page.fill("[data-filter=text]", name(110))
        assert page.eval_on_selector_all(ROWS, CELLS)[0][2][0][0] == "⚠ breaks 1 rule"
        page.fill("[data-filter=text]", name(COMPLIANT))
        assert page.eval_on_selector_all(ROWS, CELLS)[0][2] == []
        watch.assert_clean()
    finally:
        page.context.close()
