"""Byte sizes as people read them, one way across the catalog (binary units, as DVC and Git LFS print them)."""

from __future__ import annotations


def human_size(size: object) -> str | None:
    """``4.0 KiB``; None when ``size`` is not a byte count (missing, negative, not an int)."""
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        return None
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return None
