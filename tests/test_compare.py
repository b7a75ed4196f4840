"""Compare: candidates, plot data, the comparison (CLI) and the catalog's compare parts, on a real DVC-style repo."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from modelshelf.compare.plotdata import MAX_POINTS, STEP, parse_plots, series_from_rows
from modelshelf.index.build import build_index, load_schema
from modelshelf.registry import load_registry

from .compare_scenario import CODE1, CODE2, DATA1, DATA2, pipeline_repo
from .gitutil import GitBuilder, ms, run_cli

pytestmark = pytest.mark.gto  # the scenario repos are written with the real gto CLI


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> tuple[GitBuilder, dict[str, str]]:
    g = GitBuilder(tmp_path_factory.mktemp("compare") / "repo")
    return g, pipeline_repo(g)


def churn(index: dict) -> dict:
    return next(m for m in index["models"] if m["name"] == "churn")


# -- plots: declarations and data --------------------------------------------
def test_plots_syntaxes_are_all_read() -> None:
    data = {
        "plots": [
            "a.json",
            {"sub/prc.json": {"x": "recall", "y": "precision"}},
            {"ROC": {"x": "fpr", "y": {"eval/roc.csv": "tpr", "eval/roc2.csv": ["tpr", "fnr"]}}},
            {"cm.png": None},
            {"https://example.invalid/x.json": {}},
            {"../../outside.json": {}},  # leaves the repo
        ],
        "stages": {"train": {"plots": [{"loss.tsv": {"cache": False}}]}},
    }
    specs, problems = parse_plots(data, "models")
    assert problems == []
    by_id = {s.id: s for s in specs}
    assert list(by_id) == ["a.json", "sub/prc.json", "ROC", "cm.png", "loss.tsv"]
    assert by_id["a.json"].sources[0].path == "models/a.json" and by_id["a.json"].sources[0].x == STEP
    assert (by_id["sub/prc.json"].sources[0].x, by_id["sub/prc.json"].sources[0].y) == ("recall", ("precision",))
    assert [(s.path, s.y) for s in by_id["ROC"].sources] == [("models/eval/roc.csv", ("tpr",)),
                                                          ("models/eval/roc2.csv", ("tpr", "fnr"))]
    assert by_id["cm.png"].image and not by_id["loss.tsv"].image


def test_series_default_y_is_the_last_numeric_field_and_long_curves_are_thinned() -> None:
    rows = [{"step": i, "loss": 1 / (i + 1), "acc": i / 1000, "note": "x"} for i in range(1000)]
    (series,) = series_from_rows("f.json", rows, STEP, ())
    assert series.y == "acc"
    assert len(series.points) == MAX_POINTS
    assert series.points[0] == (0.0, 0.0) and series.points[-1] == (999.0, 0.999)
    assert series_from_rows("f.json", [{"x": "bad", "y": 1}], "x", ("y",)) == []


# -- the index -----------------------------------------------------------------
def test_candidates_appear_with_metrics_params_and_the_register_command(pipeline) -> None:
    g, shas = pipeline
    index = build_index(load_registry(g.path), candidates=20)
    jsonschema.validate(index.data, load_schema())
    model = churn(index.data)
    found = {c["commit"]: c for c in model["candidates"]}
    # Registered versions and the docs-only commit are not candidates; the experiment is.
    assert set(found) == {shas["candidate"], shas["experiment"]}
    branch = found[shas["candidate"]]
    assert branch["source"] == "branch" and branch["experiment"] is None
    assert branch["metrics"] == {"accuracy": 0.87, "f1": 0.82}
    assert branch["params"]["train.lr"] == 0.05
    assert branch["message"] == "try a smaller learning rate"
    assert "metrics.json" in branch["changed"] and "params.yaml" in branch["changed"]
    assert branch["register"] == f"modelshelf register churn {shas['candidate']} --bump-minor"
    exp = found[shas["experiment"]]
    assert exp["source"] == "experiment" and exp["experiment"] == "exp-bold"
    assert exp["ref"].startswith("refs/exps/") and exp["metrics"]["accuracy"] == 0.89


def test_how_far_back_is_configurable(pipeline) -> None:
    g, shas = pipeline
    off = churn(build_index(load_registry(g.path)).data)
    assert off["candidates"] == []
    one = churn(build_index(load_registry(g.path), candidates=1).data)  # HEAD only: the docs commit
    assert [c["commit"] for c in one["candidates"]] == [shas["experiment"]]


def test_versions_carry_plot_data(pipeline) -> None:
    g, _ = pipeline
    model = churn(build_index(load_registry(g.path)).data)
    v1 = next(v for v in model["versions"] if v["version"] == "v1.0.0")
    plots = {p["id"]: p for p in v1["plots"]}
    assert set(plots) == {"eval/roc.json", "Precision-recall", "eval/confusion.png"}
    roc = plots["eval/roc.json"]
    assert (roc["title"], roc["x"], roc["y"]) == ("ROC", "fpr", "tpr")
    assert roc["series"][0]["points"][1] == [0.1, 0.53]
    prc = plots["Precision-recall"]["series"][0]
    assert prc["file"] == "eval/prc.csv" and len(prc["points"]) == 5
    assert plots["eval/confusion.png"]["kind"] == "image" and plots["eval/confusion.png"]["git_sha"]


def test_index_with_candidates_is_byte_identical_across_runs(pipeline, tmp_path: Path) -> None:
    """Two interpreters with different hash seeds (set and dict-of-set order differ between them)."""
    g, _ = pipeline
    code = ("import sys; from modelshelf.index.build import build_index, dumps; from modelshelf.registry import load_registry; "
            "sys.stdout.write(dumps(build_index(load_registry(sys.argv[1]), candidates=20, use_cache=False).data))")
    runs = [subprocess.run([sys.executable, "-c", code, str(g.path)], capture_output=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")]
    assert runs[0] == runs[1]
    assert len(json.loads(runs[0])["models"][0]["candidates"]) > 0  # the candidates are in what was compared


# -- the CLI -------------------------------------------------------------------
def test_cli_compare_two_versions_shows_metric_deltas_and_the_changed_data(pipeline) -> None:
    g, _ = pipeline
    result = run_cli("compare", "churn", "v1.0.0", "churn@latest", "--json", "--repo", str(g.path))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [e["label"] for e in data["entries"]] == ["v1.0.0", "v1.1.0"]
    accuracy = next(r for r in data["metrics"] if r["key"] == "accuracy")
    assert accuracy["values"] == [0.8, 0.84] and accuracy["deltas"][1] == pytest.approx(0.04)
    assert data["params"] == []  # same params: only the data changed
    changed = {(r["stage"], r["kind"], r["path"]): r["values"] for r in data["lineage"]}
    assert changed[("prepare", "data", "data/raw.csv")] == [DATA1, DATA2]
    assert ("train", "code", "src/train.py") not in changed
    assert data["plots"] == ["eval/roc.json", "Precision-recall", "eval/confusion.png"]


def test_cli_compare_version_with_candidate_and_stage_spec(pipeline) -> None:
    g, shas = pipeline
    result = run_cli("compare", "churn", "churn#prod", shas["candidate"][:8], "exp-bold", "--repo", str(g.path))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith(f"churn: v1.0.0 vs {shas['candidate'][:7]} (candidate) vs {shas['experiment'][:7]} (exp-bold)")
    assert "0.87 (+0.07)" in out and "0.89 (+0.09)" in out
    assert "train.lr" in out and "0.05" in out and "0.2" in out
    assert "src/train.py" in out and CODE1[:12] in out and CODE2[:12] in out
    assert f"modelshelf register churn {shas['candidate']} --bump-minor" in out


def test_cli_compare_any_commit_and_clear_errors(pipeline) -> None:
    g, shas = pipeline
    result = run_cli("compare", "churn", "v1.1.0", "HEAD", "--json", "--repo", str(g.path))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["entries"][1] == {"label": "HEAD", "kind": "commit", "commit": shas["unrelated"],
                                  "register": f"modelshelf register churn {shas['unrelated']} --bump-minor"}
    bad = run_cli("compare", "churn", "v1.0.0", "v9.9.9", "--repo", str(g.path))
    assert bad.returncode == 2 and "'v9.9.9' is no version, candidate or commit of churn" in bad.stderr
    assert "v1.1.0, v1.0.0" in bad.stderr
    stage = run_cli("compare", "churn", "churn#staging", "v1.0.0", "--repo", str(g.path))
    assert stage.returncode == 2 and "stage 'staging' of churn holds no version" in stage.stderr
    unknown = run_cli("compare", "nope", "v1.0.0", "v1.1.0", "--repo", str(g.path))
    assert unknown.returncode == 2 and "unknown model 'nope'" in unknown.stderr
    known = unknown.stderr.split("known models: ", 1)[1].strip().split(", ")
    assert known == sorted(set(known)) and "churn" in known  # each once, registered or only declared



def test_cli_compare_reads_a_named_commit_as_the_version_registered_there(pipeline) -> None:
    """`HEAD~3` or a branch that points at a version's commit is that version, not a candidate
    whose suggested `register` would fail ("already registered")."""
    g, shas = pipeline
    result = run_cli("compare", "churn", "HEAD~3", "HEAD~2", "HEAD~1", "--json", "--repo", str(g.path))
    assert result.returncode == 0, result.stderr
    entries = json.loads(result.stdout)["entries"]
    assert [(e["label"], e["kind"], e["commit"]) for e in entries] == [
        ("v1.0.0", "version", shas["v1"]), ("v1.1.0", "version", shas["v2"]),
        (shas["candidate"][:7], "candidate", shas["candidate"]),
    ]
    assert entries[0]["register"] is None and entries[1]["register"] is None


def test_register_command_of_a_never_registered_model_works_as_suggested(repo: GitBuilder) -> None:
    """With no version yet a bump fails ("can't bump"): candidates and compare suggest a plain register."""
    declared = "artifacts:\n  m:\n    path: m.bin\n    type: model\n"
    first = repo.commit("first", {"dvc.yaml": declared, "m.bin": "one"})
    second = repo.commit("second", {"m.bin": "two"})
    index = build_index(load_registry(repo.path), candidates=20).data
    model = next(m for m in index["models"] if m["name"] == "m")
    assert [c["register"] for c in model["candidates"]] == [f"modelshelf register m {second}", f"modelshelf register m {first}"]
    compared = run_cli("compare", "m", "HEAD~1", "HEAD", "--json", "--repo", str(repo.path))
    assert compared.returncode == 0, compared.stderr
    assert json.loads(compared.stdout)["entries"][0]["register"] == f"modelshelf register m {first}"
    ms(repo, *model["candidates"][0]["register"].split()[1:])
    assert repo.git("tag", "--points-at", second) == "m@v0.0.1"
    index = build_index(load_registry(repo.path), candidates=20).data
    model = next(m for m in index["models"] if m["name"] == "m")
    assert [c["register"] for c in model["candidates"]] == [f"modelshelf register m {first} --bump-minor"]


# -- the site ------------------------------------------------------------------
@pytest.fixture(scope="module")
def site(pipeline, tmp_path_factory: pytest.TempPathFactory) -> Path:
    g, _ = pipeline
    out = tmp_path_factory.mktemp("compare-site") / "site"
    result = run_cli("build", "--repo", str(g.path), "-o", str(out), "--strict", "-q")
    assert result.returncode == 0, result.stderr
    return out


def test_site_publishes_candidates_plots_and_a_compare_page(pipeline, site: Path) -> None:
    _, shas = pipeline
    index = json.loads((site / "api" / "registry.json").read_text())
    model = churn(index)
    jsonschema.validate(index, load_schema())
    published = json.loads((site / model["api"]).read_text())
    assert {c["commit"] for c in published["candidates"]} == {shas["candidate"], shas["experiment"]}
    assert all(v["plots"] for v in published["versions"])

    page = (site / model["page"] / "index.html").read_text()
    assert 'id="ms-candidates"' in page
    assert f"modelshelf register churn {shas['candidate']} --bump-minor" in page
    assert "exp-bold" in page
    assert 'href="../compare/?model=churn&amp;v=v1.0.0&amp;v=v1.1.0"' in page
    assert f'href="../compare/?model=churn&amp;v=v1.1.0&amp;v={shas["candidate"][:7]}"' in page
    overlays = sorted((site / "assets" / "plots").glob("overlay-*.svg"))
    assert len(overlays) == 2  # ROC and precision-recall, each across v1.0.0 and v1.1.0
    assert all(f'src="../assets/plots/{o.name}"' in page for o in overlays)
    svg = overlays[0].read_text()
    assert "v1.0.0" in svg and "v1.1.0" in svg

    compare = (site / "compare" / "index.html").read_text()
    assert "data-ms-compare" in compare and "api/models/churn.json" in compare.replace("&#34;", '"')
    assert (site / "assets" / "modelshelf" / "compare.js").is_file()
    assert 'src="../assets/modelshelf/compare.js"' in compare


def test_build_flag_turns_candidates_off(pipeline, tmp_path: Path) -> None:
    g, _ = pipeline
    out = tmp_path / "site"
    result = run_cli("build", "--repo", str(g.path), "-o", str(out), "--candidates", "0", "-q")
    assert result.returncode == 0, result.stderr
    model = churn(json.loads((out / "api" / "registry.json").read_text()))
    assert model["candidates"] == []
    assert 'id="ms-candidates"' not in (out / model["page"] / "index.html").read_text()
