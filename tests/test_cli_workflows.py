"""What a new user hit walking log -> compare -> register -> assign (issue 13, items 2, 3,
6, 7 and 8), walked again with the commands they typed: real repos, the real CLI, gto as
the oracle where GTO has the command."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import yaml

import modelshelf
from modelshelf.declare import DeclareError, NonFiniteMetric

from .gitutil import GTO_SHIM, GitBuilder
from .gitutil import ms

pytestmark = pytest.mark.gto  # their repos are made with the real gto (the oracle)


def cli(repo: GitBuilder, *args: str) -> subprocess.CompletedProcess:
    return ms(repo, *args, check=False)


def one_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


def index(repo: GitBuilder) -> dict:
    result = cli(repo, "index")
    assert result.returncode == 0, result.stderr
    return {m["name"]: m for m in json.loads(result.stdout)["models"]}


def log(repo: GitBuilder, code: str) -> None:
    """A training script's last lines, run in the repo as the user runs theirs."""
    subprocess.run([sys.executable, "-c", "import modelshelf\n" + code], cwd=repo.path, check=True,
                   env=repo._env(), capture_output=True, text=True)


# -- item 2: each model keeps its own metrics, however many models the repo gains --------


def test_two_logged_models_keep_their_own_metrics(repo: GitBuilder) -> None:
    repo.commit("data", {"models/churn.pkl": "w1", "nlp/sentiment.bin": "s1"})
    log(repo, 'modelshelf.log_model("churn", path="models/churn.pkl", metrics={"auc": 0.91}, params={"depth": 4})')
    repo.commit("train churn", {})
    log(repo, 'modelshelf.log_model("sentiment", path="nlp/sentiment.bin", metrics_file="nlp/metrics.json", '
              'metrics={"f1": 0.7})')
    repo.commit("train sentiment", {})
    assert cli(repo, "register", "churn", "--version", "v0.1.0").returncode == 0
    assert cli(repo, "register", "sentiment").returncode == 0
    models = index(repo)
    churn = models["churn"]["versions"][0]
    assert (churn["version"], churn["metrics"], churn["params"]) == ("v0.1.0", {"auc": 0.91}, {"depth": 4})
    assert models["sentiment"]["versions"][0]["metrics"] == {"f1": 0.7}
    declared = yaml.safe_load((repo.path / "dvc.yaml").read_text())
    assert declared["artifacts"]["churn"]["meta"] == {"metrics": "metrics/churn.json", "params": "params/churn.json"}
    assert declared["artifacts"]["sentiment"]["meta"] == {"metrics": "nlp/metrics.json"}
    # the next churn run writes the same file again: no second file, no second listing
    log(repo, 'modelshelf.log_model("churn", path="models/churn.pkl", metrics={"auc": 0.93})')
    assert yaml.safe_load((repo.path / "dvc.yaml").read_text())["metrics"] == ["metrics/churn.json", "nlp/metrics.json"]
    doctor = cli(repo, "doctor")
    assert doctor.returncode == 0, doctor.stdout


def test_doctor_flags_metrics_of_no_model_and_metrics_that_vanished(repo: GitBuilder) -> None:
    """The repo the old default left: a root metrics.json that a second model orphans."""
    repo.commit("churn", {"dvc.yaml": "artifacts:\n  churn:\n    path: models/churn.pkl\nmetrics:\n- metrics.json\n",
                          "metrics.json": '{"auc": 0.9}', "models/churn.pkl": "w1"})
    repo.gto("register", "churn")
    repo.commit("sentiment", {
        "dvc.yaml": "artifacts:\n  churn:\n    path: models/churn.pkl\n  sentiment:\n    path: nlp/sentiment.bin\n"
                    "    meta:\n      metrics: nlp/metrics.json\nmetrics:\n- metrics.json\n- nlp/metrics.json\n",
        "nlp/metrics.json": '{"f1": 0.7}', "nlp/sentiment.bin": "s", "models/churn.pkl": "w2"})
    repo.gto("register", "churn")
    doctor = cli(repo, "doctor")
    assert doctor.returncode == 1
    lines = doctor.stdout.splitlines()
    assert any(l.startswith("metrics.json: metrics file listed in dvc.yaml belongs to no model") for l in lines)
    assert "model churn version v0.0.2: no metrics, while v0.0.1 had auc" in doctor.stdout
    assert "declared, no version yet: sentiment" in doctor.stdout


# -- item 3: declared models without a version are listed --------------------------------


def test_declared_models_without_a_version_are_listed(repo: GitBuilder) -> None:
    repo.commit("one", {"dvc.yaml": "artifacts:\n  churn:\n    path: models/churn.pkl\n", "models/churn.pkl": "w"})
    show = cli(repo, "show")
    assert show.returncode == 0 and "churn  (declared, no version yet)" in show.stdout
    one = cli(repo, "show", "churn")
    assert one.returncode == 0 and "churn: declared, no version yet" in one.stdout
    doctor = cli(repo, "doctor")
    assert doctor.returncode == 0 and "ok: 0 registry tags, 1 models" in doctor.stdout
    assert "declared, no version yet: churn" in doctor.stdout
    # JSON keeps GTO's shape
    assert json.loads(cli(repo, "show", "--json").stdout) == repo.gto_json("show", "--json") == {}


# -- item 6: typos ----------------------------------------------------------------------


@pytest.fixture
def churn(repo: GitBuilder) -> GitBuilder:
    repo.commit("one", {"dvc.yaml": "artifacts:\n  churn:\n    path: models/churn.pkl\n", "models/churn.pkl": "w1"})
    repo.gto("register", "churn", "--version", "v0.1.0")
    repo.commit("two", {"models/churn.pkl": "w2"})
    repo.gto("register", "churn", "--version", "v0.2.0")
    return repo


def test_typos_are_named_with_close_matches(churn: GitBuilder) -> None:
    register = cli(churn, "register", "chrun")
    assert register.returncode == 0  # GTO allows it: a warning, not a refusal
    assert "modelshelf: warning: no dvc.yaml (or artifacts.yaml) at commit" in register.stderr
    assert "declares 'chrun' (did you mean 'churn'?)" in register.stderr
    churn.git("tag", "-d", "chrun@v0.0.1")
    assign = cli(churn, "assign", "chrun", "--version", "v0.2.0", "--stage", "prod")
    assert assign.returncode == 2
    assert one_line(assign.stderr) == ("modelshelf: error: unknown model 'chrun' (did you mean 'churn'?); "
                                       "known models: churn")
    positional = cli(churn, "assign", "churn", "v0.2.0", "--stage", "prod")
    assert positional.returncode == 2 and one_line(positional.stderr).endswith(
        "ref 'v0.2.0' was not found in the repository history; to name the version v0.2.0, use --version v0.2.0")
    flag = cli(churn, "assign", "churn", "--verison", "v0.2.0", "--stage", "prod")
    assert flag.returncode == 2 and one_line(flag.stderr) == (
        "modelshelf assign: error: unrecognized arguments: --verison v0.2.0; did you mean --version? "
        "(see `modelshelf assign --help`)")
    assert "chrun" not in churn.git("tag", "--list")


# -- item 7: outputs that mislead ----------------------------------------------------------


def test_unassign_says_what_the_stage_falls_back_to(churn: GitBuilder) -> None:
    churn.gto("assign", "churn", "--version", "v0.1.0", "--stage", "prod")
    churn.gto("assign", "churn", "--version", "v0.2.0", "--stage", "prod")
    result = cli(churn, "unassign", "churn", "prod")
    assert result.returncode == 0
    assert "Stage 'prod' of 'churn' now holds version 'v0.1.0'" in result.stdout
    assert churn.gto_json("show", "churn#prod", "--json")[0]["version"] == "v0.1.0"  # as gto reads it
    again = cli(churn, "unassign", "churn", "prod")
    assert "Stage 'prod' of 'churn' holds no version now" in again.stdout


def test_show_of_a_spec_that_matches_nothing_is_an_error_like_an_unknown_model(churn: GitBuilder) -> None:
    for spec, said in (("churn@v9.9.9", "model 'churn' has no version v9.9.9; versions: v0.2.0, v0.1.0"),
                       ("churn#staging", "stage 'staging' of 'churn' holds no version"),
                       ("chrun", "unknown model 'chrun'")):
        result = cli(churn, "show", spec)
        assert result.returncode == 2 and result.stdout == ""
        assert said in one_line(result.stderr)
    # JSON stays GTO's: an empty list
    assert json.loads(cli(churn, "show", "churn@v9.9.9", "--json").stdout) == churn.gto_json(
        "show", "churn@v9.9.9", "--json") == []


def test_check_ref_json_for_a_missing_tag_and_stages_without_gto_config(churn: GitBuilder) -> None:
    missing = cli(churn, "check-ref", "churn@v7.0.0", "--json")
    assert missing.returncode == 0
    assert json.loads(missing.stdout) == {"tag": "churn@v7.0.0", "found": False,
                                          "error": "no tag 'churn@v7.0.0' in the repository"}
    allowed = cli(churn, "stages", "--allowed")
    assert allowed.stdout == churn.gto("stages", "--allowed") == ""
    assert allowed.stderr == "modelshelf: no .gto file lists stages: any stage is allowed\n"


@pytest.mark.parametrize("config, said", [
    ("stage: [dev, prod]\n", "unknown key 'stage': gto refuses the file"),
    ("types: [model]\ncolour: red\n", "unknown key 'colour': gto refuses the file"),
    ("STAGES: [dev, prod]\n", "key 'STAGES': gto reads it as 'stages'"),
])
def test_doctor_flags_gto_config_keys(churn: GitBuilder, config: str, said: str) -> None:
    churn.commit("config", {".gto": config})
    doctor = cli(churn, "doctor")
    assert doctor.returncode == 1 and said in doctor.stdout
    gto = subprocess.run([sys.executable, "-c", GTO_SHIM, "stages"], cwd=churn.path, env=churn._env(),
                         capture_output=True, text=True)
    refused = gto.returncode != 0 and "Wrong config file" in gto.stdout + gto.stderr
    assert refused == ("refuses" in said)  # what gto itself does with the file


def test_doctor_accepts_every_key_gto_accepts(churn: GitBuilder) -> None:
    churn.commit("config", {".gto": "stages: [dev, prod]\ntypes: [model]\nemojis: false\nindex: artifacts.yaml\n"})
    assert churn.gto("stages") == "dev\nprod\n"
    doctor = cli(churn, "doctor")
    assert doctor.returncode == 0, doctor.stdout


def test_show_deprecated_marks_the_deprecated_model(churn: GitBuilder) -> None:
    churn.commit("other", {"dvc.yaml": "artifacts:\n  churn:\n    path: models/churn.pkl\n  old:\n    path: old.pkl\n",
                           "old.pkl": "o"})
    churn.gto("register", "old")
    churn.gto("deprecate", "old")
    rows = {line.split()[0]: line for line in cli(churn, "show", "-d").stdout.splitlines()[2:]}
    assert "(deprecated)" in rows["old"] and "(deprecated)" not in rows["churn"]
    assert "old" not in cli(churn, "show").stdout


def test_compare_deltas_read_well_and_carry_no_float_noise(repo: GitBuilder) -> None:
    declared = "artifacts:\n  churn:\n    path: models/churn.pkl\nmetrics:\n- metrics.json\n"
    for version, (auc, f1) in {"v1.0.0": (0.84, 0.884), "v1.1.0": (0.8409, 0.912), "v1.2.0": (0.85, 0.9)}.items():
        repo.commit(version, {"dvc.yaml": declared, "models/churn.pkl": version,
                              "metrics.json": json.dumps({"auc": auc, "f1": f1})})
        repo.gto("register", "churn", "--version", version)
    data = json.loads(cli(repo, "compare", "churn", "v1.0.0", "v1.1.0", "--json").stdout)
    deltas = {row["key"]: row["deltas"] for row in data["metrics"]}
    assert deltas == {"auc": [0.0, 0.0009], "f1": [0.0, 0.028]}  # not 0.028000000000000025
    text = cli(repo, "compare", "churn", "v1.0.0", "v1.1.0", "v1.2.0").stdout
    assert "0.8409 (+0.0009)" in text and "e-4" not in text
    assert "(deltas in parentheses are against the first column, v1.0.0)" in text
    two = cli(repo, "compare", "churn", "v1.0.0", "v1.1.0").stdout
    assert "against the first column" not in two


# -- item 8: log_model input ----------------------------------------------------------------


def test_log_model_refuses_a_path_that_does_not_exist_and_keeps_the_declaration(repo: GitBuilder) -> None:
    repo.commit("one", {"models/churn.pkl": "w"})
    modelshelf.log_model("churn", path="models/churn.pkl", metrics={"auc": 0.9}, repo=repo.path)
    before = (repo.path / "dvc.yaml").read_text()
    with pytest.raises(DeclareError, match="path 'models/chrun.pkl' does not exist"):
        modelshelf.log_model("churn", path="models/chrun.pkl", metrics={"auc": 0.95}, repo=repo.path)
    assert (repo.path / "dvc.yaml").read_text() == before
    assert json.loads((repo.path / "metrics" / "churn.json").read_text()) == {"auc": 0.9}  # nothing written


def test_a_nan_metric_is_written_with_a_warning_and_doctor_notes_it(repo: GitBuilder) -> None:
    repo.commit("one", {"models/churn.pkl": "w"})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        declared = modelshelf.log_model("churn", path="models/churn.pkl",
                                        metrics={"auc": 0.9, "loss": float("nan")}, repo=repo.path)
    assert [w.category for w in caught] == [NonFiniteMetric]
    assert "metric 'loss' of 'churn' is NaN or infinite" in str(caught[0].message)
    assert declared.metrics is not None and '"loss": NaN' in declared.metrics.read_text()
    repo.commit("trained", {})
    repo.gto("register", "churn")
    assert index(repo)["churn"]["versions"][0]["metrics"] == {"auc": 0.9}
    doctor = cli(repo, "doctor")
    assert "note: model churn version v0.0.1:" in doctor.stdout and "loss" in doctor.stdout


def test_numpy_style_scalars_are_written_as_numbers(repo: GitBuilder, tmp_path: Path) -> None:
    class Float32:  # what np.float32 offers: .item() -> a Python float
        def item(self) -> float:
            return 0.5

    repo.commit("one", {"m.bin": "w"})
    declared = modelshelf.log_model("m", path="m.bin", metrics={"acc": Float32()}, repo=repo.path)
    assert declared.metrics is not None and json.loads(declared.metrics.read_text()) == {"acc": 0.5}
