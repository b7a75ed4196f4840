"""Metadata readers on an in-memory source: each reader's rules and bad input."""

from __future__ import annotations

import hashlib
import json

import pytest

from modelshelf.metadata import (
    MemorySource,
    MetadataReader,
    read_declarations,
    read_version_metadata,
    reader_for,
)
from modelshelf.metadata.parse import flatten

C = "c" * 40


def src(files: dict[str, str | bytes], commit: str = C) -> MemorySource:
    return MemorySource({commit: files})


# -- 1. declarations ---------------------------------------------------------

ROOT_DVC = """\
artifacts:
  classifier:
    path: models/clf.pkl
    type: model
    desc: Text classifier
    labels: [nlp, prod]
    meta: {framework: sklearn, owner: {team: ml}}
"""

SUB_DVC = """\
artifacts:
  detector:
    path: ../weights/det.pt
    type: model
"""


def test_declarations_root_and_subfolder_names_and_paths():
    source = src({"dvc.yaml": ROOT_DVC, "vision/cv/dvc.yaml": SUB_DVC})
    decls = read_declarations(source, C)
    assert list(decls) == ["classifier", "vision/cv:detector"]
    clf = decls["classifier"]
    assert (clf.path, clf.repo_path, clf.type, clf.description) == (
        "models/clf.pkl", "models/clf.pkl", "model", "Text classifier")
    assert clf.labels == ("nlp", "prod")
    assert clf.meta == {"framework": "sklearn", "owner": {"team": "ml"}}
    det = decls["vision/cv:detector"]
    assert det.path == "../weights/det.pt"
    assert det.repo_path == "vision/weights/det.pt"
    assert (det.source, det.folder) == ("vision/cv/dvc.yaml", "vision/cv")
    assert decls.problems == ()


def test_artifacts_yaml_gto_format_and_names_for_gto():
    source = src({
        "artifacts.yaml": "churn:\n  type: model\n  path: models/churn.pkl\n  virtual: false\n"
                          "  labels: [a]\n  description: Churn\n  custom: {card: docs/churn.md}\n"
                          "segment:\n  type: dataset\n",
        "dvc.yaml": "artifacts:\n  segment:\n    path: seg.csv\n",
    })
    decls = read_declarations(source, C)
    churn = decls["churn"]
    assert (churn.source, churn.virtual, churn.description, churn.labels) == (
        "artifacts.yaml", False, "Churn", ("a",))
    assert churn.meta == {"card": "docs/churn.md"}
    # Declared in both: dvc.yaml wins, and the overlap is reported.
    assert decls["segment"].source == "dvc.yaml"
    assert any("also declared" in p.message for p in decls.problems)


@pytest.mark.parametrize(
    "text, message",
    [
        ("artifacts: [1, 2]\n", "'artifacts' must be a mapping"),
        ("artifacts:\n  m:\n    path: m.pkl\n    labels: x\n", "'labels' must be a list"),
        ("artifacts:\n  m:\n    path: [1]\n", "'path' must be a string"),
        ("artifacts:\n  m: 3\n", "must be a mapping"),
        ("artifacts:\n  -bad-:\n    path: m.pkl\n", "invalid name"),
        ("artifacts:\n  m:\n    path: ../../x\n", "outside the repository"),
        ("- just a list\n", "expected a mapping"),
        ("artifacts: {m: {path: 'a'\n", "not valid YAML"),
    ],
)
def test_declaration_wrong_types_are_problems_not_errors(text, message):
    source = src({"dvc.yaml": text, "sub/dvc.yaml": "artifacts:\n  ok:\n    path: ok.pkl\n"})
    decls = read_declarations(source, C)
    assert "sub:ok" in decls  # the rest still reads
    assert any(message in p.message and p.file == "dvc.yaml" and p.commit == C for p in decls.problems), decls.problems


def test_labels_string_keeps_the_artifact():
    decls = read_declarations(src({"dvc.yaml": "artifacts:\n  m:\n    path: m.pkl\n    labels: x\n"}), C)
    assert decls["m"].labels == () and decls["m"].repo_path == "m.pkl"


# -- 2. metrics --------------------------------------------------------------

def test_flatten_rules():
    data = {"a": {"b": 1, "c": [1, 2]}, "ok": True, "s": "short", "long": "x" * 500,
            "none": None, "nan": float("nan"), "deep": [{"x": 1.5}], "big": list(range(1000))}
    assert flatten(data) == {"a.b": 1, "a.c.0": 1, "a.c.1": 2, "ok": True, "s": "short", "deep.0.x": 1.5}


def test_metrics_from_dvc_yaml_list_dvclive_and_meta():
    source = src({
        "dvc.yaml": "artifacts:\n  m:\n    path: model.pkl\n    meta: {metrics: eval/extra.yaml}\n"
                    "metrics:\n  - scores.json\n  - cache_only.json\n",
        "model.pkl": b"x",
        "scores.json": json.dumps({"test": {"acc": 0.91, "f1": 0.8}}),
        "dvclive/metrics.json": json.dumps({"loss": 0.2, "step": 9}),
        "eval/extra.yaml": "auc: 0.95\n",
    })
    meta = read_version_metadata(source, C, "m")
    assert meta.metrics == {"auc": 0.95, "loss": 0.2, "step": 9, "test.acc": 0.91, "test.f1": 0.8}
    assert list(meta.metrics) == sorted(meta.metrics)
    assert [(s.path, s.origin) for s in meta.metric_sources] == [
        ("eval/extra.yaml", "meta.metrics"), ("scores.json", "dvc.yaml metrics"), ("dvclive/metrics.json", "dvclive")]
    assert meta.missing == ("cache_only.json",)
    assert meta.problems == ()


def test_metrics_belong_to_the_model_sharing_their_folder():
    source = src({
        "dvc.yaml": "artifacts:\n  a:\n    path: models/a/model.pkl\n  b:\n    path: models/b\n"
                    "  c:\n    path: c.pkl\n    meta: {metrics: reports/c.json}\n"
                    "metrics:\n  - models/a/metrics.json\n  - models/b/eval/m.json\n  - reports/c.json\n"
                    "  - reports/other.json\n",
        "models/a/model.pkl": b"a", "models/b/w.bin": b"b", "c.pkl": b"c",
        "models/a/metrics.json": '{"acc": 1}', "models/b/eval/m.json": '{"acc": 2}',
        "reports/c.json": '{"acc": 3}', "reports/other.json": '{"other": 4}',
    })
    reader = MetadataReader(source)
    assert reader.version(C, "a").metrics == {"acc": 1}
    assert reader.version(C, "b").metrics == {"acc": 2}
    # c is at the root, so unclaimed root-level files fall to it; its meta file is its own.
    assert reader.version(C, "c").metrics == {"acc": 3, "other": 4}


def test_single_model_owns_all_listed_files():
    source = src({
        "sub/dvc.yaml": "artifacts:\n  m:\n    path: out/model.pkl\nmetrics: [reports/m.json]\n",
        "sub/reports/m.json": '{"x": 1}',
        "sub/dvclive/metrics.json": '{"y": 2}',
    })
    assert read_version_metadata(source, C, "sub:m").metrics == {"x": 1, "y": 2}


def test_broken_metrics_file_is_a_problem_and_others_still_read():
    source = src({
        "dvc.yaml": "artifacts:\n  m:\n    path: m.pkl\nmetrics: [bad.json, good.yaml, scalar.yaml]\n",
        "bad.json": "{not json", "good.yaml": "acc: 0.5\n", "scalar.yaml": "42\n",
    })
    meta = read_version_metadata(source, C, "m")
    assert meta.metrics == {"acc": 0.5}
    files = {p.file: p.message for p in meta.problems}
    assert files["bad.json"].startswith("not valid JSON") and "line 1" in files["bad.json"]
    assert "expected a mapping" in files["scalar.yaml"]


# -- 3. params ---------------------------------------------------------------

def test_params_yaml_listed_files_with_keys_and_dvc_lock_fallback():
    source = src({
        "dvc.yaml": "artifacts:\n  m:\n    path: model.pkl\n"
                    "params:\n  - conf/train.yaml\n  - conf/big.yaml: [opt]\n  - conf/gone.yaml\n",
        "params.yaml": "train: {lr: 1e-3, epochs: 3}\n",
        "conf/train.yaml": "seed: 7\n",
        "conf/big.yaml": "opt: {name: adam, beta: 0.9}\nother: 1\n",
        "dvc.lock": "schema: '2.0'\nstages:\n  train:\n    cmd: python train.py\n"
                    "    params:\n      conf/gone.yaml:\n        dropout: 0.1\n      params.yaml:\n        train.lr: 0.5\n"
                    "    outs:\n    - path: model.pkl\n      md5: abc\n      size: 3\n",
    })
    meta = read_version_metadata(source, C, "m")
    assert meta.params == {
        "dropout": 0.1, "opt.beta": 0.9, "opt.name": "adam", "seed": 7, "train.epochs": 3, "train.lr": 0.001,
    }
    assert "conf/gone.yaml" in meta.missing
    assert ("conf/gone.yaml", "dvc.lock") in [(s.path, s.origin) for s in meta.param_sources]


def test_lineage_params_attach_to_their_model_in_a_multi_model_dvc_yaml():
    source = src({
        "dvc.yaml": "artifacts:\n  a:\n    path: models/a.pkl\n  b:\n    path: models/b/w.pkl\n",
        "params.yaml": "a: {lr: 1}\nb: {lr: 2}\n",
        "dvc.lock": "schema: '2.0'\nstages:\n"
                    "  ta:\n    cmd: x\n    params:\n      params.yaml:\n        a: {lr: 1}\n"
                    "    outs:\n    - path: models/a.pkl\n"
                    "  tb:\n    cmd: y\n    params:\n      params.yaml:\n        b.lr: 2\n"
                    "    outs:\n    - path: models/b\n",
    })
    reader = MetadataReader(source)
    assert reader.version(C, "a").params == {"a.lr": 1}
    assert reader.version(C, "b").params == {"b.lr": 2}


# -- 4. lineage --------------------------------------------------------------

LOCK = """\
schema: '2.0'
stages:
  prepare:
    cmd: python prepare.py
    deps:
    - path: data/raw.csv
      hash: md5
      md5: 11111111111111111111111111111111
      size: 100
    outs:
    - path: data/prepared
      hash: md5
      md5: 22222222222222222222222222222222.dir
      size: 80
      nfiles: 2
  featurize:
    cmd: [python featurize.py, echo done]
    deps:
    - path: data/prepared/train.csv
      md5: 33333333333333333333333333333333
      size: 40
    outs:
    - path: features
      md5: 44444444444444444444444444444444.dir
      size: 10
      nfiles: 1
  train:
    cmd: python train.py
    deps:
    - path: features
      md5: 44444444444444444444444444444444.dir
    - path: train.py
      md5: 55555555555555555555555555555555
      size: 5
    outs:
    - path: models
      md5: 66666666666666666666666666666666.dir
      size: 1234
      nfiles: 2
  unrelated:
    cmd: python other.py
    outs:
    - path: other.txt
      md5: 77777777777777777777777777777777
"""


def test_lineage_producer_and_two_upstream_stages():
    source = src({"dvc.yaml": "artifacts:\n  m:\n    path: models/model.pkl\n", "dvc.lock": LOCK})
    meta = read_version_metadata(source, C, "m")
    assert meta.lineage.produced_by == "train"
    assert [s.name for s in meta.lineage.stages] == ["prepare", "featurize", "train"]
    featurize = meta.lineage.stages[1]
    assert featurize.cmd == "python featurize.py\necho done"
    prepare = meta.lineage.stages[0]
    assert prepare.deps[0].path == "data/raw.csv" and prepare.deps[0].md5 == "1" * 32
    assert prepare.outs[0].is_dir and prepare.outs[0].nfiles == 2
    # the model is a file inside the DVC-tracked "models" folder
    assert meta.storage.kind == "dvc" and meta.storage.tracked_by == "dvc.lock" and meta.storage.md5 is None


def test_no_producing_stage_gives_empty_lineage():
    source = src({"dvc.yaml": "artifacts:\n  m:\n    path: elsewhere.pkl\n", "dvc.lock": LOCK})
    meta = read_version_metadata(source, C, "m")
    assert meta.lineage.produced_by is None and meta.lineage.stages == ()


def test_subfolder_lock_paths_are_repo_relative():
    source = src({
        "proj/dvc.yaml": "artifacts:\n  m:\n    path: out/m.pkl\n",
        "proj/dvc.lock": "schema: '2.0'\nstages:\n  train:\n    cmd: t\n    deps:\n    - path: ../shared/data.csv\n"
                         "      md5: aa\n    outs:\n    - path: out/m.pkl\n      md5: bb\n      size: 9\n",
    })
    meta = read_version_metadata(source, C, "proj:m")
    assert meta.lineage.produced_by == "proj/dvc.yaml:train"
    assert meta.lineage.stages[0].deps[0].path == "shared/data.csv"
    assert (meta.storage.kind, meta.storage.md5, meta.storage.size, meta.storage.is_dir) == ("dvc", "bb", 9, False)


# -- 5. storage --------------------------------------------------------------

def test_storage_git_file_and_folder_manifest():
    source = src({
        "dvc.yaml": "artifacts:\n  f:\n    path: m.bin\n  d:\n    path: weights\n",
        "m.bin": b"\x00\x01", "weights/a.bin": b"aa", "weights/sub/b.bin": b"bbb",
    })
    reader = MetadataReader(source)
    f = reader.version(C, "f").storage
    assert (f.kind, f.size, f.sha256) == ("git", 2, hashlib.sha256(b"\x00\x01").hexdigest())
    assert f.git_sha == hashlib.sha1(b"blob 2\0\x00\x01").hexdigest()
    d = reader.version(C, "d").storage
    manifest = (f"{hashlib.sha256(b'aa').hexdigest()}  a.bin\n"
                f"{hashlib.sha256(b'bbb').hexdigest()}  sub/b.bin\n")
    assert (d.kind, d.is_dir, d.nfiles, d.size) == ("git", True, 2, 5)
    assert d.sha256 == hashlib.sha256(manifest.encode()).hexdigest()


def test_storage_dvc_file_and_url_and_missing():
    source = src({
        "dvc.yaml": "artifacts:\n  d:\n    path: data/model\n  u:\n    path: s3://bucket/m.pt\n  x:\n    path: gone.pkl\n",
        "data/model.dvc": "outs:\n- md5: abcdef.dir\n  size: 42\n  nfiles: 3\n  hash: md5\n  path: model\n",
    })
    reader = MetadataReader(source)
    d = reader.version(C, "d").storage
    assert (d.kind, d.md5, d.size, d.nfiles, d.is_dir, d.tracked_by) == ("dvc", "abcdef.dir", 42, 3, True, "data/model.dvc")
    u = reader.version(C, "u")
    assert (u.storage.kind, u.storage.url, u.declaration.repo_path) == ("url", "s3://bucket/m.pt", None)
    assert reader.version(C, "x").storage.kind == "missing"


# -- 6. model card -----------------------------------------------------------

def test_model_card_from_folder_readme_and_from_meta():
    source = src({
        "dvc.yaml": "artifacts:\n  a:\n    path: models/a/model.pkl\n  b:\n    path: models/b\n"
                    "  c:\n    path: c.pkl\n    meta: {model_card: docs/c.md}\n",
        "models/a/model.pkl": b"a",
        "models/a/README.md": "---\nlicense: apache-2.0\ndatasets: [imdb]\nbase_model: bert\ndate: 2024-01-02\n---\n# A\n<script>x</script>\n",
        "models/b/w.bin": b"b", "models/b/README.md": "# B only\n",
        "docs/c.md": "---\n- not a mapping\n---\nbody\n",
    })
    reader = MetadataReader(source)
    a = reader.version(C, "a").card
    assert a.path == "models/a/README.md"
    assert a.front_matter == {"license": "apache-2.0", "datasets": ["imdb"], "base_model": "bert", "date": "2024-01-02"}
    assert a.body == "# A\n<script>x</script>\n"  # raw: rendering/sanitising is not done here
    b = reader.version(C, "b").card
    assert (b.path, b.front_matter, b.body) == ("models/b/README.md", {}, "# B only\n")
    c = reader.version(C, "c")
    assert c.card.body == "body\n" and c.card.front_matter == {}
    assert [p.file for p in c.problems] == ["docs/c.md"]


# -- 7. bundle, memoisation --------------------------------------------------

def test_unknown_model_is_empty_not_an_error():
    meta = read_version_metadata(src({"dvc.yaml": "artifacts: {a: {path: a.pkl}}\n"}), C, "nope")
    assert meta.declaration is None and meta.storage.kind == "missing" and meta.metrics == {}


def test_each_file_read_once_per_blob_across_commits_and_models():
    files = {
        "dvc.yaml": "artifacts:\n  a:\n    path: a.pkl\n  b:\n    path: b.pkl\nmetrics: [m.json]\n",
        "params.yaml": "lr: 1\n", "m.json": '{"acc": 1}',
    }
    source = MemorySource({"c1": files, "c2": dict(files)})
    reader = MetadataReader(source)
    for commit in ("c1", "c2"):
        for name in ("a", "b"):
            reader.version(commit, name)
    assert reader.version("c1", "a") is reader.version("c1", "a")
    paths = [p for _c, p in source.reads]
    assert paths.count("dvc.yaml") == 1 and paths.count("params.yaml") == 1 and paths.count("m.json") == 1


def test_alias_bomb_and_recursive_yaml_do_not_hang():
    bomb = "a: &a [1,1,1,1,1,1,1,1,1]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))
    source = src({"dvc.yaml": "artifacts: {m: {path: m.pkl, meta: {metrics: bomb.yaml}}}\n",
                  "bomb.yaml": bomb, "params.yaml": "&x [*x]\n"})
    meta = read_version_metadata(source, C, "m")
    assert len(meta.metrics) <= 20_000


def test_broken_artifacts_yaml_is_a_problem_and_dvc_yaml_still_reads():
    source = src({"artifacts.yaml": "a: [unclosed\n", "dvc.yaml": "artifacts: {m: {path: m.pkl}}\n"})
    decls = read_declarations(source, C)
    assert list(decls) == ["m"]
    assert [(p.file, p.commit) for p in decls.problems] == [("artifacts.yaml", C)]


def test_artifacts_yaml_wrong_types():
    source = src({"artifacts.yaml": "a: {labels: x, virtual: maybe, custom: 5}\nb: 3\n"})
    decls = read_declarations(source, C)
    assert list(decls) == ["a"] and decls["a"].virtual is True and decls["a"].meta == {}
    messages = " | ".join(p.message for p in decls.problems)
    assert "'labels' must be a list" in messages and "'virtual'" in messages and "'b'" in messages


def test_dvc_lock_broken_is_reported_for_its_models():
    source = src({"dvc.yaml": "artifacts: {m: {path: m.pkl}}\n", "dvc.lock": "stages: [\n", "m.pkl": b"1"})
    meta = read_version_metadata(source, C, "m")
    assert meta.lineage.stages == () and meta.storage.kind == "git"
    assert [p.file for p in meta.problems] == ["dvc.lock"]


def test_the_reader_and_the_module_functions_share_one_cache():
    source = src({"dvc.yaml": "artifacts: {m: {path: m.pkl}}\n"})
    reader = reader_for(source)
    assert reader.version(C, "m") is read_version_metadata(source, C, "m")
    assert read_version_metadata(source, C, "m") is read_version_metadata(source, C, "m")
