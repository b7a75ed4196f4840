"""The source of truth for a lookup: a published index (by URL or path) or a local repo.

A published index is read with the standard library only. Given a site's
address or its ``api/registry.json``, a lookup first reads the one model's
``api/models/<stem>.json`` (the same record, a tiny fraction of the bytes in
a big catalog) and falls back to ``registry.json`` for sites without it.
``registry.json`` stays the full index: deployed scripts read it.

From a repo, the model's record is built by the same code that writes the
index (``index.build_model``), so both sources answer a spec identically.
Such a catalog owns the repository's ``git cat-file`` process (its plan reads
blobs through it): close it (``with ... as catalog:``) once the bytes are out.

An index read over HTTP(S) is someone else's data: the locations it names
must be HTTP(S) too (or a scheme the user allowed), never ``file://`` or a
local path (``DownloadSource.check_location``).
"""

from __future__ import annotations

import json
import os
import posixpath
import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core.errors import ModelshelfError
from ..core.naming import api_file
from ..core.qualified import QUALIFIER, split_qualified
from ..core.schema import SCHEMA_VERSION
from .credentials import trust
from .errors import DownloadError, LookupFailed, TransferFailed, UnsafeLocation
from .records import IndexRecord, ModelRecord
from .transport import Document, ObjectAbsent, read_url, scheme_of, to_url

if TYPE_CHECKING:  # the Git layer is imported only when a repo is read
    from ..git.repo import GitRepo
    from ..registry import Registry

INDEX_LIMIT = 512 << 20
REMOTE_SCHEMES = frozenset({"http", "https"})


@dataclass(frozen=True)
class DownloadSource:
    """Models to look specs up in, and where their bytes can be fetched from."""

    source: str  # the index URL or the repo path, for messages and output
    index: IndexRecord
    site_root: str | None = None  # a published site's root URL (download_url is relative to it)
    repo: GitRepo | None = None
    allowed_schemes: frozenset[str] = frozenset()  # storage schemes the user enabled for a remote index
    last_modified: str | None = None  # the index file's HTTP Last-Modified (when the host sent one)

    @property
    def remote(self) -> bool:
        """Read over HTTP(S): the locations it names are limited (see ``check_location``)."""
        return scheme_of(self.source) in REMOTE_SCHEMES

    def close(self) -> None:
        """Stop the repository's ``git cat-file`` process (a catalog read from a repo owns it)."""
        if self.repo is not None:
            self.repo.close()

    def __enter__(self) -> "DownloadSource":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def check_location(self, url: str, what: str) -> str:
        """``url`` if this index may send a download there; ``UnsafeLocation`` otherwise."""
        scheme = scheme_of(url)
        if not self.remote or scheme in REMOTE_SCHEMES or (scheme and scheme in self.allowed_schemes):
            return url
        shown = f"'{scheme}://'" if scheme else "a local path"
        raise UnsafeLocation(
            f"{what}: refusing {url!r}: an index read over HTTP(S) ({self.source}) may point only at http(s) URLs, "
            f"not {shown}" + (f" (allow a storage scheme with --allow-scheme {scheme})" if scheme not in ("", "file") else "")
        )

    def git_remote(self) -> str | None:
        """The repository's remote the index names; a model's own file does not carry it, so the
        site's ``registry.json`` is read for it then (only for bytes the site did not publish)."""
        if self.index.whole or self.site_root is None:
            return self.index.remote
        whole = _catalog(_read(self.site_root + "api/registry.json"), self.allowed_schemes)
        return whole.index.remote

    def newest_event(self) -> str | None:
        """The time of the newest event this index records: it was built after that (deterministic)."""
        times = [m.newest_event for m in self.index.models.values() if m.newest_event]
        return max(times) if times else None

    def model(self, name: str) -> ModelRecord:
        found = self.index.models.get(name)
        if found is None and QUALIFIER not in name:  # a hub: an old unqualified spec, where unambiguous
            matches = [m for key, m in self.index.models.items() if split_qualified(key)[1] == name]
            if len(matches) > 1:
                raise LookupFailed(f"model '{name}' is ambiguous in {self.source}: name its source, one of "
                                   + ", ".join(sorted(m.name for m in matches)))
            found = matches[0] if matches else None
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


def load_index(location: str | os.PathLike[str], name: str | None = None,
               allowed_schemes: frozenset[str] = frozenset()) -> DownloadSource:
    """A published index over https://, http://, file:// or a path: the site's address, its
    ``api/registry.json``, or one model's ``api/models/<stem>.json``.

    With ``name``, a site address or ``registry.json`` is read through that model's own file
    when the site has one (HTTP 404 or no such file: ``registry.json`` is read instead).
    """
    url = to_url(location)
    trust(url)  # MODELSHELF_TOKEN goes to this index's origin only (credentials.py)
    path = urllib.parse.urlsplit(url).path
    is_root = not path.endswith(".json")
    root = (url if url.endswith("/") else url + "/") if is_root else site_root(url)
    index_url = root + "api/registry.json" if is_root else url
    if name is not None and (is_root or path.endswith("/api/registry.json")):
        try:
            document = _read(root + api_file(name), quiet_404=True)
        except ObjectAbsent:
            document = None
        if document is not None:
            catalog = _catalog(document, allowed_schemes)
            if name in catalog.index.models:
                return catalog
    try:
        document = _read(index_url)
    except LookupFailed as exc:
        hint = "; a catalog's index is SITE_URL/api/registry.json" if is_root else ""
        raise LookupFailed(f"{exc}{hint}") from None
    return _catalog(document, allowed_schemes)


def _read(url: str, quiet_404: bool = False) -> Document:
    try:
        return read_url(url, limit=INDEX_LIMIT)
    except ObjectAbsent as exc:
        if quiet_404:
            raise
        raise LookupFailed(f"cannot read the index: {exc}") from None
    except TransferFailed as exc:
        raise TransferFailed(f"cannot read the index: {exc}") from None


def _catalog(document: Document, allowed_schemes: frozenset[str]) -> DownloadSource:
    """Relative ``download_url``s resolve against where the index finally came from (after redirects)."""
    url = document.url
    try:
        data = json.loads(document.data)
    except (ValueError, UnicodeDecodeError) as exc:
        hint = "" if url.endswith(".json") else "; a catalog's index is SITE_URL/api/registry.json"
        raise LookupFailed(f"{url}: not valid JSON ({exc}){hint}") from None
    return DownloadSource(source=url, index=IndexRecord.from_json(data, url), site_root=site_root(url),
                   allowed_schemes=allowed_schemes, last_modified=document.last_modified)


def load_repo(path: str | os.PathLike[str], name: str) -> DownloadSource:
    """One model's record, built from the repo's tags and metadata (no site needed).

    Every way the repo can be bad input (not a Git repository, a broken
    ``.gto``, a name outside the grammar) is a ``LookupFailed``, so callers
    catching ``DownloadError`` see them all.
    """
    from ..git.mirror import MirrorError  # only a repo source reads Git

    try:
        return _load_repo(path, name)
    except DownloadError:
        raise
    except MirrorError as exc:  # the remote cannot be reached or read now: retrying may help (exit 1)
        raise TransferFailed(str(exc)) from exc
    except ModelshelfError as exc:
        raise LookupFailed(str(exc)) from exc


def _load_repo(path: str | os.PathLike[str], name: str) -> DownloadSource:
    from ..git.mirror import open_repository
    from ..registry import load_registry

    with open_repository(path) as local:  # a Git URL: its cached mirror
        registry = load_registry(local)
    try:
        return _repo_catalog(registry, name, local.location if local.url else str(registry.repo.root))
    except BaseException:  # the returned catalog owns the repo; on any failure nobody does
        registry.close()
        raise


def _repo_catalog(registry: Registry, name: str, source: str) -> DownloadSource:
    from ..index.build import UnknownModel, build_model, model_state
    from ..index.metadata_json import MetadataJson

    metadata = MetadataJson(registry)
    try:
        artifact = model_state(registry, metadata, name)
    except UnknownModel as exc:
        raise LookupFailed(f"unknown model '{name}' in {source}; models: {', '.join(exc.known) or 'none'}") from None
    model = build_model(registry, artifact, metadata)
    model["stage_verdicts"] = _live_stage_verdicts(registry, name, model)
    stages = list(registry.config.stages) if registry.config.stages is not None else sorted(model["stages"])
    data = {"schema_version": SCHEMA_VERSION, "stages": stages, "models": [model]}
    return DownloadSource(source=source, index=IndexRecord.from_json(data, source), repo=registry.repo)


def _live_stage_verdicts(registry: Registry, name: str, model: dict) -> dict:
    """The rules' verdict on each held stage, verified live (an enforcement point: no cache)."""
    from ..governance import Assessor

    with Assessor(registry) as assessor:
        verdicts = {stage: assessor.stage_verdict(name, stage) for stage in sorted(model["stages"])}
    return {stage: {"holder": v.holder, "compliant": v.compliant, "last_compliant": v.last_compliant,
                    "violations": [x.to_json() for x in v.violations]}
            for stage, v in verdicts.items() if v is not None}
