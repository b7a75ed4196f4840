"""Shared fixtures, and the one rule for tests that need a tool outside Python.

A test that needs a tool (a program such as ``curl``, a file such as
``/usr/bin/chromium``, or an optional module such as ``playwright``) asks for it
through ``require_tool``/``require_path``/``require_module``. Locally a missing
tool skips the test; under ``CI=true`` it fails the run, so CI can never pass by
skipping what it was meant to check (``.ci/run`` installs every tool).
"""

from __future__ import annotations

import functools
import http.server
import importlib
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn

import pytest

from .churn import build_churn, write_site
from .gitutil import GTO_RUNS, GitBuilder


def under_ci() -> bool:
    """``CI=true`` (what GitLab, GitHub and ``.ci/run`` set): missing tools are failures."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def tool_missing(reason: str) -> NoReturn:
    """Skip locally; fail under CI (also at module level, where it is a collection error)."""
    if under_ci():
        pytest.fail(f"{reason} (CI=true: a missing tool fails the run; .ci/run installs every tool)", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def require_tool(*names: str) -> dict[str, str]:
    """The path of each program in ``names`` on PATH (e.g. ``require_tool("curl", "jq")``)."""
    found = {name: shutil.which(name) for name in names}
    missing = [name for name, path in found.items() if path is None]
    if missing:
        tool_missing(f"needs {', '.join(missing)} on PATH")
    return {name: str(path) for name, path in found.items()}


def require_path(path: str | Path, why: str) -> Path:
    """An existing file or folder the test relies on (a system browser, /proc ...)."""
    path = Path(path)
    if not path.exists():
        tool_missing(f"{path} is missing: {why}")
    return path


def require_module(name: str) -> ModuleType:
    """An optional Python module; like ``pytest.importorskip`` but failing under CI."""
    try:
        return importlib.import_module(name)
    except ImportError as error:
        tool_missing(f"needs the Python module {name} ({error})")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item):
    item.stash[_GTO_BEFORE] = GTO_RUNS[0]
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """A test (or the fixtures it set up) that ran gto must carry ``@pytest.mark.gto``: ``-m "not gto"``
    then really leaves gto out."""
    outcome = yield
    report = outcome.get_result()
    ran = GTO_RUNS[0] - item.stash.get(_GTO_BEFORE, GTO_RUNS[0])
    if call.when == "call" and ran and item.get_closest_marker("gto") is None and not report.failed:
        report.outcome = "failed"
        report.longrepr = f"{item.nodeid} ran gto {ran} time(s) without @pytest.mark.gto"


_GTO_BEFORE = pytest.StashKey[int]()


@pytest.fixture
def repo(tmp_path: Path) -> GitBuilder:
    return GitBuilder(tmp_path / "repo")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def start_loopback(handler: Any, servers: list[http.server.ThreadingHTTPServer]) -> str:
    """Base URL of a real HTTP server on loopback (ephemeral port); ``stop_all(servers)`` ends it."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    servers.append(server)
    return f"http://127.0.0.1:{server.server_address[1]}/"


def stop_all(servers: list[http.server.ThreadingHTTPServer]) -> None:
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def serve() -> Iterator[Callable[[Path], str]]:
    """serve(folder) -> base URL of a real HTTP server on loopback serving that folder."""
    servers: list[http.server.ThreadingHTTPServer] = []
    yield lambda folder: start_loopback(functools.partial(_QuietHandler, directory=str(folder)), servers)
    stop_all(servers)


@pytest.fixture
def churn_site(repo: GitBuilder, tmp_path: Path, serve) -> tuple[str, Path, dict[str, str], dict]:
    """The churn repo (``churn.build_churn``) published as a site: (index URL, folder, commits, index)."""
    shas = build_churn(repo)
    folder = tmp_path / "site"
    data = write_site(repo.path, folder)
    return serve(folder) + "api/registry.json", folder, shas, data
