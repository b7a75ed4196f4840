"""The one number format of the site and the terminal (compare.js's ``fmt`` is its twin).

A leaf (standard library only): the renderer's tables and plot ticks and the CLI's
``compare`` share it without the CLI importing the renderer.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, localcontext


def fmt_value(value: object, places: int = 4) -> str:
    """Metric and param values, the one rule of the whole site (compare.js's ``fmt`` is its twin).

    Numbers are formatted by value, never by type, because the compare page only sees
    JSON numbers (``12.0`` and ``12`` are one number there): from 0.001 up to a million,
    at most four decimals with trailing zeros dropped (``0.84``, ``12``, ``-0.0421``);
    smaller or larger magnitudes in four significant digits (``1.148e15``, ``2.2e-6``).
    Rounding is half away from zero on the exact binary value, as JavaScript's
    ``toFixed``/``toExponential`` do, so both sides print the same digits. ``places``
    (decimals; significant digits in the exponent form) is raised only for plot axes whose
    ticks would otherwise print the same label twice.
    """
    if isinstance(value, bool) or value is None:
        return "—" if value is None else str(value).lower()
    if isinstance(value, (int, float)):
        return _fmt_number(value, places)
    return str(value)


def _fmt_number(value: int | float, places: int) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else "∞" if value > 0 else "-∞"
    if value == 0:
        return "0"
    with localcontext() as context:
        context.rounding = ROUND_HALF_UP
        exact = Decimal(value)  # exact: a float's binary value, an int of any size
        if abs(value) >= 1e6 or abs(value) < 1e-3:
            mantissa, exponent = format(exact, f".{places - 1}e").split("e")
            return f"{_drop_zeros(mantissa)}e{int(exponent)}"
        return _drop_zeros(format(exact, f".{places}f"))


def _drop_zeros(digits: str) -> str:
    return digits.rstrip("0").rstrip(".") if "." in digits else digits
