"""Readable text on a user's colour: WCAG 2 contrast, as a pure function of CSS colour strings.

Stage badges are drawn in colours users choose (``stage_colors``); their text must keep a
4.5:1 contrast (WCAG 2 AA for normal text) whatever the colour, so it is computed here
rather than fixed to white.
"""

from __future__ import annotations

import colorsys
import functools
import re

from ..core.errors import ModelshelfError

AA_NORMAL = 4.5  # WCAG 2 AA, normal-size text
WHITE = "#ffffff"
BLACK = "#000000"

# CSS Color Module Level 4 named colours (the 148 names; CSS names are case-insensitive).
NAMED_COLORS = {
    "aliceblue": "#f0f8ff", "antiquewhite": "#faebd7", "aqua": "#00ffff", "aquamarine": "#7fffd4",
    "azure": "#f0ffff", "beige": "#f5f5dc", "bisque": "#ffe4c4", "black": "#000000",
    "blanchedalmond": "#ffebcd", "blue": "#0000ff", "blueviolet": "#8a2be2", "brown": "#a52a2a",
    "burlywood": "#deb887", "cadetblue": "#5f9ea0", "chartreuse": "#7fff00", "chocolate": "#d2691e",
    "coral": "#ff7f50", "cornflowerblue": "#6495ed", "cornsilk": "#fff8dc", "crimson": "#dc143c",
    "cyan": "#00ffff", "darkblue": "#00008b", "darkcyan": "#008b8b", "darkgoldenrod": "#b8860b",
    "darkgray": "#a9a9a9", "darkgreen": "#006400", "darkgrey": "#a9a9a9", "darkkhaki": "#bdb76b",
    "darkmagenta": "#8b008b", "darkolivegreen": "#556b2f", "darkorange": "#ff8c00", "darkorchid": "#9932cc",
    "darkred": "#8b0000", "darksalmon": "#e9967a", "darkseagreen": "#8fbc8f", "darkslateblue": "#483d8b",
    "darkslategray": "#2f4f4f", "darkslategrey": "#2f4f4f", "darkturquoise": "#00ced1",
    "darkviolet": "#9400d3", "deeppink": "#ff1493", "deepskyblue": "#00bfff", "dimgray": "#696969",
    "dimgrey": "#696969", "dodgerblue": "#1e90ff", "firebrick": "#b22222", "floralwhite": "#fffaf0",
    "forestgreen": "#228b22", "fuchsia": "#ff00ff", "gainsboro": "#dcdcdc", "ghostwhite": "#f8f8ff",
    "gold": "#ffd700", "goldenrod": "#daa520", "gray": "#808080", "green": "#008000",
    "greenyellow": "#adff2f", "grey": "#808080", "honeydew": "#f0fff0", "hotpink": "#ff69b4",
    "indianred": "#cd5c5c", "indigo": "#4b0082", "ivory": "#fffff0", "khaki": "#f0e68c",
    "lavender": "#e6e6fa", "lavenderblush": "#fff0f5", "lawngreen": "#7cfc00", "lemonchiffon": "#fffacd",
    "lightblue": "#add8e6", "lightcoral": "#f08080", "lightcyan": "#e0ffff",
    "lightgoldenrodyellow": "#fafad2", "lightgray": "#d3d3d3", "lightgreen": "#90ee90",
    "lightgrey": "#d3d3d3", "lightpink": "#ffb6c1", "lightsalmon": "#ffa07a", "lightseagreen": "#20b2aa",
    "lightskyblue": "#87cefa", "lightslategray": "#778899", "lightslategrey": "#778899",
    "lightsteelblue": "#b0c4de", "lightyellow": "#ffffe0", "lime": "#00ff00", "limegreen": "#32cd32",
    "linen": "#faf0e6", "magenta": "#ff00ff", "maroon": "#800000", "mediumaquamarine": "#66cdaa",
    "mediumblue": "#0000cd", "mediumorchid": "#ba55d3", "mediumpurple": "#9370db",
    "mediumseagreen": "#3cb371", "mediumslateblue": "#7b68ee", "mediumspringgreen": "#00fa9a",
    "mediumturquoise": "#48d1cc", "mediumvioletred": "#c71585", "midnightblue": "#191970",
    "mintcream": "#f5fffa", "mistyrose": "#ffe4e1", "moccasin": "#ffe4b5", "navajowhite": "#ffdead",
    "navy": "#000080", "oldlace": "#fdf5e6", "olive": "#808000", "olivedrab": "#6b8e23", "orange": "#ffa500",
    "orangered": "#ff4500", "orchid": "#da70d6", "palegoldenrod": "#eee8aa", "palegreen": "#98fb98",
    "paleturquoise": "#afeeee", "palevioletred": "#db7093", "papayawhip": "#ffefd5", "peachpuff": "#ffdab9",
    "peru": "#cd853f", "pink": "#ffc0cb", "plum": "#dda0dd", "powderblue": "#b0e0e6", "purple": "#800080",
    "rebeccapurple": "#663399", "red": "#ff0000", "rosybrown": "#bc8f8f", "royalblue": "#4169e1",
    "saddlebrown": "#8b4513", "salmon": "#fa8072", "sandybrown": "#f4a460", "seagreen": "#2e8b57",
    "seashell": "#fff5ee", "sienna": "#a0522d", "silver": "#c0c0c0", "skyblue": "#87ceeb",
    "slateblue": "#6a5acd", "slategray": "#708090", "slategrey": "#708090", "snow": "#fffafa",
    "springgreen": "#00ff7f", "steelblue": "#4682b4", "tan": "#d2b48c", "teal": "#008080",
    "thistle": "#d8bfd8", "tomato": "#ff6347", "turquoise": "#40e0d0", "violet": "#ee82ee",
    "wheat": "#f5deb3", "white": "#ffffff", "whitesmoke": "#f5f5f5", "yellow": "#ffff00",
    "yellowgreen": "#9acd32",
}

_HEX = re.compile(r"^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$")
_FUNC = re.compile(r"^(rgb|hsl)a?\(\s*([^)]*)\)$")

RGBA = tuple[float, float, float, float]  # channels 0-255, alpha 0-1


class ColorError(ModelshelfError, ValueError):
    """A string that is not a CSS colour this module understands."""


def parse_color(text: str) -> RGBA:
    """``#rgb``, ``#rgba``, ``#rrggbb``, ``#rrggbbaa``, a CSS name, ``rgb()``/``rgba()``, ``hsl()``/``hsla()``."""
    value = text.strip().lower()
    if value in NAMED_COLORS:
        value = NAMED_COLORS[value]
    hexa = _HEX.match(value)
    if hexa:
        digits = hexa.group(1)
        if len(digits) <= 4:
            digits = "".join(c * 2 for c in digits)
        channels = [int(digits[i:i + 2], 16) for i in range(0, len(digits), 2)]
        alpha = channels[3] / 255 if len(channels) == 4 else 1.0
        return (float(channels[0]), float(channels[1]), float(channels[2]), alpha)
    func = _FUNC.match(value)
    if not func:
        raise ColorError(f"'{text}' is not a CSS colour (#hex, a colour name, rgb(), hsl())")
    parts = [p for p in re.split(r"[\s,/]+", func.group(2)) if p]
    if len(parts) not in (3, 4):
        raise ColorError(f"'{text}' needs three values (and an optional alpha)")
    try:
        alpha = _fraction(parts[3]) if len(parts) == 4 else 1.0
        if func.group(1) == "rgb":
            rgb = [_fraction(p) * 255 if p.endswith("%") else float(p) for p in parts[:3]]
        else:
            hue = float(parts[0].removesuffix("deg")) / 360 % 1.0
            light, sat = _fraction(parts[2]), _fraction(parts[1])
            rgb = [c * 255 for c in colorsys.hls_to_rgb(hue, light, sat)]
    except ValueError as error:
        raise ColorError(f"'{text}' is not a CSS colour: {error}") from None
    r, g, b = (min(max(c, 0.0), 255.0) for c in rgb)
    return (r, g, b, min(max(alpha, 0.0), 1.0))


def _fraction(part: str) -> float:
    return float(part[:-1]) / 100 if part.endswith("%") else float(part)


def over_white(rgba: RGBA) -> tuple[float, float, float]:
    """A translucent colour as it shows on white (badges are drawn on a white base)."""
    r, g, b, a = rgba
    return (r * a + 255 * (1 - a), g * a + 255 * (1 - a), b * a + 255 * (1 - a))


def relative_luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG 2's relative luminance of an sRGB colour (channels 0-255)."""
    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two CSS colours, 1 to 21 (translucent ones taken over white)."""
    a, b = (relative_luminance(over_white(parse_color(c))) for c in (first, second))
    light, dark = max(a, b), min(a, b)
    return (light + 0.05) / (dark + 0.05)


@functools.lru_cache(maxsize=256)  # pure; a catalog uses a handful of colours, on every badge
def opaque(color: str) -> str:
    """The colour itself when opaque, else ``#rrggbb`` of how it shows on white."""
    rgba = parse_color(color)
    if rgba[3] >= 1:
        return color
    return "#" + "".join(f"{round(c):02x}" for c in over_white(rgba))


@functools.lru_cache(maxsize=256)
def text_color_on(background: str) -> str:
    """White when it keeps 4.5:1 on ``background``, else black (which then always does).

    White first keeps the look of the familiar dark stage colours; the product of the two
    contrasts is 21, so when white falls short black reaches at least 4.67:1.
    """
    return WHITE if contrast_ratio(WHITE, background) >= AA_NORMAL else BLACK
