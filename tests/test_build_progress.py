"""Progress of a long `modelshelf build`: a tqdm bar on a terminal, plain lines in a log, --quiet silences it.

The plugin reads every version, then renders every model; `modelshelf build` asks it (plugin
option ``progress: stderr``) to report both phases through ``progress.py``, as `index` does.
A plain `mkdocs build` keeps MkDocs log lines (``progress: log``, the default), which its own
``-q`` silences.
"""

from __future__ import annotations

import io
import logging
import sys
from pathlib import Path

import pytest

from modelshelf import progress as progress_mod
from modelshelf.plugin.plugin import build_progress
from tests.gitutil import GitBuilder
from tests.ptyutil import command_stderr

MODELS = ("churn", "fraud", "upsell")


def _registry(repo: GitBuilder) -> None:
    """Three models, one version each (the bars count 3 versions, then 3 models)."""
    repo.write("dvc.yaml", "artifacts:\n" + "".join(f"  {m}:\n    path: {m}.bin\n" for m in MODELS))
    for model in MODELS:
        repo.write(f"{model}.bin", f"weights of {model}")
    sha = repo.commit("three models")
    for model in MODELS:
        repo.tag(f"{model}@v0.0.1", sha, message=f"Registering artifact {model} version v0.0.1")


def _build(repo: Path, out: Path, *extra: str, tty: bool) -> str:
    """stderr of `modelshelf build` (read through a pseudo-terminal when ``tty``)."""
    cmd = [sys.executable, "-m", "modelshelf", "build", "--repo", str(repo), "-o", str(out), *extra]
    return command_stderr(cmd, tty)


def test_build_draws_bars_on_a_terminal_for_versions_and_models(repo: GitBuilder, tmp_path: Path) -> None:
    _registry(repo)
    shown = _build(repo.path, tmp_path / "site", tty=True)
    assert "modelshelf: reading versions" in shown and "0/3 [" in shown and " versions/s]" in shown
    assert "modelshelf: rendering models" in shown and " models/s]" in shown
    assert "rendering model 3 of 3" not in shown  # the bar replaces the log lines
    assert (tmp_path / "site" / "churn" / "index.html").is_file()


def test_build_quiet_draws_nothing(repo: GitBuilder, tmp_path: Path) -> None:
    _registry(repo)
    shown = _build(repo.path, tmp_path / "site", "--quiet", tty=True)
    assert "modelshelf:" not in shown and "\r" not in shown, shown
    assert (tmp_path / "site" / "fraud" / "index.html").is_file()


def test_build_in_a_log_stays_clean_for_a_short_run(repo: GitBuilder, tmp_path: Path) -> None:
    _registry(repo)
    logged = _build(repo.path, tmp_path / "site", tty=False)
    assert "\r" not in logged and "reading version" not in logged and "rendering model" not in logged, logged
    assert "Catalog built" not in logged  # stdout


def test_stderr_mode_writes_plain_lines_to_a_log_once_a_run_is_long() -> None:
    now = [0.0]
    out = io.StringIO()
    report = progress_mod.plain_progress("rendering models", out, clock=lambda: now[0])
    report(1, 50, "a")
    now[0] = 12.0
    report(20, 50, "t")
    now[0] = 13.0
    report(50, 50, "z")
    assert out.getvalue().splitlines() == ["modelshelf: rendering models: 20 of 50",
                                           "modelshelf: rendering models: 50 of 50"]
    assert progress_mod.stderr_progress("rendering models", stream=io.StringIO(), unit="models") is not None


def test_plugin_modes(caplog: pytest.LogCaptureFixture) -> None:
    assert build_progress("none", "rendering", "models") is None
    log_mode = build_progress("log", "rendering", "models")  # plain `mkdocs build`: as before
    assert log_mode is not None
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.modelshelf"):
        for i in range(1, 3):
            log_mode(i, 2, f"m{i}")
    assert [r.getMessage() for r in caplog.records] == ["modelshelf: rendering model 1 of 2 (m1)",
                                                        "modelshelf: rendering model 2 of 2 (m2)"]
    assert build_progress("stderr", "rendering", "models") is not None
