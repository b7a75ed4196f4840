"""``modelshelf generate``: the catalog as plain files (for builders without plugins), and its guard rails."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from modelshelf.sitebuild.generate import MANIFEST, SNIPPET
from modelshelf.scaffold import GITHUB_WORKFLOW, init_project
from modelshelf.packaged import PACKAGED_CONFIG

from .browser.scenario import hostile_repo
from .gitutil import GitBuilder, run_cli
from .test_scaffold_lint import tool  # the linters the MkDocs scaffold is checked with


def _ok(result) -> None:
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"


def flat_mkdocs_build(repo: Path, work: Path, out: Path, *flags: str) -> None:
    """The MkDocs + plugin build of ``repo`` with the URL style the generated catalog uses (.html pages)."""
    (work / "docs").mkdir(parents=True)
    config = work / "mkdocs.yml"
    config.write_text(f"INHERIT: {PACKAGED_CONFIG}\nuse_directory_urls: false\n")
    _ok(run_cli("build", "-f", str(config), "--repo", str(repo), "-o", str(out), "-q", *flags))


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> GitBuilder:
    builder = GitBuilder(tmp_path_factory.mktemp("gen") / "repo")
    hostile_repo(builder)
    return builder


@pytest.mark.gto  # the hostile fixture registers with gto
def test_generated_api_and_feed_are_the_bytes_of_the_mkdocs_build(hostile: GitBuilder, tmp_path: Path) -> None:
    """The catalog's data must not depend on the builder: scripts read the same api/ either way."""
    flat_mkdocs_build(hostile.path, tmp_path / "flat", tmp_path / "site")
    result = run_cli("generate", "--repo", str(hostile.path), "-o", str(tmp_path / "docs" / "models"))
    _ok(result)
    generated, built = tmp_path / "docs" / "models", tmp_path / "site"
    api = sorted(p for p in _files(generated) if p.startswith("api/"))
    assert "api/registry.json" in api and "api/schema.json" in api and len(api) >= 4
    assert sorted(p for p in _files(built) if p.startswith("api/")) == api
    for path in api + ["feed.xml"]:
        assert (generated / path).read_bytes() == (built / path).read_bytes(), path
    # every model has its page, every page its plots
    index = json.loads((generated / "api" / "registry.json").read_text())
    for model in index["models"]:
        assert model["page"].endswith(".html") and (generated / model["page"]).with_suffix(".md").is_file()
    plots = [p for p in _files(generated) if p.startswith("assets/plots/")]
    assert plots and all((built / p).read_bytes() == (generated / p).read_bytes() for p in plots)
    # the config lines are printed and kept, with paths as seen from the docs folder
    assert "- \"Models\": \"models/index.md\"" in result.stdout
    assert "models/assets/modelshelf/modelshelf.css" in result.stdout
    assert (generated / SNIPPET).read_text() in result.stdout


@pytest.mark.gto  # the hostile fixture registers with gto
def test_manifest_lists_every_generated_file(hostile: GitBuilder, tmp_path: Path) -> None:
    out = tmp_path / "docs" / "models"
    _ok(run_cli("generate", "--repo", str(hostile.path), "-o", str(out), "-q"))
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["generator"].startswith("modelshelf ")
    assert sorted(manifest["files"]) == sorted(p for p in _files(out) if p != MANIFEST)


@pytest.mark.gto  # the hostile fixture registers with gto
def test_refuses_a_folder_with_the_users_files_and_touches_nothing(hostile: GitBuilder, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "models").mkdir(parents=True)
    (docs / "models" / "notes.md").write_text("mine")
    result = run_cli("generate", "--repo", str(hostile.path), "-o", str(docs / "models"))
    assert result.returncode == 2
    assert "notes.md" in result.stderr and "never overwrites your files" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert _files(docs) == {"models/notes.md": b"mine"}
    # the same after a generation: a file added beside the generated ones is the user's
    (docs / "models" / "notes.md").unlink()
    _ok(run_cli("generate", "--repo", str(hostile.path), "-o", str(docs / "models"), "-q"))
    (docs / "models" / "extra.md").write_text("mine too")
    before = _files(docs)
    result = run_cli("generate", "--repo", str(hostile.path), "-o", str(docs / "models"))
    assert result.returncode == 2 and "extra.md" in result.stderr and "manifest does not list" in result.stderr
    assert _files(docs) == before


def test_regeneration_replaces_the_folder_whole_and_keeps_the_users_other_files(tmp_path: Path) -> None:
    """A model that is gone from the registry leaves no page behind; pages beside the folder stay."""
    repo = GitBuilder(tmp_path / "repo")
    declared = {"artifacts": {"keep": {"path": "k.pkl", "type": "model"}, "gone": {"path": "g.pkl", "type": "model"}}}
    repo.commit("models", {"dvc.yaml": declared, "k.pkl": "k", "g.pkl": "g"})
    repo.tag("keep@v1.0.0", message="Registering keep")
    repo.tag("gone@v1.0.0", message="Registering gone")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Home\n")
    _ok(run_cli("generate", "--repo", str(repo.path), "-o", str(docs / "models"), "-q"))
    assert (docs / "models" / "gone.md").is_file() and (docs / "models" / "api" / "models" / "gone.json").is_file()
    repo.git("tag", "-d", "gone@v1.0.0")
    repo.commit("drop gone", {"dvc.yaml": {"artifacts": {"keep": {"path": "k.pkl", "type": "model"}}}})
    _ok(run_cli("generate", "--repo", str(repo.path), "-o", str(docs / "models"), "-q"))
    assert not (docs / "models" / "gone.md").exists()
    assert not (docs / "models" / "api" / "models" / "gone.json").exists()
    assert (docs / "models" / "keep.md").is_file()
    assert (docs / "index.md").read_text() == "# Home\n"
    assert sorted(p.name for p in docs.iterdir()) == ["index.md", "models"]  # no temp folder left


@pytest.mark.gto  # the hostile fixture registers with gto
def test_build_engine_zensical_builds_the_catalog(hostile: GitBuilder, tmp_path: Path) -> None:
    pytest.importorskip("zensical", reason="the zensical test extra is not installed")
    result = run_cli("build", "--engine", "zensical", "--repo", str(hostile.path), "-o", str(tmp_path / "site"))
    _ok(result)
    site = tmp_path / "site"
    index = json.loads((site / "api" / "registry.json").read_text())
    for model in index["models"]:
        html = (site / model["page"]).read_text()
        assert "ms-model" in html and "<script>alert(1)</script>" not in html
    assert (site / "compare.html").is_file() and (site / "feed.xml").is_file()
    assert (site / "search.json").is_file()


def test_doctor_warns_when_zensical_would_ignore_the_plugin(tmp_path: Path) -> None:
    repo = GitBuilder(tmp_path / "repo")
    repo.commit("models", {"dvc.yaml": {"artifacts": {"m": {"path": "m.pkl", "type": "model"}}}, "m.pkl": "m",
                           "mkdocs.yml": "site_name: x\nplugins:\n  - search\n  - modelshelf\n"})
    repo.tag("m@v1.0.0", message="Registering m")
    assert run_cli("doctor", "--repo", str(repo.path), "--tags-only").returncode == 0
    (repo.path / "zensical.toml").write_text("[project]\nsite_name = 'x'\n")
    result = run_cli("doctor", "--repo", str(repo.path), "--tags-only")
    assert result.returncode == 1
    assert "lists the modelshelf plugin, but zensical.toml is present" in result.stdout
    (repo.path / "zensical.toml").unlink()
    (repo.path / ".github" / "workflows").mkdir(parents=True)
    (repo.path / ".github" / "workflows" / "docs.yml").write_text("jobs:\n  b:\n    steps:\n      - run: zensical build\n")
    result = run_cli("doctor", "--repo", str(repo.path), "--tags-only")
    assert result.returncode == 1 and ".github/workflows/docs.yml runs zensical" in result.stdout


def test_init_engine_zensical_scaffolds_a_site_that_zensical_builds(tmp_path: Path) -> None:
    pytest.importorskip("zensical", reason="the zensical test extra is not installed")
    repo = GitBuilder(tmp_path / "repo")
    repo.commit("models", {"dvc.yaml": {"artifacts": {"m": {"path": "m.pkl", "type": "model", "desc": "a model"}}},
                           "m.pkl": "m"})
    repo.tag("m@v1.0.0", message="Registering m")
    _ok(run_cli("init", "--engine", "zensical", "--install", "modelshelf==0.1.0", "--repo", str(repo.path)))
    workflow = (repo.path / ".github" / "workflows" / "modelshelf.yml").read_text()
    assert "modelshelf build --engine zensical --strict -o site" in workflow
    assert "pip install modelshelf==0.1.0 zensical==" in workflow
    assert "modelshelf build --engine zensical --strict -o public" in (repo.path / ".gitlab-ci.yml").read_text()
    config = (repo.path / "mkdocs.yml").read_text()
    assert "- modelshelf" not in config and "models/index.md" in config
    _ok(run_cli("build", "--engine", "zensical", "--strict", "--repo", str(repo.path), "-o", str(tmp_path / "site")))
    site = tmp_path / "site"
    assert "a model" in (site / "models" / "m.html").read_text()
    assert (site / "models" / "api" / "registry.json").is_file()
    assert 'href="models/index.html"' in (site / "index.html").read_text()  # the home page's link was resolved
    assert not (repo.path / "catalog" / "models").exists()  # generated in the work folder, not the checkout
    # Zensical rewrites the pages' relative URLs: in the catalog's sub-folder every one must still resolve.
    for page in (site / "models").glob("*.html"):
        for found in re.findall(r'(?:href|src)="([^"]*)"', page.read_text()):
            url = re.split(r"[?#]", found)[0]
            if not url or ":" in found.split("?")[0] or url.startswith("/"):
                continue  # same page, another site
            target = (page.parent / url).resolve()
            assert target.exists() or (target / "index.html").exists(), (page.name, url)
    assert run_cli("doctor", "--repo", str(repo.path), "--tags-only").returncode == 0


@pytest.mark.gto  # the hostile fixture registers with gto
def test_a_bad_plugin_option_is_one_line_naming_the_config(hostile: GitBuilder, tmp_path: Path) -> None:
    config = tmp_path / "mkdocs.yml"
    config.write_text('site_name: x\nplugins:\n  - modelshelf:\n      stage_colors: {prod: "red; x"}\n')
    result = run_cli("generate", "-f", str(config), "--repo", str(hostile.path), "-o", str(tmp_path / "docs" / "m"))
    assert result.returncode == 2
    assert result.stderr.strip() == (f"modelshelf: error: {config}: stage_colors: 'red; x' for stage 'prod' "
                                     "is not a CSS colour (#hex, name, rgb())")
    assert not (tmp_path / "docs").exists()


def test_the_zensical_scaffold_passes_the_ci_linters(tmp_path: Path) -> None:
    """``init --engine zensical`` changes the CI files' build and install lines: still lint-clean."""
    repo = GitBuilder(tmp_path / "repo")
    repo.commit("start", {"README.md": "x"})
    init_project(repo.path, install="modelshelf==0.1.0", engine="zensical")
    for result in (tool("actionlint", "-no-color", GITHUB_WORKFLOW, cwd=repo.path),
                   tool("zizmor", "--offline", "--no-progress", "--format", "plain", GITHUB_WORKFLOW, cwd=repo.path)):
        assert result.returncode == 0, result.stdout + result.stderr
