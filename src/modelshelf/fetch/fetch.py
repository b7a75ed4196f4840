"""Carrying out a ``Plan``: every file to a temporary path, hashed as it is
written, checked, and only then moved into place.

Nothing is left at the destination on failure: files are staged in a
``.partial`` folder beside it and renamed in one step at the end.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import DownloadError, IntegrityFailed, TransferFailed
from .plan import FileItem, Plan
from .transport import CHUNK, NotFound
from .verify import Hasher, Hashes, check, check_layout, safe_name, safe_relpath, sha256_manifest


class DestinationExists(DownloadError):
    """The output path exists and replacing it was not asked for (usage error)."""

    exit_code = 2


@dataclass(frozen=True)
class Fetched:
    relpath: str
    path: Path  # the staged file
    hashes: Hashes


def fetch_item(item: FileItem, target: Path, what: str) -> Hashes:
    """Fetch one file to ``target`` from the first location that has good bytes."""
    failures: list[str] = []
    corrupt = False
    for location in item.locations:
        try:
            hashes = _copy(location.open, target, location.describe())
            if item.digest is not None:
                check(item.digest, hashes, target, f"{what} from {location.describe()}")
            return hashes
        except NotFound as exc:
            failures.append(str(exc))
        except IntegrityFailed as exc:
            corrupt = True
            failures.append(str(exc))
        except TransferFailed as exc:
            failures.append(str(exc))
        target.unlink(missing_ok=True)
    if not item.locations:
        raise TransferFailed(f"{what}: no location to fetch it from")
    detail = "; ".join(failures)
    if corrupt:
        raise IntegrityFailed(f"{what}: no good copy found ({detail})")
    raise TransferFailed(f"{what}: not found ({detail})")


def _copy(opener, target: Path, where: str) -> Hashes:
    hasher = Hasher()
    stream = opener()
    try:
        # O_EXCL + O_NOFOLLOW: never write through something placed in the staging folder.
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
        with os.fdopen(os.open(target, flags, 0o644), "wb") as out:
            while True:
                try:
                    chunk = stream.read(CHUNK)
                except OSError as exc:
                    raise TransferFailed(f"{where}: transfer interrupted: {exc}") from None
                if not chunk:
                    break
                hasher.update(chunk)
                out.write(chunk)
    finally:
        stream.close()
    return hasher.result()


def fetch_plan(plan: Plan, staging: Path, what: str, allow_unverified: bool = False) -> tuple[Path, list[Fetched]]:
    """Fetch and verify every file under ``staging``; returns the staged result's path."""
    safe_name(plan.name, what)
    if not plan.verifiable and not allow_unverified:
        raise IntegrityFailed(
            f"{what}: the index records no checksum for these bytes, so they cannot be verified "
            "(pass --allow-unverified / allow_unverified=True to fetch them anyway)"
        )
    root = staging / plan.name
    if not plan.is_dir:
        (item,) = plan.items
        hashes = fetch_item(item, root, what)
        return root, [Fetched("", root, hashes)]
    relpaths = [safe_relpath(item.relpath, what) for item in plan.items]
    check_layout(relpaths, what)
    root.mkdir()
    fetched: list[Fetched] = []
    for rel, item in zip(relpaths, plan.items):
        target = root.joinpath(*rel.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.resolve().is_relative_to(root.resolve()):
            raise IntegrityFailed(f"{what}: refusing path {rel!r}: it would escape the output folder")
        fetched.append(Fetched(rel, target, fetch_item(item, target, f"{what}: {rel}")))
    if plan.tree_sha256:
        manifest = sha256_manifest([(f.relpath, f.hashes.sha256) for f in fetched])
        got = Hasher()
        got.update(manifest.encode())
        if got.result().sha256 != plan.tree_sha256:
            raise IntegrityFailed(
                f"{what}: folder checksum mismatch: expected sha256:{plan.tree_sha256}, "
                f"got sha256:{got.result().sha256} over {len(fetched)} files"
            )
    return root, fetched


def materialize(plan: Plan, out_dir: Path, what: str, force: bool = False, allow_unverified: bool = False) -> Path:
    """Fetch ``plan`` into ``out_dir/plan.name`` atomically; return that path."""
    name = safe_name(plan.name, what)
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise DestinationExists(f"{out_dir}: not a directory")
    dest = out_dir / name
    if (dest.exists() or dest.is_symlink()) and not force:
        raise DestinationExists(f"{dest} already exists (use --force / force=True to replace it)")
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".partial", dir=out_dir))
    try:
        result, _ = fetch_plan(plan, staging, what, allow_unverified)
        _swap_into_place(result, dest, staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return dest


def _swap_into_place(new: Path, dest: Path, staging: Path) -> None:
    """Rename ``new`` to ``dest``; an existing ``dest`` is kept until the rename succeeded."""
    old: Path | None = None
    if dest.exists() or dest.is_symlink():
        old = staging / ".previous"
        os.replace(dest, old)
    try:
        os.replace(new, dest)
    except OSError:
        if old is not None:
            os.replace(old, dest)
        raise


def fetch_bytes(item: FileItem, what: str, limit: int = 256 << 20) -> bytes:
    """A small verified document (a folder manifest), read through a temporary file."""
    with tempfile.TemporaryDirectory(prefix="modelshelf-") as tmp:
        target = Path(tmp) / "object"
        hashes = fetch_item(item, target, what)
        if hashes.size > limit:
            raise TransferFailed(f"{what}: larger than {limit} bytes")
        return target.read_bytes()
