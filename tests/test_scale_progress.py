"""Progress of a long index: plain lines for logs, a tqdm bar on a terminal, --quiet silences it."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

from modelshelf import progress as progress_mod
from modelshelf.index.build import build_index
from modelshelf.registry import load_registry
from tests.gitutil import GitBuilder
from tests.ptyutil import command_stderr


def _registry_with_versions(repo: GitBuilder, count: int) -> None:
    repo.write("dvc.yaml", "artifacts:\n  churn:\n    path: model.bin\nmetrics:\n- metrics.json\n")
    for i in range(count):
        repo.write("model.bin", f"weights {i}")
        repo.write("metrics.json", f'{{"auc": 0.{i + 1}}}')
        sha = repo.commit(f"train {i}")
        repo.tag(f"churn@v0.0.{i + 1}", sha, message=f"Registering artifact churn version v0.0.{i + 1}")


def test_build_index_reports_every_version_read(repo: GitBuilder) -> None:
    _registry_with_versions(repo, 3)
    calls: list[tuple[int, int, str]] = []
    build_index(load_registry(repo.path), progress=lambda d, t, n: calls.append((d, t, n)), use_cache=False)
    assert calls == [(1, 3, "churn"), (2, 3, "churn"), (3, 3, "churn")]


def test_plain_lines_start_late_and_end_with_the_total() -> None:
    now = [0.0]
    out = io.StringIO()
    report = progress_mod.plain_progress("reading versions", out, clock=lambda: now[0])
    report(1, 100, "a")  # at 0 s: a short run prints nothing
    assert out.getvalue() == ""
    now[0] = 11.0
    report(40, 100, "a")
    now[0] = 12.0
    report(41, 100, "a")  # within 10 s of the last line: nothing
    now[0] = 13.0
    report(100, 100, "a")
    assert out.getvalue().splitlines() == [
        "modelshelf: reading versions: 40 of 100", "modelshelf: reading versions: 100 of 100"]


def test_short_run_prints_no_progress_line() -> None:
    out = io.StringIO()
    report = progress_mod.plain_progress("reading versions", out)
    for i in range(1, 6):
        report(i, 5, "m")
    assert out.getvalue() == ""


def test_quiet_gives_no_reporter_and_a_terminal_gets_a_bar() -> None:
    assert progress_mod.stderr_progress("x", quiet=True) is None
    assert progress_mod.stderr_progress("x", stream=io.StringIO()) is not None


def _cli(repo: Path, *extra: str, tty: bool) -> str:
    """stderr of ``modelshelf index`` (on a pseudo-terminal when ``tty``)."""
    cmd = [sys.executable, "-m", "modelshelf", "index", "--no-cache", "--repo", str(repo), "-o", os.devnull, *extra]
    return command_stderr(cmd, tty)


def test_cli_index_shows_a_bar_on_a_terminal_and_quiet_silences_it(repo: GitBuilder) -> None:
    _registry_with_versions(repo, 3)
    on_tty = _cli(repo.path, tty=True)
    assert "modelshelf: reading versions" in on_tty and "0/3" in on_tty
    assert on_tty.endswith("\r") and "\n" not in on_tty  # the bar is cleared when done
    assert _cli(repo.path, "--quiet", tty=True) == ""
    assert _cli(repo.path, tty=False) == ""  # a log of a short run stays clean
