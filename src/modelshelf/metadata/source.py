"""What the metadata readers need from a repository.

``GitRepo`` satisfies this protocol; ``MemorySource`` is a tiny in-memory
stand-in for unit tests. Readers never run git themselves.
"""

from __future__ import annotations

from typing import Protocol

from ..git.objects import BlobInfo, TreeEntry

__all__ = ["BlobInfo", "BlobSource", "TreeEntry"]


class BlobSource(Protocol):
    def read_file(self, commit: str, path: str) -> bytes | None:
        """A file's bytes at a commit, or None when it is not there."""

    def blob_info(self, commit: str, path: str) -> BlobInfo | None:
        """A file's blob sha and size (cheap: no bytes read), or None."""

    def find_files(self, commit: str, names: frozenset[str]) -> list[str]:
        """Repo-relative paths of files with one of ``names``, sorted."""

    def is_dir(self, commit: str, path: str) -> bool:
        """Whether ``path`` is a directory at the commit."""

    def tree(self, commit: str, path: str = "") -> list[TreeEntry] | None:
        """A directory's entries, or None when it is not a directory."""
