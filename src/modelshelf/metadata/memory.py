"""An in-memory ``BlobSource`` for tests and examples: commits are dicts of files."""

from __future__ import annotations

import hashlib
import posixpath

from .source import BlobInfo, TreeEntry


def _git_blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class MemorySource:
    """``{commit: {path: bytes | str}}``; directories are implied by paths."""

    def __init__(self, commits: dict[str, dict[str, bytes | str]]) -> None:
        self.commits = {
            commit: {p.strip("/"): (v.encode() if isinstance(v, str) else v) for p, v in files.items()}
            for commit, files in commits.items()
        }
        self.reads: list[tuple[str, str]] = []  # every read_file call, to test memoisation

    def _files(self, commit: str) -> dict[str, bytes]:
        return self.commits.get(commit, {})

    def read_file(self, commit: str, path: str) -> bytes | None:
        self.reads.append((commit, path))
        return self._files(commit).get(path.strip("/"))

    def blob_info(self, commit: str, path: str) -> BlobInfo | None:
        data = self._files(commit).get(path.strip("/"))
        return None if data is None else BlobInfo(_git_blob_sha(data), len(data))

    def find_files(self, commit: str, names: frozenset[str]) -> list[str]:
        return sorted(p for p in self._files(commit) if posixpath.basename(p) in names)

    def is_dir(self, commit: str, path: str) -> bool:
        prefix = path.strip("/") + "/"
        return prefix != "/" and any(p.startswith(prefix) for p in self._files(commit))

    def _tree_sha(self, commit: str, path: str) -> str:
        # Content-addressed like Git's, so caches keyed by tree sha behave the same.
        prefix = path + "/"
        listing = "".join(
            f"{p[len(prefix):]}\0{_git_blob_sha(d)}\n"
            for p, d in sorted(self._files(commit).items())
            if p.startswith(prefix)
        )
        return hashlib.sha1(listing.encode()).hexdigest()

    def tree(self, commit: str, path: str = "") -> list[TreeEntry] | None:
        base = path.strip("/")
        if base and not self.is_dir(commit, base):
            return None
        prefix = base + "/" if base else ""
        entries: dict[str, TreeEntry] = {}
        for p, data in self._files(commit).items():
            if not p.startswith(prefix):
                continue
            head, sep, _rest = p[len(prefix):].partition("/")
            if sep:
                digest = self._tree_sha(commit, prefix + head)
                entries[head] = TreeEntry("40000", head, digest)
            else:
                entries[head] = TreeEntry("100644", head, _git_blob_sha(data))
        return [entries[k] for k in sorted(entries)]
