"""What to fetch: files, where each can come from, and what each must hash to.

A ``Plan`` is built from an index record (see ``locate.py``) and carried out
by ``materialize.py``; keeping them apart lets ``download`` and ``publish_artifacts``
share one verified transfer path.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO, Protocol

from ..git.lfs import missing_message, parse_pointer, repo_object_path
from .errors import TransferFailed
from .transport import ObjectAbsent, open_url
from .verify import Digest

if TYPE_CHECKING:  # GitPython is imported only when a repo is read
    from ..git.repo import GitRepo


class Location(Protocol):
    def open(self) -> BinaryIO:
        """A stream of the bytes; ``ObjectAbsent`` if absent here."""

    def describe(self) -> str:
        """Where, for messages."""


@dataclass(frozen=True)
class UrlLocation:
    url: str

    def open(self) -> BinaryIO:
        return open_url(self.url)

    def describe(self) -> str:
        return self.url


@dataclass(frozen=True)
class GitBlobLocation:
    """A file committed to Git, read at the version's commit (not from the work tree).

    A Git LFS pointer is followed to the object in the clone's LFS store (``lfs.storage`` honoured).
    """

    repo: GitRepo
    commit: str
    path: str

    def open(self) -> BinaryIO:
        try:
            data = self.repo.read_file(self.commit, self.path)
        except Exception as exc:  # noqa: BLE001 (git errors: report, do not crash)
            raise TransferFailed(f"{self.describe()}: git read failed: {exc}") from None
        if data is None:
            raise ObjectAbsent(f"{self.describe()}: not in the commit")
        pointer = parse_pointer(data)
        if pointer is not None:  # committed through Git LFS: the bytes are in the clone's LFS store
            try:
                where = repo_object_path(self.repo, pointer.oid)
            except Exception as exc:  # noqa: BLE001 (a broken git config: report, do not crash)
                raise TransferFailed(f"{self.describe()}: cannot read lfs.storage: {exc}") from None
            try:
                return open(where, "rb")
            except FileNotFoundError:
                raise TransferFailed(f"{self.describe()}: {missing_message(pointer.oid, self.path, where)}") from None
            except OSError as exc:
                raise TransferFailed(f"{self.describe()}: cannot read its LFS object: {exc.strerror or exc}") from None
        return io.BytesIO(data)

    def describe(self) -> str:
        return f"git {self.commit[:7]}:{self.path}"


@dataclass(frozen=True)
class FileItem:
    """One file of the result; ``relpath`` is relative to the model folder ('' for a single file)."""

    relpath: str
    locations: tuple[Location, ...]
    digest: Digest | None
    size: int | None = None  # bytes the index records: reading stops past it


@dataclass(frozen=True)
class Plan:
    """A model version's bytes: one file, or a folder of files."""

    name: str  # the output file or folder name
    is_dir: bool
    items: tuple[FileItem, ...]
    tree_sha256: str | None = None  # a folder: sha256 of its sha256sum-style manifest
    size: int | None = None  # a folder: total bytes the index records (a file: see its item)

    @property
    def verifiable(self) -> bool:
        if self.is_dir and self.tree_sha256:
            return True
        return bool(self.items) and all(item.digest is not None for item in self.items)
