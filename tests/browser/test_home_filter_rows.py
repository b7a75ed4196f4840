"""The home page's long list reuses its row elements from keystroke to keystroke (issues 15, 16).

modelshelf.js fills a fixed pool of <tr>s in place (only the cells that differ change) instead of
swapping in new rows (the same elements stay in the table). These checks hold the rows it shows to the HTML the build wrote for the
same models: after filters that change the rows' shape (a model with no version, other labels,
other stages, another type), every cell's text, data-sort and link are the build's; only the
matching models are in the table, and the count is announced in the aria-live status.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import GitBuilder, Site, Watch, _open_page, build_and_serve

MODELS = 130  # more than a page (views.HOME_ROWS = 100): the list is paged from the JSON
ROWS = "table[data-ms-table='models'] tbody tr"

# Each row as a user and a script see it: per cell its text, its data-sort, its links.
CELLS = """
rows => rows.map(tr => [...tr.cells].map(td => [
  td.textContent.replace(/\\s+/g, " ").trim(), td.getAttribute("data-sort"),
  [...td.querySelectorAll("a")].map(a => a.getAttribute("href")),
  [...td.querySelectorAll(".ms-badge")].map(b => [b.getAttribute("data-stage"), b.style.getPropertyValue("--ms-stage")]),
]))
"""
# The same for the rows of the page's HTML as the build wrote it (before modelshelf.js).
BUILT_CELLS = """
async cells => {
  const html = await (await fetch(location.href)).text();
  const doc = new DOMParser().parseFromString(html, "text/html");
  return (new Function("return " + cells))()([...doc.querySelectorAll("table[data-ms-table='models'] tbody tr")]);
}
"""


def name(i: int) -> str:
    return f"shape-{i:03d}"


def shapes_repo(g: GitBuilder) -> list[str]:
    """Models of varied row shapes: every ninth has no version, every fourth two labels, every
    fifth in prod and every third in dev, types alternate."""
    names = [name(i) for i in range(MODELS)]
    lines = ["artifacts:"]
    for i, n in enumerate(names):
        labels = "[alpha, beta]" if i % 4 == 0 else "[alpha]"
        lines += [f"  {n}:", f"    path: models/{n}.bin", f"    type: {'model' if i % 2 else 'dataset'}",
                  f"    desc: {json.dumps(f'Shape number {i}.')}", f"    labels: {labels}"]
    files: dict[str, str | bytes | dict] = {"dvc.yaml": "\n".join(lines) + "\n"}
    files.update({f"models/{n}.bin": n for n in names})
    g.commit("declare models of many shapes", files)
    for i, n in enumerate(names):
        if i % 9 == 4:
            continue  # declared, never registered
        g.tag(f"{n}@v1.{i}.0", message="first")
        if i % 5 == 0:
            g.tag(f"{n}#prod#1", message="ship")
        if i % 3 == 0:
            g.tag(f"{n}#dev#1", message="try")
    return names


@pytest.fixture(scope="module")
def shapes_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, list[str]]]:
    yield from build_and_serve(tmp_path_factory, "shapes", shapes_repo)


def rows(page: Any) -> list:
    return page.eval_on_selector_all(ROWS, CELLS)


def test_filtered_rows_are_the_built_rows_of_the_matching_models(browser: Any, shapes_site: tuple[Site, list[str]],
                                                                 watch: Watch) -> None:
    site, names = shapes_site
    page = _open_page(browser, site, watch)
    try:
        page.goto(site.url)
        page.wait_for_selector("[data-ms-filters][data-ms-bound]")
        built = page.evaluate(BUILT_CELLS, CELLS.strip())
        assert len(built) == 100 and [r[0][0].split(" ")[0] for r in built] == names[:100]
        assert any("not registered" in r[0][0] for r in built) and any(r[5][3] for r in built)
        assert rows(page) == built  # the pooled rows show what the build wrote
        by_name = {r[0][1]: r for r in built}
        status = page.locator(".ms-more__status")
        assert status.get_attribute("aria-live") == "polite"

        # Narrow, widen, miss, come back: each time only the matches, each row the build's.
        for query in ("shape-00", "shape-0", "shape-01", "number 4", "zzz", "shape-1", ""):
            page.fill("[data-filter=text]", query)
            wanted = [n for i, n in enumerate(names) if query in n or query in f"shape number {i}."]
            shown = rows(page)
            assert [r[0][1] for r in shown] == wanted[:100], query
            assert all(r == by_name[r[0][1]] for r in shown if r[0][1] in by_name), query
            assert page.locator(f"{ROWS}[hidden]").count() == 0
            count = f"{MODELS} models" if not query else f"{len(wanted)} of {MODELS} models"
            assert page.inner_text("[data-filter-count]") == count
            matching = "" if not query else " matching"
            assert status.inner_text() == f"Showing {min(len(wanted), 100)} of {len(wanted)}{matching}."

        # The rows are the same elements, filled again: the first <tr> now shows the first match.
        page.evaluate(f"() => {{ window.msFirstRow = document.querySelector({ROWS!r}); }}")
        page.fill("[data-filter=text]", "shape-12")
        assert page.evaluate(f"() => document.querySelector({ROWS!r}) === window.msFirstRow")
        assert rows(page)[0] == by_name.get(name(120), rows(page)[0]) and rows(page)[0][0][1] == name(120)
        page.fill("[data-filter=text]", "")

        # A select filter, then the list sorted by name descending: still the build's cells.
        page.select_option("[data-filter=stage]", "prod")
        prod = [n for i, n in enumerate(names) if i % 5 == 0 and i % 9 != 4]
        shown = rows(page)
        assert [r[0][1] for r in shown] == prod
        assert all(r == by_name[r[0][1]] for r in shown if r[0][1] in by_name)
        page.select_option("[data-filter=stage]", "")
        header = page.locator("table[data-ms-table='models'] th", has_text="Model")
        header.click()
        header.click()
        shown = rows(page)
        assert [r[0][1] for r in shown] == sorted(names, reverse=True)[:100]
        assert all(r == by_name[r[0][1]] for r in shown if r[0][1] in by_name)
        watch.assert_clean()
    finally:
        page.context.close()
