"""linking.place_file: a hardlink on one filesystem, a copy across two; the site's later writes
(atomic: a new inode) never reach the cache it was linked from."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from modelshelf.atomic import atomic_write
from modelshelf.delivery.linking import place_file


def test_same_filesystem_links_and_an_atomic_write_leaves_the_cache_alone(tmp_path: Path) -> None:
    cache, target = tmp_path / "cache" / "plot.svg", tmp_path / "site" / "assets" / "plot.svg"
    cache.parent.mkdir()
    cache.write_bytes(b"<svg/>")
    target.parent.mkdir(parents=True)
    target.write_bytes(b"an older file in the way")
    old = target.stat().st_ino
    assert place_file(cache, target) is True
    assert target.stat().st_ino == cache.stat().st_ino != old
    atomic_write(target, b"<svg>edited</svg>")
    assert cache.read_bytes() == b"<svg/>"
    assert sorted(p.name for p in target.parent.iterdir()) == ["plot.svg"]  # no temp file left


def test_across_filesystems_copies(tmp_path: Path) -> None:
    if not Path("/dev/shm").is_dir() or os.stat("/dev/shm").st_dev == tmp_path.stat().st_dev:
        pytest.skip("no second filesystem (/dev/shm) here")
    cache = tmp_path / "kept.bin"
    cache.write_bytes(b"\x00bytes")
    with tempfile.TemporaryDirectory(dir="/dev/shm") as other:
        target = Path(other) / "artifacts" / "kept.bin"
        assert place_file(cache, target) is False
        assert target.read_bytes() == b"\x00bytes" and target.stat().st_ino != cache.stat().st_ino
