"""Overlay plots: one ``dvc.yaml`` plot (ROC, precision-recall, ...) across a model's latest versions.

Drawn with matplotlib's object API into deterministic SVG and cached by a
hash of what is drawn, exactly like the metric trends in ``render/plots.py``
(whose save helper is reused), so a rebuild redraws only what changed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.semver import SemVer
from .plots import ReusableFigure, _number, _plain, _save  # noqa: PLC2701 - the shared deterministic SVG writer

STYLE_VERSION = "2"
OVERLAY_VERSIONS = 5
COLORS = ("#3f51b5", "#e65100", "#2e7d32", "#c2185b", "#00838f", "#6d4c41", "#5e35b1", "#9e9d24")
_SIZE = (4.0, 3.0)

JSON = dict[str, Any]


@dataclass(frozen=True)
class Curve:
    label: str
    points: tuple[tuple[float, float], ...]


def latest_versions(model: JSON, count: int = OVERLAY_VERSIONS) -> list[JSON]:
    """Active SemVer versions, greatest first, at most ``count``."""
    active = [v for v in model.get("versions", []) if v.get("status") == "active" and SemVer.is_valid(v["version"])]
    active.sort(key=lambda v: (SemVer.parse(v["version"]), v["version"]), reverse=True)
    return active[:count]


def _curves(versions: list[JSON], plot_id: str) -> tuple[str, str, str, list[Curve]]:
    curves: list[Curve] = []
    title, x, y = plot_id, "", ""
    for version in reversed(versions):  # oldest first: the newest is drawn on top
        plot = next((p for p in version.get("plots") or () if p.get("id") == plot_id and p.get("kind") == "data"), None)
        if plot is None:
            continue
        title, x, y = plot.get("title") or plot_id, plot.get("x", ""), plot.get("y", "")
        several = len(plot["series"]) > 1
        for series in plot["series"]:
            label = f"{version['version']} {series['y']}" if several else version["version"]
            points = [(_number(a), _number(b)) for a, b in series["points"]]
            curves.append(Curve(label, tuple((a, b) for a, b in points if a is not None and b is not None)))
    return title, x, y, curves


def overlay_filename(plot_id: str, title: str, x: str, y: str, curves: list[Curve]) -> str:
    payload = {"style": STYLE_VERSION, "id": plot_id, "title": title, "x": x, "y": y,
               "curves": [[c.label, [[repr(a), repr(b)] for a, b in c.points]] for c in curves]}
    digest = hashlib.sha1(json.dumps(payload, sort_keys=True, ensure_ascii=True).encode()).hexdigest()
    return f"overlay-{digest[:16]}.svg"


@dataclass(frozen=True)
class OverlayRef:
    """An overlay a page shows, by its content address (the file may still be drawing)."""

    plot_id: str
    title: str
    versions: tuple[str, ...]
    filename: str


def _overlays(model: JSON, count: int) -> list[tuple[OverlayRef, tuple[str, str, str, list[Curve]]]]:
    """Each data plot that at least two of the latest versions have, with what it draws."""
    versions = latest_versions(model, count)
    ids = list(dict.fromkeys(p["id"] for v in versions for p in v.get("plots") or () if p.get("kind") == "data"))
    found = []
    for plot_id in ids:
        title, x, y, curves = _curves(versions, plot_id)
        shown = tuple(dict.fromkeys(c.label.split(" ")[0] for c in curves))
        if len(shown) < 2:
            continue
        ref = OverlayRef(plot_id, title, shown, overlay_filename(plot_id, title, x, y, curves))
        found.append((ref, (title, x, y, curves)))
    return found


def overlay_refs(model: JSON, count: int = OVERLAY_VERSIONS) -> list[OverlayRef]:
    """The overlays of ``model``'s page, without drawing or reading them."""
    return [ref for ref, _ in _overlays(model, count)]


def overlay_jobs(model: JSON, cache_dir: Path, count: int = OVERLAY_VERSIONS) -> dict[str, tuple]:
    """The overlays not in the cache yet, for ``render.plots.start_drawing``."""
    return {ref.filename: (_draw, args) for ref, args in _overlays(model, count)
            if not (Path(cache_dir) / ref.filename).is_file()}


def _overlay_axes(ax: Any) -> None:
    ax.grid(color="#e0e0e0", linewidth=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


_OVERLAY = ReusableFigure(_SIZE, _overlay_axes)


def _draw(title: str, x: str, y: str, curves: list[Curve]) -> bytes:
    figure, canvas, ax = _OVERLAY.ready()
    for i, curve in enumerate(curves):
        ax.plot([p[0] for p in curve.points], [p[1] for p in curve.points], color=COLORS[i % len(COLORS)],
                linewidth=1.3, label=_plain(curve.label, 24).replace("$", r"\$"))
    ax.relim()
    ax.autoscale_view()
    figure.text(0.14, 0.93, _plain(title, 60), fontsize=8, ha="left", va="bottom",  # fixed: no title layout
                usetex=False, parse_math=False)
    ax.set_xlabel(_plain(x, 40), fontsize=7, usetex=False, parse_math=False)
    ax.set_ylabel(_plain(y, 40), fontsize=7, usetex=False, parse_math=False)
    ax.tick_params(labelsize=6.5)
    ax.legend(fontsize=6, frameon=False, loc="best")
    figure.subplots_adjust(left=0.14, right=0.97, bottom=0.14, top=0.9)
    return _save(canvas)
