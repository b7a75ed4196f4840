"""One commit's tree as a flat path map, moved from commit to commit by ``git diff-tree``.

Reading thousands of commits by listing each one's root tree costs the number of
top-level folders per commit (a registry with one folder per model lists every
model at every version). Walking the commits in order instead, each step applies
what ``git diff-tree -r -t`` says changed since the previous one: a version's
cost is its own changed files, whatever the number of models beside it. Files
with watched names (``dvc.yaml``, ``dvc.lock``) are kept in a separate map with a
key that changes only when one of them changes, so a reader can tell "same
declaration files as before" without comparing lists.

Pure: parsing ``diff-tree`` output and keeping the maps; ``GitRepo`` runs git.
"""

from __future__ import annotations

import itertools
import sys
from dataclasses import dataclass, field
from typing import Callable, Iterator

from .objects import TreeEntry, skipped

_KEYS = itertools.count(1)  # watch keys, unique across every walk of the process


@dataclass(frozen=True)
class Change:
    """One changed path of a diff: ``entry`` None when the path was deleted."""

    path: str
    old_sha: str
    entry: TreeEntry | None


@dataclass(frozen=True)
class Step:
    """What changed from the walk's previous tree to ``tree`` (the root tree of ``commit``)."""

    commit: str
    tree: str
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class FoundFiles:
    """The files with watched names at one commit.

    ``key``: equal keys mean equal file lists. ``base``/``changes``: this list is
    ``base``'s list with ``changes`` applied ((path, blob sha or None when removed)),
    so a reader that kept what it derived from ``base`` can update it instead of
    starting over. ``files()``: ``(path, blob sha)`` sorted by path, listed when asked.
    """

    key: object
    files: Callable[[], tuple[tuple[str, str], ...]]
    base: object | None = None
    changes: tuple[tuple[str, str | None], ...] = ()


def _mode(raw: bytes) -> str:
    """diff-tree writes ``040000``; tree objects (and ``TreeEntry``) say ``40000``."""
    return sys.intern(raw.decode().lstrip("0") or "0")


def parse_diff_steps(data: bytes, pairs: list[tuple[str, str, str]]) -> Iterator[Step]:
    """Parse ``git diff-tree --stdin -r -t -z`` output for ``pairs`` ((commit, old tree, new tree)).

    Each pair's records follow the line ``OLD NEW\\n`` that git echoes; a record is
    ``:srcmode dstmode srcsha dstsha status\\0path\\0`` (renames are off).
    """
    pos = 0
    for commit, old, new in pairs:
        header = f"{old} {new}\n".encode()
        if not data.startswith(header, pos):
            raise ValueError(f"unexpected git diff-tree output at byte {pos}")
        pos += len(header)
        changes: list[Change] = []
        while pos < len(data) and data[pos : pos + 1] == b":":
            meta_end = data.index(b"\0", pos)
            path_end = data.index(b"\0", meta_end + 1)
            src_mode, dst_mode, src_sha, dst_sha, status = data[pos + 1 : meta_end].split(b" ")
            path = data[meta_end + 1 : path_end].decode("utf-8", errors="replace")
            pos = path_end + 1
            name = path.rsplit("/", 1)[-1]
            entry = None if status == b"D" else TreeEntry(_mode(dst_mode), name, dst_sha.decode())
            changes.append(Change(path, src_sha.decode(), entry))
        yield Step(commit, new, tuple(changes))
    if pos != len(data):
        raise ValueError(f"unexpected git diff-tree output at byte {pos}")


def _watched(path: str, names: frozenset[str], entry: TreeEntry) -> bool:
    """What ``GitRepo.find_blobs`` finds: a non-tree, non-submodule file with one of
    ``names``, in no skipped folder."""
    if entry.is_tree or entry.mode == "160000" or entry.name not in names:
        return False
    return not any(skipped(part) for part in path.split("/")[:-1])


@dataclass
class _Watch:
    names: frozenset[str]
    files: dict[str, str]  # path -> blob sha
    key: object = field(default_factory=lambda: next(_KEYS))
    base: object | None = None
    changes: tuple[tuple[str, str | None], ...] = ()
    listed: tuple[tuple[str, str], ...] | None = None  # ``files`` sorted, made when asked

    def listing(self) -> tuple[tuple[str, str], ...]:
        if self.listed is None:
            self.listed = tuple(sorted(self.files.items()))
        return self.listed


class TreeWalk:
    """The flat tree of ``commit``: every path (folders included) to its entry."""

    def __init__(self) -> None:
        self.commit: str | None = None
        self.tree: str | None = None
        self.paths: dict[str, TreeEntry] = {}
        self._watches: dict[frozenset[str], _Watch] = {}
        self.changes_applied = 0  # paths changed by the steps taken (what scale tests count)

    def apply(self, step: Step) -> None:
        """Move to ``step.commit``: ``step`` must diff the current tree against its tree."""
        paths = self.paths
        touched: dict[frozenset[str], dict[str, str | None]] = {}
        self.changes_applied += len(step.changes)
        for change in step.changes:
            entry = change.entry
            if entry is None:
                old = paths.get(change.path)
                if old is None or old.sha != change.old_sha:
                    continue  # already replaced (a file that became a folder, or back)
                del paths[change.path]
            else:
                paths[change.path] = entry
            for names, watch in self._watches.items():
                if entry is not None and _watched(change.path, names, entry):
                    if watch.files.get(change.path) != entry.sha:
                        watch.files[change.path] = entry.sha
                        touched.setdefault(names, {})[change.path] = entry.sha
                elif change.path in watch.files:
                    del watch.files[change.path]
                    touched.setdefault(names, {})[change.path] = None
        for names, changed in touched.items():
            watch = self._watches[names]
            watch.base, watch.key = watch.key, next(_KEYS)
            watch.changes = tuple(sorted(changed.items()))
            watch.listed = None
        self.commit, self.tree = step.commit, step.tree

    def entry(self, path: str) -> TreeEntry | None:
        return self.paths.get(path)

    def found(self, names: frozenset[str]) -> FoundFiles:
        """The files named one of ``names``; the first call for a set of names lists them once."""
        watch = self._watches.get(names)
        if watch is None:
            files = {path: e.sha for path, e in self.paths.items() if _watched(path, names, e)}
            watch = self._watches[names] = _Watch(names, files)
        return FoundFiles(watch.key, watch.listing, watch.base, watch.changes)
