"""add / log_model keep a commented dvc.yaml intact apart from the change."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest
import yaml

from modelshelf.declare import DeclareError, add_artifact, log_model, read_declaration
from modelshelf.git import GitRepo

from .gitutil import GitBuilder, ms

COMMENTED = """\
# Pipeline for the churn project
stages:
    train:
        cmd: python train.py   # trains the model
        deps:
          - data.csv
        outs:
          - model.pkl

artifacts:
    # the production model
    churn:
        path: model.pkl
        type: model   # keep this comment
        desc: 'Predicts churn'
        labels:
          - tabular

# trailing comment
"""


def added_and_removed(before: str, after: str) -> tuple[list[str], list[str]]:
    diff = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    return [l[2:] for l in diff if l.startswith("+ ")], [l[2:] for l in diff if l.startswith("- ")]


def test_add_new_model_only_adds_its_lines(repo: GitBuilder) -> None:
    repo.commit("one", {"dvc.yaml": COMMENTED})
    result = ms(repo, "add", "fraud", "--path", "fraud.pkl", "--type", "model", "--desc", "Flags fraud",
                "--label", "x", "--label", "y")
    assert "Declared model 'fraud'" in result.stdout
    after = (repo.path / "dvc.yaml").read_text()
    added, removed = added_and_removed(COMMENTED, after)
    assert removed == []
    assert added == ["    fraud:", "        path: fraud.pkl", "        type: model", "        desc: Flags fraud",
                     "        labels:", "          - x", "          - y"]
    assert yaml.safe_load(after)["artifacts"]["fraud"]["labels"] == ["x", "y"]


def test_update_existing_model_changes_only_that_field(repo: GitBuilder) -> None:
    repo.commit("one", {"dvc.yaml": COMMENTED})
    declared = add_artifact("churn", desc="Predicts churn, v2", labels=["tabular", "gbm"], repo=repo.path)
    assert not declared.created
    added, removed = added_and_removed(COMMENTED, (repo.path / "dvc.yaml").read_text())
    assert removed == ["        desc: 'Predicts churn'"]
    assert added == ["        desc: 'Predicts churn, v2'", "          - gbm"]


def test_log_model_writes_metrics_and_lists_them(repo: GitBuilder) -> None:
    repo.commit("one", {"dvc.yaml": COMMENTED, "model.pkl": "w"})
    declared = log_model("churn", "model.pkl", metrics={"auc": 0.91, "f1": 0.5}, repo=repo.path)
    assert declared.metrics == repo.path / "metrics" / "churn.json"  # the model's own file
    assert json.loads(declared.metrics.read_text()) == {"auc": 0.91, "f1": 0.5}
    added, removed = added_and_removed(COMMENTED, (repo.path / "dvc.yaml").read_text())
    assert removed == [] and added == ["        meta:", "            metrics: metrics/churn.json",
                                       "metrics:", "  - metrics/churn.json"]
    log_model("churn", "model.pkl", metrics={"auc": 0.93}, repo=repo.path)  # idempotent listing
    assert yaml.safe_load((repo.path / "dvc.yaml").read_text())["metrics"] == ["metrics/churn.json"]


def test_log_model_through_the_package_api(repo: GitBuilder) -> None:
    import modelshelf as api  # the write API, exported by the package itself

    repo.commit("one", {"a.txt": "1", "vision/weights.pt": "w"})
    api.log_model("vision:detector", "weights.pt", desc="Detects", metrics={"map": 0.4}, repo=repo.path)
    data = yaml.safe_load((repo.path / "vision" / "dvc.yaml").read_text())
    assert data == {"artifacts": {"detector": {"path": "weights.pt", "type": "model", "desc": "Detects",
                                               "meta": {"metrics": "metrics/detector.json"}}},
                    "metrics": ["metrics/detector.json"]}
    assert (repo.path / "vision" / "metrics" / "detector.json").exists()
    sha = repo.commit("declare", {})
    found = read_declaration(GitRepo(repo.path), sha, "vision:detector")
    assert found is not None and (found.path, found.type, found.description) == ("weights.pt", "model", "Detects")


def test_new_model_needs_a_path(repo: GitBuilder) -> None:
    repo.commit("one", {"dvc.yaml": COMMENTED})
    result = ms(repo, "add", "fraud", "--type", "model", check=False)
    assert result.returncode == 2 and "give its path" in result.stderr
    assert (repo.path / "dvc.yaml").read_text() == COMMENTED


def test_type_must_be_allowed_by_gto_config(repo: GitBuilder) -> None:
    repo.commit("one", {"dvc.yaml": COMMENTED, ".gto": "types: [model, dataset]\n"})
    result = ms(repo, "add", "fraud", "--path", "f.pkl", "--type", "notebook", check=False)
    assert result.returncode == 2 and "type 'notebook' is not allowed by .gto" in result.stderr
    assert (repo.path / "dvc.yaml").read_text() == COMMENTED


@pytest.mark.parametrize("text, words", [
    ("- just\n- a list\n", "expected a mapping"),
    ("artifacts: [a, b]\n", "'artifacts' must be a mapping"),
    ("artifacts:\n  churn: [oops\n", "not valid YAML"),
])
def test_unusable_dvc_yaml_is_left_untouched(repo: GitBuilder, text: str, words: str) -> None:
    repo.commit("one", {"dvc.yaml": text})
    with pytest.raises(DeclareError, match=words) as error:
        add_artifact("churn", "m.pkl", repo=repo.path)
    assert "dvc.yaml" in str(error.value)
    assert (repo.path / "dvc.yaml").read_text() == text
    assert [p.name for p in repo.path.iterdir() if p.name.endswith(".tmp")] == []


def test_bad_names_and_metrics_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="invalid model name"):
        add_artifact("bad name", "m.pkl", repo=tmp_path)
    with pytest.raises(DeclareError, match="inside the repository"):
        log_model("m", "m.pkl", metrics={"a": 1}, metrics_file="../x.json", repo=tmp_path)
    with pytest.raises(DeclareError, match="JSON"):
        log_model("m", "m.pkl", metrics={"a": object()}, repo=tmp_path)
    with pytest.raises(DeclareError, match="does not exist"):
        log_model("m", "m.pkl", metrics={"a": 1}, repo=tmp_path)
    assert list(tmp_path.iterdir()) == []  # refused before anything was written


@pytest.mark.parametrize("name, canonical", [("dir/:m", "dir:m"), ("/dir:m", "dir:m"), ("a//b:m", "a/b:m")])
def test_folder_names_that_no_dvcyaml_declares_are_refused(repo: GitBuilder, name: str, canonical: str) -> None:
    """GTO reads 'dir/:m' as a model of its own: declared as 'm' in dir/dvc.yaml it would be 'dir:m',
    and `add` said it declared 'dir/:m'."""
    result = ms(repo, "add", name, "--path", "dir/m.pkl", check=False)
    assert result.returncode == 2 and f"is called '{canonical}'" in result.stderr, result.stderr
    with pytest.raises(DeclareError, match=f"is called '{canonical}'"):
        log_model(name, "dir/m.pkl", metrics={"a": 1}, repo=repo.path)
    assert repo.git("status", "--porcelain", "--untracked-files=all") == ""


@pytest.mark.parametrize("name, path", [("m", "../outside.pkl"), ("m", "/abs/model.pkl"), ("sub:m", "../../x.pkl")])
def test_model_paths_outside_the_repo_are_refused(repo: GitBuilder, name: str, path: str) -> None:
    """Accepted, they declared a model whose bytes no download could ever find."""
    with pytest.raises(DeclareError, match="must be inside the repository"):
        add_artifact(name, path, repo=repo.path)
    with pytest.raises(DeclareError, match="must be inside the repository"):
        log_model(name, path, metrics={"a": 1}, repo=repo.path)
    result = ms(repo, "add", name, "--path", path, check=False)
    assert result.returncode == 2 and "must be inside the repository" in result.stderr
    assert not (repo.path / "dvc.yaml").exists() and not (repo.path / "sub").exists()


@pytest.mark.parametrize("name, path, where", [("sub:m", "../shared/m.pkl", "sub/dvc.yaml"),
                                               ("m", "s3://bucket/m.pkl", "dvc.yaml"), ("m", "a/../m.pkl", "dvc.yaml")])
def test_paths_inside_the_repo_and_urls_are_accepted(repo: GitBuilder, name: str, path: str, where: str) -> None:
    add_artifact(name, path, repo=repo.path)
    declared = yaml.safe_load((repo.path / where).read_text())["artifacts"]
    assert declared[name.split(":")[-1]]["path"] == path


def test_add_reports_unusable_dvcyaml_locations_in_one_line(repo: GitBuilder) -> None:
    """A file where the model's folder should be, a folder named dvc.yaml, a dvc.yaml that is not
    UTF-8: each is a usage error naming the path, not a traceback; nothing is written."""
    repo.commit("one", {"dvc.yaml": COMMENTED, "model.pkl": "bytes", "weird/dvc.yaml/keep": "",
                        "latin/dvc.yaml": b"artifacts:\n  m:\n    path: m.bin\n    desc: caf\xe9\n"})
    cases = {
        "model.pkl:m": f"cannot write {repo.path / 'model.pkl' / 'dvc.yaml'}: {repo.path / 'model.pkl'} is a file, not a folder",
        "model.pkl/deeper:m": f"{repo.path / 'model.pkl'} is a file, not a folder",
        "weird:m": f"cannot read {repo.path / 'weird' / 'dvc.yaml'}: Is a directory",
        "latin:m": f"{repo.path / 'latin' / 'dvc.yaml'}: not UTF-8 (byte 45)",
    }
    for name, message in cases.items():
        result = ms(repo, "add", name, "--path", "m.bin", check=False)
        assert result.returncode == 2, (name, result.stderr)
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert message in result.stderr, (name, result.stderr)
    assert repo.git("status", "--porcelain") == ""
    with pytest.raises(DeclareError, match=r"is a file, not a folder|does not exist \(.*model.pkl/m.bin\)"):
        log_model("model.pkl:m", "m.bin", metrics={"auc": 0.9}, repo=repo.path)
