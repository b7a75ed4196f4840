"""`modelshelf serve`: a live preview over HTTP that cleans up after itself when stopped."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from .gitutil import GitBuilder, run_cli
from .liveserve import LiveServer, free_address

# Each test waits on a server's output: a server that never answers fails the test instead of hanging the run.
pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("serve") / "demo"
    assert run_cli("demo", "-o", str(out), "--no-build").returncode == 0
    return out / "registry"


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
    address = free_address()
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


def test_serve_rebuilds_when_a_tag_is_pushed_into_a_worktree(tmp_path: Path) -> None:
    """A new tag rebuilds the preview. Two faults stopped that: every rebuild of the packaged
    config failed ("Invalid Plugins configuration": loading the config consumed the plugin
    options it was given), and a worktree's refs (kept in the main repo's Git dir) were not watched."""
    repo = GitBuilder(tmp_path / "main")
    repo.commit("model", {"dvc.yaml": "artifacts:\n  m:\n    path: m.bin\n", "m.bin": "one"})
    repo.tag("m@v1.0.0")
    worktree = tmp_path / "wt"
    repo.git("worktree", "add", "-q", "--detach", str(worktree))
    with LiveServer([sys.executable, "-m", "modelshelf", "serve", "--repo", str(worktree)]) as server:
        watched = server.until("Serving on")
        assert any(str(repo.path / ".git" / "refs") in line or "main/.git/refs" in line for line in watched), watched
        repo.git("-C", str(worktree), "tag", "-a", "m@v1.1.0", "-m", "m@v1.1.0")
        server.until("Detected file changes")
        server.until("Documentation built")
        with urllib.request.urlopen(f"http://{server.address}/api/registry.json", timeout=30) as response:
            model = json.load(response)["models"][0]
        assert [v["version"] for v in model["versions"]] == ["v1.1.0", "v1.0.0"]
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=60) == 0


def test_serve_watches_the_refs_where_git_keeps_them(tmp_path: Path) -> None:
    from modelshelf.git import GitRepo
    from modelshelf.sitebuild.mkdocs_build import watch_paths

    repo = GitBuilder(tmp_path / "main")
    repo.commit("model", {"dvc.yaml": "artifacts: {}\n", "sub/dvc.yaml": "artifacts: {}\n"})
    repo.git("worktree", "add", "-q", "--detach", str(tmp_path / "wt"))
    subprocess.run(["git", "clone", "-q", "--bare", str(repo.path), str(tmp_path / "bare.git")], check=True)
    refs = str(repo.path / ".git" / "refs")
    with GitRepo(repo.path / "sub") as sub:
        assert watch_paths(sub) == [refs, str(repo.path / "dvc.yaml")]
    with GitRepo(tmp_path / "wt") as wt:
        assert watch_paths(wt) == [refs, str(tmp_path / "wt" / "dvc.yaml")]
    with GitRepo(tmp_path / "bare.git") as bare:
        assert watch_paths(bare) == [str(tmp_path / "bare.git" / "refs"), str(tmp_path / "bare.git" / "packed-refs")]
