"""The bytes a build published, kept by Git blob id for the next build (in the Git dir's cache).

A rebuild after one new tag publishes the same files again: fetching each from Git into a
staging folder, hashing it and moving it costs a fifth of the rebuild of a big catalog.
The store keeps every published Git file under its blob id, hardlinked with the site's
copy, so the next build links it in instead.

The cache is untrusted input (CI restores it from another run): a kept file is used only
after the copy that lands in the site hashes to the blob id the repository's tree names
(the index's ``git_sha``, read from Git in this build) and to its recorded size. The
sha256 the index then publishes is computed from those same bytes. A file that fails is
dropped and fetched from Git as before.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from pathlib import Path

from .linking import place_file

STORE_DIR = "published"  # under the build cache (git/build_cache.git_cache_dir)
_BLOB_ID = re.compile(r"[0-9a-f]{40}([0-9a-f]{24})?")


def store_path(cache: Path, blob_id: str) -> Path | None:
    """Where the bytes of Git blob ``blob_id`` are kept (None: not a blob id)."""
    if not _BLOB_ID.fullmatch(blob_id):
        return None
    return cache / STORE_DIR / blob_id[:2] / blob_id[2:]


def _hashes(path: Path, blob_id: str) -> tuple[str, str, int]:
    """(Git blob id, sha256, size) of the file at ``path``, in one read."""
    size = path.stat().st_size
    git = (hashlib.sha1 if len(blob_id) == 40 else hashlib.sha256)(b"blob %d\0" % size)
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            git.update(chunk)
            digest.update(chunk)
    return git.hexdigest(), digest.hexdigest(), size


def reuse(cache: Path, blob_id: str, size: int | None, site: Path, target_of: Callable[[str], str]) -> str | None:
    """Put the kept bytes of ``blob_id`` into ``site`` at ``target_of(sha256)``; returns the
    sha256, or None when nothing good is kept (the caller fetches from Git)."""
    kept = store_path(cache, blob_id)
    if kept is None or not kept.is_file() or kept.is_symlink():
        return None
    if size is not None and kept.stat().st_size != size:
        kept.unlink(missing_ok=True)
        return None
    staged = site / f".modelshelf-reuse-{blob_id}"
    try:
        place_file(kept, staged)
        found, sha256, _ = _hashes(staged, blob_id)  # what lands in the site is what is checked
    except OSError:
        staged.unlink(missing_ok=True)
        return None
    if found != blob_id:
        staged.unlink(missing_ok=True)
        kept.unlink(missing_ok=True)
        return None
    target = site / target_of(sha256)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staged, target)
    return sha256


def keep(cache: Path, blob_id: str, published: Path) -> None:
    """Keep the bytes just published at ``published`` (verified against Git) for the next build."""
    kept = store_path(cache, blob_id)
    if kept is None:
        return
    try:
        place_file(published, kept)
    except OSError:
        return  # a cache that cannot be written costs the next build a fetch, nothing more
