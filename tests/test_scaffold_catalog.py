"""init keeps the catalog as it was: the scaffolded mkdocs.yml builds what the packaged one
builds (same page URLs, home page listing the models, light/dark toggle); init refuses a
folder outside Git like every command, and keeps the build output and cache out of Git."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from .gitutil import GitBuilder, run_cli
from .htmlutil import parse
from .test_write import ms

MODELS = {
    "dvc.yaml": "artifacts:\n  churn:\n    path: models/churn.pkl\n    type: model\n    desc: Predicts churn\n",
    "models/churn.pkl": "weights",
    "vision/dvc.yaml": "artifacts:\n  detector:\n    path: detector.onnx\n    type: model\n",
    "vision/detector.onnx": "onnx",
}


def registry(repo: GitBuilder) -> GitBuilder:
    repo.commit("models", MODELS)
    ms(repo, "register", "churn", "--version", "v1.0.0")
    ms(repo, "assign", "churn", "--version", "v1.0.0", "--stage", "prod")
    ms(repo, "register", "vision:detector", "--version", "v0.1.0")
    return repo


def build(repo: GitBuilder, out: Path) -> Path:
    result = run_cli("build", "--repo", str(repo.path), "-o", str(out))
    assert result.returncode == 0, result.stderr
    return out


def pages(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*.html")}


def model_links(site: Path) -> list[str]:
    return sorted(a["href"] or "" for tag, a in parse(site / "index.html").tags
                  if tag == "a" and "ms-model-link" in (a.get("class") or "").split())


def palette(site: Path) -> list[tuple[str | None, str | None]]:
    """Material's colour-scheme toggle: one radio input per scheme, in the header form."""
    return [(a.get("data-md-color-media"), a.get("data-md-color-scheme")) for tag, a in parse(site / "index.html").tags
            if tag == "input" and "data-md-color-scheme" in a]


def test_init_scaffold_builds_the_packaged_catalog(repo: GitBuilder, tmp_path: Path) -> None:
    registry(repo)
    packaged = build(repo, tmp_path / "packaged")  # no mkdocs.yml: the packaged configuration
    result = ms(repo, "init", "--install", "modelshelf==0.1.0")
    assert "packaged catalog configuration" in result.stdout
    repo.commit("scaffold")
    scaffolded = build(repo, tmp_path / "scaffolded")

    assert pages(scaffolded) == pages(packaged)
    assert {"churn/index.html", "vision.detector/index.html"} <= pages(packaged)  # model pages at the site root
    assert model_links(scaffolded) == model_links(packaged) == ["churn/", "vision.detector/"]
    assert palette(scaffolded) == palette(packaged)
    assert [scheme for _, scheme in palette(packaged)] == ["default", "slate"]
    index = {site: json.loads((site / "api" / "registry.json").read_text()) for site in (packaged, scaffolded)}
    index[scaffolded]["repository"].pop("head")  # the scaffold's own commit
    index[packaged]["repository"].pop("head")
    assert index[scaffolded] == index[packaged]  # same records, same page URLs in them


def test_init_names_a_docs_page_that_hides_the_model_list(repo: GitBuilder) -> None:
    registry(repo)
    repo.commit("an older scaffold's home page", {"catalog/index.md": "# Model registry\n"})
    result = ms(repo, "init", "--force", "--install", "modelshelf==0.1.0")
    assert "catalog/index.md replaces the generated home page" in result.stdout
    assert not (repo.path / "catalog" / ".gitkeep").exists()  # the folder has a file already


def test_init_outside_a_git_repository_exits_2_with_one_line(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    for folder, why in ((plain, "not a Git repository"), (bare, "bare")):
        result = run_cli("init", "--install", "modelshelf==0.1.0", "--repo", str(folder))
        assert result.returncode == 2, result.stderr
        assert result.stderr.count("\n") == 1 and why in result.stderr and result.stdout == ""
    assert list(plain.iterdir()) == []


def test_init_keeps_the_site_and_the_cache_out_of_git(repo: GitBuilder) -> None:
    registry(repo)
    repo.commit("own ignores", {".gitignore": "*.pyc\nsite"})  # no final newline; site/ already ignored
    ms(repo, "init", "--install", "modelshelf==0.1.0")
    text = (repo.path / ".gitignore").read_text()
    assert text.startswith("*.pyc\nsite\n") and text.count("site") == 1 and "/.cache/\n" in text
    ms(repo, "init", "--force", "--install", "modelshelf==0.1.0")
    assert (repo.path / ".gitignore").read_text() == text  # idempotent
    repo.commit("scaffold")
    (repo.path / ".cache" / "modelshelf").mkdir(parents=True)  # what older versions left in the work tree
    (repo.path / ".cache" / "modelshelf" / "old.svg").write_text("<svg/>")
    result = run_cli("build", "--repo", str(repo.path))  # the scaffold's mkdocs.yml: site/ in the work tree
    assert result.returncode == 0, result.stderr
    assert (repo.path / "site" / "index.html").is_file()
    assert repo.git("status", "--porcelain", "--untracked-files=all") == ""  # `git add -A` adds nothing


def test_init_writes_a_gitignore_when_there_is_none(repo: GitBuilder) -> None:
    result = ms(repo, "init", "--no-github", "--no-gitlab")
    assert f"wrote {repo.path / '.gitignore'}" in result.stdout
    lines = (repo.path / ".gitignore").read_text().splitlines()
    assert lines[0].startswith("#") and lines[1:] == ["/site/", "/.cache/"]
    assert not (repo.path / "ci").exists()  # the publish script goes with a CI file only
