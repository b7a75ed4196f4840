"""Plots drawn in a process pool are byte-identical to plots drawn one by one."""

from __future__ import annotations

import pickle
import random
import subprocess
import sys
from pathlib import Path

import pytest

from modelshelf.render.plots import (
    PARALLEL_MIN_PLOTS, _draw, _Point, metric_plot_jobs, render_metric_plots, start_drawing,
)

from .indexdata import model, version


def _models(count: int) -> list[dict]:
    return [
        model(*(version(f"v1.{i}.0", {"auc": 0.5 + n / 100 + i / 50, "loss": 1 - i / 10}) for i in range(3)))
        for n in range(count)
    ]


def test_parallel_drawing_fills_the_cache_with_the_same_bytes(tmp_path: Path) -> None:
    models = _models(PARALLEL_MIN_PLOTS)
    parallel, serial = tmp_path / "parallel", tmp_path / "serial"
    jobs = metric_plot_jobs([(m, None) for m in models], parallel)
    assert len(jobs) >= PARALLEL_MIN_PLOTS
    pending = start_drawing(jobs, parallel, workers=2)
    assert pending.parallel
    pending.wait()
    assert metric_plot_jobs([(m, None) for m in models], parallel) == {}  # all cached now
    for m in models:
        for plot in render_metric_plots(m, None, serial):
            assert (parallel / plot.filename).read_bytes() == plot.svg


def test_few_jobs_are_drawn_here_without_a_pool(tmp_path: Path) -> None:
    jobs = metric_plot_jobs([(m, None) for m in _models(1)], tmp_path)
    assert 0 < len(jobs) < PARALLEL_MIN_PLOTS
    assert not start_drawing(jobs, tmp_path, workers=2).parallel  # no pool for so few
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(jobs)  # but drawn: pages only name them


def _broken_draw(metric: str, points: list) -> bytes:
    raise ValueError(f"cannot draw {metric}")


def test_a_drawing_error_in_a_worker_reaches_the_build(tmp_path: Path) -> None:
    """Pages are rendered while the pool draws: its errors must surface when the build waits."""
    jobs = {f"{i:016x}.svg": (_broken_draw, (f"m{i}", [])) for i in range(PARALLEL_MIN_PLOTS)}
    pending = start_drawing(jobs, tmp_path, workers=2)
    with pytest.raises(ValueError, match="cannot draw m"):
        pending.wait()
    pending.wait()  # once failed, waiting again is a no-op
    assert not any(tmp_path.iterdir())


def _varied_points() -> list[tuple[str, list]]:
    """Plots that leave different state behind: legends, stage labels, long rotated labels,
    negative and huge values, two points and many."""
    cases = []
    for n in range(12):
        count = 2 + (n * 5) % 13
        long = n % 4 == 1
        cases.append((f"metric {n} $x$", [
            _Point(f"v1.{i}.0-rc.{n}+build" if long else f"v1.{i}.0", (-1) ** n * (i * 37.5 + n) * (1000 if n % 3 == 0 else 0.01),
                   deregistered=n % 3 == 1 and i % 4 == 1, stages=("prod", "staging") if i == count - 1 and n % 2 else ())
            for i in range(count)
        ]))
    return cases


def _overlay_cases() -> list[tuple]:
    from modelshelf.render.overlay import Curve

    return [
        (f"ROC {n}", "fpr" * (n % 3), "tpr", [
            Curve(f"v1.{k}.0", tuple((i / 10, ((i / 10) ** (1 + k / 3)) * (100 if n == 2 else 1)) for i in range(11)))
            for k in range(1 + n % 4)
        ])
        for n in range(5)
    ]


_FRESH = """
import pickle, sys
from modelshelf.render.overlay import _draw as overlay
from modelshelf.render.plots import _draw as trend
kind, args = pickle.load(sys.stdin.buffer)
sys.stdout.buffer.write((trend if kind == "trend" else overlay)(*args))
"""


def test_reused_figures_draw_the_same_bytes_as_a_fresh_process() -> None:
    """Trend and overlay plots reuse one figure per thread; nothing one plot sets may leak into the next."""
    from modelshelf.render.overlay import _draw as overlay

    cases = [("trend", c) for c in _varied_points()] + [("overlay", c) for c in _overlay_cases()]
    fresh = [  # each in a new interpreter: figures that never drew anything else
        subprocess.run([sys.executable, "-c", _FRESH], input=pickle.dumps(case), capture_output=True, check=True).stdout
        for case in cases
    ]
    for seed in range(3):
        order = list(range(len(cases)))
        random.Random(seed).shuffle(order)
        for i in order:
            kind, args = cases[i]
            assert (_draw if kind == "trend" else overlay)(*args) == fresh[i], (seed, i)
