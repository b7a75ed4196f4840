"""The plugin added to an existing MkDocs + Material site: what a new user's own docs_dir,
nav and theme overrides meet. Real repos made with the real ``gto``; ``mkdocs`` run as users run it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from .gitutil import GitBuilder
from .liveserve import LiveServer

# The scenario repos are written with the real gto CLI; mkdocs serve is waited on (a hang fails the test).
pytestmark = [pytest.mark.gto, pytest.mark.timeout(600)]

MKDOCS_ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def registry(path: Path) -> GitBuilder:
    g = GitBuilder(path)
    g.commit("declare", {
        "dvc.yaml": "artifacts:\n  churn:\n    path: models/churn.pkl\n    type: model\n    desc: Predicts churn\n"
                    "  ranker:\n    path: models/ranker.pkl\n    type: model\nmetrics:\n  - metrics.json\n",
        "models/churn.pkl": "a", "models/ranker.pkl": "b", "metrics.json": {"auc": 0.8},
    })
    g.gto("register", "churn", "--version", "v1.0.0")
    g.gto("register", "ranker", "--version", "v0.1.0")
    g.gto("assign", "churn", "--version", "v1.0.0", "--stage", "prod")
    return g


@pytest.fixture
def site_repo(tmp_path: Path) -> GitBuilder:
    g = registry(tmp_path / "repo")
    g.write("docs/index.md", "# Team docs\n")
    return g


def mkdocs_build(root: Path, config: str, out: Path) -> subprocess.CompletedProcess:
    (root / "mkdocs.yml").write_text(config)
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
                          cwd=root, capture_output=True, text=True, env=MKDOCS_ENV)


SITE = "site_name: Team docs\ntheme: {name: material}\nplugins: [search, modelshelf]\n"


def test_a_docs_page_at_a_generated_pages_address_is_kept_not_silently_replaced(site_repo: GitBuilder,
                                                                              tmp_path: Path) -> None:
    """``models/README.md``, ``models/churn/index.md`` and ``models/ranker/index.html`` are written where
    the generated ``models/index.md``, ``models/churn.md`` and ``models/ranker.md`` go; the generated
    pages used to overwrite them unsaid."""
    site_repo.write("docs/models/README.md", "# Our models\n\nHAND-WRITTEN-HOME\n")
    site_repo.write("docs/models/churn/index.md", "# Churn notes\n\nHAND-WRITTEN-CHURN\n")
    site_repo.write("docs/models/ranker/index.html", "<!doctype html><p>RAW-HTML-RANKER</p>\n")  # copied as is
    out = tmp_path / "site"
    result = mkdocs_build(site_repo.path, SITE, out)
    assert result.returncode == 0, result.stderr
    assert "HAND-WRITTEN-HOME" in (out / "models" / "index.html").read_text()
    assert "HAND-WRITTEN-CHURN" in (out / "models" / "churn" / "index.html").read_text()
    assert "docs_dir has its own 'models/README.md'" in result.stderr
    assert "docs_dir has its own 'models/churn/index.md'" in result.stderr
    assert "RAW-HTML-RANKER" in (out / "models" / "ranker" / "index.html").read_text()
    assert "docs_dir has its own 'models/ranker/index.html'" in result.stderr
    assert "prod" in (out / "models" / "stages" / "index.html").read_text()  # the others are generated
    index = json.loads((out / "api" / "registry.json").read_text())
    assert [m["name"] for m in index["models"]] == ["churn", "ranker"]


@pytest.mark.parametrize("broken, says", [
    ("{% if %}", "TemplateSyntaxError: Expected an expression"),
    ("{{ no_such_variable.attr }}", "UndefinedError: 'no_such_variable' is undefined"),
    ('{% include "modelshelf/no-such.html" %}', "template not found: 'modelshelf/no-such.html'"),
])
def test_a_broken_template_override_is_one_error_naming_its_file_and_line(site_repo: GitBuilder, tmp_path: Path,
                                                                         broken: str, says: str) -> None:
    """README: templates can be overridden from ``theme.custom_dir``; a mistake in one was a
    60-line Jinja traceback through click and MkDocs."""
    from importlib import resources

    ours = resources.files("modelshelf").joinpath("render/templates/modelshelf/stages.html").read_text()
    override = site_repo.write("overrides/modelshelf/stages.html", ours + broken + "\n")
    line = len((ours + broken).splitlines())
    config = "site_name: Team docs\ntheme: {name: material, custom_dir: overrides}\nplugins: [search, modelshelf]\n"
    result = mkdocs_build(site_repo.path, config, tmp_path / "site")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr, result.stderr
    assert f"ERROR   -  modelshelf: {override}, line {line}: {says}" in result.stderr, result.stderr


def test_plain_mkdocs_serve_rebuilds_when_a_version_is_registered(site_repo: GitBuilder) -> None:
    """``mkdocs serve`` watched only docs/ and mkdocs.yml: a new tag never reached the preview
    (``modelshelf serve`` watched the refs itself). The plugin now adds the registry's paths."""
    site_repo.commit("retrain", {"models/ranker.pkl": "c", "mkdocs.yml": SITE})
    with LiveServer([sys.executable, "-m", "mkdocs", "serve"], cwd=site_repo.path, env=MKDOCS_ENV) as server:
        watching = "".join(server.until("Serving on"))
        assert "'.git/refs'" in watching and "'dvc.yaml'" in watching, watching
        site_repo.gto("register", "ranker", "--version", "v0.2.0")
        server.until("Detected file changes")
        server.until("Documentation built")
        with urllib.request.urlopen(f"http://{server.address}/api/models/ranker.json", timeout=30) as response:
            assert json.load(response)["latest"] == "v0.2.0"
        server.process.terminate()
        assert server.process.wait(timeout=60) in (0, -15)


def test_a_docs_file_where_the_catalog_writes_its_data_is_a_warning_not_silently_lost(site_repo: GitBuilder,
                                                                                     tmp_path: Path) -> None:
    """The JSON API is the catalog's (deploy scripts read it), so it still wins; but the user's
    own ``docs/api/registry.json`` used to disappear from the site without a word."""
    site_repo.write("docs/api/registry.json", '{"mine": true}\n')
    site_repo.write("docs/api/index.md", "# Our API\n")  # beside it, not in the way: kept, no warning
    out = tmp_path / "site"
    result = mkdocs_build(site_repo.path, SITE, out)
    assert result.returncode == 1  # --strict: the warning stops the build
    assert ("WARNING -  modelshelf: docs_dir has its own 'api/registry.json', which the catalog replaces with its "
            "generated file: move or rename yours") in result.stderr, result.stderr
    assert result.stderr.count("WARNING") == 1, result.stderr
    relaxed = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-d", str(out)], cwd=site_repo.path,
                             capture_output=True, text=True, env=MKDOCS_ENV)
    assert relaxed.returncode == 0, relaxed.stderr
    assert [m["name"] for m in json.loads((out / "api" / "registry.json").read_text())["models"]] == ["churn", "ranker"]
    assert "Our API" in (out / "api" / "index.html").read_text()


def test_an_explicit_nav_need_not_list_the_catalogs_pages(site_repo: GitBuilder, tmp_path: Path) -> None:
    """With its own ``nav:``, a site listing only the catalog home was told that ``models/stages.md``,
    ``models/activity.md`` and ``models/compare.md`` "exist in the docs directory" (they do not: they
    are generated), and with ``validation: {nav: {omitted_files: warn}}`` its --strict build failed."""
    site_repo.write("docs/guide.md", "# Guide\n")
    config = ("site_name: Team docs\ntheme: {name: material, features: [navigation.tabs]}\n"
              "nav:\n  - Home: index.md\n  - Guide: guide.md\n  - Models: models/index.md\n  - Stages: models/stages.md\n"
              "plugins: [search, modelshelf]\nvalidation:\n  nav:\n    omitted_files: warn\n")
    out = tmp_path / "site"
    result = mkdocs_build(site_repo.path, config, out)
    assert result.returncode == 0, result.stderr
    assert "not included in the \"nav\"" not in result.stderr, result.stderr
    home = (out / "index.html").read_text()
    tabs = re.findall(r'<a href="([^"]*)" class="md-tabs__link', home)
    assert tabs == [".", "guide/", "models/", "models/stages/"]  # what nav: lists, listed pages included
    catalog = (out / "models" / "index.html").read_text()
    assert 'class="ms-catalog-nav__item" href="compare/"' in catalog  # reached from the links row
    assert (out / "models" / "activity" / "index.html").is_file()
