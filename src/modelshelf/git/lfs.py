"""Git LFS pointer files: what a model committed through LFS looks like in Git.

Git holds only a small text pointer (spec v1); the bytes live in the clone's
LFS store (``.git/lfs/objects/aa/bb/<oid>``) or on the LFS server. The pointer's
``oid`` is the sha256 of the real content, so the index can record the model's
true hash and size without fetching it. Everything here but ``object_path`` is
pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

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


def object_path(common_dir: Path, oid: str) -> Path:
    """Where ``git lfs fetch`` keeps an object in a clone."""
    return Path(common_dir) / "lfs" / "objects" / oid[:2] / oid[2:4] / oid


def missing_message(oid: str, path: str) -> str:
    return (f"'{path}' is stored in Git LFS and object {oid[:12]}... is not in this clone: "
            "run `git lfs fetch` (or `git lfs pull`) first")
