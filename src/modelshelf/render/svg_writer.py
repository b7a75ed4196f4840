"""What every plot of the catalog shares: which values are plottable, repo text as one
bounded line, and the deterministic SVG save (``render/plots.py``'s trends and
``render/overlay.py``'s overlays both draw through it, so they stay byte-stable alike).

The SVG rcParams that matplotlib reads only from its global ``rcParams`` at save
time (id salt, text as ``<text>``) are set in an ``rc_context`` held under a
module lock just for the save.
"""

from __future__ import annotations

import math
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # matplotlib costs ~0.3 s to import: only a save needs it
    from matplotlib.backends.backend_svg import FigureCanvasSVG

MAX_PLOTTED = 1e200  # larger magnitudes stay in the tables only: matplotlib's margins overflow near 1e308
_SVG_RC = {"svg.hashsalt": "modelshelf", "svg.fonttype": "none", "svg.id": None}
_SVG_METADATA = {"Date": None, "Creator": "modelshelf"}
_SAVE_LOCK = threading.Lock()


def plottable(value: Any) -> float | None:
    """A plottable value: finite, and small enough that axis margins stay finite (1e308 overflowed)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:  # an int beyond float range
        return None
    return number if math.isfinite(number) and abs(number) <= MAX_PLOTTED else None


def one_line(text: str, limit: int) -> str:
    """Repo text as one bounded line (drawn with ``parse_math=False``)."""
    text = " ".join(str(text).split())
    return text[: limit - 1] + "\u2026" if len(text) > limit else text


def save_svg(canvas: FigureCanvasSVG) -> bytes:
    """The figure's SVG bytes, the same for the same drawing (no date, salted ids)."""
    from io import BytesIO

    import matplotlib

    buffer = BytesIO()
    with _SAVE_LOCK, matplotlib.rc_context(_SVG_RC):
        canvas.print_svg(buffer, metadata=_SVG_METADATA)
    return buffer.getvalue()
