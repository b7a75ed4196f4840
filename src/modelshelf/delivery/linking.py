"""Put a cached file into a site by hardlink (a copy across filesystems), never writing into it.

A rebuild puts the same plots and published bytes into a fresh site every time; a hardlink
costs one directory entry instead of a read and a write of every byte. The cache and the
site then share an inode, so neither side may ever be written in place: the link is made
under a temporary name and renamed over the target (an existing site file is replaced by
a new inode, not overwritten), and the writers of the caches write atomically
(``atomic.atomic_write``: a new inode). Whoever reads the cache checks it before use anyway
(``svgcheck`` for plots, the blob id and sha256 for published bytes).
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from pathlib import Path

_CROSS_DEVICE = {errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP}


def place_file(source: Path, target: Path) -> bool:
    """Make ``target`` a file with ``source``'s bytes; True when hardlinked, False when copied."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    os.unlink(tmp)
    try:
        try:
            os.link(source, tmp)
            linked = True
        except OSError as exc:
            if exc.errno not in _CROSS_DEVICE:
                raise
            shutil.copyfile(source, tmp)
            linked = False
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return linked
