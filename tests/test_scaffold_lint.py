"""The CI files `init` writes, checked by their own ecosystem's tools (offline).

actionlint (deprecated runtimes, expressions, shell), zizmor (unpinned actions, cache
poisoning, persisted credentials, template injection) and check-jsonschema with its
vendored GitHub-workflow and GitLab-CI schemas. Any finding fails.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from modelshelf.scaffold import GITHUB_WORKFLOW, init_project
from modelshelf.scaffold.actions import ACTIONS

from .gitutil import GitBuilder

BIN = Path(sys.executable).parent


def tool(name: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    """A linter from the test extras (installed beside this Python), with no token: offline."""
    env = {k: v for k, v in os.environ.items() if k not in ("GH_TOKEN", "GITHUB_TOKEN", "ZIZMOR_GITHUB_TOKEN")}
    executable = BIN / name
    assert executable.is_file(), f"{name} is missing: pip install -e '.[test]'"
    return subprocess.run([str(executable), *args], cwd=cwd, env=env, capture_output=True, text=True)


@pytest.fixture(params=[(), ("prod", "staging")], ids=["registrations", "deploy-stages"])
def scaffolded(request: pytest.FixtureRequest, repo: GitBuilder) -> GitBuilder:
    init_project(repo.path, install="modelshelf==0.1.0", deploy_stages=request.param)
    return repo


def test_actionlint_finds_nothing(scaffolded: GitBuilder) -> None:
    result = tool("actionlint", "-no-color", GITHUB_WORKFLOW, cwd=scaffolded.path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing(scaffolded: GitBuilder) -> None:
    result = tool("zizmor", "--offline", "--no-progress", "--format", "plain", GITHUB_WORKFLOW, cwd=scaffolded.path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout, result.stdout


@pytest.mark.parametrize("schema, target", [("vendor.github-workflows", GITHUB_WORKFLOW),
                                            ("vendor.gitlab-ci", ".gitlab-ci.yml")])
def test_ci_files_match_their_schemas(scaffolded: GitBuilder, schema: str, target: str) -> None:
    result = tool("check-jsonschema", "--builtin-schema", schema, target, cwd=scaffolded.path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_action_is_pinned_to_a_release_commit(repo: GitBuilder) -> None:
    init_project(repo.path, install="modelshelf==0.1.0")
    text = (repo.path / GITHUB_WORKFLOW).read_text()
    uses = re.findall(r"uses: (\S+)(.*)", text)
    assert uses
    for reference, rest in uses:
        action, _, commit = reference.partition("@")
        repository = "/".join(action.split("/")[:2])
        assert re.fullmatch(r"[0-9a-f]{40}", commit), reference
        assert ACTIONS[repository].commit == commit
        assert rest.strip() == f"# {ACTIONS[repository].version}"  # the version, for people and Dependabot


def test_checkouts_keep_no_credentials_and_only_the_default_branch_saves_the_cache(repo: GitBuilder) -> None:
    init_project(repo.path, install="modelshelf==0.1.0")
    jobs = yaml.safe_load((repo.path / GITHUB_WORKFLOW).read_text())["jobs"]
    steps = [(name, step) for name, job in jobs.items() for step in job.get("steps", [])]
    checkouts = [step for _, step in steps if step.get("uses", "").startswith("actions/checkout@")]
    assert len(checkouts) == 3 and all(step["with"]["persist-credentials"] is False for step in checkouts)
    caches = [(name, step) for name, step in steps if step.get("uses", "").startswith("actions/cache")]
    assert [step["uses"].split("@")[0] for _, step in caches] == ["actions/cache/restore", "actions/cache/save"]
    assert {name for name, _ in caches} == {"build"}  # jobs of tag runs use no cache at all
    assert jobs["build"]["if"] == "github.ref_type == 'branch'"
    save = caches[1][1]
    assert save["if"] == "github.ref == format('refs/heads/{0}', github.event.repository.default_branch)"
    assert save["with"]["path"] == caches[0][1]["with"]["path"] and save["with"]["key"] == caches[0][1]["with"]["key"]
