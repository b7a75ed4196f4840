"""``init``: scaffold a repo's catalog site and CI definitions.

Templates are package data under ``modelshelf/defaults/scaffold`` (stored
without leading dots so packaging globs include them). Nothing is written
unless every target is free (or ``force``): no half-scaffolded repos.
"""

from __future__ import annotations

import json
import os
import shlex
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..atomic import atomic_write
from ..git.repo import GitError, GitRepo, NotAGitRepo, root_or_folder
from .engines import ENGINES, ZENSICAL_SOURCES, zensical_ci
from .install import current_install


class ScaffoldError(ValueError):
    """Files that would be overwritten, or a target that is not a directory."""


@dataclass(frozen=True)
class Template:
    source: str  # file name under defaults/scaffold
    target: str  # path in the user's repo
    group: str  # "site", "github" or "gitlab"


TEMPLATES = (
    Template("mkdocs.yml", "mkdocs.yml", "site"),
    Template("catalog-index.md", "catalog/index.md", "site"),
    Template("github-workflow.yml", ".github/workflows/modelshelf.yml", "github"),
    Template("gitlab-ci.yml", ".gitlab-ci.yml", "gitlab"),
)


def template_text(source: str) -> str:
    return resources.files("modelshelf").joinpath("defaults", "scaffold", source).read_text(encoding="utf-8")


def _root(repo: str | os.PathLike[str]) -> Path:
    root = root_or_folder(repo)
    if root is None:
        raise ScaffoldError(f"{repo}: no such directory")
    return root


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


def init_project(
    repo: str | os.PathLike[str] = ".",
    force: bool = False,
    site_name: str | None = None,
    github: bool = True,
    gitlab: bool = True,
    install: str | None = None,
    branch: str | None = None,
    engine: str = "mkdocs",
) -> list[Path]:
    """Write mkdocs.yml, catalog/index.md and the CI definitions; return the paths written.

    ``install``: the pip requirement CI installs modelshelf with (default: this copy's
    source, pinned; see ``scaffold.install``). ``branch``: the default branch, whose
    pushes rebuild the catalog on GitHub (default: ``default_branch``; GitLab asks CI).
    ``engine``: "zensical" scaffolds a site that Zensical builds (``scaffold.engines``).
    """
    if engine not in ENGINES:
        raise ScaffoldError(f"--engine {engine!r}: one of {', '.join(ENGINES)}")
    root = _root(repo)
    groups = {"site"} | ({"github"} if github else set()) | ({"gitlab"} if gitlab else set())
    chosen = [t for t in TEMPLATES if t.group in groups]
    existing = [t.target for t in chosen if (root / t.target).exists()]
    if existing and not force:
        raise ScaffoldError(
            f"{root}: would overwrite {', '.join(existing)}; nothing was written (use --force to overwrite)"
        )
    name = site_name or f"{root.resolve().name} model registry"
    if install is not None and (not install.strip() or any(bad in install for bad in ("\n", "\r", ": ", " #"))):
        raise ScaffoldError(f"--install {install!r}: not a pip requirement that fits on one workflow line")
    requirement = shlex.quote(install) if install else current_install().shell
    branch = default_branch(root) if branch is None else branch
    if not branch.strip() or any(c in branch for c in "\n\r\0") or branch.startswith("-"):
        raise ScaffoldError(f"--branch {branch!r}: not a branch name")
    written: list[Path] = []
    for template in chosen:
        text = template_text(ZENSICAL_SOURCES.get(template.source, template.source) if engine == "zensical"
                             else template.source)
        if engine == "zensical" and template.source not in ZENSICAL_SOURCES:
            text = zensical_ci(template.source, text)
        text = (text.replace("@@SITE_NAME@@", json.dumps(name, ensure_ascii=False))
                .replace("@@INSTALL@@", requirement).replace("@@BRANCH@@", json.dumps(branch, ensure_ascii=False)))
        target = root / template.target
        atomic_write(target, text)
        written.append(target)
    return written
