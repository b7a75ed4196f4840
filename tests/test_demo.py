"""The demo registry: a real, deterministic Git repo that GTO itself reads as intended."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from modelshelf.core.grammar import Action, parse_tag_name
from modelshelf.demo.repo import DemoError, create_demo_repo

from .gitutil import run_cli, run_gto



def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return create_demo_repo(tmp_path_factory.mktemp("demo") / "registry")


def test_demo_is_a_clean_git_repo_with_history(demo: Path) -> None:
    assert git(demo, "status", "--porcelain") == ""
    assert git(demo, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
    assert int(git(demo, "rev-list", "--count", "HEAD")) >= 15
    first = git(demo, "log", "--reverse", "--format=%cI", "HEAD").split()[0]
    assert first.startswith("2024-03-01T")


def test_demo_is_deterministic(demo: Path, tmp_path: Path) -> None:
    again = create_demo_repo(tmp_path / "again")
    refs = ["for-each-ref", "--format=%(refname) %(objectname) %(*objectname)"]
    assert git(again, "rev-parse", "HEAD") == git(demo, "rev-parse", "HEAD")
    assert git(again, *refs) == git(demo, *refs)


def test_refuses_non_empty_folder(tmp_path: Path) -> None:
    target = tmp_path / "busy"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    with pytest.raises(DemoError, match="not empty"):
        create_demo_repo(target)
    assert (target / "keep.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["busy"]  # no temp folder left behind


def test_accepts_an_existing_empty_folder(tmp_path: Path) -> None:
    target = tmp_path / "empty"
    target.mkdir()
    assert create_demo_repo(target) == target.absolute()
    assert (target / ".git").is_dir()


@pytest.mark.gto
def test_gto_reads_the_expected_registry(demo: Path) -> None:
    shown = json.loads(run_gto(demo, "show", "--json", check=True).stdout)
    assert shown == {
        "churn-classifier": {
            "version": "v1.2.0",
            "stage": {"dev": "v1.2.0", "prod": "v1.0.0", "staging": "v1.2.0"},
            "registered": True,
            "active": True,
        },
        "sentiment-bert": {
            "version": "v2.0.0-rc.1",
            "stage": {"dev": "v2.0.0-rc.1", "prod": "v1.1.0", "staging": "v2.0.0-rc.1"},
            "registered": True,
            "active": True,
        },
        "models/vision:detector": {
            "version": "v1.2.0",
            "stage": {"dev": "v1.2.0", "prod": "v1.1.0", "staging": "v1.1.0"},
            "registered": True,
            "active": True,
        },
        "demand-forecast": {
            "version": "v1.1.0",
            "stage": {"dev": "v1.1.0", "prod": "v1.0.1", "staging": "v1.0.1"},
            "registered": True,
            "active": True,
        },
    }


@pytest.mark.gto
def test_gto_sees_versions_deregistration_and_deprecation(demo: Path) -> None:
    def versions(name: str) -> list[dict]:
        out = run_gto(demo, "show", name, "--json", check=True)
        return json.loads(out.stdout)

    churn = {v["version"] for v in versions("churn-classifier")}
    assert churn == {"v0.1.0", "v0.2.0", "v1.0.0", "v1.2.0"}  # v1.1.0 was deregistered
    assert versions("fraud-scorer") == []  # deprecated: hidden unless asked for
    with_deprecated = json.loads(run_gto(demo, "show", "--json", "-d", check=True).stdout)
    assert with_deprecated["fraud-scorer"]["active"] is False
    assert with_deprecated["fraud-scorer"]["version"] == "v0.2.0"
    history = run_gto(demo, "history", "--json", check=True)
    events = json.loads(history.stdout)
    registered = {(e["artifact"], e["version"]) for e in events if e["event"] == "registration"}
    assert len(registered) >= 15
    assert len({a for a, _ in registered}) >= 4


def test_tags_follow_gto_names_messages_and_counters(demo: Path) -> None:
    lines = git(demo, "for-each-ref", "--sort=taggerdate",
                "--format=%(objecttype) %(refname:strip=2) %(contents:subject)", "refs/tags").splitlines()
    assert all(line.startswith("tag ") for line in lines)  # annotated only
    tags = dict(line[4:].split(" ", 1) for line in lines)
    assert tags["models/vision=detector@v1.0.0"] == \
        "Registering artifact models/vision:detector version v1.0.0"
    assert tags["churn-classifier@v1.1.0!#10"] == "Deregistering artifact churn-classifier version v1.1.0"
    assert tags["fraud-scorer@deprecated#3"] == "Deprecating artifact 'fraud-scorer'"
    assert tags["models/vision=detector#staging!#7"] == \
        "Unassigning stage 'staging' to artifact 'models/vision:detector' version 'v1.2.0'"
    assert tags["churn-classifier#prod#9"] == "Assigning stage prod to artifact churn-classifier version v1.0.0"
    assert "sentiment-bert@v2.0.0-rc.1" in tags
    # The rollback: the last prod tag points at the commit of the older v1.0.0.
    assert git(demo, "rev-parse", "churn-classifier#prod#9^{commit}") == \
        git(demo, "rev-parse", "churn-classifier@v1.0.0^{commit}")
    # Counters: per artifact, strictly increasing in time, no counter on registrations.
    seen: dict[str, list[int]] = {}
    for name in tags:  # in tagger-date order
        parsed = parse_tag_name(name)
        assert parsed is not None, name
        if parsed.action is Action.REGISTER:
            assert parsed.counter is None, name
        else:
            seen.setdefault(parsed.artifact, []).append(parsed.counter)
    for artifact, counters in seen.items():
        assert counters == list(range(1, len(counters) + 1)), artifact


def test_metadata_files_change_across_versions(demo: Path) -> None:
    def show(rev: str, path: str) -> str:
        return git(demo, "show", f"{rev}:{path}")

    old, new = "churn-classifier@v0.1.0", "churn-classifier@v1.2.0"
    metrics = "models/churn-classifier/metrics.json"
    assert json.loads(show(old, metrics))["accuracy"] < json.loads(show(new, metrics))["accuracy"]
    assert yaml.safe_load(show(old, "params.yaml"))["train"] != yaml.safe_load(show(new, "params.yaml"))["train"]
    lock_old, lock_new = (yaml.safe_load(show(r, "dvc.lock")) for r in (old, new))
    assert lock_new["schema"] == "2.0"
    assert list(lock_new["stages"]) == ["prepare", "train", "evaluate"]
    assert lock_old["stages"]["prepare"]["deps"][0]["md5"] != lock_new["stages"]["prepare"]["deps"][0]["md5"]
    roc = json.loads(show(new, "models/churn-classifier/roc.json"))["roc"]
    assert roc[0]["fpr"] == 0.0 and roc[-1]["tpr"] == 1.0
    dvc_yaml = yaml.safe_load(show(new, "dvc.yaml"))
    assert {"path", "type", "desc", "labels", "meta"} <= set(dvc_yaml["artifacts"]["churn-classifier"])
    assert "models/churn-classifier/metrics.json" in dvc_yaml["metrics"]
    assert any("models/churn-classifier/roc.json" in p for p in dvc_yaml["plots"])
    vision = yaml.safe_load(show("models/vision=detector@v1.0.0", "models/vision/dvc.yaml"))
    assert "detector" in vision["artifacts"]


def test_dvc_tracked_models_are_in_the_local_remote(demo: Path) -> None:
    config = (demo / ".dvc" / "config").read_text()
    assert "url = ../dvc-remote" in config
    for rev, lock_or_dvc in (
        ("models/vision=detector@v1.1.0", "models/vision/dvc.lock"),
        ("sentiment-bert@v1.0.0", "models/sentiment-bert/model.safetensors.dvc"),
    ):
        doc = yaml.safe_load(git(demo, "show", f"{rev}:{lock_or_dvc}"))
        out = doc["stages"]["train"]["outs"][0] if "stages" in doc else doc["outs"][0]
        md5 = out["md5"]
        cached = demo / "dvc-remote" / "files" / "md5" / md5[:2] / md5[2:]
        data = cached.read_bytes()
        assert hashlib.md5(data).hexdigest() == md5
        assert len(data) == out["size"]


def test_model_card_has_front_matter(demo: Path) -> None:
    card = (demo / "models" / "sentiment-bert" / "README.md").read_text()
    assert card.startswith("---\n")
    front = yaml.safe_load(card.split("---\n")[1])
    assert front["license"] == "apache-2.0"
    assert front["base_model"] == "xlm-roberta-base"
    assert front["datasets"]


def test_committed_model_files_are_small_and_differ_per_version(demo: Path) -> None:
    blobs = {
        rev: git(demo, "rev-parse", f"{rev}:models/churn-classifier/model.pkl").strip()
        for rev in ("churn-classifier@v0.1.0", "churn-classifier@v1.0.0", "churn-classifier@v1.2.0")
    }
    assert len(set(blobs.values())) == 3
    size = int(git(demo, "cat-file", "-s", blobs["churn-classifier@v1.2.0"]))
    assert 1024 < size < 16384


@pytest.mark.gto
def test_modelshelf_show_matches_gto_on_the_demo(demo: Path) -> None:
    ours = run_cli("show", "--json", "--repo", str(demo), check=True)
    theirs = run_gto(demo, "show", "--json", check=True)
    assert json.loads(ours.stdout) == json.loads(theirs.stdout)


def _bench_generate():
    spec = importlib.util.spec_from_file_location("bench_generate", Path(__file__).parents[1] / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_generate", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.gto
def test_bench_generator_writes_a_registry_gto_reads(tmp_path: Path) -> None:
    generate = _bench_generate()
    stats = generate.generate(tmp_path / "a", models=2, versions=16)
    again = generate.generate(tmp_path / "b", models=2, versions=16)
    assert (stats.commits, stats.tags) == (again.commits, again.tags) == (33, 2 * 35)  # per model: 16 reg, 8 dev, 6 staging, 2 prod, rollback, unassign, dereg
    assert git(tmp_path / "a", "rev-parse", "HEAD") == git(tmp_path / "b", "rev-parse", "HEAD")
    shown = json.loads(run_gto(tmp_path / "a", "show", "--json", check=True).stdout)
    assert shown["m001:ranker-001"] == {
        "version": "v1.3.0",
        "stage": {"dev": "v1.2.4", "prod": "v1.1.2", "staging": "v1.3.0"},  # prod rolled back to j=7
        "registered": True,
        "active": True,
    }
    versions = json.loads(run_gto(tmp_path / "a", "show", "m000:churn-000", "--json", check=True).stdout)
    assert "v1.1.0" not in {v["version"] for v in versions}  # deregistered
    assert yaml.safe_load((tmp_path / "a" / "m000" / "dvc.yaml").read_text())["artifacts"]["churn-000"]["path"] == "model.bin"
