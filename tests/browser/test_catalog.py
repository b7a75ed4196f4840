"""The demo catalog in a real browser: listing, filters, model pages, plots, lineage, offline."""

from __future__ import annotations

from typing import Any

from .conftest import IMAGES_LOADED, Site, Watch, screenshot, wait_for_diagrams

COPY_BUTTON = "button[data-md-type=copy], button.md-clipboard"  # Material >= 9.7, older


def test_only_the_open_lineage_is_drawn_at_load_the_others_when_opened(demo_page: Any, demo_site: Site,
                                                                        watch: Watch) -> None:
    """Mermaid costs ~35 ms a diagram: a long history drawn at load blocked the page for seconds."""
    page = demo_page
    model = richest_model(demo_site)
    page.goto(demo_site.page_url(model["name"]))
    details = page.locator("details.ms-lineage")
    assert details.count() >= 3
    page.wait_for_function("document.querySelectorAll('div.mermaid').length === 1")
    assert page.locator("details.ms-lineage[open] div.mermaid svg").count() == 1  # the newest, open at load
    assert page.locator("pre.ms-mermaid-lazy").count() == details.count() - 1  # the others: source, not drawn
    third = details.nth(2)
    third.locator("summary").click()
    third.locator("div.mermaid svg").wait_for(state="visible")
    assert page.locator("div.mermaid").count() == 2
    drawn = third.locator("div.mermaid svg").text_content()
    assert model["name"] in drawn and "stage: " in drawn
    assert third.locator("div.mermaid svg").bounding_box()["width"] > 100
    third.locator("summary").click()  # closed and opened again: drawn once
    third.locator("summary").click()
    assert page.locator("div.mermaid").count() == 2 and third.locator("div.mermaid svg").count() == 1
    watch.assert_clean()


def visible_names(page: Any) -> list[str]:
    return page.eval_on_selector_all(
        "table[data-ms-table] tbody tr:not([hidden])",
        "rows => rows.map(r => r.querySelector('td a').textContent.trim())",
    )


def test_home_lists_every_model_and_filters_narrow_the_table(demo_page: Any, demo_site: Site, watch: Watch) -> None:
    page = demo_page
    page.goto(demo_site.url)
    models = demo_site.index["models"]
    names = sorted(m["name"] for m in models)
    page.wait_for_selector("[data-ms-filters][data-ms-bound]")  # the catalog script ran
    assert sorted(visible_names(page)) == names
    screenshot(page, "demo-home")

    target = "demand-forecast"
    page.fill("[data-filter=text]", target)
    shown = visible_names(page)
    assert target in shown and len(shown) < len(names)
    assert page.inner_text("[data-filter-count]") == f"{len(shown)} of {len(names)} models"

    page.fill("[data-filter=text]", "")
    assert sorted(visible_names(page)) == names
    for stage in demo_site.index["stages"]:
        page.select_option("[data-filter=stage]", stage)
        assert sorted(visible_names(page)) == sorted(m["name"] for m in models if stage in m["stages"]), stage
    page.select_option("[data-filter=stage]", "")
    labels = sorted({label for m in models for label in m["labels"]})
    label = min(labels, key=lambda name: (sum(name in m["labels"] for m in models), name))
    page.select_option("[data-filter=label]", label)
    assert sorted(visible_names(page)) == sorted(m["name"] for m in models if label in m["labels"])
    screenshot(page, "demo-home-filtered", full_page=False)
    watch.assert_clean()


def richest_model(site: Site) -> dict:
    """The model with the most to show: stages, lineage, several versions."""
    return max(site.index["models"], key=lambda m: (len(m["stages"]), len(m["versions"]), m["name"]))


def test_model_page_shows_stages_plots_lineage_and_copy_buttons(demo_page: Any, demo_site: Site, watch: Watch) -> None:
    page = demo_page
    model = richest_model(demo_site)
    page.goto(demo_site.page_url(model["name"]))
    assert page.inner_text("h1").startswith(model["name"])

    facts = page.locator(".ms-facts")
    for stage, version in model["stages"].items():
        badge = facts.locator(f'.ms-badge[data-stage="{stage}"]')
        assert badge.count() == 1, stage
        assert version[:7] in badge.inner_text(), (stage, version)

    images = page.locator(".ms-plot img")
    assert images.count() >= 2
    for i in range(images.count()):
        images.nth(i).scroll_into_view_if_needed()  # they load lazily
    page.wait_for_function(f"({IMAGES_LOADED})([...document.querySelectorAll('.ms-plot img')])")

    assert wait_for_diagrams(page) >= 1
    first = page.locator("div.mermaid svg").first
    drawn = first.text_content()
    assert model["name"] in drawn and "stage: " in drawn
    assert first.bounding_box()["width"] > 100

    code_blocks = page.locator(".ms-use pre").count()
    assert code_blocks >= 1
    assert page.locator(f".ms-use pre:has({COPY_BUTTON})").count() == code_blocks

    page.locator("#lineage").scroll_into_view_if_needed()
    screenshot(page, "demo-model-lineage", full_page=False)
    screenshot(page, "demo-model")
    watch.assert_clean()


def test_copy_button_copies_the_command(demo_page: Any, demo_site: Site, watch: Watch) -> None:
    page = demo_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=demo_site.url.rstrip("/"))
    page.goto(demo_site.page_url(richest_model(demo_site)["name"]))
    block = page.locator(".ms-use .tabbed-block").first.locator("pre").first
    expected = block.locator("code").inner_text().strip()
    block.hover()
    block.locator(COPY_BUTTON).first.click()
    assert page.evaluate("navigator.clipboard.readText()").strip() == expected
    assert expected.startswith("modelshelf ")
    watch.assert_clean()


def test_every_page_works_offline_without_console_errors(demo_page: Any, demo_site: Site, watch: Watch) -> None:
    """No CDN, no web fonts, no 404s, no script errors: the catalog is self-contained."""
    page = demo_page
    urls = [demo_site.url] + [demo_site.url + m["page"] for m in demo_site.index["models"]]
    for link in ("stages", "activity"):
        page.goto(demo_site.url)
        href = page.evaluate(f"[...document.querySelectorAll('a')].map(a => a.href).find(h => h.includes('{link}'))")
        if href:
            urls.append(href)
    for url in urls:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        wait_for_diagrams(page)
        for img in page.locator("img").all():
            img.scroll_into_view_if_needed()
        page.wait_for_function(f"({IMAGES_LOADED})([...document.images])")
    assert len(urls) >= len(demo_site.index["models"]) + 1
    watch.assert_clean(offline=True)


def test_demo_works_opened_from_disk_compare_and_search(browser: Any, demo_site: Site, watch: Watch) -> None:
    """`modelshelf demo` prints a file:// address, where browsers refuse fetch() and Web Workers:
    the compare page reads api/models/*.js and search runs through the vendored worker shim."""
    from .conftest import _open_page

    on_disk = Site(demo_site.root, demo_site.root.as_uri() + "/")
    page = _open_page(browser, on_disk, watch)
    try:
        model = richest_model(demo_site)
        active = [v["version"] for v in model["versions"] if v["status"] == "active"][:2]
        page.goto(f"{on_disk.url}compare.html?model={model['name']}&v={active[1]}&v={active[0]}")
        page.wait_for_selector(".ms-compare-metrics table")
        header = page.eval_on_selector_all(".ms-compare-metrics table thead th", "ths => ths.map(t => t.textContent)")
        assert any(active[0] in h for h in header) and any(active[1] in h for h in header)
        screenshot(page, "demo-compare-from-disk")
        page.goto(on_disk.url + "index.html")
        page.locator("input.md-search__input").click()
        page.keyboard.type(model["name"].split(":")[-1][:6])
        page.wait_for_selector(".md-search-result__item")
        assert any(model["name"] in text for text in page.locator(".md-search-result__item").all_inner_texts())
        watch.assert_clean(offline=True)  # no CDN shim, no worker or fetch errors
    finally:
        page.context.close()
