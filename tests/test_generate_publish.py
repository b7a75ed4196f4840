"""Issue 13 item 1 on the plugin-free path (issue 18): a Zensical-built catalog publishes what the
MkDocs build publishes, so `modelshelf download NAME@latest --index SITE/api/registry.json` works with
the defaults there too. Both builds call the same function (``fetch.publish.publish_configured``); the
proof is the bytes: the same ``api/`` (``storage.download_url`` included) and the same ``artifacts/``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modelshelf.sitebuild.generate import MANIFEST

from .churn import ENCODER, build_churn
from .gitutil import GitBuilder, git_bytes, run_cli
from .test_generate import _files, _ok, flat_mkdocs_build

REMOTE = "https://git.example.test/team/churn.git"  # recorded in the index, never contacted here


@pytest.fixture(scope="module")
def churn(tmp_path_factory: pytest.TempPathFactory) -> tuple[GitBuilder, dict[str, str]]:
    repo = GitBuilder(tmp_path_factory.mktemp("genpub") / "repo")
    shas = build_churn(repo)
    repo.git("remote", "add", "origin", REMOTE)
    return repo, shas


@pytest.fixture(scope="module")
def sites(churn, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The churn catalog built by Zensical and by MkDocs + the plugin (same URL style), with the defaults
    and with a size cap."""
    pytest.importorskip("zensical", reason="the zensical test extra is not installed")
    repo, _ = churn
    root = tmp_path_factory.mktemp("genpub-sites")
    built: dict[str, Path] = {}
    for label, flags in {"default": [], "capped": ["--publish-max-size", "2K"]}.items():
        built[f"zensical-{label}"] = root / f"zensical-{label}"
        _ok(run_cli("build", "--engine", "zensical", "--repo", str(repo.path), "-o", str(built[f"zensical-{label}"]),
                    "-q", *flags))
        built[f"mkdocs-{label}"] = root / f"mkdocs-{label}"
        flat_mkdocs_build(repo.path, root / f"work-{label}", built[f"mkdocs-{label}"], *flags)
    return built


def storage(site: Path, name: str, version: str) -> dict:
    model = next(m for m in json.loads((site / "api" / "registry.json").read_text())["models"] if m["name"] == name)
    return next(v for v in model["versions"] if v["version"] == version)["storage"]


def _under(files: dict[str, bytes], prefix: str) -> dict[str, bytes]:
    return {path: data for path, data in files.items() if path.startswith(prefix)}


@pytest.mark.parametrize("label", ["default", "capped"])
def test_api_and_artifacts_are_the_bytes_of_the_mkdocs_build(sites: dict[str, Path], label: str) -> None:
    zensical, mkdocs = _files(sites[f"zensical-{label}"]), _files(sites[f"mkdocs-{label}"])
    assert _under(zensical, "api/") == _under(mkdocs, "api/")
    assert _under(zensical, "artifacts/") == _under(mkdocs, "artifacts/")
    site = sites[f"zensical-{label}"]
    assert storage(site, "churn", "v1.0.0")["download_url"]  # held by prod, small
    assert storage(site, "churn", "v1.2.0")["download_url"] is None  # deregistered: left to the remote
    # 9,000 bytes: published by default, over the 2K cap
    assert bool(storage(site, "churn", "v1.1.0")["download_url"]) is (label == "default")


@pytest.mark.parametrize("spec, version, path", [("churn@latest", "v1.1.0", "churn.pkl"),
                                                 ("churn#prod", "v1.0.0", "churn.pkl")])
def test_download_from_a_default_zensical_site_gets_the_committed_bytes(
        churn, sites: dict[str, Path], serve, tmp_path: Path, spec: str, version: str, path: str) -> None:
    repo, shas = churn
    url = serve(sites["zensical-default"]) + "api/registry.json"
    result = run_cli("download", spec, "-o", str(tmp_path / "models"), "--index", url)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "models" / path).read_bytes() == git_bytes(repo, shas[version], f"models/{path}")


def test_a_folder_model_downloads_from_the_zensical_site(churn, sites: dict[str, Path], serve, tmp_path: Path) -> None:
    repo, shas = churn
    url = serve(sites["zensical-default"]) + "api/registry.json"
    result = run_cli("download", "encoder@latest", "-o", str(tmp_path / "out"), "--index", url)
    assert result.returncode == 0, result.stderr
    got = {p.relative_to(tmp_path / "out").as_posix(): p.read_bytes()
           for p in (tmp_path / "out").rglob("*") if p.is_file()}
    assert got == {p.removeprefix("models/"): git_bytes(repo, shas["v1.0.0"], p) for p in ENCODER}


def test_generate_reads_the_config_and_the_flags_override_it(tmp_path: Path, serve) -> None:
    """`publish_artifacts: false` in the repo's plugin entry publishes nothing; `--publish-artifacts` then
    publishes every version, as `modelshelf build` does; a catalog in a sub-folder of the docs downloads."""
    repo = GitBuilder(tmp_path / "repo")
    shas = build_churn(repo)
    repo.commit("config", {"mkdocs.yml": "site_name: Churn\nplugins:\n  - modelshelf:\n      publish_artifacts: false\n"})
    out = tmp_path / "docs" / "models"
    _ok(run_cli("generate", "--repo", str(repo.path), "-o", str(out), "-q"))
    assert not (out / "artifacts").exists()
    assert "download_url" not in json.dumps(storage(out, "churn", "v1.1.0"))
    _ok(run_cli("generate", "--repo", str(repo.path), "-o", str(out), "-q", "--publish-artifacts"))
    assert storage(out, "churn", "v1.2.0")["download_url"]  # every version, deregistered ones too
    listed = json.loads((out / MANIFEST).read_text())["files"]
    published = sorted(p for p in _files(out) if p.startswith("artifacts/"))
    assert published and all(p in listed for p in published)  # replaced whole by the next generation
    url = serve(tmp_path / "docs") + "models/api/registry.json"  # download_url is relative to the catalog folder
    result = run_cli("download", "churn@v1.2.0", "-o", str(tmp_path / "got"), "--index", url)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "got" / "churn.pkl").read_bytes() == git_bytes(repo, shas["v1.2.0"], "models/churn.pkl")
    _ok(run_cli("generate", "--repo", str(repo.path), "-o", str(out), "-q", "--no-publish-artifacts"))
    assert not (out / "artifacts").exists()
