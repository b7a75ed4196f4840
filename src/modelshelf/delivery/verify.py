"""Checksums and path safety: what makes a download trustworthy.

Hashes follow the producers exactly: Git content in the index carries sha256
(a directory: sha256 of a ``sha256sum``-style manifest sorted by path, see
``metadata/storage.py``); DVC records md5 (DVC 3: of the bytes; DVC 2: of the
bytes with CRLF turned into LF when the first 512 bytes look like text,
applied per 1 MiB chunk as DVC 2 does).
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import IntegrityFailed

_HEX = re.compile(r"^[0-9a-f]+$")
_TEXT_CHARS = bytes(range(32, 127)) + b"\n\r\t\f\b"
_DVC2_CHUNK = 1 << 20
_DVC2_TEXT_PROBE = 512


@dataclass(frozen=True)
class Digest:
    """An expected checksum. ``dvc_legacy``: DVC 2's dos2unix md5 is accepted too."""

    algo: str  # "sha256" | "md5"
    value: str
    dvc_legacy: bool = False

    def __post_init__(self) -> None:
        width = {"sha256": 64, "md5": 32}.get(self.algo)
        if width is None or len(self.value) != width or not _HEX.match(self.value):
            raise IntegrityFailed(f"malformed {self.algo} checksum {self.value!r} in the index")

    def __str__(self) -> str:
        return f"{self.algo}:{self.value}"


@dataclass(frozen=True)
class Hashes:
    """What was actually received."""

    sha256: str
    md5: str
    size: int


class Hasher:
    """sha256 and md5 of a stream, updated as the bytes are written."""

    def __init__(self) -> None:
        self._sha256, self._md5, self._size = hashlib.sha256(), hashlib.md5(usedforsecurity=False), 0

    def update(self, chunk: bytes) -> None:
        self._sha256.update(chunk)
        self._md5.update(chunk)
        self._size += len(chunk)

    def result(self) -> Hashes:
        return Hashes(self._sha256.hexdigest(), self._md5.hexdigest(), self._size)


def is_text_block(block: bytes) -> bool:
    """DVC's heuristic (``istextblock``): no NUL, at most 30% non-text bytes."""
    if not block:
        return True
    if b"\x00" in block:
        return False
    return len(block.translate(None, _TEXT_CHARS)) / len(block) <= 0.30


def dvc2_md5(path: Path) -> str:
    """md5 as DVC 2 computed it for a file (``md5-dos2unix``)."""
    digest = hashlib.md5(usedforsecurity=False)
    is_text: bool | None = None
    with open(path, "rb") as handle:
        while chunk := handle.read(_DVC2_CHUNK):
            if is_text is None:
                is_text = is_text_block(chunk[:_DVC2_TEXT_PROBE])
            digest.update(chunk.replace(b"\r\n", b"\n") if is_text else chunk)
    return digest.hexdigest()


def check(expected: Digest, got: Hashes, path: Path, what: str) -> None:
    """Raise ``IntegrityFailed`` unless the received bytes match."""
    actual = got.sha256 if expected.algo == "sha256" else got.md5
    if actual == expected.value:
        return
    if expected.algo == "md5" and expected.dvc_legacy and dvc2_md5(path) == expected.value:
        return
    raise IntegrityFailed(f"{what}: checksum mismatch: expected {expected}, got {expected.algo}:{actual} ({got.size} bytes)")


def sha256_manifest(files: list[tuple[str, str]]) -> str:
    """``sha256sum``-style manifest text of (relpath, sha256) pairs, sorted by path."""
    return "".join(f"{digest}  {rel}\n" for rel, digest in sorted(files))


def parse_sha256_manifest(text: str, where: str) -> list[tuple[str, str]]:
    """(relpath, sha256) pairs of a published directory manifest."""
    entries: list[tuple[str, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        digest, sep, rel = line.partition("  ")
        if not sep or len(digest) != 64 or not _HEX.match(digest):
            raise IntegrityFailed(f"{where}: line {number} is not '<sha256>  <path>'")
        entries.append((safe_relpath(rel, where), digest))
    return entries


def safe_name(name: str, where: str) -> str:
    """One path component that stays inside the output folder."""
    if name in ("", ".", "..") or "/" in name or "\\" in name or "\0" in name or "\n" in name:
        raise IntegrityFailed(f"{where}: refusing unsafe name {name!r}")
    return name


def safe_relpath(rel: str, where: str) -> str:
    """A relative POSIX path with no '..', '.', empty or absolute parts."""
    if not isinstance(rel, str) or not rel or rel.startswith("/") or re.match(r"^[A-Za-z]:", rel):
        raise IntegrityFailed(f"{where}: refusing path {rel!r}: it would escape the output folder")
    for part in rel.split("/"):
        if part in ("", ".", "..") or "\\" in part or "\0" in part or "\n" in part:
            raise IntegrityFailed(f"{where}: refusing path {rel!r}: it would escape the output folder")
    return posixpath.normpath(rel)


def check_layout(relpaths: list[str], where: str) -> None:
    """No duplicates, and no path that is both a file and a folder of another."""
    seen = set(relpaths)
    if len(seen) != len(relpaths):
        raise IntegrityFailed(f"{where}: the manifest lists a path twice")
    for rel in relpaths:
        parent = posixpath.dirname(rel)
        while parent:
            if parent in seen:
                raise IntegrityFailed(f"{where}: {parent!r} is both a file and a folder")
            parent = posixpath.dirname(parent)
