"""The source of truth for a lookup: a published index (by URL or path) or a local repo.

A published index is read with the standard library only. From a repo, the
model's record is built by the same code that writes the index
(``index.build_model``), so both sources answer a spec identically.
"""

from __future__ import annotations

import json
import os
import posixpath
import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import LookupFailed, TransferFailed
from .records import IndexRecord, ModelRecord
from .transport import NotFound, read_url, to_url

if TYPE_CHECKING:  # GitPython is imported only when a repo is read
    from ..git.repo import GitRepo

INDEX_LIMIT = 512 << 20


@dataclass(frozen=True)
class Catalog:
    """Models to look specs up in, and where their bytes can be fetched from."""

    source: str  # the index URL or the repo path, for messages and output
    index: IndexRecord
    site_root: str | None = None  # a published site's root URL (download_url is relative to it)
    repo: GitRepo | None = None

    def model(self, name: str) -> ModelRecord:
        found = self.index.models.get(name)
        if found is None:
            known = ", ".join(sorted(self.index.models)) or "none"
            raise LookupFailed(f"unknown model '{name}' in {self.source}; models: {known}")
        return found

    def published_url(self, relative: str) -> str | None:
        if self.site_root is None:
            return None
        return urllib.parse.urljoin(self.site_root, relative)


def site_root(index_url: str) -> str:
    """The site root of ``.../api/registry.json`` or ``.../api/models/<name>.json``."""
    parsed = urllib.parse.urlsplit(index_url)
    path = parsed.path
    if path.endswith("/api/registry.json"):
        root = path[: -len("api/registry.json")]
    elif "/api/models/" in path:
        root = path[: path.index("/api/models/") + 1]
    else:
        root = posixpath.dirname(path) + "/"
    return urllib.parse.urlunsplit((parsed.scheme, parsed.netloc, root, "", ""))


def load_index(location: str | os.PathLike[str]) -> Catalog:
    """A published ``registry.json`` (or one model's file) over https://, http://, file:// or a path."""
    url = to_url(location)
    try:
        raw = read_url(url, limit=INDEX_LIMIT)
    except NotFound as exc:
        raise LookupFailed(f"cannot read the index: {exc}") from None
    except TransferFailed as exc:
        raise TransferFailed(f"cannot read the index: {exc}") from None
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        hint = "" if url.endswith(".json") else "; a catalog's index is SITE_URL/api/registry.json"
        raise LookupFailed(f"{url}: not valid JSON ({exc}){hint}") from None
    return Catalog(source=url, index=IndexRecord.from_json(data, url), site_root=site_root(url))


def load_repo(path: str | os.PathLike[str], name: str) -> Catalog:
    """One model's record, built from the repo's tags and metadata (no site needed).

    Every way the repo can be bad input (not a Git repository, a broken
    ``.gto``, a name outside the grammar) is a ``LookupFailed``, so callers
    catching ``DownloadError`` see them all.
    """
    from ..config import ConfigError
    from ..core.grammar import InvalidName
    from ..core.semver import InvalidVersion
    from ..git import GitError, NotAGitRepo
    from ..registry import UnknownArtifact

    try:
        return _load_repo(path, name)
    except (NotAGitRepo, GitError, ConfigError, InvalidName, InvalidVersion, UnknownArtifact) as exc:
        raise LookupFailed(str(exc)) from exc


def _load_repo(path: str | os.PathLike[str], name: str) -> Catalog:
    from ..core.state import ArtifactState
    from ..index import build_model
    from ..metadata_json import MetadataJson
    from ..registry import load_registry

    registry = load_registry(path)
    metadata = MetadataJson(registry)
    artifact = registry.state.artifacts.get(name)
    source = str(registry.repo.root)
    if artifact is None:
        declared = metadata.declared_only(list(registry.state.artifacts))
        if name not in declared:
            known = ", ".join(sorted([*registry.state.artifacts, *declared])) or "none"
            raise LookupFailed(f"unknown model '{name}' in {source}; models: {known}")
        artifact = ArtifactState(name)  # declared in dvc.yaml, never tagged
    model = build_model(registry, artifact, metadata)
    stages = list(registry.config.stages) if registry.config.stages is not None else sorted(model["stages"])
    data = {"schema_version": 1, "stages": stages, "models": [model]}
    return Catalog(source=source, index=IndexRecord.from_json(data, source), repo=registry.repo)
