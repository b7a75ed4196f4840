"""Resolution -> Plan: which files to fetch, from where, checked against what.

Order of preference: a copy published in the site (``download_url``, sha256),
then the version's own storage: Git at the version's commit, DVC's cache and
remotes by md5, or the external URL.
"""

from __future__ import annotations

import posixpath
import urllib.parse
from typing import TYPE_CHECKING

from .catalog import DownloadSource
from .dvc import DvcStores, file_item, manifest_item, parse_manifest, read_stores
from .errors import IntegrityFailed, NotPublished, TransferFailed
from .materialize import fetch_bytes
from .lookup import Resolution
from .plan import FileItem, GitBlobLocation, Plan, UrlLocation
from .records import StorageRecord
from .remote_git import RemoteGitBlob, remote_protocols, unpublished_message
from .transport import to_url
from .verify import Digest, parse_sha256_manifest, safe_name

if TYPE_CHECKING:  # the Git layer is imported only when a repo is read
    from ..git.repo import GitRepo

_SYMLINK, _SUBMODULE = "120000", "160000"


def output_name(storage: StorageRecord, what: str) -> str:
    source = storage.path or (urllib.parse.urlsplit(storage.url).path if storage.url else "")
    return safe_name(posixpath.basename(source.rstrip("/")) or "model", what)


def _digest(storage: StorageRecord) -> Digest | None:
    if storage.sha256:
        return Digest("sha256", storage.sha256)
    if storage.md5 and not storage.md5.endswith(".dir"):
        return Digest("md5", storage.md5, dvc_legacy=storage.kind == "dvc")
    return None


def plan_for(resolution: Resolution, catalog: DownloadSource, dvc_remotes: tuple[str, ...] = ()) -> Plan:
    storage = resolution.storage
    what = f"{resolution.model} {resolution.version.version}"
    if storage.download_url and catalog.site_root is not None and resolution.url:
        return published_plan(storage, resolution.url, what)
    if storage.kind == "url":
        if not storage.url:
            raise TransferFailed(f"{what}: storage is a URL but the index gives none")
        if storage.is_dir:
            raise TransferFailed(f"{what}: {storage.url} is a folder URL; fetch it with its own tools")
        item = FileItem("", (UrlLocation(catalog.check_location(storage.url, what)),), _digest(storage), storage.size)
        return Plan(output_name(storage, what), False, (item,))
    if storage.kind == "missing" or not storage.path:
        at = f"at commit {resolution.version.commit[:7]}"
        if not storage.path:  # no declaration there (a tag on a commit before dvc.yaml, or after it was removed)
            raise TransferFailed(f"{what}: no bytes recorded: the model has no path {at} (not declared in "
                                 "dvc.yaml or artifacts.yaml there, declared without one, or with an absolute or "
                                 "escaping path, which is refused: `modelshelf doctor` says why)")
        if catalog.repo is not None and symlink_at(catalog.repo, resolution.version.commit, storage.path):
            raise IntegrityFailed(f"{what}: refusing symlink '{storage.path}': a model's path must be a committed "
                                  f"file or folder {at}")
        raise TransferFailed(
            f"{what}: no bytes recorded: the model's path ('{storage.path}') is neither committed to Git "
            f"nor tracked by DVC {at} (or was refused: `modelshelf doctor` says why)"
        )
    if catalog.repo is None:
        if storage.kind == "dvc" and dvc_remotes:
            return dvc_plan(storage, DvcStores(tuple(to_url(r) for r in dvc_remotes)), what)
        if storage.kind == "git":  # a hub's model names its own source's repository
            remote = catalog.model(resolution.model).repository or catalog.git_remote()
            if remote is not None:
                return remote_git_plan(remote, catalog, resolution.version.commit, storage, what)
        raise unpublished_message(what, storage.kind, storage.path, catalog.source)
    return repo_plan(catalog.repo, resolution.version.commit, storage, what, dvc_remotes)


def remote_git_plan(remote: str, catalog: DownloadSource, commit: str, storage: StorageRecord, what: str) -> Plan:
    """A Git-stored file the site did not publish, fetched from the repository's remote (one blob)."""
    assert storage.path is not None
    if storage.is_dir:
        raise NotPublished(f"{what}: its folder ({storage.path}) is not published in {catalog.source}; download "
                           f"it from a clone of {remote} with --repo PATH, or rebuild the site with --publish-artifacts")
    protocols = remote_protocols(remote, catalog.remote, what)
    location = RemoteGitBlob(remote, commit, storage.path, protocols)
    return Plan(output_name(storage, what), False, (FileItem("", (location,), _digest(storage), storage.size),))


def repo_plan(repo: GitRepo, commit: str, storage: StorageRecord, what: str, dvc_remotes: tuple[str, ...] = ()) -> Plan:
    """The bytes of a Git- or DVC-stored version, read from a local repo."""
    assert storage.path is not None
    if storage.kind in ("git", "lfs"):  # an LFS pointer is read from Git, then followed
        return git_plan(repo, commit, storage, what)
    if storage.kind == "dvc":
        stores = read_stores(repo.root, dvc_remotes) if not repo.is_bare else DvcStores(tuple(to_url(r) for r in dvc_remotes))
        return dvc_plan(storage, stores, what)
    raise TransferFailed(f"{what}: storage kind '{storage.kind}' has no bytes in the repo")


def git_plan(repo: GitRepo, commit: str, storage: StorageRecord, what: str) -> Plan:
    assert storage.path is not None
    name = output_name(storage, what)
    if not storage.is_dir:
        if symlink_at(repo, commit, storage.path):  # an index built before symlinks were refused
            raise IntegrityFailed(f"{what}: refusing symlink '{storage.path}': a model's path must be a committed "
                                  f"file or folder")
        location = GitBlobLocation(repo, commit, storage.path)
        return Plan(name, False, (FileItem("", (location,), _digest(storage), storage.size),))
    items: list[FileItem] = []
    pending = [""]
    while pending:
        rel = pending.pop()
        folder = f"{storage.path}/{rel}" if rel else storage.path
        try:
            entries = repo.tree(commit, folder)
        except Exception as exc:  # noqa: BLE001 (git errors: report, do not crash)
            raise TransferFailed(f"{what}: git read of folder '{folder}' failed: {exc}") from None
        if entries is None:
            raise TransferFailed(f"{what}: folder '{folder}' is not in commit {commit[:7]}")
        for entry in entries:
            child = f"{rel}/{entry.name}" if rel else entry.name
            if entry.is_tree:
                pending.append(child)
            elif entry.mode == _SYMLINK:
                raise IntegrityFailed(f"{what}: refusing symlink '{storage.path}/{child}' in the model folder")
            elif entry.mode != _SUBMODULE:  # submodules have no bytes here (as in the index's hash)
                items.append(FileItem(child, (GitBlobLocation(repo, commit, f"{storage.path}/{child}"),), None))
    items.sort(key=lambda i: i.relpath)
    return Plan(name, True, tuple(items), tree_sha256=storage.sha256, size=storage.size)


def dvc_plan(storage: StorageRecord, stores: DvcStores, what: str) -> Plan:
    name = output_name(storage, what)
    if not storage.md5:
        tracked = f" (tracked as part of a folder by {storage.tracked_by})" if storage.tracked_by else ""
        raise TransferFailed(f"{what}: DVC records no md5 for '{storage.path}' itself{tracked}")
    if not stores.bases:
        raise TransferFailed(f"{what}: no DVC cache or remote to fetch md5 {storage.md5} from")
    if not storage.md5.endswith(".dir"):
        return Plan(name, False, (file_item(stores, storage.md5, size=storage.size),))
    manifest = fetch_bytes(manifest_item(stores, storage.md5), f"{what}: folder manifest {storage.md5}")
    entries = parse_manifest(manifest, f"{what}: folder manifest {storage.md5}")
    items = tuple(file_item(stores, md5, rel) for rel, md5 in entries)
    return Plan(name, True, items, tree_sha256=storage.sha256, size=storage.size)


def published_plan(storage: StorageRecord, url: str, what: str) -> Plan:
    """A copy ``publish_artifacts`` put in the site: content-addressed by sha256."""
    name = output_name(storage, what)
    if not storage.sha256:
        raise IntegrityFailed(f"{what}: published at {url} without a sha256 in the index")
    digest = Digest("sha256", storage.sha256)
    if not storage.is_dir:
        return Plan(name, False, (FileItem("", (UrlLocation(url),), digest, storage.size),))
    manifest = fetch_bytes(FileItem("", (UrlLocation(url),), digest), f"{what}: folder manifest")
    try:
        text = manifest.decode("utf-8")
    except UnicodeDecodeError:
        raise IntegrityFailed(f"{what}: folder manifest {url} is not UTF-8") from None
    items = tuple(
        FileItem(rel, (UrlLocation(urllib.parse.urljoin(url, f"../{sha[:2]}/{sha[2:]}")),), Digest("sha256", sha))
        for rel, sha in parse_sha256_manifest(text, f"{what}: folder manifest")
    )
    return Plan(name, True, items, tree_sha256=storage.sha256, size=storage.size)


def symlink_at(repo: GitRepo, commit: str, path: str) -> bool:
    """One rule for files and folders: a committed symlink is never followed nor published as its link text."""
    try:
        entries = repo.tree(commit, posixpath.dirname(path))
    except Exception:  # noqa: BLE001 (git errors: the read that follows reports them)
        return False
    name = posixpath.basename(path)
    return any(e.name == name and e.mode == _SYMLINK for e in entries or ())
