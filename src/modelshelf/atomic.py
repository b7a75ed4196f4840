"""Files written whole or not at all, with the permissions a plain ``open`` would give.

Every file modelshelf writes (the index, the site's API files, caches, ``dvc.yaml``
edits) goes through here: written beside the target, then renamed over it, so a
reader or an interrupted run never sees half a file. ``mkstemp`` creates files
readable by their owner only; a site served by another user (a web server) must
be able to read them, so the mode is set as ``open`` would have set it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def current_umask() -> int:
    """The process umask (reading it means setting it: set it straight back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: str | os.PathLike[str], data: str | bytes) -> None:
    """Write ``data`` to ``path`` atomically; an existing file keeps its mode.

    A target that exists but is not a regular file (``/dev/null``, a FIFO,
    ``/dev/stdout``) is written through: renaming over it would replace the device.
    A symlink is kept and the file it points to is replaced. Missing parent folders
    are created (callers that take a path from the user check it first).
    """
    payload = data.encode() if isinstance(data, str) else data
    target = Path(path)
    if target.exists() and not target.is_file():
        with open(target, "wb") as handle:
            handle.write(payload)
        return
    if target.is_symlink():
        target = target.resolve()
    mode = target.stat().st_mode & 0o7777 if target.exists() else 0o666 & ~current_umask()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
