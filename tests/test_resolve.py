"""Lookup semantics: specs as GTO writes them, answered from the index's own `latest`
and `stages` (never re-derived), the deregistration trap, and errors that list what exists."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import modelshelf.delivery as dl
from modelshelf.index.build import build_index, dumps
from modelshelf.registry import load_registry

from .gitutil import GitBuilder, run_cli
from .churn import V1, V2, build_churn

SOURCES = ("repo", "index")


def source_args(kind: str, repo: GitBuilder, tmp_path: Path) -> list[str]:
    if kind == "repo":
        return ["--repo", str(repo.path)]
    index = tmp_path / "registry.json"
    if not index.exists():
        index.write_text(dumps(build_index(load_registry(repo.path)).data))
    return ["--index", str(index)]


def resolve_cli(spec: str, args: list[str]) -> tuple[int, dict | None, str]:
    result = run_cli("resolve", spec, *args)
    return result.returncode, json.loads(result.stdout) if result.returncode == 0 else None, result.stderr


@pytest.mark.parametrize("kind", SOURCES)
def test_deregistered_version_is_never_latest_nor_held_by_a_stage(repo: GitBuilder, tmp_path: Path, kind: str) -> None:
    shas = build_churn(repo)  # v1.2.0 was assigned prod and staging, then deregistered
    args = source_args(kind, repo, tmp_path)
    code, record, _ = resolve_cli("churn@latest", args)
    assert code == 0 and record["version"] == "v1.1.0" and record["commit"] == shas["v1.1.0"]
    code, record, _ = resolve_cli("churn#prod", args)
    assert code == 0 and record["version"] == "v1.0.0"  # back to the previous live assignment
    code, _, err = resolve_cli("churn#staging", args)
    assert code == 2
    assert "stage 'staging' holds no version of model 'churn'" in err
    assert "stages that hold versions: dev (v1.1.0), prod (v1.0.0)" in err


@pytest.mark.parametrize("kind", SOURCES)
def test_explicit_deregistered_version_resolves_with_its_status(repo: GitBuilder, tmp_path: Path, kind: str) -> None:
    build_churn(repo)
    code, record, err = resolve_cli("churn@v1.2.0", source_args(kind, repo, tmp_path))
    assert code == 0 and record["status"] == "deregistered"
    assert "deregistered" in err  # a warning, not silence


@pytest.mark.parametrize(
    "spec, message",
    [
        ("nope", "unknown model 'nope' in "),
        ("churn@v9.9.9", "model 'churn' has no version v9.9.9; versions: v1.2.0 (deregistered), v1.1.0, v1.0.0"),
        ("churn#qa", "stage 'qa' is not a stage of model 'churn'; stages that hold versions: dev (v1.1.0), prod (v1.0.0)"),
        ("churn@1.0", "invalid spec 'churn@1.0': invalid version '1.0': use latest or vX.Y.Z"),
        ("churn#bad stage", "invalid spec 'churn#bad stage': invalid stage 'bad stage'"),
    ],
)
@pytest.mark.parametrize("kind", SOURCES)
def test_unknown_name_version_or_stage_exits_2_listing_what_exists(
    repo: GitBuilder, tmp_path: Path, kind: str, spec: str, message: str
) -> None:
    build_churn(repo)
    for command in ("resolve", "download"):
        result = run_cli(command, spec, *source_args(kind, repo, tmp_path), *(["-o", str(tmp_path / "o")] if command == "download" else []))
        assert result.returncode == 2, result.stderr
        assert message in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        if spec == "nope":
            assert "models: churn, encoder" in result.stderr
    assert not (tmp_path / "o").exists()


def test_model_with_no_live_version_has_no_latest(repo: GitBuilder) -> None:
    repo.commit("only", {"m.bin": b"x", "dvc.yaml": "artifacts:\n  solo:\n    path: m.bin\n"})
    repo.tag("solo@v1.0.0")
    repo.tag("solo@v1.0.0!")
    with pytest.raises(dl.LookupFailed, match=r"'solo' has no registered version to be latest; versions: v1.0.0 \(deregistered\)"):
        dl.resolve("solo", repo=repo.path)


@pytest.mark.gto
def test_lookups_agree_with_gto_built_by_the_real_gto_cli(repo: GitBuilder, tmp_path: Path) -> None:
    repo.commit("v1", {"dvc.yaml": "artifacts:\n  churn:\n    path: churn.pkl\n", "churn.pkl": V1})
    repo.gto("register", "churn", "--version", "v1.0.0")
    repo.gto("assign", "churn", "--version", "v1.0.0", "--stage", "prod")
    repo.commit("v2", {"churn.pkl": V2})
    repo.gto("register", "churn", "--version", "v1.1.0")
    repo.gto("assign", "churn", "--version", "v1.1.0", "--stage", "prod")
    repo.gto("assign", "churn", "--version", "v1.1.0", "--stage", "staging")
    repo.gto("deprecate", "churn", "v1.1.0")  # GTO: deprecating a version deregisters it
    gto = repo.gto_json("show", "--json")["churn"]
    index = tmp_path / "registry.json"
    index.write_text(dumps(build_index(load_registry(repo.path)).data))
    for source in ({"repo": repo.path}, {"index": index}):
        assert dl.resolve("churn", **source).version.version == gto["version"] == "v1.0.0"
        for stage, version in gto["stage"].items():
            if version is None:
                with pytest.raises(dl.LookupFailed, match="stages that hold versions"):
                    dl.resolve(f"churn#{stage}", **source)
            else:
                assert dl.resolve(f"churn#{stage}", **source).version.version == version
    assert dl.download("churn#prod", tmp_path / "out", repo=repo.path).read_bytes() == V1


def test_folder_model_names_and_stage_on_an_unregistered_commit(repo: GitBuilder, tmp_path: Path) -> None:
    commit = repo.commit("vision", {"vision/dvc.yaml": "artifacts:\n  detector:\n    path: det.onnx\n",
                                    "vision/det.onnx": b"onnx-1"})
    repo.tag("vision=detector@v1.0.0")
    unregistered = repo.commit("retrain", {"vision/det.onnx": b"onnx-2"})
    repo.tag("vision=detector#canary#1")
    record = dl.resolve("vision:detector@v1.0.0", repo=repo.path)
    assert (record.model, record.version.commit, record.storage.path) == ("vision:detector", commit, "vision/det.onnx")
    canary = dl.resolve("vision:detector#canary", repo=repo.path)
    assert canary.version.version == unregistered and canary.version.status == "unregistered"
    assert dl.download("vision:detector#canary", tmp_path, repo=repo.path).read_bytes() == b"onnx-2"
    assert dl.download("vision:detector", tmp_path / "l", repo=repo.path).read_bytes() == b"onnx-1"


def test_index_of_an_unsupported_schema_is_refused(tmp_path: Path) -> None:
    (tmp_path / "registry.json").write_text(json.dumps({"schema_version": 99, "models": []}))
    result = run_cli("resolve", "churn", "--index", str(tmp_path / "registry.json"))
    assert result.returncode == 2 and "schema_version 99 is not supported" in result.stderr
