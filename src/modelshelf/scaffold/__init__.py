"""``init``: scaffold a repo's catalog site and CI definitions.

Templates are package data under ``modelshelf/defaults/scaffold`` (stored
without leading dots so packaging globs include them). Nothing is written
unless every target is free (or ``force``): no half-scaffolded repos.
``.gitignore`` is the exception: entries are appended to it, never replaced.
"""

from __future__ import annotations

import json
import os
import shlex
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Sequence

from ..core.errors import ModelshelfError
from ..atomic import atomic_write
from ..core.grammar import check_stage
from ..git.repo import GitError, GitRepo, NotAGitRepo
from .actions import pin_actions
from .catalog import DOCS_DIR, DOCS_KEEP, DOCS_KEEP_TEXT, HOME_SOURCES, SCAFFOLD_CHANGES, scaffold_config
from .gitignore import add_to_gitignore
from .engines import ENGINES, ZENSICAL_CI_SOURCES, ZENSICAL_CONFIG, zensical_ci
from .install import current_install


class ScaffoldError(ModelshelfError, ValueError):
    """Files that would be overwritten, or a target that is not a directory."""


@dataclass(frozen=True)
class Template:
    source: str  # file name under defaults/scaffold ("" : made in code)
    target: str  # path in the user's repo
    group: str  # "site", "github", "gitlab" or "ci" (written with either CI)


PUBLISH_SCRIPT = "ci/modelshelf-publish.sh"
NOTIFY_SCRIPT = "ci/modelshelf-notify.sh"
GITHUB_WORKFLOW = ".github/workflows/modelshelf.yml"

TEMPLATES = (
    Template("", "mkdocs.yml", "site"),
    Template("", DOCS_KEEP, "site"),
    Template("github-workflow.yml", GITHUB_WORKFLOW, "github"),
    Template("gitlab-ci.yml", ".gitlab-ci.yml", "gitlab"),
    Template("modelshelf-publish.sh", PUBLISH_SCRIPT, "ci"),
    Template("modelshelf-notify.sh", NOTIFY_SCRIPT, "ci"),
)
# Added for ``--engine zensical`` (scaffold.engines): a home page linking the generated catalog.
ZENSICAL_TEMPLATES = (Template("zensical-catalog-index.md", f"{DOCS_DIR}/index.md", "site"),)

# The GitHub workflow's tag fetch: checkout keeps no credentials, so this one command gets
# the job's token through a credential helper that reads it from the environment (never
# from the command line). Public and private repositories alike.
FETCH_TAGS = ("git -c credential.helper= -c credential.helper='!f() { echo username=x-access-token; "
              "echo \"password=$GH_TOKEN\"; }; f' fetch --force --tags origin")
# What the GitHub build caches: the plugin's cache, which lives in the Git dir (the
# packaged config's and, by default, a repository mkdocs.yml's).
CACHE_PATH = ".git/modelshelf/cache"


def template_text(source: str) -> str:
    return resources.files("modelshelf").joinpath("defaults", "scaffold", source).read_text(encoding="utf-8")


def _root(repo: str | os.PathLike[str]) -> Path:
    """The work tree's root: ``init`` writes into a Git repository's work tree only."""
    with GitRepo(repo) as git:
        if git.is_bare:
            raise ScaffoldError(f"{repo}: a bare Git repository has no work tree to scaffold")
        return git.root


def default_branch(root: Path) -> str:
    """The branch whose pushes rebuild the catalog: the remote's default branch
    (``origin/HEAD``), else the checked-out one, else ``main``."""
    try:
        with GitRepo(root) as git:
            for ref, prefix in (("refs/remotes/origin/HEAD", "origin/"), ("HEAD", "")):
                try:
                    name = git.run("symbolic-ref", "--quiet", "--short", ref).strip()
                except GitError:
                    continue
                if name.startswith(prefix) and name[len(prefix):]:
                    return name[len(prefix):]
    except NotAGitRepo:
        pass
    return "main"


def _check_options(install: str | None, branch: str, deploy_stages: Sequence[str]) -> None:
    if install is not None and (not install.strip() or any(bad in install for bad in ("\n", "\r", ": ", " #"))):
        raise ScaffoldError(f"--install {install!r}: not a pip requirement that fits on one workflow line")
    if not branch.strip() or any(c in branch for c in "\n\r\0") or branch.startswith("-"):
        raise ScaffoldError(f"--branch {branch!r}: not a branch name")
    for stage in deploy_stages:
        check_stage(stage)


def render(template: Template, *, site_name: str, requirement: str, branch: str,
           deploy_stages: Sequence[str], engine: str = "mkdocs") -> str:
    """A template's text for this repository (placeholders filled, actions pinned)."""
    if template.target == "mkdocs.yml":
        if engine == "zensical":
            return template_text(ZENSICAL_CONFIG).replace("@@SITE_NAME@@", json.dumps(site_name, ensure_ascii=False))
        return scaffold_config(site_name)
    if template.target == DOCS_KEEP:
        return DOCS_KEEP_TEXT
    values = {
        "@@INSTALL@@": requirement,
        "@@BRANCH@@": json.dumps(branch, ensure_ascii=False),
        "@@DEPLOY_STAGES@@": json.dumps(",".join(deploy_stages)),
        "@@PUBLISH_SCRIPT@@": PUBLISH_SCRIPT,
        "@@NOTIFY_SCRIPT@@": NOTIFY_SCRIPT,
        "@@FETCH_TAGS@@": FETCH_TAGS,
        "@@CACHE_PATH@@": CACHE_PATH,
    }
    text = template_text(template.source)
    if engine == "zensical" and template.source in ZENSICAL_CI_SOURCES:
        text = zensical_ci(template.source, text)
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return pin_actions(text)


def init_project(
    repo: str | os.PathLike[str] = ".",
    force: bool = False,
    site_name: str | None = None,
    github: bool = True,
    gitlab: bool = True,
    install: str | None = None,
    branch: str | None = None,
    deploy_stages: Sequence[str] = (),
    engine: str = "mkdocs",
) -> list[Path]:
    """Write mkdocs.yml, catalog/, the CI definitions and .gitignore entries; return the paths written.

    ``install``: the pip requirement CI installs modelshelf with (default: this copy's
    source, pinned; see ``scaffold.install``). ``branch``: the default branch, whose
    pushes rebuild the catalog on GitHub (default: ``default_branch``; GitLab asks CI).
    ``deploy_stages``: stages whose assignment also publishes the version (a
    registration always does). Outside a Git work tree: ``NotAGitRepo``.
    ``engine``: "zensical" scaffolds a site that Zensical builds (``scaffold.engines``).
    """
    if engine not in ENGINES:
        raise ScaffoldError(f"--engine {engine!r}: one of {', '.join(ENGINES)}")
    root = _root(repo)
    groups = {"site"} | ({"github"} if github else set()) | ({"gitlab"} if gitlab else set())
    if github or gitlab:
        groups.add("ci")
    # The docs_dir's keep-file is written only into a missing or empty folder: never a conflict.
    docs = root / DOCS_DIR
    chosen = [t for t in TEMPLATES + (ZENSICAL_TEMPLATES if engine == "zensical" else ()) if t.group in groups
              and (t.target != DOCS_KEEP or not docs.is_dir() or not any(docs.iterdir()))]
    existing = [t.target for t in chosen if (root / t.target).exists() and t.target != DOCS_KEEP]
    if existing and not force:
        raise ScaffoldError(
            f"{root}: would overwrite {', '.join(existing)}; nothing was written (use --force to overwrite)"
        )
    branch = default_branch(root) if branch is None else branch
    _check_options(install, branch, deploy_stages)
    requirement = shlex.quote(install) if install else current_install().shell
    name = site_name or f"{root.resolve().name} model registry"
    written: list[Path] = []
    for template in chosen:
        target = root / template.target
        atomic_write(target, render(template, site_name=name, requirement=requirement, branch=branch,
                                    deploy_stages=deploy_stages, engine=engine))
        written.append(target)
    ignore = add_to_gitignore(root)
    return written + ([ignore] if ignore else [])


def publish_note(deploy_stages: Sequence[str]) -> str:
    """What the publish-model jobs will publish, for ``init`` to confirm."""
    stages = f" and assignments to {', '.join(deploy_stages)}" if deploy_stages else ""
    return (f"CI publishes each registration{stages} ({PUBLISH_SCRIPT}: a GitHub Release asset, a GitLab "
            "generic package), then runs the deploy step marked in the CI files"
            + ("" if deploy_stages else " (stages too: init --force --deploy-stages prod,...)"))


def catalog_notes(repo: str | os.PathLike[str]) -> list[str]:
    """What makes this repository's catalog differ from the packaged one: say it after ``init``."""
    root = _root(repo)
    notes = [f"mkdocs.yml is the packaged catalog configuration with these changes: {'; '.join(SCAFFOLD_CHANGES)}"]
    for source in HOME_SOURCES:
        if (root / DOCS_DIR / source).is_file():
            notes.append(f"{DOCS_DIR}/{source} replaces the generated home page (the model list); "
                         "delete it to get the list back")
            break
    return notes
