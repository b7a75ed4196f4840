"""Git's raw objects as Python values: tree entries, commits, and text.

Pure functions over the bytes ``cat-file`` returns; ``GitRepo`` does the
reading and the caching.
"""

from __future__ import annotations

import operator
import re
import sys
from dataclasses import dataclass
from typing import NamedTuple

from ..core.events import CommitRecord


class TreeEntry(NamedTuple):
    """One tree entry (a NamedTuple: tens of thousands are made per index build)."""

    mode: str
    name: str
    sha: str

    @property
    def is_tree(self) -> bool:
        return self.mode == "40000"


@dataclass(frozen=True)
class BlobInfo:
    sha: str
    size: int


def text(raw: bytes) -> str:
    # Tag messages and names from foreign tools may not be UTF-8: never crash on them.
    return raw.decode("utf-8", errors="replace")


def is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def int_or_zero(raw: bytes) -> int:
    return int(raw) if raw.strip() else 0


def parse_commit(sha: str, data: bytes) -> CommitRecord:
    header, _, message = data.partition(b"\n\n")
    parents: list[str] = []
    people: dict[bytes, tuple[str, str, int]] = {}
    for line in header.split(b"\n"):
        key, _, value = line.partition(b" ")
        if key == b"parent":
            parents.append(value.decode())
        elif key in (b"author", b"committer"):
            name, _, rest = value.partition(b" <")
            email, _, when = rest.partition(b"> ")
            stamp = when.split()
            people[key] = (text(name), text(email), int(stamp[0]) if stamp else 0)
    author = people.get(b"author", ("", "", 0))
    committer = people.get(b"committer", ("", "", 0))
    return CommitRecord(
        sha, committer[2], author[0], author[1], committer[0], committer[1], text(message), tuple(parents)
    )


_SKIP_DIRS = frozenset({"node_modules", "__pycache__", "venv"})


def skipped(dirname: str) -> bool:
    """Folders never searched for metadata: hidden ones and tool clutter."""
    return dirname.startswith(".") or dirname in _SKIP_DIRS


_TREE_ENTRY = re.compile(rb"(\d+) ([^\0]*)\0(.{20})", re.S)
_TREE_RAW = re.compile(rb"\d+ [^\0]*\0.{20}", re.S)
_NAME = operator.attrgetter("name")


def parse_tree(data: bytes | None, known: dict[bytes, TreeEntry] | None = None) -> dict[str, TreeEntry]:
    """Entries of a raw tree object (``mode SP name NUL 20-byte-sha`` repeated), by name.

    ``known``: entries already made, by their raw bytes; an entry that many trees
    share (an unchanged folder under every commit's root) is then one object.
    """
    if known is None:
        entries = (
            TreeEntry(mode.decode(), name.decode("utf-8", errors="replace"), sha.hex())
            for mode, name, sha in _TREE_ENTRY.findall(data or b"")
        )
        return {entry.name: entry for entry in entries}
    # Set and map operations run in C: a root tree lists every top-level folder, and only
    # the few entries no earlier tree had are made in Python.
    raws = _TREE_RAW.findall(data or b"")
    for raw in set(raws).difference(known):  # a dict, not its keys view: C looks each raw up in it
        mode, name, sha = _TREE_ENTRY.fullmatch(raw).groups()  # type: ignore[union-attr]
        known[raw] = TreeEntry(sys.intern(mode.decode()), name.decode("utf-8", errors="replace"), sha.hex())
    entries = list(map(known.__getitem__, raws))
    return dict(zip(map(_NAME, entries), entries))
