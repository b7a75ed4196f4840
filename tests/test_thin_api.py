"""The CLI's compare and doctor are thin: each prints what one API function returns
(``compare.api.compare_refs``, ``doctor.diagnose``), and "the model, else its declared-only
record, else the known models" is decided once (``index.build.model_state``)."""

from __future__ import annotations

import json

import pytest

import modelshelf
from modelshelf.compare.api import compare_refs
from modelshelf.compare.model import CompareError
from modelshelf.doctor import diagnose
from modelshelf.index.build import UnknownModel, model_state
from modelshelf.index.metadata_json import MetadataJson
from modelshelf.registry import load_registry

from .compare_scenario import pipeline_repo
from .gitutil import GitBuilder, ms, run_cli


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> tuple[GitBuilder, dict[str, str]]:
    g = GitBuilder(tmp_path_factory.mktemp("thin") / "repo")
    return g, pipeline_repo(g)


@pytest.mark.gto
def test_compare_cli_prints_what_the_api_returns(pipeline) -> None:
    g, shas = pipeline
    refs = ["churn#prod", shas["candidate"][:8], "exp-bold", "HEAD"]
    with load_registry(g.path) as registry:
        result = compare_refs(registry, "churn", refs)
    printed = run_cli("compare", "churn", *refs, "--json", "--repo", str(g.path))
    assert printed.returncode == 0, printed.stderr
    assert json.loads(printed.stdout) == result.to_json()
    assert [e.kind for e in result.entries] == ["version", "candidate", "candidate", "commit"]


@pytest.mark.gto
def test_compare_api_refuses_with_the_cli_messages(pipeline) -> None:
    g, _ = pipeline
    with load_registry(g.path) as registry:
        with pytest.raises(CompareError, match="'v9.9.9' is no version, candidate or commit of churn") as bad:
            compare_refs(registry, "churn", ["v1.0.0", "v9.9.9"])
        with pytest.raises(CompareError, match="at least two"):
            compare_refs(registry, "churn", ["v1.0.0"])
        with pytest.raises(UnknownModel) as unknown:
            compare_refs(registry, "nope", ["v1.0.0", "v1.1.0"])
    cli = run_cli("compare", "churn", "v1.0.0", "v9.9.9", "--repo", str(g.path))
    assert cli.returncode == bad.value.exit_code == 2 and cli.stderr == f"modelshelf: error: {bad.value}\n"
    assert isinstance(unknown.value, modelshelf.ModelshelfError) and "churn" in unknown.value.known


def test_model_state_tagged_declared_only_or_the_known_models(repo: GitBuilder) -> None:
    repo.commit("models", {
        "dvc.yaml": b"artifacts:\n  churn:\n    path: churn.pkl\n  fraud:\n    path: fraud.pkl\n",
        "churn.pkl": b"1", "fraud.pkl": b"2",
    })
    ms(repo, "register", "churn", "--version", "v1.0.0")
    with load_registry(repo.path) as registry:
        metadata = MetadataJson(registry)
        assert model_state(registry, metadata, "churn") is registry.state.artifacts["churn"]
        declared = model_state(registry, metadata, "fraud")  # declared in dvc.yaml, never tagged
        assert declared.name == "fraud" and not declared.versions
        with pytest.raises(UnknownModel) as unknown:
            model_state(registry, metadata, "nope")
    assert unknown.value.known == ["churn", "fraud"]
    assert str(unknown.value) == "unknown model 'nope'; known models: churn, fraud"
    lookup = run_cli("resolve", "nope", "--repo", str(repo.path))  # the download API's wording of the same answer
    assert lookup.returncode == 2 and f"unknown model 'nope' in {repo.path}; models: churn, fraud" in lookup.stderr


def test_doctor_cli_prints_the_diagnosis(repo: GitBuilder) -> None:
    repo.commit("models", {"dvc.yaml": b"artifacts:\n  churn:\n    path: churn.pkl\n  fraud:\n    path: fraud.pkl\n",
                           "churn.pkl": b"1", "fraud.pkl": b"2"})
    ms(repo, "register", "churn", "--version", "v1.0.0")
    with load_registry(repo.path) as registry:
        healthy = diagnose(registry)
    assert healthy.ok and healthy.declared_only == ["fraud"] and (healthy.tags, healthy.models) == (1, 2)
    cli = ms(repo, "doctor", check=False)
    assert cli.returncode == 0 and cli.stdout.splitlines() == healthy.lines()
    assert cli.stdout.splitlines()[-1] == "ok: 1 registry tags, 2 models, no problems found"
    repo.git("tag", "churn@v9")  # outside the grammar: a finding, exit 1
    with load_registry(repo.path) as registry:
        sick = diagnose(registry, tags_only=True)
    cli = ms(repo, "doctor", "--tags-only", check=False)
    assert not sick.ok and any("churn@v9" in line for line in sick.findings)
    assert cli.returncode == 1 and cli.stdout.splitlines() == sick.lines()
