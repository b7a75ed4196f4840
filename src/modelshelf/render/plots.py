"""Metric trend plots across a model's versions, as deterministic, cached SVG files.

Plotting is the main cost of a catalog build, so each plot is named by a hash
of what it shows (plus ``STYLE_VERSION``): a rebuild reuses the cached SVG of
every plot whose data did not change and draws only the new ones.

Only matplotlib's object API is used (``Figure`` + ``FigureCanvasSVG``), never
pyplot, so there is no global figure registry. The three SVG rcParams that
matplotlib reads only from its global ``rcParams`` at save time (id salt, text
as ``<text>``) are set in an ``rc_context`` held under a module lock just for
the save; everything else is styled explicitly on the objects.

Metric names and versions come from repositories and end up as SVG
``<text>``: matplotlib escapes XML, and ``$`` is escaped and math parsing off
so ``$...$`` is never read as mathtext.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import threading
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from ..core.semver import SemVer
from ..atomic import atomic_write
from ..number_format import fmt_value

if TYPE_CHECKING:  # matplotlib costs ~0.3 s to import: a build whose plots are all cached never does
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

STYLE_VERSION = "7"  # bump whenever the drawing code changes: renames every cached plot
MAX_DEFAULT_METRICS = 6
MIN_POINTS = 2  # a trend needs two points; single values are in the versions table
MAX_PLOTTED = 1e200  # larger magnitudes stay in the tables only: matplotlib's margins overflow near 1e308
PLOTTED_STATUSES = ("active", "deregistered")

_SIZE = (4.0, 2.3)  # inches; SVG user units are points (72 per inch)
_MAX_TICKS = 6
_MAX_LABEL = 18
_TITLE = 46  # characters of a 9 pt title that fit the figure's width
_TITLE_WITH_KEY = 32  # ... beside the "deregistered" key
_LINE = "#3f51b5"
_DEREGISTERED = "#9e9e9e"
_STAGE = "#c2185b"
_LABEL_SIZE = 7.5  # points, stage labels and tick labels
_LABEL_GAP = 5.0  # points between a stage holder's marker and its label
_CHAR_WIDTH = 0.62  # of the font size: a generous average (the viewer's sans-serif draws SVG text)
_LABEL_HEIGHT = 1.25 * _LABEL_SIZE
_SVG_RC = {"svg.hashsalt": "modelshelf", "svg.fonttype": "none", "svg.id": None}
_SVG_METADATA = {"Date": None, "Creator": "modelshelf"}
_SAVE_LOCK = threading.Lock()


@dataclass(frozen=True)
class Plot:
    """One metric's trend: ``filename`` is content-addressed, ``svg`` its bytes."""

    metric: str
    filename: str
    svg: bytes


@dataclass(frozen=True)
class _Point:
    version: str
    value: float
    deregistered: bool
    stages: tuple[str, ...]


def _number(value: Any) -> float | None:
    """A plottable value: finite, and small enough that axis margins stay finite (1e308 overflowed)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:  # an int beyond float range
        return None
    return number if math.isfinite(number) and abs(number) <= MAX_PLOTTED else None


def _plotted_versions(model: dict) -> list[dict]:
    """Registered SemVer versions (active or deregistered), oldest first."""
    versions = [
        v for v in model.get("versions", [])
        if v.get("status") in PLOTTED_STATUSES and SemVer.is_valid(v.get("version"))
    ]
    versions.sort(key=lambda v: (SemVer.parse(v["version"]), v["version"]))
    return versions


def _points(versions: list[dict], metric: str) -> list[_Point]:
    points = []
    for version in versions:
        value = _number((version.get("metrics") or {}).get(metric))
        if value is not None:
            points.append(_Point(version["version"], value, version["status"] == "deregistered",
                                 tuple(sorted(version.get("stages") or ()))))
    return points


def default_metrics(model: dict) -> list[str]:
    """Numeric metrics present in at least two plotted versions, by key, at most six."""
    versions = _plotted_versions(model)
    counts: dict[str, int] = {}
    for version in versions:
        for key, value in (version.get("metrics") or {}).items():
            if _number(value) is not None:
                counts[key] = counts.get(key, 0) + 1
    return sorted(k for k, n in counts.items() if n >= MIN_POINTS)[:MAX_DEFAULT_METRICS]


def plot_filename(metric: str, points: list[_Point]) -> str:
    """The content address of a plot: what it shows and how it is drawn."""
    payload = {
        "style": STYLE_VERSION,
        "metric": metric,
        "points": [[p.version, repr(p.value), p.deregistered, list(p.stages)] for p in points],
    }
    digest = hashlib.sha1(json.dumps(payload, sort_keys=True, ensure_ascii=True).encode()).hexdigest()
    return f"{digest[:16]}.svg"


@dataclass(frozen=True)
class PlotRef:
    """A trend plot a page shows, by its content address (the file may still be drawing)."""

    metric: str
    filename: str


def metric_plot_refs(model: dict, metrics: list[str] | None) -> list[tuple[PlotRef, list[_Point]]]:
    """The trend plots of ``model`` (metrics with two points or more) and the points each shows.

    ``metrics`` None means ``default_metrics(model)``; an explicit list keeps its order
    (duplicates dropped).
    """
    versions = _plotted_versions(model)
    names = default_metrics(model) if metrics is None else list(dict.fromkeys(metrics))
    found = []
    for metric in names:
        points = _points(versions, metric)
        if len(points) >= MIN_POINTS:
            found.append((PlotRef(metric, plot_filename(metric, points)), points))
    return found


def render_metric_plots(model: dict, metrics: list[str] | None, cache_dir: Path) -> list[Plot]:
    """One trend plot per metric with at least two points; cached SVGs are reused as is.

    ``metrics`` None means ``default_metrics(model)``; an explicit list keeps its
    order (duplicates dropped) and skips metrics with fewer than two points.
    """
    cache_dir = Path(cache_dir)
    plots = []
    for ref, points in metric_plot_refs(model, metrics):
        cached = cache_dir / ref.filename
        if cached.is_file():
            svg = cached.read_bytes()
        else:
            svg = _draw(ref.metric, points)
            atomic_write(cached, svg)
        plots.append(Plot(ref.metric, ref.filename, svg))
    return plots


# Below this many missing plots a process pool costs more than it saves.
PARALLEL_MIN_PLOTS = 12

DrawJob = tuple[Callable[..., bytes], tuple[Any, ...]]


def metric_plot_jobs(requests: list[tuple[dict, list[str] | None]], cache_dir: Path) -> dict[str, DrawJob]:
    """The trend plots ``render_metric_plots`` would have to draw (not in the cache yet), by file name."""
    cache_dir = Path(cache_dir)
    jobs: dict[str, DrawJob] = {}
    for model, metrics in requests:
        for ref, points in metric_plot_refs(model, metrics):
            if ref.filename not in jobs and not (cache_dir / ref.filename).is_file():
                jobs[ref.filename] = (_draw, (ref.metric, points))
    return jobs


def _draw_into(cache_dir: Path, filename: str, job: DrawJob) -> None:
    """Draw one plot and write it to the cache (in a pool worker: the bytes never cross back)."""
    draw, args = job
    atomic_write(cache_dir / filename, draw(*args))


class PendingPlots:
    """Plots being drawn into the cache by a process pool while the pages are rendered.

    Pages need only the plots' file names (content addresses), so the catalog's pages
    and MkDocs' own work overlap with drawing; ``wait`` before copying the files.
    """

    def __init__(self, pool: Any = None, futures: list[Any] | None = None) -> None:
        self._pool, self._futures = pool, futures or []
        self.parallel = pool is not None  # False: there was nothing to wait for (drawn already, or none)

    def wait(self) -> None:
        """Block until every plot is in the cache; re-raises a drawing error."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        try:
            for future in self._futures:
                future.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def cancel(self) -> None:
        """Stop drawing (a failed build): queued plots are dropped, running ones finish."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


def start_drawing(jobs: dict[str, DrawJob], cache_dir: Path, workers: int | None = None) -> PendingPlots:
    """Start drawing the missing plots on every core; few (or one core): draw them now.

    A cold catalog build has hundreds of plots and matplotlib is single-threaded.
    The bytes do not depend on the process that drew them.
    """
    folder = Path(cache_dir)
    workers = workers or os.cpu_count() or 1
    names = sorted(jobs)
    if len(names) < PARALLEL_MIN_PLOTS or workers < 2:
        for name in names:
            _draw_into(folder, name, jobs[name])
        return PendingPlots()
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    import matplotlib.backends.backend_svg  # noqa: F401 - loaded once here, inherited by the forked workers

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)  # fork: matplotlib is loaded
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    chunk = 8  # plots per task: fewer round trips, still an even spread over the workers
    futures = [pool.submit(_draw_chunk, folder, [(n, jobs[n]) for n in names[i:i + chunk]])
               for i in range(0, len(names), chunk)]
    return PendingPlots(pool, futures)


def _draw_chunk(cache_dir: Path, chunk: list[tuple[str, DrawJob]]) -> None:
    for filename, job in chunk:
        _draw_into(cache_dir, filename, job)


def _plain(text: str, limit: int) -> str:
    """Repo text as one bounded line (drawn with ``parse_math=False``)."""
    text = " ".join(str(text).split())
    return text[: limit - 1] + "\u2026" if len(text) > limit else text


def _no_math(text: str) -> str:
    """For labels whose Text objects matplotlib makes itself (ticks): ``\\$`` is a literal dollar."""
    return text.replace("$", r"\$")


def _tick_positions(count: int) -> list[int]:
    """At most ``_MAX_TICKS`` indexes a whole step apart, counted back from the latest version.

    Rounded fractional steps put two labels on neighbouring points (10 points gave
    ..., 4, 5, ...), and neighbouring version labels overlap at this size.
    """
    if count <= _MAX_TICKS:
        return list(range(count))
    step = -(-(count - 1) // (_MAX_TICKS - 1))  # ceiling division
    return list(range(count - 1, -1, -step))[::-1]


class ReusableFigure(threading.local):
    """One figure per thread (and per pool process), cleared and redrawn for each plot.

    Making the Axes and its tick artists is ~40% of drawing a small plot. Only what
    differs between plots (lines, texts, the legend) is removed; the drawing code sets
    everything else again each time, so the bytes are those of a fresh figure (tests
    draw plots in shuffled orders against fresh processes).
    """

    def __init__(self, size: tuple[float, float], setup: Callable[[Any], None]) -> None:
        self._size, self._setup = size, setup
        self._made: tuple[Figure, FigureCanvasSVG, Any] | None = None  # on first use: importing stays cheap

    def ready(self) -> tuple[Figure, FigureCanvasSVG, Any]:
        if self._made is None:
            from matplotlib.backends.backend_svg import FigureCanvasSVG
            from matplotlib.figure import Figure

            figure = Figure(figsize=self._size, dpi=72)  # fixed margins: constrained layout costs a third
            ax = figure.add_subplot()
            self._setup(ax)
            self._made = (figure, FigureCanvasSVG(figure), ax)
        figure, canvas, ax = self._made
        for artist in [*ax.lines, *ax.texts, *figure.texts]:
            artist.remove()
        if ax.get_legend() is not None:
            ax.get_legend().remove()
        return figure, canvas, ax


def tick_labels(values: list[float]) -> list[str]:
    """Y tick labels in the site's number format (``number_format.fmt_value``), the tables' digits.

    More decimals only when four would print two ticks alike (a narrow range); never a
    separate offset or x1e15 note, which matplotlib draws where the title is.
    """
    labels: list[str] = []
    for places in (4, 6, 8, 10):
        labels = [fmt_value(float(v), places) for v in values]
        if len(set(labels)) == len(labels):
            break
    return labels


def _value_ticks() -> Any:
    from matplotlib.ticker import Formatter

    class ValueTicks(Formatter):
        def __call__(self, x: float, pos: object = None) -> str:
            return tick_labels([x])[0]

        def format_ticks(self, values: Any) -> list[str]:
            return tick_labels(list(values))

    return ValueTicks()


def _trend_axes(ax: Any) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(nbins=4))
    ax.yaxis.set_major_formatter(_value_ticks())
    ax.grid(axis="y", color="#e0e0e0", linewidth=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


@dataclass(frozen=True)
class _Box:
    """A rectangle in figure points (origin bottom left)."""

    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: _Box, gap: float = 1.5) -> bool:
        return (self.x0 < other.x1 + gap and other.x0 < self.x1 + gap
                and self.y0 < other.y1 + gap and other.y0 < self.y1 + gap)

    def inside(self, other: _Box) -> bool:
        return other.x0 <= self.x0 and self.x1 <= other.x1 and other.y0 <= self.y0 and self.y1 <= other.y1


@dataclass(frozen=True)
class _Label:
    """Where one stage label goes: its point (data), its offset from it (points), its anchor,
    and the leader line (data, from the point to the label) of a label set away from its point."""

    x: float
    y: float
    text: str
    dx: float
    dy: float
    va: str
    leader: tuple[tuple[float, float], tuple[float, float]] | None


# Where a label may sit around its point: lanes of label height above (>= 0) and below (< 0)
# the point, steps of _SHIFT points sideways; tried nearest first. Each marker a label would
# cover counts as _COVER_COST points of distance.
_LANES = (0, -1, 1, -2, 2, -3, 3)
_SHIFTS = (0, -1, 1, -2, 2, -3, 3, -5, 5, -8, 8, -12, 12)
_SHIFT = 6.0
_COVER_COST = 9.0
_MARKER = 3.0  # points: a marker's radius


def _spot_offsets() -> list[tuple[float, int, int]]:
    """(distance, lane, shift) of every spot, nearest first (ties: the order of _LANES, _SHIFTS)."""
    spots = []
    for i, lane in enumerate(_LANES):
        for j, shift in enumerate(_SHIFTS):
            steps = lane if lane >= 0 else -lane - 1
            spots.append((math.hypot(shift * _SHIFT, steps * (_LABEL_HEIGHT + 1)), i, j))
    return sorted(spots)


_SPOTS = _spot_offsets()


def _covered(box: _Box, xs: list[float], ys: list[float]) -> int:
    """How many markers (at ``xs``, sorted, and ``ys``, in points) the box touches."""
    lo, hi = bisect_left(xs, box.x0 - _MARKER), bisect_right(xs, box.x1 + _MARKER)
    return sum(1 for y in ys[lo:hi] if box.y0 - _MARKER < y < box.y1 + _MARKER)


def place_stage_labels(points: list[tuple[float, float, str]], data: list[tuple[float, float]],
                       xlim: tuple[float, float], ylim: tuple[float, float], axes: _Box, frame: _Box) -> list[_Label]:
    """Stage labels that never overlap one another, near their points, over few markers.

    No text is measured (that would double a plot's cost): a label's width is estimated
    from its length, generously. Latest version first (stage holders crowd at the right
    edge), each label takes the spot inside ``frame``, clear of the labels placed so far,
    with the least distance plus ``_COVER_COST`` per marker it would cover. A label set
    away from its point gets a leader line. A label with no clear spot is left out (its
    stage is still in the versions table): that takes dozens of holders side by side.
    """
    (xa, xb), (ya, yb) = xlim, ylim
    sx, sy = (axes.x1 - axes.x0) / (xb - xa), (axes.y1 - axes.y0) / (yb - ya)  # points per data unit

    marks = [(axes.x0 + (x - xa) * sx, axes.y0 + (y - ya) * sy) for x, y in data]  # in x order
    mark_xs, mark_ys = [m[0] for m in marks], [m[1] for m in marks]
    placed: list[_Box] = []
    labels = []
    for x, y, text in sorted(points, key=lambda p: -p[0]):
        px, py = axes.x0 + (x - xa) * sx, axes.y0 + (y - ya) * sy
        width = len(text) * _CHAR_WIDTH * _LABEL_SIZE + 2
        best: tuple[float, _Box, float, float, bool] | None = None
        for distance, i, j in _SPOTS:
            if best is not None and distance >= best[0]:
                break  # nearest first: nothing further on can cost less
            lane, dx = _LANES[i], _SHIFTS[j] * _SHIFT
            steps = lane if lane >= 0 else -lane - 1
            dy = (_LABEL_GAP + steps * (_LABEL_HEIGHT + 1)) * (1 if lane >= 0 else -1)
            y0 = py + dy if lane >= 0 else py + dy - _LABEL_HEIGHT
            box = _Box(px + dx - width / 2, y0, px + dx + width / 2, y0 + _LABEL_HEIGHT)
            if not box.inside(frame) or any(box.overlaps(other) for other in placed):
                continue
            cost = distance + _COVER_COST * _covered(box, mark_xs, mark_ys)
            if best is None or cost < best[0]:
                best = (cost, box, dx, dy, lane not in (0, -1) or j != 0)
        if best is None:
            continue
        _, box, dx, dy, away = best
        placed.append(box)
        leader = None
        if away:  # from the marker's edge to the nearest point of the label's box
            ex, ey = min(max(px, box.x0), box.x1), min(max(py, box.y0), box.y1)
            length = math.hypot(ex - px, ey - py)
            if length > _MARKER + 2:
                start = (px + (ex - px) * (_MARKER + 1) / length, py + (ey - py) * (_MARKER + 1) / length)
                leader = ((xa + (start[0] - axes.x0) / sx, ya + (start[1] - axes.y0) / sy),
                          (xa + (ex - axes.x0) / sx, ya + (ey - axes.y0) / sy))
        labels.append(_Label(x, y, text, dx, dy, "bottom" if dy > 0 else "top", leader))
    return labels


_TREND = ReusableFigure(_SIZE, _trend_axes)


def _draw(metric: str, points: list[_Point]) -> bytes:
    figure, canvas, ax = _TREND.ready()
    xs = list(range(len(points)))
    active = [(x, p) for x, p in zip(xs, points) if not p.deregistered]
    gone = [(x, p) for x, p in zip(xs, points) if p.deregistered]
    held = [(x, p) for x, p in zip(xs, points) if p.stages]
    if active:
        ax.plot([x for x, _ in active], [p.value for _, p in active], color=_LINE, linewidth=1.4,
                marker="o", markersize=4, zorder=3)
    if gone:
        ax.plot([x for x, _ in gone], [p.value for _, p in gone], linestyle="none", marker="o",
                markersize=5, markerfacecolor="white", markeredgecolor=_DEREGISTERED, zorder=4)
    if held:  # a ring marks each stage holder, so a label a lane away still finds its point
        ax.plot([x for x, _ in held], [p.value for _, p in held], linestyle="none", marker="o", markersize=7,
                markerfacecolor="none", markeredgecolor=_STAGE, markeredgewidth=1.1, zorder=5)
    ticks = _tick_positions(len(points))
    ax.set_xticks(ticks, [_no_math(_plain(points[i].version, _MAX_LABEL)) for i in ticks])
    long_labels = any(len(points[i].version) > 9 for i in ticks) and len(ticks) > 3
    left, right, bottom, top = 0.15, 0.97, 0.22 if long_labels else 0.14, 0.87
    ax.tick_params(axis="x", labelsize=_LABEL_SIZE, labelrotation=25 if long_labels else 0)
    figure.subplots_adjust(left=left, right=right, bottom=bottom, top=top)
    ax.tick_params(axis="y", labelsize=_LABEL_SIZE)
    ax.margins(x=0.08, y=0.22)
    ax.relim()
    ax.autoscale_view()
    if held:
        width, height = (side * 72 for side in _SIZE)
        axes = _Box(left * width, bottom * height, right * width, top * height)
        frame = _Box(axes.x0, axes.y0 + 1, width - 2, (top + 0.03) * height - 1)  # under the title line
        spots = [(x, p.value, _plain(", ".join(p.stages), 24)) for x, p in held]
        data = [(x, p.value) for x, p in zip(xs, points)]
        labels = place_stage_labels(spots, data, ax.get_xlim(), ax.get_ylim(), axes, frame)
        for label in labels:
            ax.annotate(label.text, (label.x, label.y), xytext=(label.dx, label.dy), textcoords="offset points",
                        ha="center", va=label.va, fontsize=_LABEL_SIZE, color=_STAGE, usetex=False,
                        parse_math=False, annotation_clip=False, zorder=6)
        leaders = [label.leader for label in labels if label.leader]
        if leaders:  # one line artist, broken by NaNs: annotate's arrows cost a third of a plot
            lx = [v for (a, b) in leaders for v in (a[0], b[0], math.nan)]
            ly = [v for (a, b) in leaders for v in (a[1], b[1], math.nan)]
            ax.plot(lx, ly, color=_STAGE, linewidth=0.6, zorder=6, clip_on=False, scalex=False, scaley=False)
    # Figure texts at fixed places: Axes titles are re-positioned against the tick labels'
    # bounding boxes at every draw (a sixth of the drawing time), and a legend placed
    # with loc="best" cost two fifths of a plot. The key sits in the title line instead,
    # where it never covers a point.
    figure.text(left, top + 0.03, _plain(metric, _TITLE_WITH_KEY if gone else _TITLE), fontsize=9, ha="left",
                va="bottom", usetex=False, parse_math=False)
    if gone:
        figure.text(right, top + 0.035, "\u25cb deregistered", fontsize=7, ha="right", va="bottom",
                    color=_DEREGISTERED, usetex=False, parse_math=False)
    return _save(canvas)


def _save(canvas: FigureCanvasSVG) -> bytes:
    from io import BytesIO

    import matplotlib

    buffer = BytesIO()
    with _SAVE_LOCK, matplotlib.rc_context(_SVG_RC):
        canvas.print_svg(buffer, metadata=_SVG_METADATA)
    return buffer.getvalue()
