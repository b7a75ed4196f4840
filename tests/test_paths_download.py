"""Issue 12 item 9: one rule for paths. An absolute path, a committed symlink as a single-file model and a
symlink inside a folder model are all refused alike, with a clear message and a `doctor` problem; nothing
is downloaded or published as a link's text or from outside the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelshelf.delivery import IntegrityFailed, publish_artifacts
from modelshelf.delivery.locate import git_plan
from modelshelf.delivery.records import StorageRecord
from modelshelf.index.build import build_index
from modelshelf.registry import load_registry

from .gitutil import GitBuilder, run_cli

DVC_YAML = """\
artifacts:
  abs:
    path: /etc/passwd
  link:
    path: models/link.bin
  folder:
    path: models/folder
  good:
    path: models/good.bin
"""


def make(repo: GitBuilder) -> None:
    repo.write("models/folder/weights.bin", b"w")
    (repo.path / "models" / "folder" / "inner").symlink_to("/etc/passwd")
    (repo.path / "models" / "link.bin").symlink_to("/etc/passwd")
    repo.commit("models", {"dvc.yaml": DVC_YAML, "models/good.bin": b"good"})
    for name in ("abs", "link", "folder", "good"):
        repo.tag(f"{name}@v1.0.0")


def test_doctor_names_each_refused_path(repo: GitBuilder) -> None:
    make(repo)
    result = run_cli("doctor", "--repo", str(repo.path))
    assert result.returncode == 1
    text = result.stdout + result.stderr
    assert "path '/etc/passwd' is absolute" in text
    assert "models/link.bin" in text and "is a symbolic link" in text
    assert "models/folder" in text and "holds a symbolic link ('inner')" in text


def test_index_records_no_bytes_for_a_symlink_or_an_absolute_path(repo: GitBuilder, tmp_path: Path) -> None:
    make(repo)
    registry = load_registry(repo.path)
    data = build_index(registry).data
    storage = {m["name"]: m["versions"][0]["storage"] for m in data["models"]}
    assert storage["link"]["kind"] == "missing" and storage["link"]["sha256"] is None
    assert storage["abs"]["kind"] == "missing" and storage["abs"]["path"] is None  # not 'etc/passwd'
    assert storage["good"]["kind"] == "git"
    publish_artifacts(registry, data, tmp_path / "site", scope="current")
    assert storage["good"]["download_url"] and storage["link"]["download_url"] is None
    published = [p.read_bytes() for p in (tmp_path / "site").rglob("*") if p.is_file()]
    assert b"/etc/passwd" not in published  # the link text is never published as a model


def test_download_refuses_each_with_a_clear_message(repo: GitBuilder, tmp_path: Path) -> None:
    make(repo)
    cases = {
        "link": "refusing symlink 'models/link.bin'",
        "folder": "refusing symlink 'models/folder/inner'",
        "abs": "absolute or escaping path, which is refused",
    }
    for name, said in cases.items():
        result = run_cli("download", name, "--repo", str(repo.path), "-o", str(tmp_path / name))
        assert result.returncode == 1, (name, result.stderr)
        assert said in result.stderr and len(result.stderr.splitlines()) == 1, (name, result.stderr)
        assert not (tmp_path / name).exists()
    good = run_cli("download", "good", "--repo", str(repo.path), "-o", str(tmp_path / "good"))
    assert good.returncode == 0 and (tmp_path / "good" / "good.bin").read_bytes() == b"good"


def test_an_old_index_recording_the_link_text_is_refused_from_the_repo(repo: GitBuilder) -> None:
    """A record made before the rule (storage git, the link text's hash) still never yields the link text."""
    make(repo)
    registry = load_registry(repo.path)
    try:
        commit = registry.state.artifacts["link"].versions[0].commit
        old = StorageRecord(kind="git", path="models/link.bin", size=11, sha256="0" * 64)
        with pytest.raises(IntegrityFailed, match="refusing symlink 'models/link.bin'"):
            git_plan(registry.repo, commit, old, "link v1.0.0")
    finally:
        registry.repo.close()
