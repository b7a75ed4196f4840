"""Reading many commits in order: a version costs its own changed files, not its siblings.

The index reads versions oldest first; the repository moves a flat tree from each
commit to the next by ``git diff-tree`` (git/treewalk.py) and the metadata reader
derives each commit's declarations from the previous commit's when only a few
``dvc.yaml`` files changed. These tests count work (tree entries parsed, paths
changed, blobs parsed), never time, and check the results equal a fresh read.
"""

from __future__ import annotations

import json
from pathlib import Path

from .gitutil import GitBuilder

from modelshelf.git.repo import GitRepo
from modelshelf.index.build import read_ahead, version_key
from modelshelf.index.metadata_json import MetadataJson
from modelshelf.metadata.reader import MetadataReader
from modelshelf.registry import load_registry


def _dvc_yaml(name: str, extra: str = "") -> str:
    return f"artifacts:\n  {name}:\n    path: model.bin\n    type: model\nmetrics:\n- metrics.json\n{extra}"


def _registry(tmp_path: Path, siblings: int, versions: int) -> tuple[GitBuilder, list[tuple[str, str]]]:
    """``siblings`` model folders registered at v0.0.1; then ``versions`` new versions of m00 alone.

    Returns the repo and the (model, commit) of every version, oldest first.
    """
    repo = GitBuilder(tmp_path / f"repo-{siblings}")
    files: dict[str, str | dict] = {}
    for i in range(siblings):
        files[f"m{i:02d}/dvc.yaml"] = _dvc_yaml("model")
        files[f"m{i:02d}/metrics.json"] = {"auc": i / 100}
        files[f"m{i:02d}/model.bin"] = f"weights {i}"
    first = repo.commit("all models", files)
    read = []
    for i in range(siblings):
        repo.tag(f"m{i:02d}=model@v0.0.1", first)
        read.append((f"m{i:02d}:model", first))
    for j in range(versions):
        commit = repo.commit(f"m00 v{j}", {"m00/metrics.json": {"auc": 0.5 + j / 100},
                                           "m00/model.bin": f"weights 0.{j}"})
        repo.tag(f"m00=model@v0.1.{j}", commit)
        read.append(("m00:model", commit))
    return repo, read


def _read_all(path: Path, versions: list[tuple[str, str]]) -> tuple[dict, int, int, int]:
    """Fragments of ``versions`` read as the index reads them, after the first commit.

    Returns the fragments and what reading all but the first commit cost: tree
    entries parsed, paths changed by the walk's steps, dvc.yaml blobs converted.
    """
    with load_registry(path) as registry:
        metadata = MetadataJson(registry)
        first = [v for v in versions if v[1] == versions[0][1]]
        ready = read_ahead(registry, metadata, None, None, first)
        repo = registry.repo
        entries, changes, parses = repo.tree_entries_read, repo._walk.changes_applied, metadata.reader.parses
        ready.update(read_ahead(registry, metadata, None, None, versions[len(first):]))
        return (ready, repo.tree_entries_read - entries, repo._walk.changes_applied - changes,
                metadata.reader.parses - parses)


def test_a_versions_tree_work_does_not_grow_with_the_models_beside_it(tmp_path: Path) -> None:
    few_repo, few_versions = _registry(tmp_path, siblings=3, versions=6)
    many_repo, many_versions = _registry(tmp_path, siblings=40, versions=6)
    few, few_entries, few_changes, few_parses = _read_all(few_repo.path, few_versions)
    many, many_entries, many_changes, many_parses = _read_all(many_repo.path, many_versions)
    assert (many_entries, many_changes) == (few_entries, few_changes)  # reading each root tree: 37 more per version
    assert few_changes > 0 and few_parses == many_parses == 0  # m00's dvc.yaml did not change: not parsed again
    for (name, commit), (_, other) in zip(few_versions[3:], many_versions[40:]):
        mine = few[version_key(name, commit, False)]["value"]
        theirs = many[version_key(name, other, False)]["value"]
        assert mine["metrics"] == theirs["metrics"] and mine["metrics"]["auc"] >= 0.5


def test_an_unchanged_dvc_yaml_is_parsed_once_across_many_commits(tmp_path: Path) -> None:
    repo = GitBuilder(tmp_path / "repo")
    repo.commit("models", {f"{m}/dvc.yaml": _dvc_yaml("model") for m in ("a", "b", "c")}
                | {f"{m}/metrics.json": {"auc": 0.1} for m in ("a", "b", "c")})
    commits = []
    for j in range(12):
        changed: dict[str, str | dict] = {"a/metrics.json": {"auc": j / 10}}
        if j == 5:
            changed["b/dvc.yaml"] = _dvc_yaml("model", "params:\n- params.yaml\n")  # one new blob
        commits.append(repo.commit(f"a v{j}", changed))
    with GitRepo(repo.path) as git:
        reader = MetadataReader(git)
        reader.prefetch(commits)
        seen = [reader.version(c, "a:model").metrics["auc"] for c in commits]
        assert seen == [j / 10 for j in range(12)]
        assert [reader.declarations(c).get("b:model") is not None for c in commits] == [True] * 12
        assert reader.parses == 4  # a, b, c, then b's new blob: not one per commit


def _declarations_json(reader: MetadataReader, commit: str) -> str:
    found = reader.declarations(commit)
    return json.dumps([[name, decl.source, decl.path, decl.description] for name, decl in found.artifacts.items()]
                      + [str(p) for p in found.problems])


def test_declarations_derived_along_the_walk_equal_a_fresh_read(tmp_path: Path) -> None:
    repo = GitBuilder(tmp_path / "repo")
    steps: list[dict[str, str | dict]] = [
        {"a/dvc.yaml": _dvc_yaml("model"), "b/dvc.yaml": _dvc_yaml("model"), "dvc.yaml": _dvc_yaml("root")},
        {"c/dvc.yaml": _dvc_yaml("model")},  # a folder added
        {"b/dvc.yaml": "artifacts: [not, a, mapping]\n"},  # broken: a problem
        {"artifacts.yaml": "legacy:\n  path: legacy.bin\nroot:\n  path: x.bin\n"},  # a name taken by dvc.yaml
        {"a/dvc.yaml": "artifacts:\n  model:\n    path: m.bin\n  other:\n    desc: second\n"},
        {"b/dvc.yaml": _dvc_yaml("model"), "d/deep/dvc.yaml": _dvc_yaml("deep")},  # fixed; a nested one
        {".hidden/dvc.yaml": _dvc_yaml("skipped")},  # hidden folders are never searched
        {"c/metrics.json": {"auc": 1}},  # nothing declared changes
    ]
    commits = [repo.commit(f"step {i}", files) for i, files in enumerate(steps)]
    repo.git("rm", "-q", "-r", "c")
    commits.append(repo.commit("c removed"))
    with GitRepo(repo.path) as git:
        walking = MetadataReader(git)
        walking.prefetch(commits)
        derived = [_declarations_json(walking, c) for c in commits]
        assert git._walk.commit == commits[-1]  # the walk was used
    with GitRepo(repo.path) as git:  # no walk: every commit's files listed from its tree, parsed in full
        reader = MetadataReader(git)
        fresh = [_declarations_json(reader, c) for c in commits]
        assert git._walk.commit is None
    assert derived == fresh
    assert "d/deep:deep" in derived[5] and "skipped" not in derived[6] and "c:model" not in derived[-1]


def _published_lookups(tmp_path: Path, siblings: int) -> tuple[int, list[list[str]]]:
    """Tree entries parsed to list m00's folder at each of its versions, off any walk
    (what publishing a version's bytes asks: is the model file a symlink?)."""
    repo, versions = _registry(tmp_path, siblings=siblings, versions=5)
    with GitRepo(repo.path) as git:
        git.tags()
        listed = [sorted(e.name for e in git.tree(commit, "m00") or ()) for _, commit in versions[siblings:]]
        return git.tree_entries_read, listed


def test_listing_a_models_folder_off_the_walk_does_not_list_the_root(tmp_path: Path) -> None:
    few, few_listed = _published_lookups(tmp_path, 3)
    many, many_listed = _published_lookups(tmp_path, 40)
    assert few_listed == many_listed == [["dvc.yaml", "metrics.json", "model.bin"]] * 5
    assert many == few  # before: each commit's root tree was parsed, one entry per sibling folder
