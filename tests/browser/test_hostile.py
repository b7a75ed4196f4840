"""Hostile repository text in a real browser: nothing runs, everything reads as text."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import IMAGES_LOADED, Site, Watch, screenshot, wait_for_diagrams
from .scenario import DESCRIPTION, IMG, SCRIPT

pytestmark = pytest.mark.gto  # the scenario repos are written with the real gto CLI

# Every element, including those in (opened) shadow roots such as Mermaid's diagrams.
ALL_ELEMENTS = """() => {
  const out = [];
  const walk = root => root.querySelectorAll("*").forEach(e => { out.push(e); if (e.shadowRoot) walk(e.shadowRoot); });
  walk(document);
  return out;
}"""
DANGEROUS = f"""() => ({ALL_ELEMENTS})().flatMap(e => {{
  const bad = [];
  for (const a of e.attributes) {{
    if (/^on/i.test(a.name)) bad.push(e.tagName + " " + a.name + "=" + a.value);
    if (/^\\s*javascript:/i.test(a.value)) bad.push(e.tagName + " " + a.name + "=" + a.value);
  }}
  if (e.tagName === "SCRIPT" && /alert/.test(e.textContent)) bad.push("SCRIPT " + e.textContent);
  if (e.tagName === "IFRAME") bad.push("IFRAME");
  return bad;
}})"""


def visit(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    for img in page.locator("img").all():
        img.scroll_into_view_if_needed()
    for summary in page.locator("details:not([open]) > summary").all():
        summary.click()  # everything rendered, every diagram visible
    wait_for_diagrams(page)


def assert_inert(page: Any) -> None:
    assert page.evaluate(DANGEROUS) == [], page.url


def test_hostile_model_page_shows_text_and_runs_nothing(hostile_page: Any, hostile_site: Site, watch: Watch) -> None:
    page = hostile_page
    visit(page, hostile_site.page_url("evil-model"))
    screenshot(page, "hostile-model")
    assert_inert(page)
    assert DESCRIPTION.split("[")[0].strip() in page.inner_text(".ms-description")
    assert IMG in page.inner_text(".ms-facts")  # a label, shown as text
    card = page.inner_text(".ms-card")
    assert SCRIPT in card  # license fact, as text
    assert "alert(1)" not in page.inner_html(".ms-card-body")  # the card's own markup is sanitized
    assert "alert(4)" not in page.inner_html(".ms-card-body")
    diagram = page.locator("div.mermaid svg").first.text_content()
    assert "<img src=x onerror=alert(1)>" in diagram  # the lineage path, drawn as text
    page.wait_for_function(f"({IMAGES_LOADED})([...document.querySelectorAll('.ms-plot img')])")
    assert page.locator(".ms-plot img").count() >= 1
    assert not watch.dialogs and not watch.page_errors, (watch.dialogs, watch.page_errors)


def test_hostile_listing_and_history_run_nothing(hostile_page: Any, hostile_site: Site, watch: Watch) -> None:
    page = hostile_page
    visit(page, hostile_site.url)
    assert_inert(page)
    assert "Danger " + SCRIPT in page.inner_text("table[data-ms-table='models']")
    page.fill("[data-filter=text]", "<script>")  # the filter treats it as text too
    assert page.locator("table[data-ms-table='models'] tbody tr:not([hidden])").count() == 1
    screenshot(page, "hostile-home")
    href = page.evaluate("[...document.querySelectorAll('a')].map(a => a.href).find(h => h.includes('activity'))")
    if href:
        visit(page, href)
        assert_inert(page)
        assert SCRIPT in page.inner_text("article")  # tag messages, as text
    assert not watch.dialogs and not watch.page_errors, (watch.dialogs, watch.page_errors)
