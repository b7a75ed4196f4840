"""``modelshelf init --hub``: a hub repository whose mkdocs.yml builds the catalog of its sources,
and whose workflow (schedule, workflow_dispatch, repository_dispatch) passes the linters the
repository scaffold's workflow passes (actionlint, zizmor, check-jsonschema)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from modelshelf.scaffold.actions import ACTIONS
from modelshelf.scaffold.hub import EVENT_TYPE, HUB_WORKFLOW

from .gitutil import GitBuilder, run_cli
from .hubrepos import build_mono
from .test_scaffold_lint import tool


@pytest.fixture
def hub(tmp_path: Path) -> GitBuilder:
    build_mono(GitBuilder(tmp_path / "mono"))
    hub = GitBuilder(tmp_path / "hub")
    result = run_cli("init", "--hub", "--install", "modelshelf==0.1.0", "--source", "mono=../mono",
                     "--source", "team=https://team.example.com/api/registry.json", cwd=hub.path)
    assert result.returncode == 0, result.stderr
    assert f"wrote {hub.path / HUB_WORKFLOW}" in result.stdout
    return hub


def test_the_scaffolded_hub_builds_the_catalog_of_its_sources(hub: GitBuilder, tmp_path: Path) -> None:
    config = yaml.load((hub.path / "mkdocs.yml").read_text(), Loader=yaml.BaseLoader)  # no !!python tags run
    plugin = next(p["modelshelf"] for p in config["plugins"] if isinstance(p, dict) and "modelshelf" in p)
    assert plugin["sources"] == [{"name": "mono", "location": "../mono"},
                                 {"name": "team", "location": "https://team.example.com/api/registry.json"}]
    result = run_cli("build", "-o", str(tmp_path / "site"), cwd=hub.path)  # team is unreachable: stale, not fatal
    assert result.returncode == 0, result.stderr
    assert "source 'team'" in result.stderr and "is stale" in result.stderr
    data = json.loads((tmp_path / "site" / "api" / "registry.json").read_text())
    assert [m["name"] for m in data["models"]] == ["mono::nlp:tagger", "mono::vision:detector"]
    assert [(s["name"], s["stale"]) for s in data["sources"]] == [("mono", False), ("team", True)]


def test_the_hub_workflow_rebuilds_on_schedule_dispatch_and_repository_dispatch(hub: GitBuilder) -> None:
    workflow = yaml.safe_load((hub.path / HUB_WORKFLOW).read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert set(triggers) == {"schedule", "workflow_dispatch", "repository_dispatch"}
    assert triggers["repository_dispatch"] == {"types": [EVENT_TYPE]}
    text = (hub.path / HUB_WORKFLOW).read_text()
    for action, pin in ACTIONS.items():
        if action in text:
            assert f"{action}@{pin.commit}" in text or f"{action}/" in text


def test_actionlint_finds_nothing_in_the_hub_workflow(hub: GitBuilder) -> None:
    result = tool("actionlint", "-no-color", HUB_WORKFLOW, cwd=hub.path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing_in_the_hub_workflow(hub: GitBuilder) -> None:
    result = tool("zizmor", "--offline", "--no-progress", "--format", "plain", HUB_WORKFLOW, cwd=hub.path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout, result.stdout


def test_the_hub_workflow_matches_its_schema(hub: GitBuilder) -> None:
    result = tool("check-jsonschema", "--builtin-schema", "vendor.github-workflows", HUB_WORKFLOW, cwd=hub.path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_init_hub_needs_a_source_and_never_overwrites(hub: GitBuilder, tmp_path: Path) -> None:
    empty = GitBuilder(tmp_path / "empty")
    result = run_cli("init", "--hub", cwd=empty.path)
    assert result.returncode == 2 and "needs at least one --source" in result.stderr
    again = run_cli("init", "--hub", "--source", "a=.", cwd=hub.path)
    assert again.returncode == 2 and "would overwrite" in again.stderr
