"""init: the scaffolded files, refusal to overwrite, and the GitHub workflow's steps run for real."""

from __future__ import annotations

import os
import shlex
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from modelshelf.gtocompat.checkref import check_ref
from modelshelf.scaffold import ScaffoldError, init_project

from .gitutil import GitBuilder, ms, run_cli

WORKFLOW = ".github/workflows/modelshelf.yml"


def test_init_writes_site_and_ci_files(repo: GitBuilder) -> None:
    result = ms(repo, "init", "--site-name", 'Acme "models"')
    written = {Path(line.split(" ", 1)[1]).relative_to(repo.path).as_posix() for line in result.stdout.splitlines()
               if line.startswith("wrote ")}
    assert written == {"mkdocs.yml", "catalog/.gitkeep", WORKFLOW, ".gitlab-ci.yml", "ci/modelshelf-publish.sh", "ci/modelshelf-notify.sh",
                       ".gitignore"}
    mkdocs = yaml.load((repo.path / "mkdocs.yml").read_text(), Loader=yaml.UnsafeLoader)  # !!python/name tags
    assert mkdocs["plugins"] == ["search", {"modelshelf": {"catalog_dir": ""}}]
    assert mkdocs["theme"]["name"] == "material" and mkdocs["site_name"] == 'Acme "models"'
    assert mkdocs["docs_dir"] == "catalog"
    gitlab = yaml.safe_load((repo.path / ".gitlab-ci.yml").read_text())
    assert gitlab["pages"]["artifacts"]["paths"] == ["public"]
    assert gitlab["variables"]["GIT_DEPTH"] == "0"
    assert gitlab["pages"]["resource_group"] == "pages"  # builds in turn: the last one has every tag
    assert any("modelshelf build --strict" in line for line in gitlab["pages"]["script"])


def test_github_workflow_shape(repo: GitBuilder) -> None:
    init_project(repo.path)
    flow = yaml.safe_load((repo.path / WORKFLOW).read_text())
    trigger = flow.get("on", flow.get(True))  # YAML 1.1 reads a bare `on` key as true
    assert trigger["push"]["branches"] == ["main"] and trigger["push"]["tags"] == ["**"]
    jobs = flow["jobs"]
    uses = [s.get("uses", "") for job in jobs.values() for s in job.get("steps", [])]
    for action in ("actions/upload-pages-artifact", "actions/deploy-pages"):
        assert any(u.startswith(action + "@") for u in uses), action
    checkouts = [s for job in jobs.values() for s in job.get("steps", []) if s.get("uses", "").startswith("actions/checkout@")]
    assert checkouts and all(s["with"]["fetch-depth"] == 0 for s in checkouts)
    event = jobs["registry-event"]
    assert set(event["outputs"]) >= {"event", "name", "version", "stage", "type", "path", "description"}
    assert any("check-ref" in s.get("run", "") and "--github-output" in s["run"] for s in event["steps"])
    assert jobs["deploy"]["needs"] == "build" and jobs["deploy"]["permissions"]["pages"] == "write"


def test_tag_pushes_deploy_from_the_default_branch_and_no_event_is_dropped(repo: GitBuilder) -> None:
    """The github-pages environment rejects deployments from tags by default, and GitHub cancels a
    waiting run when a newer one joins its concurrency group: tag runs only report the event and
    start a run on the default branch; only build and deploy queue, each in its own group."""
    init_project(repo.path)
    flow = yaml.safe_load((repo.path / WORKFLOW).read_text())
    jobs = flow["jobs"]
    assert "concurrency" not in flow  # a workflow-level group would cancel waiting registry-event jobs
    assert "concurrency" not in jobs["registry-event"] and "concurrency" not in jobs["rebuild"]
    assert jobs["registry-event"]["if"] == jobs["rebuild"]["if"] == "github.ref_type == 'tag'"
    assert jobs["build"]["if"] == "github.ref_type == 'branch'"
    groups = [jobs[job]["concurrency"]["group"] for job in ("build", "deploy")]
    assert len(set(groups)) == 2  # a waiting deploy must not cancel a waiting build
    assert all(jobs[job]["concurrency"]["cancel-in-progress"] is False for job in ("build", "deploy"))
    assert jobs["rebuild"]["permissions"] == {"actions": "write"}
    cache = next(s for s in jobs["build"]["steps"] if s.get("uses", "").startswith("actions/cache/restore@"))
    assert "github.run_id" in cache["with"]["key"] and cache["with"]["restore-keys"] == "modelshelf-"
    scripts = [s["run"] for job in jobs.values() for s in job.get("steps", []) if "run" in s]
    assert not any("${{" in script for script in scripts)  # context values reach scripts through env only


@pytest.mark.parametrize("tag", ["churn@v1.0.0", "vision=detector#prod#3", "a/b=c@deprecated"])
def test_rebuild_step_starts_this_workflow_on_the_default_branch(repo: GitBuilder, tmp_path: Path, tag: str) -> None:
    init_project(repo.path)
    step = yaml.safe_load((repo.path / WORKFLOW).read_text())["jobs"]["rebuild"]["steps"][0]
    assert step["env"]["BRANCH"] == "${{ github.event.repository.default_branch }}"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    gh.write_text('#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n')
    gh.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "GH_TOKEN": "t",
           "GITHUB_REPOSITORY": "acme/models", "BRANCH": "trunk",
           "WORKFLOW_REF": f"acme/models/.github/workflows/modelshelf.yml@refs/tags/{tag}"}
    result = subprocess.run(["bash", "-e", "-c", step["run"]], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.splitlines() == ["workflow", "run", "modelshelf.yml", "--repo", "acme/models", "--ref", "trunk"]


def test_push_trigger_follows_the_default_branch(tmp_path: Path) -> None:
    origin = GitBuilder(tmp_path / "origin")  # branch main
    origin.commit("one", {"a.txt": "1"})
    legacy = GitBuilder(tmp_path / "legacy")
    legacy.git("symbolic-ref", "HEAD", "refs/heads/master")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(origin.path), str(clone)], check=True)
    subprocess.run(["git", "checkout", "-q", "-b", "feature"], cwd=clone, check=True)

    def branches(path: Path, *args: str) -> list[str]:
        result = run_cli("init", "--force", "--no-gitlab", "--install", "modelshelf==1.0", "-r", str(path), *args)
        assert result.returncode == 0, result.stderr
        flow = yaml.safe_load((path / WORKFLOW).read_text())
        return flow.get("on", flow.get(True))["push"]["branches"]

    assert branches(legacy.path) == ["master"]  # no remote: the checked-out branch
    assert branches(clone) == ["main"]  # origin's default branch, not the feature branch checked out
    assert branches(clone, "--branch", "release#1") == ["release#1"]
    refused = run_cli("init", "--force", "--branch", "a\nb", "-r", str(clone))
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1


def test_every_modelshelf_command_in_ci_files_exists_with_its_flags(repo: GitBuilder) -> None:
    init_project(repo.path, install="modelshelf==1.0")
    flow = yaml.safe_load((repo.path / WORKFLOW).read_text())
    gitlab = yaml.safe_load((repo.path / ".gitlab-ci.yml").read_text())
    lines = [s["run"] for job in flow["jobs"].values() for s in job.get("steps", []) if "run" in s]
    lines += [line for job in gitlab.values() if isinstance(job, dict)
              for key in ("before_script", "script") for line in job.get(key, [])]
    commands = [shlex.split(line) for line in lines if line.startswith("modelshelf ")]
    assert {c[1] for c in commands} == {"check-ref", "build"}
    for command in commands:
        usage = run_cli(command[1], "--help").stdout
        for word in command[2:]:
            if word.startswith("-"):
                assert f"{word.split('=')[0]} " in usage or f"{word}," in usage, (command, word)


def test_init_refuses_to_overwrite(repo: GitBuilder) -> None:
    repo.write("mkdocs.yml", "site_name: mine\n")
    result = ms(repo, "init", check=False)
    assert result.returncode == 2 and "mkdocs.yml" in result.stderr and "--force" in result.stderr
    assert (repo.path / "mkdocs.yml").read_text() == "site_name: mine\n"
    assert not (repo.path / WORKFLOW).exists()  # all or nothing
    with pytest.raises(ScaffoldError):
        init_project(repo.path)
    ms(repo, "init", "--force", "--no-gitlab")
    assert "modelshelf" in (repo.path / "mkdocs.yml").read_text()
    assert not (repo.path / ".gitlab-ci.yml").exists()


def _modelshelf_on_path(bin_dir: Path) -> None:
    """A `modelshelf` executable on PATH, as `pip install modelshelf` would give."""
    bin_dir.mkdir()
    script = bin_dir / "modelshelf"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m modelshelf "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)


def test_workflow_steps_run_in_a_fresh_clone(tmp_path: Path) -> None:
    origin = GitBuilder(tmp_path / "origin")
    origin.commit("model", {
        "dvc.yaml": "artifacts:\n  churn:\n    path: model.pkl\n    type: model\n    desc: Predicts churn\n",
        "model.pkl": "weights",
    })
    init_project(origin.path, site_name="Test registry")
    origin.commit("scaffold", {})
    ms(origin, "assign", "churn", "--stage", "prod")
    tag = "churn#prod#1"

    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(origin.path), str(clone)], check=True)
    # What actions/checkout does on a tag push: the pushed tag becomes lightweight.
    subprocess.run(["git", "tag", "-f", tag, f"{tag}^{{commit}}"], cwd=clone, check=True, capture_output=True)
    assert check_ref(tag, repo=clone) == []  # why the workflow re-fetches tags

    bin_dir = tmp_path / "bin"
    _modelshelf_on_path(bin_dir)
    github_output = tmp_path / "github_output"
    github_output.write_text("")
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "GITHUB_REF": f"refs/tags/{tag}", "GITHUB_OUTPUT": str(github_output)}

    flow = yaml.safe_load((clone / WORKFLOW).read_text())
    ran: list[str] = []  # the shell steps, in the order the workflow runs them
    for job in ("registry-event", "build"):
        for step in flow["jobs"][job]["steps"]:
            command = step.get("run")
            if command is None or step.get("id") == "install":
                continue  # `uses:` actions run on GitHub; modelshelf is already installed here
            result = subprocess.run(["bash", "-e", "-c", command], cwd=clone, env=env, capture_output=True, text=True)
            assert result.returncode == 0, f"{job}: {command}: {result.stdout}{result.stderr}"
            ran.append(command)
            if job == "registry-event" and "check-ref" in command:
                outputs = github_output.read_text().splitlines()
                assert {"event=assignment", "name=churn", "version=v0.0.1", "stage=prod",
                        "type=model", "path=model.pkl", "description=Predicts churn"} <= set(outputs)
    assert any(c.startswith("modelshelf build") for c in ran)
    assert (clone / "site" / "index.html").is_file()
    assert (clone / "site" / "api" / "registry.json").is_file()


# -- how CI installs modelshelf ----------------------------------------------
@pytest.mark.parametrize(
    "direct_url, requirement, reachable",
    [
        (None, "modelshelf==1.2.3", True),  # from a package index
        ('{"url": "https://github.com/acme/modelshelf.git", "vcs_info": {"vcs": "git", "commit_id": "abc123"}}',
         "modelshelf @ git+https://github.com/acme/modelshelf.git@abc123", True),
        ('{"url": "https://files.example.org/modelshelf-1.2.3-py3-none-any.whl", "archive_info": {}}',
         "modelshelf @ https://files.example.org/modelshelf-1.2.3-py3-none-any.whl", True),
        ('{"url": "file:///home/me/modelshelf", "dir_info": {"editable": true}}', "modelshelf==1.2.3", False),
        ('{"url": "file:///tmp/modelshelf-1.2.3.whl", "archive_info": {}}', "modelshelf==1.2.3", False),
        ("not json", "modelshelf==1.2.3", True),
    ],
)
def test_ci_installs_the_same_modelshelf_pinned(direct_url: str | None, requirement: str, reachable: bool) -> None:
    from modelshelf.scaffold.install import install_source

    source = install_source(direct_url, "1.2.3")
    assert (source.requirement, source.reachable) == (requirement, reachable)


def test_init_pins_the_install_in_every_ci_file(repo: GitBuilder) -> None:
    from modelshelf import __version__

    result = ms(repo, "init")
    # This checkout is installed from a local folder in tests: pinned, with a warning saying how to change it.
    assert f"pip install modelshelf=={__version__}" in result.stdout
    assert "--install SPEC" in result.stderr
    spec = "modelshelf @ git+https://example.org/acme/modelshelf@v9.9.9"
    ms(repo, "init", "--force", "--install", spec)
    flow = yaml.safe_load((repo.path / WORKFLOW).read_text())
    installs = [s["run"] for job in flow["jobs"].values() for s in job.get("steps", []) if s.get("id") == "install"]
    assert installs == [f"pip install '{spec}'"] * 3  # registry-event, publish-model, build
    gitlab = yaml.safe_load((repo.path / ".gitlab-ci.yml").read_text())
    assert f"pip install '{spec}'" in gitlab[".modelshelf"]["before_script"]
    refused = ms(repo, "init", "--force", "--install", "modelshelf\nrm -rf /", check=False)
    assert refused.returncode == 2 and "--install" in refused.stderr
    assert yaml.safe_load((repo.path / WORKFLOW).read_text()) == flow  # nothing written
