"""Models committed through Git LFS: the index records the real content's sha256 and size
(the pointer's oid), and downloads follow the pointer to the clone's LFS store instead of
handing out the pointer text as the model.

git-lfs itself is not needed: the tests write the pointer files and the store
(``.git/lfs/objects/aa/bb/<oid>``, or where ``lfs.storage`` points) exactly as
``git lfs`` leaves them after a fetch.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import jsonschema
import pytest

from modelshelf.delivery import publish_artifacts
from modelshelf.git.lfs import object_path, parse_pointer, storage_dir
from modelshelf.index.build import build_index, load_schema
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


def store(repo: GitBuilder, content: bytes, storage: str | None = None) -> Path:
    path = object_path(repo.path / ".git", hashlib.sha256(content).hexdigest(), storage)
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
    from modelshelf.index.fragment_cache import CACHE_FILE, FORMAT

    assert build_index(load_registry(lfs_repo.path)).data  # fills the cache
    cache = lfs_repo.path / ".git" / "modelshelf" / "cache" / CACHE_FILE
    data = json.loads(cache.read_text())
    text = json.dumps(data).replace('"kind": "lfs"', '"kind": "git"')  # what format 2 had recorded
    cache.write_text(text.replace(f"format {FORMAT}", "format 2"))
    storage = next(m for m in build_index(load_registry(lfs_repo.path)).data["models"] if m["name"] == "llm")
    assert storage["versions"][0]["storage"]["kind"] == "lfs"


# -- lfs.storage: a store outside .git/lfs -------------------------------------

def test_storage_dir_resolves_as_git_lfs_does(tmp_path: Path) -> None:
    common = tmp_path / "repo" / ".git"
    oid = hashlib.sha256(WEIGHTS).hexdigest()
    assert storage_dir(common) == storage_dir(common, "") == common / "lfs"
    assert storage_dir(common, "custom-lfs") == common / "custom-lfs"  # relative: to the common git dir
    assert storage_dir(common, "../../shared") == common / "../../shared"
    assert storage_dir(common, "/srv/lfs") == Path("/srv/lfs")
    assert storage_dir(common, "~/lfs") == common / "~/lfs"  # git-lfs does not expand ~
    assert object_path(common, oid, "/srv/lfs") == Path("/srv/lfs/objects") / oid[:2] / oid[2:4] / oid


@pytest.fixture
def pointer_repo(repo: GitBuilder) -> GitBuilder:
    """The LFS repo without any object in a store yet."""
    repo.commit("models through LFS", {
        "dvc.yaml": DVC_YAML, "models/llm.safetensors": pointer(WEIGHTS),
        "models/tokenizer/vocab.bin": pointer(VOCAB), "models/tokenizer/config.json": {"lower": True},
    })
    repo.tag("llm@v1.0.0")
    repo.tag("tokenizer@v1.0.0")
    return repo


def download(repo: Path, name: str, out: Path, env: dict | None = None):
    return run_cli("download", name, "--repo", str(repo), "-o", str(out), env=env)


def test_relative_lfs_storage_in_the_repo_config(pointer_repo: GitBuilder, tmp_path: Path) -> None:
    pointer_repo.git("config", "lfs.storage", "custom-lfs")
    stored = store(pointer_repo, WEIGHTS, "custom-lfs")
    assert stored.is_relative_to(pointer_repo.path / ".git" / "custom-lfs" / "objects")
    store(pointer_repo, VOCAB, "custom-lfs")
    assert not (pointer_repo.path / ".git" / "lfs").exists()
    result = download(pointer_repo.path, "llm", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "llm.safetensors").read_bytes() == WEIGHTS
    result = download(pointer_repo.path, "tokenizer", tmp_path / "out")  # a folder: one git config call
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "tokenizer" / "vocab.bin").read_bytes() == VOCAB


def test_absolute_lfs_storage_from_the_global_config(pointer_repo: GitBuilder, tmp_path: Path) -> None:
    shared = tmp_path / "shared-lfs-store"
    store(pointer_repo, WEIGHTS, str(shared))
    global_config = tmp_path / "gitconfig"
    global_config.write_text(f"[lfs]\n\tstorage = {shared}\n")
    env = {"GIT_CONFIG_GLOBAL": str(global_config)}
    result = download(pointer_repo.path, "llm", tmp_path / "out", env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "llm.safetensors").read_bytes() == WEIGHTS
    # Without that config the object is looked for (and missed) in .git/lfs, and the error says where.
    missing = download(pointer_repo.path, "llm", tmp_path / "elsewhere")
    assert missing.returncode == 1
    assert str(pointer_repo.path / ".git" / "lfs" / "objects") in missing.stderr
    assert "git lfs fetch" in missing.stderr


def test_relative_lfs_storage_is_relative_to_the_common_dir_in_a_linked_worktree(
        pointer_repo: GitBuilder, tmp_path: Path) -> None:
    pointer_repo.git("config", "lfs.storage", "custom-lfs")
    store(pointer_repo, WEIGHTS, "custom-lfs")
    linked = tmp_path / "linked"
    pointer_repo.git("worktree", "add", "-q", "--detach", str(linked))
    result = download(linked, "llm", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "llm.safetensors").read_bytes() == WEIGHTS


def test_lfs_storage_in_a_committed_lfsconfig_is_ignored_as_git_lfs_ignores_it(
        pointer_repo: GitBuilder, tmp_path: Path) -> None:
    """git-lfs reads only a few safe keys (lfs.url, ...) from .lfsconfig: a repo must not
    redirect where a clone's objects are read from."""
    pointer_repo.commit("try to move the store", {".lfsconfig": "[lfs]\n\tstorage = /tmp/not-here\n"})
    store(pointer_repo, WEIGHTS)
    result = download(pointer_repo.path, "llm", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "llm.safetensors").read_bytes() == WEIGHTS


def test_missing_object_in_a_custom_store_names_that_store(pointer_repo: GitBuilder, tmp_path: Path) -> None:
    store(pointer_repo, WEIGHTS)  # in the default store, which lfs.storage makes git-lfs ignore
    pointer_repo.git("config", "lfs.storage", "custom-lfs")
    result = download(pointer_repo.path, "llm", tmp_path / "out")
    assert result.returncode == 1
    assert str(pointer_repo.path / ".git" / "custom-lfs" / "objects") in result.stderr
    assert not (tmp_path / "out").exists() or not [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
