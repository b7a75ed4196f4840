"""Stage badge text stays readable on any colour a user chooses (``stage_colors``): WCAG 2 contrast.

The oracle here is the WCAG 2 formula written out independently of render/contrast.py, on
colours given as RGB triples (no CSS parsing on this side).
"""

from __future__ import annotations

import colorsys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modelshelf.render.contrast import (
    AA_NORMAL, ColorError, contrast_ratio, opaque, parse_color, text_color_on,
)
from modelshelf.render.site_options import KNOWN_STAGE_COLORS, PALETTE, OptionsError, SiteOptions
from modelshelf.render.views import StageBadge


def wcag_luminance(rgb: tuple[float, float, float]) -> float:
    """https://www.w3.org/TR/WCAG21/#dfn-relative-luminance"""
    def channel(value: float) -> float:
        s = value / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = rgb
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def wcag_contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    la, lb = sorted((wcag_luminance(a), wcag_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


WHITE, BLACK = (255, 255, 255), (0, 0, 0)
TEXT = {"#ffffff": WHITE, "#000000": BLACK}


def test_known_ratios_of_the_formula() -> None:
    assert contrast_ratio("#fff", "#000") == pytest.approx(21)
    assert contrast_ratio("white", "white") == pytest.approx(1)
    # Values WCAG tools agree on: #777 on white just misses AA, #767676 just makes it.
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(wcag_contrast((119,) * 3, WHITE))
    assert contrast_ratio("#777777", "#ffffff") < AA_NORMAL
    assert contrast_ratio("#767676", "#ffffff") >= AA_NORMAL
    # The badge: white on the staging orange is 3.08:1.
    assert contrast_ratio("#ffffff", "#ef6c00") == pytest.approx(3.08, abs=0.01)


@pytest.mark.parametrize("css, rgba", [
    ("#ef6c00", (239, 108, 0, 1.0)), ("#abc", (170, 187, 204, 1.0)), ("#ff000080", (255, 0, 0, 128 / 255)),
    ("Orange", (255, 165, 0, 1.0)), ("rebeccapurple", (102, 51, 153, 1.0)),
    ("rgb(10, 20, 30)", (10, 20, 30, 1.0)), ("rgba(10,20,30,0.5)", (10, 20, 30, 0.5)),
    ("rgb(100%, 0%, 50%)", (255, 0, 127.5, 1.0)),
])
def test_css_colours_are_parsed(css: str, rgba: tuple) -> None:
    assert parse_color(css) == pytest.approx(rgba)


def test_hsl_matches_the_rgb_it_names() -> None:
    r, g, b = (c * 255 for c in colorsys.hls_to_rgb(210 / 360, 0.4, 0.8))
    assert parse_color("hsl(210, 80%, 40%)") == pytest.approx((r, g, b, 1.0))


@pytest.mark.parametrize("bad", ["blurple", "rgb(1,2)", "#12", "hsl(a, b, c)", ""])
def test_what_is_not_a_colour_is_refused(bad: str) -> None:
    with pytest.raises(ColorError):
        parse_color(bad)


def test_unknown_colour_names_are_refused_as_options_naming_the_stage() -> None:
    with pytest.raises(OptionsError, match="stage_colors: stage 'prod'"):
        SiteOptions(stage_colors={"prod": "blurple"})
    SiteOptions(stage_colors={"prod": "Gold", "qa": "rgba(0, 0, 0, 0.2)", "dev": "hsl(200, 50%, 30%)"})


@given(st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255)))
@settings(max_examples=400, deadline=None)
def test_badge_text_keeps_aa_contrast_on_any_opaque_colour(rgb: tuple[int, int, int]) -> None:
    css = "#" + "".join(f"{c:02x}" for c in rgb)
    text = text_color_on(css)
    assert wcag_contrast(TEXT[text], rgb) >= AA_NORMAL
    if wcag_contrast(WHITE, rgb) >= AA_NORMAL:
        assert text == "#ffffff"  # white wherever it is readable: the familiar dark badges keep their look


@given(st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255)), st.integers(0, 99))
@settings(max_examples=200, deadline=None)
def test_translucent_colours_are_drawn_opaque_and_keep_contrast(rgb: tuple[int, int, int], percent: int) -> None:
    css = f"rgba({rgb[0]}, {rgb[1]}, {rgb[2]}, {percent / 100})"
    shown = opaque(css)
    assert shown.startswith("#") and len(shown) == 7
    drawn = tuple(int(shown[i:i + 2], 16) for i in (1, 3, 5))
    expected = tuple(c * percent / 100 + 255 * (1 - percent / 100) for c in rgb)  # over white
    assert drawn == pytest.approx(expected, abs=0.5)
    assert wcag_contrast(TEXT[text_color_on(css)], drawn) >= AA_NORMAL - 0.05  # rounding to whole channels


@pytest.mark.parametrize("color", sorted({*KNOWN_STAGE_COLORS.values(), *PALETTE}))
def test_every_default_stage_colour_gets_readable_text(color: str) -> None:
    badge = StageBadge("s", None, color)
    rgb = parse_color(badge.background)[:3]
    assert wcag_contrast(TEXT[badge.text_color], rgb) >= AA_NORMAL
    assert badge.background == color  # opaque colours are used as given
