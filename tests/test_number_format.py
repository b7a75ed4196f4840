"""The site's one number format (number_format.fmt_value): tables, deltas, compare page and plot ticks.

compare.js has a twin of this function; tests/browser/test_dense_catalog.py feeds both the
same values (FORMAT_CASES and more) and compares.
"""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modelshelf.render.plots import tick_labels
from modelshelf.render.views import fmt_value

# value, text: large, tiny, negative, integer-valued floats, ints, ties, boundaries, non-numbers
FORMAT_CASES = [
    (1e15, "1e15"), (1147500000000000.0, "1.148e15"), (-2.5e12, "-2.5e12"), (123456789, "1.235e8"),
    (1e6, "1e6"), (999999.5, "999999.5"), (999999.99995, "999999.9999"),
    (12.0, "12"), (12, "12"), (-3.0, "-3"), (100.5, "100.5"), (0.84, "0.84"), (0.1 + 0.2, "0.3"),
    (-0.0421, "-0.0421"), (0.001, "0.001"), (0.00099995, "1e-3"), (2.112e-6, "2.112e-6"),
    (-4.2e-4, "-4.2e-4"), (3.2e-7, "3.2e-7"), (5e-324, "4.941e-324"),
    (0.03125, "0.0313"), (-0.03125, "-0.0313"), (2.5e-5, "2.5e-5"), (0.00015625, "1.563e-4"),  # binary-exact ties: away from zero
    (0, "0"), (0.0, "0"), (-0.0, "0"), (10**400, "1e400"),
    (math.nan, "NaN"), (math.inf, "∞"), (-math.inf, "-∞"),
    (True, "true"), (False, "false"), (None, "—"), ("adam", "adam"), ("1e5", "1e5"),
]


@pytest.mark.parametrize("value, text", FORMAT_CASES)
def test_format_cases(value: object, text: str) -> None:
    assert fmt_value(value) == text


@given(st.integers(min_value=-(2**53), max_value=2**53))
def test_an_int_and_the_same_float_read_alike(n: int) -> None:
    """The compare page cannot tell 12 from 12.0 (both are JSON numbers): neither may the tables."""
    assert fmt_value(n) == fmt_value(float(n))


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_finite_float_reads_back_near_its_value(value: float) -> None:
    text = fmt_value(value)
    back, exact = Decimal(text), Decimal(value)  # exact: 1.798e308 is past float's range
    if value == 0:
        assert back == 0
    elif "e" in text:  # four significant digits
        assert abs(back - exact) <= abs(exact) * Decimal("0.0005")
    else:  # four decimals
        assert abs(back - exact) <= Decimal("0.00005")
        assert 1e-3 <= abs(value) < 1e6
    assert "+" not in text and "e0" not in text and "e-0" not in text  # 1e5, 2e-6: no padding, no plus


def test_plot_ticks_use_the_table_format_and_more_digits_only_to_stay_distinct() -> None:
    assert tick_labels([0.8, 0.84, 0.88]) == ["0.8", "0.84", "0.88"]
    assert tick_labels([1e15, 1.5e15, 2e15]) == ["1e15", "1.5e15", "2e15"]
    assert tick_labels([-2.5e-12, -2e-12]) == ["-2.5e-12", "-2e-12"]
    narrow = tick_labels([0.12341, 0.12342, 0.12343])
    assert narrow == ["0.12341", "0.12342", "0.12343"]  # four decimals would print 0.1234 three times
