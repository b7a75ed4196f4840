"""Git LFS with the real ``git lfs`` (Debian's git-lfs) as the oracle: it writes the pointers
on commit and fills the object store on fetch (also where ``lfs.storage`` points); the index
must record what git-lfs recorded and downloads must find what git-lfs stored."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest

from modelshelf.index.build import build_index
from modelshelf.registry import load_registry

from .conftest import require_tool
from .gitutil import GitBuilder, run_cli

pytestmark = pytest.mark.lfs

WEIGHTS = b"\x00real weights\xff" * 500
VOCAB = b"a\nb\nc\n"
DVC_YAML = """\
artifacts:
  llm:
    path: models/llm.safetensors
    type: model
  tokenizer:
    path: models/tokenizer
    type: model
"""


def lfs(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    require_tool("git-lfs")
    result = subprocess.run(["git", "lfs", *args], cwd=cwd, capture_output=True, text=True,
                            env={**os.environ, **(env or {})})
    assert result.returncode == 0, f"git lfs {' '.join(args)} failed: {result.stdout}{result.stderr}"
    return result.stdout


@pytest.fixture
def origin(repo: GitBuilder) -> GitBuilder:
    """Two models committed through the real LFS clean filter."""
    lfs(repo.path, "install", "--local")
    lfs(repo.path, "track", "*.safetensors", "models/tokenizer/*.bin")
    repo.commit("models through LFS", {
        "dvc.yaml": DVC_YAML, "models/llm.safetensors": WEIGHTS,
        "models/tokenizer/vocab.bin": VOCAB, "models/tokenizer/config.json": {"lower": True},
    })
    repo.tag("llm@v1.0.0")
    repo.tag("tokenizer@v1.0.0")
    return repo


def lfs_files(repo: Path) -> dict[str, str]:
    """path -> sha256 oid, as ``git lfs ls-files --long`` lists them."""
    lines = lfs(repo, "ls-files", "--long").splitlines()
    return {line.split(" ", 2)[2]: line.split(" ", 1)[0] for line in lines}


def test_the_index_records_the_object_git_lfs_stored(origin: GitBuilder) -> None:
    listed = lfs_files(origin.path)
    assert listed == {"models/llm.safetensors": hashlib.sha256(WEIGHTS).hexdigest(),
                      "models/tokenizer/vocab.bin": hashlib.sha256(VOCAB).hexdigest()}
    pointer = origin.git("cat-file", "-p", "HEAD:models/llm.safetensors")  # what the clean filter committed
    assert lfs(origin.path, "pointer", "--file=models/llm.safetensors").strip() == pointer
    assert pointer.splitlines()[1:] == [f"oid sha256:{listed['models/llm.safetensors']}", f"size {len(WEIGHTS)}"]
    data = build_index(load_registry(origin.path), use_cache=False).data
    llm = next(m for m in data["models"] if m["name"] == "llm")
    storage = llm["versions"][0]["storage"]
    assert (storage["kind"], storage["sha256"], storage["size"]) == ("lfs", listed["models/llm.safetensors"], len(WEIGHTS))


def test_download_reads_the_store_git_lfs_filled(origin: GitBuilder, tmp_path: Path) -> None:
    result = run_cli("download", "llm", "--repo", str(origin.path), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "llm.safetensors").read_bytes() == WEIGHTS
    result = run_cli("download", "tokenizer", "--repo", str(origin.path), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "out" / "tokenizer"
    assert (folder / "vocab.bin").read_bytes() == VOCAB and json.loads((folder / "config.json").read_text()) == {"lower": True}


@pytest.mark.parametrize("storage", [None, "../../shared-lfs-store"])
def test_a_clone_downloads_after_git_lfs_fetch_and_not_before(origin: GitBuilder, tmp_path: Path,
                                                             storage: str | None) -> None:
    """A clone without the objects (CI's default checkout) says to run ``git lfs fetch``; after it
    (into .git/lfs, or where lfs.storage points) the bytes download."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(origin.path), str(clone)], check=True, capture_output=True,
                   env={**os.environ, "GIT_LFS_SKIP_SMUDGE": "1"})
    subprocess.run(["git", "fetch", "-q", "--tags"], cwd=clone, check=True, capture_output=True)
    lfs(clone, "install", "--local")
    if storage:
        subprocess.run(["git", "config", "lfs.storage", storage], cwd=clone, check=True)
    store = clone / ".git" / (storage or "lfs")  # as the error names it (not normalised)
    before = run_cli("download", "llm", "--repo", str(clone), "-o", str(tmp_path / "before"))
    assert before.returncode == 1 and "git lfs fetch" in before.stderr, before.stderr
    assert str(store / "objects") in before.stderr
    assert not (tmp_path / "before" / "llm.safetensors").exists()
    lfs(clone, "fetch", "origin", "main")
    assert any((store / "objects").rglob(hashlib.sha256(WEIGHTS).hexdigest()))  # where git-lfs put it
    after = run_cli("download", "llm", "--repo", str(clone), "-o", str(tmp_path / "after"))
    assert after.returncode == 0, after.stderr
    assert (tmp_path / "after" / "llm.safetensors").read_bytes() == WEIGHTS
