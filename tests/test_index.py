"""The JSON index: schema, determinism, metadata at each version, and bad input."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import jsonschema
import pytest

from modelshelf.index.build import build_index, dumps, load_schema
from modelshelf.registry import load_registry

from .gitutil import GitBuilder, run_cli

DVC_YAML = """\
artifacts:
  churn:
    path: models/churn.pkl
    type: model
    desc: Predicts customer churn
    labels: [tabular, xgboost]
metrics:
  - metrics.json
"""


def build_repo(repo: GitBuilder) -> dict[str, str]:
    shas = {}
    shas["c1"] = repo.commit("train v1", {
        "dvc.yaml": DVC_YAML, "models/churn.pkl": b"\x00model-v1",
        "metrics.json": {"auc": 0.81, "nested": {"f1": 0.7}}, "params.yaml": "lr: 0.1\n",
    })
    repo.tag("churn@v1.0.0", message="Registering artifact churn version v1.0.0")
    shas["c2"] = repo.commit("train v2", {
        "models/churn.pkl": b"\x00model-v2", "metrics.json": {"auc": 0.86, "nested": {"f1": 0.74}}, "params.yaml": "lr: 0.05\n",
    })
    repo.tag("churn@v1.1.0", message="Registering artifact churn version v1.1.0")
    repo.tag("churn#prod#1", message="Assigning stage prod to artifact churn version v1.1.0")
    return shas


def index_of(path: Path) -> dict:
    result = run_cli("index", "--repo", str(path))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_index_validates_and_holds_metadata(repo: GitBuilder) -> None:
    shas = build_repo(repo)
    data = index_of(repo.path)
    jsonschema.validate(data, load_schema())
    (model,) = data["models"]
    assert model["name"] == "churn"
    assert model["description"] == "Predicts customer churn"
    assert model["labels"] == ["tabular", "xgboost"]
    assert model["latest"] == "v1.1.0"
    assert model["stages"] == {"prod": "v1.1.0"}
    v11, v10 = model["versions"]
    assert (v11["version"], v11["commit"], v11["previous"], v11["stages"]) == ("v1.1.0", shas["c2"], "v1.0.0", ["prod"])
    assert v11["metrics"] == {"auc": 0.86, "nested.f1": 0.74}
    assert v10["metrics"]["auc"] == 0.81
    assert v11["params"]["lr"] == 0.05
    assert v11["storage"]["kind"] == "git"
    assert v11["storage"]["size"] == len(b"\x00model-v2")
    tagged = int(repo.git("for-each-ref", "--format=%(taggerdate:unix)", "refs/tags/churn@v1.1.0"))
    assert v11["created_at"] == datetime.fromtimestamp(tagged, timezone.utc).isoformat()
    assert [e["event"] for e in data["events"]] == ["assignment", "registration", "registration"]


def test_index_is_byte_identical_across_runs(repo: GitBuilder, tmp_path: Path) -> None:
    build_repo(repo)
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert run_cli("index", "--repo", str(repo.path), "-o", str(first)).returncode == 0
    assert run_cli("index", "--repo", str(repo.path), "-o", str(second)).returncode == 0
    assert first.read_bytes() == second.read_bytes()
    assert dumps(build_index(load_registry(repo.path)).data).encode() == first.read_bytes()


def test_broken_yaml_in_one_commit_warns_and_the_rest_builds(repo: GitBuilder) -> None:
    build_repo(repo)
    bad = repo.commit("oops", {"dvc.yaml": "artifacts: [unclosed\n"})
    repo.tag("churn@v1.2.0", message="Registering artifact churn version v1.2.0")
    result = run_cli("index", "--repo", str(repo.path))
    assert result.returncode == 0
    assert "dvc.yaml" in result.stderr and bad[:7] in result.stderr
    data = json.loads(result.stdout)
    versions = {v["version"]: v for v in data["models"][0]["versions"]}
    assert set(versions) == {"v1.0.0", "v1.1.0", "v1.2.0"}
    assert versions["v1.1.0"]["metrics"]["auc"] == 0.86
    assert any("dvc.yaml" in p for p in versions["v1.2.0"]["problems"])
    doctor = run_cli("doctor", "--repo", str(repo.path))
    assert doctor.returncode == 1 and "dvc.yaml" in doctor.stdout


def test_not_a_git_repo_exits_2(tmp_path: Path) -> None:
    for command in (["show"], ["index"], ["history"], ["doctor"]):
        result = run_cli(*command, "--repo", str(tmp_path))
        assert result.returncode == 2
        assert "not a Git repository" in result.stderr
        assert result.stderr.count("\n") == 1  # one line, no traceback


def test_non_utf8_tag_message_does_not_crash(repo: GitBuilder) -> None:
    repo.commit("c1", {"a.txt": "a"})
    message = repo.path / "msg.bin"
    message.write_bytes(b"Registering \xff\xfe caf\xe9\n")
    repo.git("tag", "-a", "m@v1.0.0", "-F", str(message))
    data = index_of(repo.path)
    assert data["models"][0]["versions"][0]["message"].startswith("Registering")
    assert run_cli("show", "--repo", str(repo.path)).returncode == 0
    # gto stops on such a repo ('utf-8' codec can't decode): doctor names the tag to re-create.
    repo.git("tag", "-a", "m@v1.1.0", "-m", "fine")
    doctor = run_cli("doctor", "--tags-only", "--repo", str(repo.path))
    assert doctor.returncode == 1
    (line,) = [l for l in doctor.stdout.splitlines() if "not UTF-8" in l]
    assert line.startswith("tag m@v1.0.0: its message or tagger is not UTF-8")


def test_declared_but_untagged_model_is_listed(repo: GitBuilder) -> None:
    repo.commit("log", {"dvc.yaml": DVC_YAML, "models/churn.pkl": b"x"})
    (model,) = index_of(repo.path)["models"]
    assert model["name"] == "churn" and model["latest"] is None and model["registered"] is False
    assert model["versions"] == []


def test_shallow_clone_is_reported_with_the_fix(repo: GitBuilder, tmp_path: Path) -> None:
    build_repo(repo)
    repo.commit("c3", {"x.txt": "3"})
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--no-tags", f"file://{repo.path}", str(clone)], check=True)
    result = run_cli("show", "--repo", str(clone))
    assert result.returncode == 0
    assert "shallow" in result.stderr and "git fetch --tags --unshallow" in result.stderr
    assert "fetch-depth: 0" in result.stderr
    # Publishing it would replace a good index with an empty one: index stops instead.
    out = tmp_path / "index.json"
    refused = run_cli("index", "--repo", str(clone), "-o", str(out))
    assert refused.returncode == 2 and not out.exists()
    assert refused.stderr.count("\n") == 1 and "is a shallow clone" in refused.stderr
    assert "git fetch --tags --unshallow" in refused.stderr and "--allow-shallow" in refused.stderr
    forced = run_cli("index", "--repo", str(clone), "-o", str(out), "--allow-shallow")
    assert forced.returncode == 0
    assert [m["versions"] for m in json.loads(out.read_text())["models"]] == [[]]  # declared at HEAD, no tags
    assert forced.stderr.count("shallow clone") == 1  # warned once, not once per layer
    doctor = run_cli("doctor", "--repo", str(clone))
    assert doctor.returncode == 1
    assert (doctor.stdout + doctor.stderr).count("shallow clone") == 1  # one finding, not three copies


def test_remote_credentials_are_not_published(repo: GitBuilder) -> None:
    build_repo(repo)
    repo.git("remote", "add", "origin", "https://user:s3cret@github.com/acme/models.git")
    data = index_of(repo.path)
    assert data["repository"]["remote"] == "https://github.com/acme/models.git"


def test_fragment_cache_gives_the_same_index_and_keeps_warnings(repo: GitBuilder) -> None:
    build_repo(repo)
    bad = repo.commit("oops", {"dvc.yaml": "artifacts: [unclosed\n"})
    repo.tag("churn@v1.2.0", message="Registering artifact churn version v1.2.0")
    cold = run_cli("index", "--repo", str(repo.path), "--no-cache")
    first = run_cli("index", "--repo", str(repo.path))  # fills the cache
    cache = repo.path / ".git" / "modelshelf" / "cache" / "index-fragments.json"
    assert cache.is_file()
    warm = run_cli("index", "--repo", str(repo.path))  # served from it
    assert cold.stdout == first.stdout == warm.stdout
    assert bad[:7] in warm.stderr and "dvc.yaml" in warm.stderr
    cache.write_text("{not json")  # a damaged cache only costs time
    assert run_cli("index", "--repo", str(repo.path)).stdout == cold.stdout


def test_fragment_cache_sees_new_versions(repo: GitBuilder) -> None:
    build_repo(repo)
    assert run_cli("index", "--repo", str(repo.path)).returncode == 0
    repo.commit("train v3", {"metrics.json": {"auc": 0.9, "nested": {"f1": 0.8}}})
    repo.tag("churn@v1.3.0", message="Registering artifact churn version v1.3.0")
    versions = {v["version"]: v for v in index_of(repo.path)["models"][0]["versions"]}
    assert versions["v1.3.0"]["metrics"]["auc"] == 0.9
    assert versions["v1.1.0"]["metrics"]["auc"] == 0.86


def test_bare_clone_and_worktree_read_the_same(repo: GitBuilder, tmp_path: Path) -> None:
    build_repo(repo)
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo.path), str(bare)], check=True)
    worktree = tmp_path / "wt"
    repo.git("worktree", "add", "-q", "--detach", str(worktree))
    expected = index_of(repo.path)
    for path in (bare, worktree):
        assert run_cli("show", "--json", "--repo", str(path)).stdout == run_cli("show", "--json", "--repo", str(repo.path)).stdout
        data = index_of(path)
        assert data["models"] == expected["models"]


def test_index_to_a_device_writes_through_and_keeps_it(repo: GitBuilder, tmp_path: Path) -> None:
    """`-o /dev/null` must not replace the device with a file (the temp-and-rename trap)."""
    import stat

    build_repo(repo)
    assert run_cli("index", "--repo", str(repo.path), "-o", os.devnull).returncode == 0
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    target = tmp_path / "real.json"
    link = tmp_path / "link.json"
    target.write_text("old")
    link.symlink_to(target)
    assert run_cli("index", "--repo", str(repo.path), "-o", str(link)).returncode == 0
    assert link.is_symlink() and json.loads(target.read_text())["schema_version"] == 1


def test_index_file_gets_a_plain_files_mode_or_keeps_its_own(repo: GitBuilder, tmp_path: Path) -> None:
    build_repo(repo)
    mask = os.umask(0)
    os.umask(mask)
    fresh = tmp_path / "new" / "folder" / "index.json"  # missing folders are created
    assert run_cli("index", "--repo", str(repo.path), "-o", str(fresh)).returncode == 0
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~mask  # not mkstemp's owner-only 0600
    kept = tmp_path / "kept.json"
    kept.write_text("{}")
    kept.chmod(0o640)
    assert run_cli("index", "--repo", str(repo.path), "-o", str(kept)).returncode == 0
    assert kept.stat().st_mode & 0o777 == 0o640 and json.loads(kept.read_text())["schema_version"] == 1
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp file left


@pytest.mark.parametrize("where", ["file-as-folder", "folder"])
def test_index_that_cannot_be_written_is_one_line_and_exit_2(repo: GitBuilder, tmp_path: Path, where: str) -> None:
    build_repo(repo)
    blocker = tmp_path / "plain-file"
    blocker.write_text("x")
    output = blocker / "index.json" if where == "file-as-folder" else tmp_path
    result = run_cli("index", "--repo", str(repo.path), "-o", str(output))
    assert result.returncode == 2
    assert result.stderr.startswith(f"modelshelf: error: cannot write the index to {output}: ")
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert blocker.read_text() == "x"


def test_fragment_cache_keeps_only_what_the_last_build_used(repo: GitBuilder) -> None:
    build_repo(repo)
    cache = repo.path / ".git" / "modelshelf" / "cache" / "index-fragments.json"
    assert run_cli("index", "--repo", str(repo.path)).returncode == 0
    first = set(json.loads(cache.read_text())["entries"])
    for n in range(3):  # new HEADs: each build needs a fresh declaration entry
        repo.commit(f"docs {n}", {"README.md": f"{n}"})
        assert run_cli("index", "--repo", str(repo.path)).returncode == 0
    last = set(json.loads(cache.read_text())["entries"])
    assert len(last) == len(first)
    assert {k for k in last if k.startswith("version|")} == {k for k in first if k.startswith("version|")}
