"""Ctrl-C and SIGTERM on a real long-running command (a download stalled by a loopback
server): one line, no traceback, exit 130 / 143, and the download's clean-up runs
(SIGTERM is what CI timeouts and `timeout` send)."""

from __future__ import annotations

import http.server
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import start_loopback, stop_all


class _StallingHandler(http.server.BaseHTTPRequestHandler):
    """Serves ``folder``; the file ``stall`` gets its headers and half its bytes, then nothing
    until ``release`` is set. ``started`` is set once those bytes are out: the marker a test waits for."""

    protocol_version = "HTTP/1.1"
    folder: Path
    stall: str
    started: threading.Event
    release: threading.Event

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        rel = self.path.lstrip("/")
        data = (self.folder / rel).read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if rel != self.stall:
            self.wfile.write(data)
            return
        self.wfile.write(data[: len(data) // 2])
        self.wfile.flush()
        self.started.set()
        self.release.wait(timeout=300)
        self.close_connection = True


@pytest.fixture
def stalling(churn_site) -> Iterator[tuple[str, str, threading.Event]]:
    _url, folder, _shas, data = churn_site
    churn = next(m for m in data["models"] if m["name"] == "churn")
    prod = next(v for v in churn["versions"] if v["version"] == churn["stages"]["prod"])
    started, release = threading.Event(), threading.Event()
    handler = type("Handler", (_StallingHandler,), {
        "folder": folder, "stall": prod["storage"]["download_url"], "started": started, "release": release})
    servers: list[http.server.ThreadingHTTPServer] = []
    base = start_loopback(handler, servers)
    yield base + "api/registry.json", "churn#prod", started
    release.set()
    stop_all(servers)


@pytest.mark.parametrize("stop, code, said", [(signal.SIGTERM, 143, "modelshelf: terminated"),
                                              (signal.SIGINT, 130, "modelshelf: interrupted")])
def test_a_stopped_download_says_one_line_and_cleans_up(stalling, tmp_path: Path, stop: int, code: int,
                                                         said: str) -> None:
    index, spec, started = stalling
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "modelshelf", "download", spec, "--index", index, "-o", str(out)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert started.wait(timeout=120), "the download never reached the artifact"
        process.send_signal(stop)
        stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == code, stderr
    assert stderr == said + "\n" and stdout == ""  # no traceback, no partial result
    assert not out.exists() or list(out.iterdir()) == []  # the download's clean-up ran


def test_a_second_sigterm_does_not_interrupt_the_clean_up(stalling, tmp_path: Path) -> None:
    """`timeout` and CI runners may signal twice: the first starts the clean-up, which must finish."""
    index, spec, started = stalling
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "modelshelf", "download", spec, "--index", index, "-o", str(out)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert started.wait(timeout=120)
        process.send_signal(signal.SIGTERM)
        process.send_signal(signal.SIGTERM)
        _stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 143 and "Traceback" not in stderr, stderr
    assert not out.exists() or list(out.iterdir()) == []
