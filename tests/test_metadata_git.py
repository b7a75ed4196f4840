"""Metadata readers on real Git repositories (``GitRepo`` as the ``BlobSource``)."""

from __future__ import annotations

import hashlib
import json
import subprocess

import pytest

from modelshelf.git import GitRepo
from modelshelf.metadata import BlobSource, MetadataReader

from .gitutil import GitBuilder

PIPELINE_LOCK = """\
schema: '2.0'
stages:
  prepare:
    cmd: python src/prepare.py data/raw.csv
    deps:
    - path: data/raw.csv
      hash: md5
      md5: 0a1b2c3d4e5f60718293a4b5c6d7e8f9
      size: 2048
    - path: src/prepare.py
      hash: md5
      md5: 1a1b2c3d4e5f60718293a4b5c6d7e8f9
      size: 310
    params:
      params.yaml:
        prepare.split: 0.2
    outs:
    - path: data/prepared
      hash: md5
      md5: 2a1b2c3d4e5f60718293a4b5c6d7e8f9.dir
      size: 1800
      nfiles: 2
  featurize:
    cmd: python src/featurize.py data/prepared features
    deps:
    - path: data/prepared
      hash: md5
      md5: 2a1b2c3d4e5f60718293a4b5c6d7e8f9.dir
      size: 1800
      nfiles: 2
    params:
      params.yaml:
        featurize.max_features: 200
    outs:
    - path: features
      hash: md5
      md5: 3a1b2c3d4e5f60718293a4b5c6d7e8f9.dir
      size: 900
      nfiles: 2
  train:
    cmd: python src/train.py features models/clf
    deps:
    - path: features
      hash: md5
      md5: 3a1b2c3d4e5f60718293a4b5c6d7e8f9.dir
      size: 900
      nfiles: 2
    params:
      params.yaml:
        train.lr: 0.01
    outs:
    - path: models/clf
      hash: md5
      md5: 4a1b2c3d4e5f60718293a4b5c6d7e8f9.dir
      size: 5000
      nfiles: 3
    - path: metrics.json
      hash: md5
      md5: 5a1b2c3d4e5f60718293a4b5c6d7e8f9
      size: 40
"""

ROOT_DVC_YAML = """\
stages:
  train:
    cmd: python src/train.py features models/clf
    metrics:
    - metrics.json:
        cache: false
artifacts:
  clf:
    path: models/clf
    type: model
    desc: Ticket classifier
    labels: [nlp]
  ranker:
    path: ranking/ranker.onnx
    type: model
    meta:
      metrics: ranking/eval.json
  remote:
    path: gs://models-bucket/big/model.safetensors
    type: model
params:
- params.yaml
"""

SUB_DVC_YAML = """\
artifacts:
  detector:
    path: weights/det.pt
    type: model
    labels: [cv]
metrics:
- eval/metrics.yaml
"""


@pytest.fixture
def pipeline_repo(repo: GitBuilder) -> GitBuilder:
    repo.commit("pipeline", {
        "dvc.yaml": ROOT_DVC_YAML,
        "dvc.lock": PIPELINE_LOCK,
        "params.yaml": "prepare: {split: 0.2}\nfeaturize: {max_features: 200}\ntrain: {lr: 0.01}\n",
        "metrics.json": {"accuracy": 0.93, "per_class": {"bug": 0.9, "feature": 0.95}},
        "ranking/ranker.onnx": b"\x08\x01onnx-bytes",
        "ranking/eval.json": {"ndcg@10": 0.71},
        "ranking/README.md": "---\nlicense: mit\ntags: [ranking]\n---\n# Ranker\n",
        ".gitignore": "/models/clf\n",
        "vision/dvc.yaml": SUB_DVC_YAML,
        "vision/weights/det.pt": b"torch-weights",
        "vision/eval/metrics.yaml": "map: 0.42\nper_size: {small: 0.2, large: 0.6}\n",
        "vision/params.yaml": "img_size: 640\n",
    })
    return repo


def test_gitrepo_answers_the_blob_source_protocol_as_git_does(pipeline_repo: GitBuilder):
    """Every BlobSource method against git's own plumbing (ls-tree, cat-file) at HEAD."""
    source: BlobSource = GitRepo(pipeline_repo.path)
    git = pipeline_repo.git
    head = git("rev-parse", "HEAD")
    listed = [line.split(maxsplit=3) for line in git("ls-tree", "-r", "-l", head).splitlines()]
    assert len(listed) > 10
    for _mode, _kind, sha, rest in listed:
        size, path = rest.split("\t")
        data = subprocess.run(["git", "cat-file", "blob", sha], cwd=pipeline_repo.path, capture_output=True, check=True).stdout
        assert source.read_file(head, path) == data, path
        info = source.blob_info(head, path)
        assert info is not None and (info.sha, info.size) == (sha, int(size)), path
    assert source.read_file(head, "no/such.file") is None and source.blob_info(head, "no/such.file") is None
    paths = [rest.split("\t")[1] for *_, rest in listed]
    assert source.find_files(head, frozenset({"dvc.yaml"})) == sorted(p for p in paths if p.rsplit("/", 1)[-1] == "dvc.yaml")
    assert source.is_dir(head, "vision") and source.is_dir(head, "vision/eval") and not source.is_dir(head, "dvc.yaml")
    entries = source.tree(head, "vision")
    assert entries is not None
    expected = [line.split("\t") for line in git("ls-tree", f"{head}:vision").splitlines()]
    assert sorted((int(e.mode, 8), e.name, e.sha) for e in entries) == sorted(
        (int(meta.split()[0], 8), name, meta.split()[2]) for meta, name in expected)  # git pads tree modes
    assert source.tree(head, "dvc.yaml") is None


def test_declarations_root_and_subfolder(pipeline_repo: GitBuilder):
    git = GitRepo(pipeline_repo.path)
    reader = MetadataReader(git)
    decls = reader.declarations(git.head())
    assert list(decls) == ["clf", "ranker", "remote", "vision:detector"]
    assert decls["vision:detector"].repo_path == "vision/weights/det.pt"
    assert decls["vision:detector"].labels == ("cv",)
    assert decls.problems == ()


def test_several_models_in_one_dvc_yaml_split_metrics(pipeline_repo: GitBuilder):
    git = GitRepo(pipeline_repo.path)
    reader = MetadataReader(git)
    head = git.head()
    ranker = reader.version(head, "ranker")
    assert ranker.metrics == {"ndcg@10": 0.71}
    assert ranker.card.front_matter == {"license": "mit", "tags": ["ranking"]}
    assert ranker.card.body == "# Ranker\n"
    # metrics.json shares no model's folder, but the stage that produced clf wrote it
    clf = reader.version(head, "clf")
    assert clf.metrics == {"accuracy": 0.93, "per_class.bug": 0.9, "per_class.feature": 0.95}
    assert reader.version(head, "remote").metrics == {}
    det = reader.version(head, "vision:detector")
    assert det.metrics == {"map": 0.42, "per_size.large": 0.6, "per_size.small": 0.2}
    assert det.params == {"img_size": 640}


def test_lineage_with_two_upstream_stages_and_dvc_tracked_dir(pipeline_repo: GitBuilder):
    git = GitRepo(pipeline_repo.path)
    meta = MetadataReader(git).version(git.head(), "clf")
    assert meta.lineage.produced_by == "train"
    assert [s.name for s in meta.lineage.stages] == ["prepare", "featurize", "train"]
    assert meta.lineage.stages[0].deps[0].path == "data/raw.csv"
    assert meta.lineage.stages[0].deps[0].size == 2048
    assert meta.storage.kind == "dvc"
    assert (meta.storage.md5, meta.storage.size, meta.storage.nfiles, meta.storage.is_dir) == (
        "4a1b2c3d4e5f60718293a4b5c6d7e8f9.dir", 5000, 3, True)
    # params of its own stages, from params.yaml as committed
    assert meta.params["train.lr"] == 0.01 and meta.params["prepare.split"] == 0.2
    assert meta.problems == ()


def test_external_url_and_git_file_storage(pipeline_repo: GitBuilder):
    git = GitRepo(pipeline_repo.path)
    reader = MetadataReader(git)
    head = git.head()
    remote = reader.version(head, "remote").storage
    assert (remote.kind, remote.url) == ("url", "gs://models-bucket/big/model.safetensors")
    det = reader.version(head, "vision:detector").storage
    assert det.kind == "git" and det.sha256 == hashlib.sha256(b"torch-weights").hexdigest()
    assert det.git_sha == pipeline_repo.git("rev-parse", "HEAD:vision/weights/det.pt")


def test_git_directory_storage_matches_sha256sum_manifest(repo: GitBuilder):
    repo.commit("dir model", {
        "dvc.yaml": "artifacts:\n  tok:\n    path: tokenizer\n",
        "tokenizer/vocab.txt": "a\nb\n", "tokenizer/config/cfg.json": {"x": 1},
    })
    git = GitRepo(repo.path)
    storage = MetadataReader(git).version(git.head(), "tok").storage
    files = {"config/cfg.json": (repo.path / "tokenizer/config/cfg.json").read_bytes(), "vocab.txt": b"a\nb\n"}
    manifest = "".join(f"{hashlib.sha256(files[k]).hexdigest()}  {k}\n" for k in sorted(files))
    assert (storage.kind, storage.is_dir, storage.nfiles) == ("git", True, 2)
    assert storage.size == sum(len(v) for v in files.values())
    assert storage.sha256 == hashlib.sha256(manifest.encode()).hexdigest()
    assert storage.git_sha == repo.git("rev-parse", "HEAD:tokenizer")


def test_dvc_file_tracked_dir(repo: GitBuilder):
    repo.commit("dvc add", {
        "dvc.yaml": "artifacts:\n  emb:\n    path: data/embeddings\n",
        "data/embeddings.dvc": "outs:\n- md5: 9f8e7d6c5b4a39281706f5e4d3c2b1a0.dir\n  size: 123456\n"
                               "  nfiles: 12\n  hash: md5\n  path: embeddings\n",
        "data/.gitignore": "/embeddings\n",
    })
    git = GitRepo(repo.path)
    storage = MetadataReader(git).version(git.head(), "emb").storage
    assert (storage.kind, storage.tracked_by, storage.nfiles, storage.is_dir) == (
        "dvc", "data/embeddings.dvc", 12, True)


def test_broken_yaml_in_one_commit_fine_in_the_next(repo: GitBuilder):
    good = "artifacts:\n  m:\n    path: m.pkl\nmetrics: [metrics.json]\n"
    first = repo.commit("ok", {"dvc.yaml": good, "m.pkl": b"1", "metrics.json": {"acc": 0.5}})
    broken = repo.commit("oops", {"dvc.yaml": "artifacts:\n  m:\n    path: [m.pkl\n", "metrics.json": {"acc": 0.6}})
    fixed = repo.commit("fix", {"dvc.yaml": good, "metrics.json": {"acc": 0.7}})
    git = GitRepo(repo.path)
    reader = MetadataReader(git)
    assert reader.version(first, "m").metrics == {"acc": 0.5}
    bad = reader.version(broken, "m")
    assert bad.declaration is None
    assert [(p.file, p.commit) for p in bad.problems] == [("dvc.yaml", broken)]
    assert "not valid YAML" in bad.problems[0].message and "line" in bad.problems[0].message
    assert reader.declarations(broken).problems == bad.problems
    ok = reader.version(fixed, "m")
    assert ok.metrics == {"acc": 0.7} and ok.problems == ()


def test_metrics_only_in_dvc_cache_are_missing_not_errors(repo: GitBuilder):
    repo.commit("dvclive", {
        "dvc.yaml": "artifacts:\n  m:\n    path: model.pt\nmetrics:\n- dvclive/metrics.json\n- eval/cached.json\n",
        "dvclive/metrics.json": {"train": {"loss": 0.1}, "step": 3},
        "model.pt": b"w",
    })
    git = GitRepo(repo.path)
    meta = MetadataReader(git).version(git.head(), "m")
    assert meta.metrics == {"step": 3, "train.loss": 0.1}
    assert meta.missing == ("eval/cached.json",) and meta.problems == ()


@pytest.mark.gto
def test_artifacts_yaml_names_match_gto(repo: GitBuilder):
    repo.commit("legacy", {
        "artifacts.yaml": "churn:\n  type: model\n  path: models/churn.pkl\n  description: Churn\n"
                          "segmenter:\n  type: model\n  path: seg.pt\n  labels: [cv]\n",
    })
    repo.gto("register", "segmenter", "--version", "v1.0.0")
    git = GitRepo(repo.path)
    reader = MetadataReader(git)
    names = list(reader.declarations(git.head()))  # only artifacts.yaml declares here
    shown = repo.gto_json("show", "--json")
    assert sorted(names) == sorted(shown) == ["churn", "segmenter"]
    assert reader.declarations(git.head())["churn"].description == "Churn"
    assert json.dumps(reader.declarations(git.head())["segmenter"].labels) == '["cv"]'
