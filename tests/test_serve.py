"""`modelshelf serve`: a live preview over HTTP that cleans up after itself when stopped."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from .gitutil import run_cli


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("serve") / "demo"
    assert run_cli("demo", "-o", str(out), "--no-build").returncode == 0
    return out / "registry"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def shallow(registry: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    clone = tmp_path_factory.mktemp("shallow") / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{registry}", str(clone)], check=True)
    return clone


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_serve_previews_the_catalog_and_leaves_nothing_behind(registry: Path, tmp_path: Path, stop: int) -> None:
    _serve_and_stop(registry, tmp_path, stop)


def test_serve_previews_a_shallow_clone_that_build_refuses(shallow: Path, tmp_path: Path) -> None:
    """A preview publishes nothing: it may show a shallow clone (with the warning); a build stops."""
    refused = run_cli("build", "--repo", str(shallow), "-o", str(tmp_path / "site"), "-q")
    assert refused.returncode == 2 and "is a shallow clone" in refused.stderr and "--allow-shallow" in refused.stderr
    assert not (tmp_path / "site").exists()
    log = _serve_and_stop(shallow, tmp_path, signal.SIGTERM)
    assert "shallow clone" in log


def _serve_and_stop(registry: Path, tmp_path: Path, stop: int) -> str:
    temp = tmp_path / "tmp"
    temp.mkdir()
    address = f"127.0.0.1:{_free_port()}"
    server = subprocess.Popen(
        [sys.executable, "-m", "modelshelf", "serve", "--repo", str(registry), "-a", address],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env={**os.environ, "TMPDIR": str(temp)},
    )
    try:
        seen = []
        for line in server.stderr:  # blocks until mkdocs says it serves: no sleeping, no polling
            seen.append(line)
            if "Serving on" in line:
                break
        else:
            pytest.fail("serve ended before serving:\n" + "".join(seen))
        assert any(p.name.startswith("modelshelf-serve-") for p in temp.iterdir())
        with urllib.request.urlopen(f"http://{address}/", timeout=30) as response:
            home = response.read().decode()
        assert "churn-classifier" in home
        with urllib.request.urlopen(f"http://{address}/api/registry.json", timeout=30) as response:
            assert "churn-classifier" in [m["name"] for m in json.load(response)["models"]]
        server.send_signal(stop)
        assert server.wait(timeout=60) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        server.stderr.close()
    assert list(temp.iterdir()) == []  # config, docs and site folders removed, also on SIGTERM
    return "".join(seen)
