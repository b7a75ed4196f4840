"""Pipelined cat-file batches and the index prefetch: same answers as one request at a time."""

from __future__ import annotations

import pytest

from modelshelf.git import repo as repo_module
from modelshelf.git.catfile import CatFile
from modelshelf.git.repo import GitRepo
from modelshelf.index.build import build_index, dumps
from modelshelf.registry import load_registry

from .gitutil import GitBuilder

BIG = b"W" * ((1 << 18) + 10)  # over the prefetch cap: read on demand


def dvc_yaml(name: str) -> str:
    return f"artifacts:\n  {name}:\n    path: model.bin\n    type: model\nmetrics:\n- metrics.json\n"


def monorepo(repo: GitBuilder) -> list[str]:
    """Two models in sub-folders, a large weights file, metrics changing at every version."""
    commits = [repo.commit("start", {
        "a/dvc.yaml": dvc_yaml("alpha"), "a/model.bin": b"a1", "a/metrics.json": {"auc": 0.5},
        "b/dvc.yaml": dvc_yaml("beta"), "b/model.bin": BIG, "b/metrics.json": {"auc": 0.6},
        "b/eval/plots.json": {"x": [1, 2]}, "params.yaml": "lr: 0.1\n",
    })]
    repo.tag("a=alpha@v1.0.0", message="Registering artifact a:alpha version v1.0.0")
    repo.tag("b=beta@v1.0.0", message="Registering artifact b:beta version v1.0.0")
    for n in range(2, 5):
        commits.append(repo.commit(f"v{n}", {
            "a/model.bin": f"a{n}".encode(), "a/metrics.json": {"auc": 0.5 + n / 100},
            "b/metrics.json": {"auc": 0.6 + n / 100}, "params.yaml": f"lr: 0.{n}\n",
        }))
        repo.tag(f"a=alpha@v1.{n}.0", message=f"Registering artifact a:alpha version v1.{n}.0")
        repo.tag(f"b=beta@v1.{n}.0", message=f"Registering artifact b:beta version v1.{n}.0")
    repo.commit("broken beta", {"b/dvc.yaml": "artifacts: [unclosed\n"})
    repo.tag("a=alpha@v2.0.0", message="Registering artifact a:alpha version v2.0.0")
    return commits


def test_many_answers_in_order_with_missing_and_unsendable_names(repo: GitBuilder) -> None:
    repo.commit("one", {"x.txt": "hello\n"})
    blob = repo.git("rev-parse", "HEAD:x.txt").strip()
    cat = CatFile(repo.path)
    try:
        answers = cat.many("contents", [blob, "0" * 40, "bad\nname", "", "HEAD:x.txt"])
        by_name = {name: (info, data) for name, info, data in answers}
        assert len(answers) == 5
        assert by_name[blob][1] == b"hello\n" and by_name[blob][0].type == "blob"
        assert by_name["HEAD:x.txt"][1] == b"hello\n"
        assert by_name["0" * 40] == (None, None)
        assert by_name["bad\nname"] == (None, None) and by_name[""] == (None, None)
        (info_answer,) = cat.many("info", [blob])
        assert info_answer[1].size == 6 and info_answer[2] is None
        # The stream is left clean for single requests.
        assert cat.contents(blob)[1] == b"hello\n"
        assert cat.info("HEAD").type == "commit"
    finally:
        cat.close()


def test_prefetch_reads_the_same_as_on_demand(repo: GitBuilder) -> None:
    commits = monorepo(repo)
    markers = frozenset({"dvc.yaml", "dvc.lock"})
    with GitRepo(repo.path) as warm, GitRepo(repo.path) as cold:
        warm.prefetch(commits, markers)
        assert warm._blobs, "model-folder blobs were prefetched"
        assert warm.blob_sha(commits[0], "b/model.bin") not in warm._blobs  # over the cap
        for commit in commits:
            assert warm.find_blobs(commit, markers) == cold.find_blobs(commit, markers)
            for path in ("a/model.bin", "b/model.bin", "a/metrics.json", "b/eval/plots.json", "params.yaml", "nope"):
                assert warm.read_file(commit, path) == cold.read_file(commit, path)
                assert warm.blob_info(commit, path) == cold.blob_info(commit, path)
                sha = cold.blob_sha(commit, path)
                if sha:
                    assert warm.read_blob_capped(sha, 4) == cold.read_blob_capped(sha, 4)


def test_prefetch_keeps_to_its_memory_budget(repo: GitBuilder, monkeypatch: pytest.MonkeyPatch) -> None:
    commits = monorepo(repo)
    monkeypatch.setattr(repo_module, "_BLOB_BUDGET", 64)
    with GitRepo(repo.path) as git:
        git.prefetch(commits, frozenset({"dvc.yaml"}))
        assert 0 < sum(len(data) for data in git._blobs.values()) <= 64
        assert git.read_file(commits[-1], "b/model.bin") == BIG  # the rest still reads


def test_index_is_the_same_with_and_without_prefetch(repo: GitBuilder, monkeypatch: pytest.MonkeyPatch) -> None:
    monorepo(repo)
    batched = build_index(load_registry(repo.path), use_cache=False)
    monkeypatch.setattr(GitRepo, "prefetch", lambda self, commits, markers, then=None: None)
    one_by_one = build_index(load_registry(repo.path), use_cache=False)
    assert dumps(batched.data) == dumps(one_by_one.data)
    assert batched.problems == one_by_one.problems
    assert any("dvc.yaml" in p for p in batched.problems)
    beta = next(m for m in batched.data["models"] if m["name"] == "b:beta")
    assert [v["metrics"]["auc"] for v in beta["versions"]] == [0.64, 0.63, 0.62, 0.6]
