"""Models committed through Git LFS: the index records the real content's sha256 and size
(the pointer's oid), and downloads follow the pointer to the clone's LFS store instead of
handing out the pointer text as the model.

git-lfs itself is not needed: the tests write the pointer files and the store
(``.git/lfs/objects/aa/bb/<oid>``) exactly as ``git lfs`` leaves them after a fetch.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import jsonschema
import pytest

from modelshelf.fetch import publish_artifacts
from modelshelf.git.lfs import object_path, parse_pointer
from modelshelf.index import build_index, load_schema
from modelshelf.registry import load_registry

from .gitutil import GitBuilder, run_cli

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


def pointer(content: bytes) -> bytes:
    oid = hashlib.sha256(content).hexdigest()
    return f"version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {len(content)}\n".encode()


def store(repo: GitBuilder, content: bytes) -> Path:
    path = object_path(repo.path / ".git", hashlib.sha256(content).hexdigest())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


@pytest.fixture
def lfs_repo(repo: GitBuilder) -> GitBuilder:
    repo.commit("models through LFS", {
        "dvc.yaml": DVC_YAML,
        ".gitattributes": "*.safetensors filter=lfs diff=lfs merge=lfs -text\n",
        "models/llm.safetensors": pointer(WEIGHTS),
        "models/tokenizer/vocab.bin": pointer(VOCAB),
        "models/tokenizer/config.json": {"lower": True},
    })
    repo.tag("llm@v1.0.0")
    repo.tag("tokenizer@v1.0.0")
    store(repo, WEIGHTS)
    store(repo, VOCAB)
    return repo


def test_pointer_grammar() -> None:
    parsed = parse_pointer(pointer(WEIGHTS))
    assert parsed is not None and parsed.oid == hashlib.sha256(WEIGHTS).hexdigest() and parsed.size == len(WEIGHTS)
    assert parse_pointer(WEIGHTS) is None
    assert parse_pointer(b"version https://git-lfs.github.com/spec/v1\noid sha256:xyz\nsize 3\n") is None
    assert parse_pointer(pointer(WEIGHTS) + b"x" * 1024) is None  # over the spec's size: content
    assert parse_pointer(None) is None and parse_pointer(b"") is None


def test_index_records_the_lfs_object_not_the_pointer(lfs_repo: GitBuilder) -> None:
    data = build_index(load_registry(lfs_repo.path), use_cache=False).data
    jsonschema.validate(data, load_schema())
    models = {m["name"]: m for m in data["models"]}
    storage = models["llm"]["versions"][0]["storage"]
    assert storage["kind"] == "lfs"
    assert storage["sha256"] == hashlib.sha256(WEIGHTS).hexdigest() and storage["size"] == len(WEIGHTS)
    assert storage["git_sha"] == lfs_repo.git("rev-parse", "HEAD:models/llm.safetensors")
    folder = models["tokenizer"]["versions"][0]["storage"]
    config = json.dumps({"lower": True}, indent=2).encode()
    manifest = "".join(f"{hashlib.sha256(c).hexdigest()}  {p}\n" for p, c in
                       sorted([("config.json", config), ("vocab.bin", VOCAB)])).encode()
    assert folder["kind"] == "git" and folder["is_dir"]
    assert folder["sha256"] == hashlib.sha256(manifest).hexdigest()
    assert folder["size"] == len(config) + len(VOCAB)


def test_download_follows_the_pointer(lfs_repo: GitBuilder, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli("download", "llm", "--repo", str(lfs_repo.path), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert (out / "llm.safetensors").read_bytes() == WEIGHTS
    result = run_cli("download", "tokenizer", "--repo", str(lfs_repo.path), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert (out / "tokenizer" / "vocab.bin").read_bytes() == VOCAB


def test_missing_lfs_object_is_a_clear_error_and_leaves_nothing(lfs_repo: GitBuilder, tmp_path: Path) -> None:
    store(lfs_repo, WEIGHTS).unlink()
    out = tmp_path / "out"
    result = run_cli("download", "llm", "--repo", str(lfs_repo.path), "-o", str(out))
    assert result.returncode == 1
    assert "Git LFS" in result.stderr and "git lfs fetch" in result.stderr
    assert not out.exists() or not [p for p in out.rglob("*") if p.is_file()]  # no pointer, no part file


def test_published_artifact_is_the_lfs_content(lfs_repo: GitBuilder, tmp_path: Path) -> None:
    registry = load_registry(lfs_repo.path)
    data = build_index(registry, use_cache=False).data
    problems: list[str] = []
    publish_artifacts(registry, data, tmp_path / "site", problems=problems)
    assert problems == []
    llm = next(m for m in data["models"] if m["name"] == "llm")["versions"][0]["storage"]
    assert llm["sha256"] == hashlib.sha256(WEIGHTS).hexdigest()
    assert (tmp_path / "site" / llm["download_url"]).read_bytes() == WEIGHTS


def test_fragments_cached_by_older_modelshelf_are_not_reused(lfs_repo: GitBuilder) -> None:
    """Caches written before LFS support hashed the pointer: their format no longer matches."""
    from modelshelf.fragment_cache import CACHE_FILE, FORMAT

    assert build_index(load_registry(lfs_repo.path)).data  # fills the cache
    cache = lfs_repo.path / ".git" / "modelshelf" / "cache" / CACHE_FILE
    data = json.loads(cache.read_text())
    text = json.dumps(data).replace('"kind": "lfs"', '"kind": "git"')  # what format 2 had recorded
    cache.write_text(text.replace(f"format {FORMAT}", "format 2"))
    storage = next(m for m in build_index(load_registry(lfs_repo.path)).data["models"] if m["name"] == "llm")
    assert storage["versions"][0]["storage"]["kind"] == "lfs"
