"""Git LFS pointer files: what a model committed through LFS looks like in Git.

Git holds only a small text pointer (spec v1); the bytes live in the clone's
LFS store (``<store>/objects/aa/bb/<oid>``) or on the LFS server. The pointer's
``oid`` is the sha256 of the real content, so the index can record the model's
true hash and size without fetching it.

The store is ``<common git dir>/lfs`` unless Git's config sets ``lfs.storage``
(absolute, or relative to the common git dir), as git-lfs resolves it. git-lfs
reads that key from Git's own config files (system, global, repo, worktree,
``git -c``) but not from a committed ``.lfsconfig``, which may only set a few
"safe" keys (``lfs.url``, ``lfs.fetchinclude``, ...): neither does this module.
Everything here but ``configured_storage`` (one ``git config`` call) is pure.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .repo import GitRepo

POINTER_MAX_BYTES = 1024  # the spec's limit; larger blobs are never pointers
_VERSION = b"version https://git-lfs.github.com/spec/v1\n"
_OID = re.compile(rb"^oid sha256:([0-9a-f]{64})$", re.M)
_SIZE = re.compile(rb"^size (\d+)$", re.M)


@dataclass(frozen=True)
class LfsPointer:
    oid: str  # sha256 of the content
    size: int


def parse_pointer(data: bytes | None) -> LfsPointer | None:
    """The pointer in a blob's bytes, or None when the blob is ordinary content."""
    if not data or len(data) > POINTER_MAX_BYTES or not data.startswith(_VERSION):
        return None
    oid, size = _OID.search(data), _SIZE.search(data)
    if oid is None or size is None:
        return None
    return LfsPointer(oid.group(1).decode(), int(size.group(1)))


def storage_dir(common_dir: Path, storage: str | None = None) -> Path:
    """The LFS store: ``lfs.storage`` (absolute, or relative to the common git dir), else ``<common dir>/lfs``.

    As git-lfs does: no ``~`` expansion, and an empty value means the default.
    """
    path = Path(storage or "lfs")
    return path if path.is_absolute() else Path(common_dir) / path


def object_path(common_dir: Path, oid: str, storage: str | None = None) -> Path:
    """Where ``git lfs fetch`` keeps an object in a clone (``storage``: the ``lfs.storage`` setting)."""
    return storage_dir(common_dir, storage) / "objects" / oid[:2] / oid[2:4] / oid


_STORAGE: "weakref.WeakKeyDictionary[GitRepo, str | None]" = weakref.WeakKeyDictionary()


def configured_storage(repo: GitRepo) -> str | None:
    """The ``lfs.storage`` setting in Git's config, or None (asked once per ``GitRepo``:
    a folder of LFS files would otherwise run ``git config`` per file)."""
    if repo in _STORAGE:
        return _STORAGE[repo]
    from . import GitError  # here, not at the top: no import cycle inside the git package

    try:
        value: str | None = repo.run("config", "--get", "lfs.storage").removesuffix("\n") or None
    except GitError as exc:
        if exc.returncode != 1:  # 1: not set; anything else (a broken config file) is worth raising
            raise
        value = None
    _STORAGE[repo] = value
    return value


def repo_object_path(repo: GitRepo, oid: str) -> Path:
    """Where this repository's LFS store keeps an object, honouring ``lfs.storage``."""
    return object_path(repo.common_dir, oid, configured_storage(repo))


def missing_message(oid: str, path: str, where: Path | None = None) -> str:
    store = f" (looked in {where.parent.parent.parent})" if where is not None else ""
    return (f"'{path}' is stored in Git LFS and object {oid[:12]}... is not in this clone's LFS store{store}: "
            "run `git lfs fetch` (or `git lfs pull`) first")
