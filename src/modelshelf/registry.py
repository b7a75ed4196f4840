"""Loading a repository's registry state: the one entry point every front end uses."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .core.errors import ModelshelfError
from .gtocompat.gto_config import CONFIG_FILE, RegistryConfig, load_config
from .core.repo_files import ARTIFACTS_YAML
from .core.events import CommitRecord, IgnoredTag, RegistryTag, classify_tags
from .core.state import ArtifactState, RegistryState, fold
from .git import GitRepo, RepoWarning



class UnknownArtifact(ModelshelfError, LookupError):
    """A model name that the registry does not know."""


def publishing_blocker(repo: GitRepo, how_to_override: str) -> str | None:
    """Why an index or catalog built from this checkout must not be published, if it must not.

    A shallow clone (CI's default checkout) lacks most tags and history: publishing
    it would replace a good catalog with an empty or partial one, so the commands
    that publish stop instead of warning. ``show`` and friends only warn.
    """
    if not repo.is_shallow():
        return None
    return (f"{repo.root} is a shallow clone, so tags and history are missing: nothing was published. "
            "Fix: `git fetch --tags --unshallow` (in CI: `fetch-depth: 0` with actions/checkout), "
            f"or {how_to_override} to publish what this clone holds")


@dataclass
class Registry:
    """A repository's registry: tags, their folded state and the repo config."""

    repo: GitRepo
    config: RegistryConfig
    tags: list[RegistryTag]
    ignored: list[IgnoredTag]
    state: RegistryState
    head: CommitRecord | None
    warnings: list[RepoWarning] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    _artifacts_yaml: dict[str, object] = field(default_factory=dict, repr=False)

    def close(self) -> None:
        """Stop the repository's ``git cat-file`` process (``with load_registry(...) as registry:``)."""
        self.repo.close()

    def __enter__(self) -> "Registry":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def artifacts_yaml(self, commit: str) -> object:
        """The parsed root ``artifacts.yaml`` at a commit (None when absent or broken)."""
        if commit not in self._artifacts_yaml:
            self._artifacts_yaml[commit] = read_artifacts_yaml(self.repo, commit)[0]
        return self._artifacts_yaml[commit]

    def artifact(self, name: str) -> ArtifactState:
        found = self.state.artifacts.get(name)
        if found is None:
            known = ", ".join(sorted(self.state.artifacts)) or "none"
            raise UnknownArtifact(f"unknown model '{name}'; known models: {known}")
        return found

    def stage_columns(self) -> list[str]:
        return self.state.stage_columns(list(self.config.stages) if self.config.stages is not None else None)


def read_artifacts_yaml(repo: GitRepo, commit: str) -> tuple[object, str | None]:
    """The root ``artifacts.yaml`` at a commit, parsed: ``(data, None)``, ``(None, None)``
    when absent, or ``(None, why)`` when it is not YAML or too large. The metadata layer's
    reader (one reader of the file, with its size cap and loader)."""
    from .metadata.parse import DocumentCache  # PyYAML: only commands that read the file pay for it

    doc = DocumentCache(repo).load(commit, ARTIFACTS_YAML)
    return (None, None) if doc is None else (doc.data, doc.error)


def _declared_in_artifacts_yaml(repo: GitRepo, head: str) -> tuple[list[str], list[str]]:
    """Names GTO would discover at HEAD (it reads only the root ``artifacts.yaml``)."""
    data, error = read_artifacts_yaml(repo, head)
    if error is not None:
        return [], [f"{ARTIFACTS_YAML} at {head[:7]}: {error}"]
    if data is None:
        return [], []
    if not isinstance(data, dict):
        return [], [f"{ARTIFACTS_YAML} at {head[:7]}: expected a mapping of model names"]
    return [str(name) for name in data], []


def load_registry(path: str | os.PathLike[str] = ".") -> Registry:
    """Read every tag once and fold them into registry state, as GTO would."""
    repo = GitRepo(path)
    try:
        return _load(repo)
    except BaseException:
        repo.close()
        raise


def _load(repo: GitRepo) -> Registry:
    head_sha = repo.head()
    head = repo.commit(head_sha) if head_sha else None
    config = load_config(
        repo.root if not repo.is_bare else Path("/nonexistent"),
        repo.read_file(head_sha, CONFIG_FILE) if head_sha else None,
    )
    kept, ignored = classify_tags(repo.tags())
    declared, problems = _declared_in_artifacts_yaml(repo, head_sha) if head_sha else ([], [])
    state = fold(kept, repo.commit_times(), declared, head)
    return Registry(
        repo=repo,
        config=config,
        tags=kept,
        ignored=ignored,
        state=state,
        head=head,
        warnings=repo.warnings(),
        problems=problems + state.problems(),
    )
