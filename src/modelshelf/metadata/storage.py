"""Where a model's bytes are at a commit: Git, Git LFS, DVC, an external URL, or nowhere.

Git content is hashed here (sha256 of a file's bytes; for a directory, of a
``sha256sum``-style manifest sorted by path) so downloads can be verified
without Git (an LFS pointer counts as the content it names: its oid is that
sha256). Hashes are cached by blob / tree sha: each is computed once.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass

from ..git.lfs import LfsPointer, parse_pointer
from .lock import file_hashes
from .model import ArtifactDecl, FileHash, LineageStage, MetadataProblem, Storage
from .parse import DocumentCache, folder_of
from .source import BlobSource


@dataclass(frozen=True)
class DirDigest:
    nfiles: int
    size: int
    sha256: str


class GitHasher:
    """sha256 of Git blobs and trees, memoised by object sha."""

    def __init__(self, source: BlobSource, docs: DocumentCache) -> None:
        self.source, self.docs = source, docs
        self._blobs: dict[str, tuple[str, int]] = {}
        self._lfs: dict[str, LfsPointer] = {}
        self._trees: dict[str, DirDigest] = {}
        self._links: dict[str, str] = {}  # tree sha -> a symlink inside it (download refuses such folders)
        self._walking = ""  # the tree sha being hashed

    def blob(self, commit: str, path: str, sha: str) -> tuple[str, int] | None:
        """(sha256, size) of a file's content: for a Git LFS pointer, of the object it names."""
        if sha not in self._blobs:
            data = self.docs.read_bytes(commit, path)
            if data is None:
                return None
            pointer = parse_pointer(data)
            if pointer is not None:
                self._lfs[sha] = pointer
                self._blobs[sha] = (pointer.oid, pointer.size)
            else:
                self._blobs[sha] = (hashlib.sha256(data).hexdigest(), len(data))
        return self._blobs[sha]

    def lfs(self, sha: str) -> LfsPointer | None:
        """The LFS pointer a blob (already hashed with ``blob``) holds, if it is one."""
        return self._lfs.get(sha)

    def tree(self, commit: str, path: str, sha: str) -> DirDigest | None:
        if sha not in self._trees:
            files: list[tuple[str, str, int]] = []
            self._walking = sha
            if not self._walk(commit, path, "", files):
                return None
            files.sort()
            manifest = "".join(f"{digest}  {rel}\n" for rel, digest, _size in files)
            self._trees[sha] = DirDigest(
                len(files), sum(size for *_, size in files), hashlib.sha256(manifest.encode()).hexdigest()
            )
        return self._trees[sha]

    def _walk(self, commit: str, root: str, rel: str, out: list[tuple[str, str, int]]) -> bool:
        entries = self.source.tree(commit, f"{root}/{rel}" if rel else root)
        if entries is None:
            return False
        for entry in entries:
            child = f"{rel}/{entry.name}" if rel else entry.name
            if entry.is_tree:
                self._walk(commit, root, child, out)
            elif entry.mode != "160000":  # submodules have no bytes here
                if entry.mode == "120000":
                    self._links.setdefault(self._walking, child)
                digest = self.blob(commit, f"{root}/{child}", entry.sha)
                if digest is not None:
                    out.append((child, digest[0], digest[1]))
        return True

    def symlink_in(self, sha: str) -> str | None:
        """A symlink inside the folder with this tree sha (hashed with ``tree`` first), if any."""
        return self._links.get(sha)

    def tree_sha(self, commit: str, path: str) -> str | None:
        entries = self.source.tree(commit, folder_of(path))
        name = posixpath.basename(path)
        for entry in entries or ():
            if entry.name == name and entry.is_tree:
                return entry.sha
        return None


def _dvc_file_outs(docs: DocumentCache, commit: str, dvc_path: str) -> tuple[tuple[FileHash, ...], list[MetadataProblem]]:
    doc = docs.load(commit, dvc_path)
    if doc is None:
        return (), []
    if doc.error:
        return (), [MetadataProblem(dvc_path, commit, doc.error)]
    if not isinstance(doc.data, dict) or not isinstance(doc.data.get("outs"), list):
        return (), [MetadataProblem(dvc_path, commit, "expected a mapping with an 'outs' list")]
    return file_hashes(doc.data["outs"], folder_of(dvc_path)), []


def _dvc_tracking(
    docs: DocumentCache, commit: str, path: str, stages: Sequence[LineageStage]
) -> tuple[FileHash | None, str | None, bool, list[MetadataProblem]]:
    """(hash entry, tracking file, exact?) for a path DVC tracks itself or via a parent folder."""
    problems: list[MetadataProblem] = []
    candidates = [path]
    parent = folder_of(path)
    while parent:
        candidates.append(parent)
        parent = folder_of(parent)
    for candidate in candidates:
        for stage in sorted(stages, key=lambda s: s.name):
            for out in stage.outs:
                if out.path == candidate:
                    return out, stage.lock_file, candidate == path, problems
        dvc_file = f"{candidate}.dvc"
        outs, found = _dvc_file_outs(docs, commit, dvc_file)
        problems += found
        for out in outs:
            if out.path == candidate:
                return out, dvc_file, candidate == path, problems
    return None, None, False, problems


def read_storage(
    source: BlobSource,
    docs: DocumentCache,
    hasher: GitHasher,
    commit: str,
    decl: ArtifactDecl | None,
    stages: Sequence[LineageStage],
) -> tuple[Storage, list[MetadataProblem]]:
    if decl is None:
        return Storage("missing"), []
    if decl.url:
        return Storage("url", url=decl.url), []
    path = decl.repo_path
    if not path:
        return Storage("missing"), []
    info = docs.info(commit, path)
    if info is not None and _is_symlink(source, commit, path):  # its blob is the link text, not bytes
        return Storage("missing", path=path), [MetadataProblem(
            path, commit, "is a symbolic link: a model's path must be a committed file or folder; refused")]
    if info is not None:
        digest = hasher.blob(commit, path, info.sha)
        pointer = hasher.lfs(info.sha)
        if pointer is not None:  # the bytes are in LFS; the pointer says their sha256 and size
            return Storage("lfs", path=path, size=pointer.size, sha256=pointer.oid, git_sha=info.sha), []
        return Storage(
            "git", path=path, size=info.size, sha256=digest[0] if digest else None, git_sha=info.sha
        ), []
    tracked, tracked_by, exact, problems = _dvc_tracking(docs, commit, path, stages)
    if tracked is not None and exact:
        return Storage(
            "dvc", path=path, is_dir=tracked.is_dir, size=tracked.size, nfiles=tracked.nfiles,
            md5=tracked.md5, tracked_by=tracked_by,
        ), problems
    if source.is_dir(commit, path):
        tree_sha = hasher.tree_sha(commit, path)
        digest = hasher.tree(commit, path, tree_sha) if tree_sha else None
        link = hasher.symlink_in(tree_sha) if tree_sha else None
        if link is not None:
            problems = [*problems, MetadataProblem(path, commit, f"holds a symbolic link ('{link}'): "
                                                   "download refuses model folders with symlinks")]
        return Storage(
            "git", path=path, is_dir=True, size=digest.size if digest else None,
            nfiles=digest.nfiles if digest else None, sha256=digest.sha256 if digest else None,
            git_sha=tree_sha,
        ), problems
    if tracked is not None:
        # Inside a folder DVC tracks as a whole: its own hash is not recorded anywhere.
        return Storage("dvc", path=path, tracked_by=tracked_by), problems
    return Storage("missing", path=path), problems



def _is_symlink(source: BlobSource, commit: str, path: str) -> bool:
    """Whether ``path`` is committed as a symlink (download refuses those, in folders too)."""
    name = posixpath.basename(path)
    return any(e.name == name and e.mode == "120000" for e in source.tree(commit, folder_of(path)) or ())
