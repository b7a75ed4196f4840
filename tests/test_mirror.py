"""``--repo URL``: remote repositories read through a bare mirror in the cache (issue 16).

Real repositories (pinned dates), the real CLI, gto as the oracle on a ``file://``
URL, real loopback HTTP servers (Git's dumb HTTP protocol over a folder) and real
signals. Every test gets its own cache folder through ``MODELSHELF_CACHE_DIR``.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from modelshelf.git.mirror import LocalRepository, mirror_path, open_repository, update_mirror

from .gitutil import GitBuilder, run_cli, run_gto


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def ms(cache: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return run_cli(*args, cwd=cwd, env={"MODELSHELF_CACHE_DIR": str(cache)})


def registry_repo(repo: GitBuilder) -> None:
    """Two models, versions and stages, written as tags by git (annotated, pinned dates)."""
    repo.commit("v1", {"dvc.yaml": "artifacts:\n  churn:\n    path: churn.pkl\n    type: model\n"
                                   "  encoder:\n    path: enc.bin\n    type: model\n",
                       "churn.pkl": "churn 1", "enc.bin": "enc 1"})
    repo.tag("churn@v1.0.0")
    repo.tag("encoder@v0.1.0")
    repo.tag("churn#prod#1")
    repo.commit("v2", {"churn.pkl": "churn 2"})
    repo.tag("churn@v1.1.0")
    repo.tag("churn#staging#2")


def bare_origin(repo: GitBuilder, tmp_path: Path) -> tuple[Path, str]:
    """A bare clone of ``repo`` (the "server"), and its ``file://`` URL."""
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo.path), str(origin)], check=True)
    return origin, origin.as_uri()


def push(repo: GitBuilder, origin: Path) -> None:
    repo.git("push", "-q", "--prune", str(origin), "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*")


def cloning_lines(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("modelshelf: cloning ")]


@pytest.mark.gto
def test_show_and_history_by_file_url_print_what_gto_prints(repo: GitBuilder, tmp_path: Path, cache: Path) -> None:
    c1 = repo.commit("c1", {"model.pkl": "1"})
    c2 = repo.commit("c2", {"model.pkl": "2"})
    repo.gto("register", "churn", c1, "--version", "v1.0.0")
    repo.gto("register", "churn", c2, "--version", "v1.1.0")
    repo.gto("assign", "churn", "--version", "v1.0.0", "--stage", "prod")
    repo.gto("assign", "churn", "--version", "v1.1.0", "--stage", "staging")
    repo.gto("register", "models/vision:detector", c2, "--version", "v0.1.0")
    repo.gto("deprecate", "churn", "v1.1.0", "staging")
    _, url = bare_origin(repo, tmp_path)
    elsewhere = tmp_path / "elsewhere"  # neither command runs inside a repository
    elsewhere.mkdir()
    for args in (["show"], ["show", "churn"], ["history"]):
        ours = ms(cache, *args, "--json", "--repo", url, cwd=elsewhere)
        theirs = run_gto(elsewhere, *args, "--json", "--repo", url)
        assert ours.returncode == 0 and theirs.returncode == 0, ours.stderr + theirs.stderr
        assert ours.stdout == theirs.stdout, args
        assert json.loads(ours.stdout)


def test_the_second_call_fetches_what_changed_and_never_clones_again(repo: GitBuilder, tmp_path: Path,
                                                                     cache: Path) -> None:
    registry_repo(repo)
    origin, url = bare_origin(repo, tmp_path)
    first = ms(cache, "show", "--json", "--repo", url)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["churn"]["version"] == "v1.1.0"
    assert len(cloning_lines(first)) == 1
    mirror = mirror_path(url, cache)
    assert (mirror / "HEAD").is_file() and not (mirror / ".git").exists()  # bare
    marker = mirror / "marker-left-by-the-test"  # a new clone would not have it
    marker.write_text("")
    inode = mirror.stat().st_ino

    repo.commit("v3", {"churn.pkl": "churn 3"})
    repo.tag("churn@v1.2.0")
    repo.tag("churn#prod#3")
    push(repo, origin)
    second = ms(cache, "show", "--json", "--repo", url)
    assert second.returncode == 0, second.stderr
    assert cloning_lines(second) == []
    assert marker.exists() and mirror.stat().st_ino == inode
    state = json.loads(second.stdout)
    assert state["churn"]["version"] == "v1.2.0"
    assert state["churn"]["stage"]["prod"] == "v1.2.0"

    repo.git("tag", "-d", "churn#prod#3")  # a tag deleted upstream is deleted in the mirror
    repo.git("tag", "-d", "churn@v1.2.0")
    push(repo, origin)
    third = ms(cache, "show", "--json", "--repo", url)
    assert cloning_lines(third) == [] and marker.exists()
    assert json.loads(third.stdout)["churn"]["version"] == "v1.1.0"


def test_index_by_url_is_the_index_of_a_clone_byte_for_byte(repo: GitBuilder, tmp_path: Path, cache: Path) -> None:
    registry_repo(repo)
    _, url = bare_origin(repo, tmp_path)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", url, str(clone)], check=True)  # its origin is the URL too
    by_url = ms(cache, "index", "--repo", url)
    by_clone = ms(cache, "index", "--repo", str(clone))
    assert by_url.returncode == 0 and by_clone.returncode == 0, by_url.stderr + by_clone.stderr
    assert by_url.stdout == by_clone.stdout
    assert json.loads(by_url.stdout)["repository"]["remote"] == url
    again = ms(cache, "index", "--repo", url)  # the fragment cache lives in the mirror's Git dir
    assert again.stdout == by_url.stdout and cloning_lines(again) == []


def test_doctor_and_download_read_the_mirror(repo: GitBuilder, tmp_path: Path, cache: Path) -> None:
    registry_repo(repo)
    _, url = bare_origin(repo, tmp_path)
    doctor = ms(cache, "doctor", "--repo", url)
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert "note: not checked without a work tree" in doctor.stdout
    assert "ok: 5 registry tags, 2 models" in doctor.stdout
    out = tmp_path / "out"
    download = ms(cache, "download", "churn#prod", "--repo", url, "-o", str(out))
    assert download.returncode == 0, download.stderr
    assert (out / "churn.pkl").read_text() == "churn 1"
    resolve = ms(cache, "resolve", "churn@latest", "--repo", url)
    assert json.loads(resolve.stdout)["version"] == "v1.1.0"
    assert cloning_lines(download) == [] and cloning_lines(resolve) == []  # doctor cloned it


def test_open_repository_gives_paths_back_and_urls_as_their_mirror(repo: GitBuilder, tmp_path: Path,
                                                                   cache: Path) -> None:
    registry_repo(repo)
    _, url = bare_origin(repo, tmp_path)
    with open_repository(str(repo.path), cache_root=cache) as local:
        assert local.path == repo.path and local.url is None and os.fspath(local) == str(repo.path)
    lines: list[str] = []
    received: list[tuple[int, int, str]] = []
    with open_repository(url, cache_root=cache, notify=lines.append,
                         progress=lambda done, total, what: received.append((done, total, what))) as local:
        assert isinstance(local, LocalRepository) and local.cloned and local.url == url
        assert local.path == mirror_path(url, cache) and local.stale is None
        assert len(lines) == 1 and url in lines[0]
        assert received and received[-1][0] == received[-1][1] and received[-1][2] == "objects"
        with open_repository(local) as same:  # an opened repository passes through
            assert same is local
    again = update_mirror(url, cache_root=cache, notify=lines.append)
    assert not again.cloned and len(lines) == 1 and again.fetched_at is not None
