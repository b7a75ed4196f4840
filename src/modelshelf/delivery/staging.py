"""The ``.NAME.PID-XXXX.partial`` folder a download stages its files in, beside the destination.

It is removed in a ``finally`` (so an exception, Ctrl-C or SIGTERM turned into
one, cleans up). A SIGKILL, a power cut or an older modelshelf can still
leave one behind: each download, before it starts, removes the staging
folders in the same output folder whose owner is gone. Ownership is an
exclusive ``flock`` on the folder itself, held while the download runs (the
kernel drops it when the process dies, however it dies), and the owner's pid
in the name, checked too, so a folder that was just created and is not yet
locked is never taken for stale. Folders without a pid in their name (made
by modelshelf before 0.x) are left alone: whether their owner still runs
cannot be told.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: the pid check alone decides
    fcntl = None  # type: ignore[assignment]

_STAGING = re.compile(r"^\..+\.(?P<pid>\d+)-[A-Za-z0-9_]+\.partial$")


@contextlib.contextmanager
def staging_folder(out_dir: Path, name: str) -> Iterator[Path]:
    """A locked, fresh staging folder in ``out_dir``, removed on exit whatever happens."""
    remove_stale(out_dir)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.{os.getpid()}-", suffix=".partial", dir=out_dir))
    lock = _lock(staging)
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if lock is not None:
            os.close(lock)


def remove_stale(out_dir: Path) -> list[Path]:
    """Remove the staging folders of downloads that no longer run; returns those removed."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(out_dir))
    except OSError:
        return removed
    for entry in entries:
        match = _STAGING.match(entry.name)
        if match is None or not entry.is_dir(follow_symlinks=False):
            continue
        if _alive(int(match.group("pid"))):
            continue
        path = Path(entry.path)
        lock = _try_lock(path)
        if lock is False:  # its owner (a reused pid's process or not) still holds it
            continue
        try:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
        finally:
            if isinstance(lock, int):
                os.close(lock)
    return removed


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    except OSError:
        return False
    return True


def _lock(folder: Path) -> int | None:
    """An fd holding an exclusive lock on ``folder`` (None where locks are not available)."""
    fd = _try_lock(folder)
    return fd if isinstance(fd, int) and not isinstance(fd, bool) else None


def _try_lock(folder: Path) -> int | bool | None:
    """An fd with the lock taken, False when another process holds it, None when locks are unavailable."""
    if fcntl is None:
        return None
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return False
    except OSError:
        os.close(fd)
        return None
    return fd
