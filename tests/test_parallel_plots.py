"""Plots drawn in a process pool are byte-identical to plots drawn one by one."""

from __future__ import annotations

from pathlib import Path

from modelshelf.render.plots import PARALLEL_MIN_PLOTS, draw_in_parallel, metric_plot_jobs, render_metric_plots

from .test_render_pieces import model, version


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
    assert draw_in_parallel(jobs, parallel, workers=2) == len(jobs)
    assert metric_plot_jobs([(m, None) for m in models], parallel) == {}  # all cached now
    for m in models:
        for plot in render_metric_plots(m, None, serial):
            assert (parallel / plot.filename).read_bytes() == plot.svg


def test_few_jobs_are_left_to_the_page_loop(tmp_path: Path) -> None:
    jobs = metric_plot_jobs([(m, None) for m in _models(1)], tmp_path)
    assert 0 < len(jobs) < PARALLEL_MIN_PLOTS
    assert draw_in_parallel(jobs, tmp_path, workers=2) == 0
    assert not any(tmp_path.iterdir())
