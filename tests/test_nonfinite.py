"""NaN and infinite metric/param values: left out of the (strict JSON) index as before,
but no longer silently: each one is a notice that `doctor` lists (exit 1), while the
build neither warns nor fails under `--strict` (a NaN metric is data, not a broken file)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from modelshelf.index.fragment_cache import CACHE_FILE, FORMAT
from modelshelf.index.build import build_index, dumps, load_schema
from modelshelf.metadata import MemorySource, MetadataNotice, read_version_metadata
from modelshelf.metadata.parse import flatten
from modelshelf.registry import load_registry

from .gitutil import GitBuilder, assert_no_warnings, run_cli

C = "c" * 40

DVC_YAML = """\
artifacts:
  clf:
    path: model.pkl
    type: model
metrics:
  - metrics.json
  - eval.yaml
params:
  - params.yaml
"""

# What Python's json and DVCLive write for such values (not valid JSON, but json.loads accepts it).
NAN_METRICS = '{"acc": 0.9, "loss": NaN, "range": {"hi": Infinity, "lo": -Infinity}}\n'
NAN_EVAL = "auc: .inf\nf1: -.Inf\nrecall: .NaN\nprecision: 0.5\n"
# (file, kind, key, label) of every value NAN_METRICS, NAN_EVAL and "lr: .nan" lose, in report order
NAN_NOTICES = [
        ("metrics.json", "metric", "loss", "NaN"),
        ("metrics.json", "metric", "range.hi", "Infinity"),
        ("metrics.json", "metric", "range.lo", "-Infinity"),
        ("eval.yaml", "metric", "auc", "Infinity"),
        ("eval.yaml", "metric", "f1", "-Infinity"),
        ("eval.yaml", "metric", "recall", "NaN"),
        ("params.yaml", "param", "lr", "NaN"),
]


def strict_json(text: str):
    """Parse as RFC 8259 JSON: a NaN/Infinity literal fails the test."""
    def refuse(literal: str):
        raise AssertionError(f"non-standard JSON literal {literal} in the index")
    return json.loads(text, parse_constant=refuse)


# -- the reader ----------------------------------------------------------------

def test_flatten_reports_the_keys_it_drops_for_non_finite_values() -> None:
    found: dict[str, str] = {}
    data = {"a": float("nan"), "b": {"c": float("inf")}, "d": [float("-inf"), 1.0], "e": 2, "s": "NaN"}
    assert flatten(data, non_finite=found) == {"d.1": 1.0, "e": 2, "s": "NaN"}
    assert found == {"a": "NaN", "b.c": "Infinity", "d.0": "-Infinity"}
    assert flatten(data) == {"d.1": 1.0, "e": 2, "s": "NaN"}  # unchanged without the collector


def test_json_and_yaml_non_finite_values_become_notices_not_problems() -> None:
    source = MemorySource({C: {
        "dvc.yaml": DVC_YAML, "model.pkl": b"x",
        "metrics.json": NAN_METRICS, "eval.yaml": NAN_EVAL, "params.yaml": "lr: .nan\nepochs: 3\n",
    }})
    meta = read_version_metadata(source, C, "clf")
    assert meta.metrics == {"acc": 0.9, "precision": 0.5}
    assert meta.params == {"epochs": 3}
    assert meta.problems == ()
    assert [(n.file, n.kind, n.key, n.value) for n in meta.notices] == NAN_NOTICES
    assert all(n.commit == C for n in meta.notices)
    assert str(meta.notices[0]) == (
        f"metrics.json at {C[:7]}: metric 'loss' is NaN; left out of the index and catalog (JSON has no such number)")


def test_a_value_that_would_not_have_been_used_is_no_notice() -> None:
    """The first file giving a key wins; a NaN in a later file for that key changes nothing.
    A NaN in the winning file is noted even when a later file then fills the key."""
    source = MemorySource({C: {
        "dvc.yaml": "artifacts:\n  m:\n    path: m.pkl\n    meta: {metrics: own.json}\nmetrics:\n  - shared.json\n"
                    "params:\n  - params.yaml: [lr]\n",
        "m.pkl": b"x",
        "own.json": '{"loss": NaN, "acc": 0.7}',
        "shared.json": '{"loss": 0.5, "acc": NaN}',
        "params.yaml": "lr: 0.1\nunused: .nan\n",  # only 'lr' is the model's
    }})
    meta = read_version_metadata(source, C, "m")
    assert meta.metrics == {"acc": 0.7, "loss": 0.5}
    assert meta.notices == (MetadataNotice("own.json", C, "metric", "loss", "NaN"),)


# -- real repositories ----------------------------------------------------------

@pytest.fixture
def nan_repo(repo: GitBuilder) -> GitBuilder:
    repo.commit("clf with a diverged run", {
        "dvc.yaml": DVC_YAML, "model.pkl": "v1",
        "metrics.json": NAN_METRICS, "eval.yaml": NAN_EVAL, "params.yaml": "lr: .nan\nepochs: 3\n",
    })
    repo.tag("clf@v1.0.0")
    repo.commit("clf fixed", {
        "model.pkl": "v2", "metrics.json": '{"acc": 0.95, "loss": 0.1}\n',
        "eval.yaml": "auc: 0.9\n", "params.yaml": "lr: 0.01\nepochs: 3\n",
    })
    repo.tag("clf@v1.1.0")
    return repo


def expected_notes(commit: str) -> list[str]:
    prefix = "note: model clf version v1.0.0: "
    suffix = "left out of the index and catalog (JSON has no such number)"
    return [f"{prefix}{file} at {commit[:7]}: {kind} '{key}' is {value}; {suffix}"
            for file, kind, key, value in NAN_NOTICES]


def test_doctor_lists_each_value_and_exits_1_with_or_without_the_cache(nan_repo: GitBuilder) -> None:
    first_commit = nan_repo.git("rev-parse", "clf@v1.0.0^{commit}")
    for _ in range(2):  # the second run reads every fragment from the cache in .git
        doctor = run_cli("doctor", "--repo", str(nan_repo.path))
        assert doctor.returncode == 1, doctor.stdout + doctor.stderr
        assert doctor.stdout.splitlines() == expected_notes(first_commit)
        assert doctor.stderr == ""
    assert (nan_repo.path / ".git" / "modelshelf" / "cache" / CACHE_FILE).is_file()
    tags_only = run_cli("doctor", "--tags-only", "--repo", str(nan_repo.path))
    assert tags_only.returncode == 0 and tags_only.stdout.startswith("ok:")


def test_index_leaves_the_values_out_and_stays_strict_json(nan_repo: GitBuilder) -> None:
    result = run_cli("index", "--repo", str(nan_repo.path))
    assert result.returncode == 0
    assert result.stderr == ("modelshelf: note: 7 metric/param values are NaN or infinite, left out of the index; "
                             "`modelshelf doctor` lists them\n")  # a note, not a warning
    data = strict_json(result.stdout)
    jsonschema.validate(data, load_schema())
    versions = {v["version"]: v for v in data["models"][0]["versions"]}
    assert versions["v1.0.0"]["metrics"] == {"acc": 0.9, "precision": 0.5}
    assert versions["v1.0.0"]["params"] == {"epochs": 3}
    assert versions["v1.0.0"]["problems"] == [] and versions["v1.1.0"]["problems"] == []
    assert "notice" not in result.stdout  # notices are not part of the index (its schema is unchanged)
    uncached = build_index(load_registry(nan_repo.path), use_cache=False)
    assert dumps(uncached.data) == result.stdout
    assert uncached.problems == [] and len(uncached.notices) == 7


def test_cache_entries_from_before_notices_are_not_reused(nan_repo: GitBuilder) -> None:
    """An older cache has no notices for its fragments: trusting it would hide the NaNs."""
    assert run_cli("doctor", "--repo", str(nan_repo.path)).returncode == 1  # fills the cache
    cache = nan_repo.path / ".git" / "modelshelf" / "cache" / CACHE_FILE
    data = json.loads(cache.read_text())
    for entry in data["entries"].values():
        entry.pop("notices")
    cache.write_text(json.dumps(data).replace(f"format {FORMAT}", f"format {FORMAT - 1}"))
    assert len(build_index(load_registry(nan_repo.path)).notices) == 7


def test_strict_build_passes_and_publishes_the_same_values(nan_repo: GitBuilder, tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = run_cli("build", "--repo", str(nan_repo.path), "-o", str(out), "--strict")
    assert_no_warnings(result)
    assert "NaN or infinite" in result.stderr  # an INFO line pointing at doctor
    published = strict_json((out / "api" / "registry.json").read_text())
    versions = {v["version"]: v for v in published["models"][0]["versions"]}
    assert versions["v1.0.0"]["metrics"] == {"acc": 0.9, "precision": 0.5}
