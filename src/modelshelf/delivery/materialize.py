"""Carrying out a ``Plan``: every file to a temporary path, hashed as it is
written, checked, and only then moved into place.

Nothing is left at the destination on failure: files are staged in a
``.partial`` folder beside it and renamed in one step at the end, and the
output folders a failed download created are removed again. A file stops
being read as soon as it is larger than the index records, so a replaced
artifact cannot fill the disk before its checksum is checked; bytes the index
records no size for stop at ``Limits.max_size``, and the whole download at
``Limits.deadline`` (see ``limits.py``).

Clean-up runs in ``finally`` blocks, so it also runs when SIGTERM is turned
into an exception; a staging folder carries its owner's pid and a lock, so
the next run removes those of killed downloads and never a live one's
(``staging.py``).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import DestinationExists, DestinationUnwritable, IntegrityFailed, TransferFailed, Unverifiable
from .limits import DeadlineExceeded, Limits, SizeLimitExceeded, current_deadline
from .plan import FileItem, Plan
from .progress import Progress
from .staging import staging_folder
from .transport import CHUNK, ObjectAbsent
from .verify import Hasher, Hashes, check, check_layout, safe_name, safe_relpath, sha256_manifest

__all__ = ["DestinationExists", "DestinationUnwritable", "Fetched", "fetch_bytes", "fetch_item", "fetch_plan",
           "materialize"]


@dataclass(frozen=True)
class Fetched:
    relpath: str
    path: Path  # the staged file
    hashes: Hashes


@dataclass(frozen=True)
class Cap:
    """The most bytes a file may have; ``of`` completes "larger than ..." in the error."""

    limit: int
    of: str
    configured: bool = False  # the user's --max-size (not the index's size): SizeLimitExceeded

    @staticmethod
    def recorded(size: int | None, whose: str = "") -> Cap | None:
        if size is None or size < 0:
            return None
        return Cap(size, f"the {size} bytes the index records{whose}")

    @staticmethod
    def unknown_size(limits: Limits) -> Cap | None:
        """The cap for bytes whose size the index does not record (None: ``max_size`` 0, no limit)."""
        if limits.max_size <= 0:
            return None
        return Cap(limits.max_size, f"--max-size ({limits.max_size} bytes; the index records no size, "
                                    "raise it with --max-size SIZE / max_size=...)", configured=True)

    def exceeded(self, where: str) -> Exception:
        message = f"{where}: larger than {self.of}"
        return SizeLimitExceeded(message) if self.configured else IntegrityFailed(message)


def _tighter(a: Cap | None, b: Cap | None) -> Cap | None:
    if a is None or b is None:
        return a or b
    return a if a.limit <= b.limit else b


def fetch_item(item: FileItem, target: Path, what: str, cap: Cap | None = None,
               progress: Progress | None = None) -> Hashes:
    """Fetch one file to ``target`` from the first location that has good bytes.

    Reading stops past the item's recorded size (or ``cap``, if tighter). Going
    past ``--max-size`` or the deadline ends the whole download at once.
    """
    cap = _tighter(Cap.recorded(item.size), cap)
    failures: list[str] = []
    corrupt, missing_only = False, True
    for location in item.locations:
        try:
            hashes = _copy(location.open, target, location.describe(), cap, progress)
            if item.digest is not None:
                check(item.digest, hashes, target, f"{what} from {location.describe()}")
            return hashes
        except (SizeLimitExceeded, DeadlineExceeded):
            target.unlink(missing_ok=True)
            raise
        except ObjectAbsent as exc:
            failures.append(str(exc))
        except IntegrityFailed as exc:
            corrupt = True
            failures.append(str(exc))
        except TransferFailed as exc:  # unreachable, refused, interrupted
            missing_only = False
            failures.append(str(exc))
        target.unlink(missing_ok=True)
    if not item.locations:
        raise TransferFailed(f"{what}: no location to fetch it from")
    detail = "; ".join(failures)
    if corrupt:
        raise IntegrityFailed(f"{what}: no good copy found ({detail})")
    raise TransferFailed(f"{what}: {'not found' if missing_only else 'could not be fetched'} ({detail})")


def _copy(opener, target: Path, where: str, cap: Cap | None = None, progress: Progress | None = None) -> Hashes:
    hasher = Hasher()
    received = 0
    deadline = current_deadline()
    stream = opener()
    try:
        # O_EXCL + O_NOFOLLOW: never write through something placed in the staging folder.
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
        with os.fdopen(os.open(target, flags, 0o644), "wb") as out:
            while True:
                # With a cap, never ask for more than one byte past it: that byte proves the excess.
                want = CHUNK if cap is None else min(CHUNK, cap.limit - received + 1)
                if deadline is not None:
                    deadline.check(where)
                try:
                    chunk = stream.read(want)
                except OSError as exc:
                    raise TransferFailed(f"{where}: transfer interrupted: {exc}") from None
                if not chunk:
                    break
                received += len(chunk)
                if cap is not None and received > cap.limit:
                    raise cap.exceeded(where)
                hasher.update(chunk)
                out.write(chunk)
                if progress is not None:
                    progress.advance(len(chunk))
    finally:
        stream.close()
    return hasher.result()


def fetch_plan(plan: Plan, staging: Path, what: str, allow_unverified: bool = False, limits: Limits = Limits(),
               progress: Progress | None = None) -> tuple[Path, list[Fetched]]:
    """Fetch and verify every file under ``staging``; returns the staged result's path.

    ``limits.max_size`` caps bytes of unknown size; the deadline is the one the
    caller started (``deadline_of``: ``download()`` does, around lookup and transfer).
    """
    safe_name(plan.name, what)
    if not plan.verifiable and not allow_unverified:
        raise Unverifiable(
            f"{what}: the index records no checksum for these bytes, so they cannot be verified "
            "(pass --allow-unverified / allow_unverified=True to fetch them anyway)"
        )
    root = staging / plan.name
    if progress is not None:
        progress.begin(plan.size if plan.is_dir else plan.items[0].size if plan.items else None)
    unknown = Cap.unknown_size(limits)
    if not plan.is_dir:
        (item,) = plan.items
        hashes = fetch_item(item, root, what, None if item.size is not None else unknown, progress)
        return root, [Fetched("", root, hashes)]
    relpaths = [safe_relpath(item.relpath, what) for item in plan.items]
    check_layout(relpaths, what)
    root.mkdir()
    fetched: list[Fetched] = []
    total = Cap.recorded(plan.size, " for the whole folder") or unknown
    for rel, item in zip(relpaths, plan.items):
        target = root.joinpath(*rel.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.resolve().is_relative_to(root.resolve()):
            raise IntegrityFailed(f"{what}: refusing path {rel!r}: it would escape the output folder")
        hashes = fetch_item(item, target, f"{what}: {rel}", _left(total, fetched), progress)
        fetched.append(Fetched(rel, target, hashes))
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


def _left(total: Cap | None, fetched: list[Fetched]) -> Cap | None:
    """What a folder's recorded total leaves for its next file."""
    if total is None:
        return None
    return Cap(max(total.limit - sum(f.hashes.size for f in fetched), 0), total.of, total.configured)


def materialize(plan: Plan, out_dir: Path, what: str, force: bool = False, allow_unverified: bool = False,
                limits: Limits = Limits(), progress: Progress | None = None) -> Path:
    """Fetch ``plan`` into ``out_dir/plan.name`` atomically; return that path.

    On failure nothing is left: not the staged files, and not the folders of
    ``out_dir`` this call created (those that existed before are kept).
    """
    name = safe_name(plan.name, what)
    out_dir = Path(out_dir)
    try:
        if out_dir.exists() and not out_dir.is_dir():
            raise DestinationExists(f"{out_dir}: not a directory")
        dest = out_dir / name
        if (dest.exists() or dest.is_symlink()) and not force:
            raise DestinationExists(f"{dest} already exists (use --force / force=True to replace it)")
    except OSError as exc:  # e.g. a parent folder that cannot be searched
        raise _unwritable(out_dir, exc) from None
    created = _make_folders(out_dir)
    try:
        with staging_folder(out_dir, name) as staging:
            try:
                result, _ = fetch_plan(plan, staging, what, allow_unverified, limits, progress)
            finally:
                if progress is not None:
                    progress.end()
            _swap_into_place(result, dest, staging)
    except OSError as exc:  # only writes raise OSError here: reads are TransferFailed by then
        _remove_empty(created)
        raise _unwritable(out_dir, exc) from None
    except BaseException:
        _remove_empty(created)
        raise
    return dest


def _unwritable(out_dir: Path, exc: OSError) -> DestinationUnwritable:
    return DestinationUnwritable(f"cannot write to {out_dir}: {exc.strerror or exc}")


def _make_folders(out_dir: Path) -> list[Path]:
    """Create ``out_dir`` and its missing parents; returns those this call created, outermost first."""
    missing: list[Path] = []
    folder = out_dir
    created: list[Path] = []
    try:
        while not folder.exists() and folder.parent != folder:
            missing.append(folder)
            folder = folder.parent
        for folder in reversed(missing):
            try:
                folder.mkdir()
            except FileExistsError:
                if not folder.is_dir():  # a file, or a dangling symlink, is in the way
                    raise
                continue  # made meanwhile by someone else, or reached again through '..'
            created.append(folder)
    except OSError as exc:
        _remove_empty(created)
        raise _unwritable(out_dir, exc) from None
    return created


def _remove_empty(created: list[Path]) -> None:
    """Remove folders this download created, innermost first, while they are still empty."""
    for folder in reversed(created):
        try:
            folder.rmdir()
        except OSError:  # something else was put there meanwhile: keep it (and its parents)
            return


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
        fetch_item(item, target, what, Cap(limit, f"{limit} bytes (too large for a folder manifest)"))
        return target.read_bytes()
