"""Copy each version's bytes into a built site, so a deploy script needs only the site.

``publish_configured`` is what every build calls, the MkDocs plugin and
``modelshelf generate`` / ``build --engine zensical`` alike (one reading of the
plugin options ``publish_artifacts`` / ``publish_max_size`` / ``dvc_remotes``),
*before* the API files are written. It calls ``publish_artifacts``, which it fills ``storage.download_url`` (site-relative) and
``storage.sha256`` in the index data it is given.

Layout, content-addressed (immutable, deduplicated across versions, no name
from the repo ever becomes a site path):

    artifacts/sha256/ab/cdef...        a file's bytes, named by their sha256
    artifacts/sha256/ab/cdef....dir    a folder: a ``sha256sum``-style manifest
                                       ("<sha256>  <relpath>" lines, sorted),
                                       named by its own sha256; each file is
                                       ``../xx/yyyy`` relative to it

For Git folders the manifest's sha256 equals the index's ``storage.sha256``;
for DVC-tracked models it is added by this function.

Two scopes. ``"current"`` (the default of ``build``): Git-stored bytes (plain
Git blobs, not LFS or DVC) of the versions that are latest or held by a stage,
each up to ``max_size``: what deploy scripts ask for, and a site that does not
grow with the registry's history; older versions drop out at the next build
(the site is rebuilt whole) and ``download`` fetches them from the repository's
remote. ``"all"`` (``--publish-artifacts``): every version stored in Git, LFS
or DVC, whatever its size.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from pathlib import Path
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .errors import DownloadError
from .materialize import fetch_plan
from .locate import repo_plan, symlink_at
from .publish_store import keep, reuse
from .records import StorageRecord
from ..git.build_cache import git_cache_dir
from .verify import sha256_manifest

if TYPE_CHECKING:
    from ..registry import Registry

ARTIFACTS_DIR = "artifacts"
SCOPES = ("current", "all")
DEFAULT_MAX_SIZE = 100 << 20  # bytes of one artifact the default ("current") scope publishes
_log = logging.getLogger(__name__)


def artifact_path(sha256: str, is_dir: bool = False) -> str:
    """Site-relative path of published bytes (a folder's manifest ends in ``.dir``)."""
    return f"{ARTIFACTS_DIR}/sha256/{sha256[:2]}/{sha256[2:]}" + (".dir" if is_dir else "")


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _store(site: Path, staged: Path, sha256: str, is_dir: bool = False) -> None:
    """Move verified bytes to their content address (an existing good copy is kept)."""
    target = site / artifact_path(sha256, is_dir)
    if target.is_file() and not target.is_symlink() and _file_sha256(target) == sha256:
        staged.unlink()
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staged, target)


def _publish(site: Path, registry: Registry, commit: str, storage: StorageRecord, what: str,
             dvc_remotes: tuple[str, ...]) -> str:
    """Store one version's bytes (kept from the last build when they check out, else fetched
    from Git and verified); returns the sha256 the index records."""
    blob = storage.git_sha if storage.kind == "git" and not storage.is_dir else None
    if blob is None:
        return _fetch(site, registry, commit, storage, what, dvc_remotes)
    assert storage.path is not None
    cache = git_cache_dir(registry.repo.common_dir)
    if not symlink_at(registry.repo, commit, storage.path):  # a symlink: refused by the fetch, as before
        sha256 = reuse(cache, blob, storage.size, site, artifact_path)
        if sha256 is not None:
            return sha256
    sha256 = _fetch(site, registry, commit, storage, what, dvc_remotes)
    keep(cache, blob, site / artifact_path(sha256))
    return sha256


def _fetch(site: Path, registry: Registry, commit: str, storage: StorageRecord, what: str,
           dvc_remotes: tuple[str, ...]) -> str:
    """Fetch, verify and store one version's bytes; returns the sha256 the index records."""
    plan = repo_plan(registry.repo, commit, storage, what, dvc_remotes)
    staging = Path(tempfile.mkdtemp(prefix=".modelshelf-publish-", dir=site))
    try:
        _, fetched = fetch_plan(plan, staging, what)
        for item in fetched:
            _store(site, item.path, item.hashes.sha256)
        if not plan.is_dir:
            return fetched[0].hashes.sha256
        manifest = sha256_manifest([(item.relpath, item.hashes.sha256) for item in fetched]).encode()
        sha256 = hashlib.sha256(manifest).hexdigest()
        staged = staging / "manifest"
        staged.write_bytes(manifest)
        _store(site, staged, sha256, is_dir=True)
        return sha256
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def publish_artifacts(
    registry: Registry,
    index_data: dict[str, Any],
    site_dir: str | os.PathLike[str],
    *,
    dvc_remotes: tuple[str, ...] = (),
    problems: list[str] | None = None,
    scope: str = "all",
    max_size: int = DEFAULT_MAX_SIZE,
) -> None:
    """Copy the bytes of the versions ``scope`` selects into ``site_dir/artifacts/``.

    ``scope="all"``: every version stored in Git, LFS or DVC; ``"current"``: the
    Git-stored bytes of versions that are latest or held by a stage, up to
    ``max_size`` bytes each (0: no cap).

    Mutates ``index_data`` (the JSON of ``build_index``): each published
    version's ``storage`` gets ``download_url`` (site-relative) and ``sha256``;
    others get ``download_url: null``. A version whose bytes cannot be fetched
    or verified is skipped with a problem (appended to ``problems`` when
    given, else logged as a warning); the build goes on.
    """
    if scope not in SCOPES:
        raise ValueError(f"publish scope must be one of {', '.join(SCOPES)}, not {scope!r}")
    site = Path(site_dir)
    site.mkdir(parents=True, exist_ok=True)
    done: dict[tuple[str, str, bool], str] = {}
    for model in index_data.get("models", []):
        current = {model.get("latest"), *(model.get("stages") or {}).values()}
        for version in model.get("versions", []):
            storage = version.get("storage")
            if not isinstance(storage, dict):
                continue
            storage.setdefault("download_url", None)
            what = f"{model.get('name')} {version.get('version')}"
            try:
                record = StorageRecord.from_json(storage, what)
                if record.kind not in ("git", "lfs", "dvc") or not record.path:
                    continue
                if scope == "current" and not _current(record, version.get("version") in current, max_size):
                    continue
                identity = record.md5 if record.kind == "dvc" else record.git_sha
                key = (record.kind, identity or f"{version['commit']}:{record.path}", record.is_dir)
                if key not in done:
                    done[key] = _publish(site, registry, version["commit"], record, what, tuple(dvc_remotes))
            except DownloadError as exc:
                message = f"publish artifacts: {exc}"
                if problems is not None:
                    problems.append(message)
                else:
                    _log.warning(message)
                continue
            sha256 = done[key]
            storage["sha256"] = sha256
            storage["download_url"] = artifact_path(sha256, record.is_dir)


def publish_configured(
    registry: Registry,
    index_data: dict[str, Any],
    site_dir: str | os.PathLike[str],
    *,
    setting: bool | str,
    max_size: int = DEFAULT_MAX_SIZE,
    dvc_remotes: Sequence[str] = (),
) -> list[str]:
    """Publish what the ``publish_artifacts`` option asks for; returns the problems met.

    ``setting``: ``"current"`` (the default scope), ``True`` (every version) or
    ``False`` (nothing: ``index_data`` is left as it is, without ``download_url``).
    """
    if setting is False:
        return []
    problems: list[str] = []
    publish_artifacts(registry, index_data, site_dir, dvc_remotes=tuple(dvc_remotes), problems=problems,
                      scope="all" if setting is True else "current", max_size=max_size)
    return problems


def _current(record: StorageRecord, is_current: bool, max_size: int) -> bool:
    """Whether the default scope publishes this version: Git-stored, latest or held, small enough."""
    if not is_current or record.kind != "git":
        return False
    return max_size <= 0 or (record.size is not None and record.size <= max_size)
