"""Working folders that a killed run leaves behind, and that the next run removes.

A build works in temporary folders (the staged site beside ``-o``, a docs folder in
the temp dir). ``finally`` removes them on errors, Ctrl-C and SIGTERM; SIGKILL, a
power cut or an out-of-memory kill still leave them. So each folder holds a lock
file that its run keeps locked (``fcntl.flock``, released by the kernel when the
process dies, however it dies), and the next run removes the folders whose lock it
can take. A folder another run still holds is never touched.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Iterator

LOCK_NAME = ".modelshelf-lock"
TEMP_PREFIXES = ("modelshelf-build-", "modelshelf-serve-")  # every folder a run makes in the temp dir
UNLOCKED_GRACE = 3600.0  # seconds: a folder without a lock file (an older modelshelf's) counts as stale after this


@contextlib.contextmanager
def locked_folder(prefix: str, parent: Path | None = None) -> Iterator[Path]:
    """A new folder ``parent/prefixXXXX`` (the temp dir by default), locked while in use and
    removed on exit; stale folders of earlier runs with the same prefix (in the temp dir:
    with any of modelshelf's prefixes) are removed first."""
    where = Path(parent) if parent is not None else Path(tempfile.gettempdir())
    for stale_prefix in {prefix, *TEMP_PREFIXES} if parent is None else {prefix}:
        remove_stale(where, stale_prefix)
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=where))
    fd = -1
    try:
        fd = os.open(path / LOCK_NAME, os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        if fd >= 0:
            os.close(fd)


def remove_stale(parent: Path, prefix: str) -> list[Path]:
    """Remove the folders ``parent/prefix*`` of runs that are gone; returns them."""
    removed: list[Path] = []
    try:
        candidates = sorted(parent.glob(f"{prefix}*"))
    except OSError:
        return removed
    for path in candidates:
        if _is_stale(path):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _is_stale(path: Path) -> bool:
    try:
        info = path.lstat()
    except OSError:
        return False
    if not path.is_dir() or path.is_symlink() or info.st_uid != os.getuid():
        return False  # not ours to remove (another user's, in a shared temp dir)
    try:
        fd = os.open(path / LOCK_NAME, os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return time.time() - info.st_mtime > UNLOCKED_GRACE
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False  # its run is alive
    finally:
        os.close(fd)  # closing drops our lock: a run starting now uses a new folder, never this one
    return True
