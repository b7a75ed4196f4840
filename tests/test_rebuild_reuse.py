"""Issues 15/16: a rebuild after one new tag reuses the last build's work, and its site is the
cold build's, byte for byte. Work is counted, not timed: the published bytes and the plots of
a rebuild are hardlinks (the same inode) of what the previous build wrote, not new copies;
bytes the cache claims are checked before they land in the site."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from modelshelf.delivery.publish import artifact_path
from modelshelf.delivery.publish_store import store_path
from modelshelf.render.pages import PLOTS_DIR
from modelshelf.git.build_cache import git_cache_dir

from .churn import build_churn
from .gitutil import GitBuilder, git_bytes, run_cli

PLOTTED = """\
artifacts:
  churn:
    path: models/churn.pkl
    type: model
  encoder:
    path: models/encoder
    type: model
metrics:
  - models/metrics.json
plots:
  - eval/roc.json:
      x: fpr
      y: tpr
      title: ROC
"""


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _inodes(root: Path, prefix: str) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_ino for p in sorted((root / prefix).rglob("*")) if p.is_file()}


def _build(repo: GitBuilder, site: Path) -> None:
    result = run_cli("build", "--repo", str(repo.path), "-o", str(site), "-q", "--publish-artifacts")
    assert result.returncode == 0, result.stderr


def _registry(site: Path) -> dict:
    return json.loads((site / "api" / "registry.json").read_text())


def _file_downloads(site: Path) -> set[str]:
    return {v["storage"]["download_url"] for m in _registry(site)["models"] for v in m["versions"]
            if v["storage"].get("download_url") and not v["storage"].get("is_dir")}


def _repo(tmp_path: Path) -> GitBuilder:
    repo = GitBuilder(tmp_path / "repo")
    build_churn(repo)
    repo.commit("plots", {"dvc.yaml": PLOTTED, "models/metrics.json": json.dumps({"auc": 0.91}),
                          "eval/roc.json": json.dumps([{"fpr": 0, "tpr": 0}, {"fpr": 0.5, "tpr": 0.8},
                                                       {"fpr": 1, "tpr": 1}]),
                          "models/churn.pkl": b"\x00churn-v4"})
    repo.tag("churn@v1.3.0")
    repo.commit("more", {"models/metrics.json": json.dumps({"auc": 0.93}), "models/churn.pkl": b"\x00churn-v5"})
    repo.tag("churn@v1.4.0")  # two points of auc: a trend plot
    return repo


def test_rebuild_after_a_new_tag_links_the_last_build_and_equals_a_cold_build(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    site = tmp_path / "site"
    _build(repo, site)
    files = _file_downloads(site)  # Git-stored files (a folder's files are fetched again: not kept yet)
    artifacts = {path: ino for path, ino in _inodes(site, "artifacts").items() if path in files}
    plots = _inodes(site, PLOTS_DIR)
    assert len(artifacts) == 5 and plots

    repo.tag("encoder#staging#9")  # one new tag: no new bytes, no new plot of churn
    _build(repo, site)  # the old site is removed when the new one is swapped in: only the caches hold the bytes
    assert {p: i for p, i in _inodes(site, "artifacts").items() if p in files} == artifacts  # not one published file fetched or copied again
    assert _inodes(site, PLOTS_DIR) == plots  # nor one plot

    shutil.rmtree(git_cache_dir(Path(repo.path) / ".git"))  # the same repo state, built cold
    cold = tmp_path / "cold"
    _build(repo, cold)
    assert _files(cold) == _files(site)
    assert set(_inodes(cold, "artifacts").values()).isdisjoint(artifacts.values())


def test_bytes_the_cache_claims_are_checked_before_they_are_published(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    site = tmp_path / "site"
    _build(repo, site)
    versions = {v["version"]: v for m in _registry(site)["models"] if m["name"] == "churn" for v in m["versions"]}
    storage = versions["v1.3.0"]["storage"]
    kept = store_path(git_cache_dir(Path(repo.path) / ".git"), storage["git_sha"])
    assert kept is not None and kept.stat().st_ino == (site / storage["download_url"]).stat().st_ino
    genuine = kept.read_bytes()
    os.unlink(kept)  # a forged cache entry: same size, other bytes
    kept.write_bytes(b"\x01" * len(genuine))

    repo.tag("churn#dev#9")
    _build(repo, site)
    storage = next(v for m in _registry(site)["models"] if m["name"] == "churn"
                   for v in m["versions"] if v["version"] == "v1.3.0")["storage"]
    published = (site / storage["download_url"]).read_bytes()
    assert published == genuine == git_bytes(repo, "HEAD~1", "models/churn.pkl")
    assert hashlib.sha256(published).hexdigest() == storage["sha256"]
    assert storage["download_url"] == artifact_path(storage["sha256"])
    assert kept.read_bytes() == genuine  # the forged entry was replaced by the bytes read from Git
