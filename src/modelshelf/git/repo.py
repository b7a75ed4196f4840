"""Reading a repository: tags, commits, blobs and trees.

Everything the registry needs from Git goes through ``GitRepo``; nothing
else in the package runs git. Reads are batched: one ``for-each-ref`` gives
every tag with its tagger, message and peeled commit; one long-lived
``cat-file --batch`` serves every blob and tree.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import git

from ..core.events import CommitRecord, TagRecord

_TAG_FIELDS = (
    "%(refname)",
    "%(objecttype)",
    "%(objectname)",
    "%(*objecttype)",
    "%(*objectname)",
    "%(taggername)",
    "%(taggeremail:trim)",
    "%(taggerdate:unix)",
    "%(contents)",
    "%(*committerdate:unix)",
    "%(*authorname)",
    "%(*authoremail:trim)",
    "%(*committername)",
    "%(*committeremail:trim)",
    "%(*parent)",
    "%(*contents)",
    "%(committerdate:unix)",
    "%(authorname)",
    "%(authoremail:trim)",
    "%(committername)",
    "%(committeremail:trim)",
    "%(parent)",
    "%(contents)",
)
_TAG_FORMAT = "%00".join(_TAG_FIELDS) + "%00"


class NotAGitRepo(Exception):
    """The path is not inside a Git repository."""


@dataclass(frozen=True)
class RepoWarning:
    """Something about the checkout that makes the registry incomplete."""

    code: str
    message: str


@dataclass(frozen=True)
class TreeEntry:
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


def _text(raw: bytes) -> str:
    # Tag messages and names from foreign tools may not be UTF-8: never crash on them.
    return raw.decode("utf-8", errors="replace")


def _int(raw: bytes) -> int:
    return int(raw) if raw.strip() else 0


class GitRepo:
    """One repository (work tree, linked worktree or bare)."""

    def __init__(self, path: str | os.PathLike[str] = ".") -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise NotAGitRepo(f"{self.path}: no such directory")
        try:
            self._repo = git.Repo(self.path, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise NotAGitRepo(f"{self.path}: not a Git repository (or any parent up to /)") from None
        self._commits: dict[str, CommitRecord] = {}
        self._tags: list[TagRecord] | None = None

    # -- identity -------------------------------------------------------
    @property
    def root(self) -> Path:
        """The work tree root, or the git dir of a bare repo."""
        return Path(self._repo.working_tree_dir or self._repo.git_dir)

    @property
    def is_bare(self) -> bool:
        return self._repo.bare

    @property
    def gitpython(self) -> git.Repo:
        return self._repo

    def run(self, *args: str, env: dict[str, str] | None = None) -> str:
        """Run one git command in the repo (for the write path)."""
        full_env = {**os.environ, **(env or {})}
        result = subprocess.run(
            ["git", *args], cwd=self.root, env=full_env, capture_output=True, check=False
        )
        if result.returncode != 0:
            raise git.GitCommandError(["git", *args], result.returncode, result.stderr, result.stdout)
        return _text(result.stdout)

    def head(self) -> str | None:
        try:
            return self._repo.head.commit.hexsha
        except ValueError:
            return None  # unborn branch: an empty repository

    def resolve(self, rev: str) -> str | None:
        """The commit a revision names, or None."""
        try:
            return self._repo.rev_parse(f"{rev}^{{commit}}").hexsha
        except (git.BadName, ValueError, git.BadObject):
            return None

    def remote_url(self, name: str = "origin") -> str | None:
        try:
            return self._repo.remote(name).url
        except ValueError:
            return None

    def is_shallow(self) -> bool:
        return Path(self._repo.git_dir, "shallow").exists() or (
            self._repo.common_dir is not None and Path(self._repo.common_dir, "shallow").exists()
        )

    def warnings(self) -> list[RepoWarning]:
        """Why a registry read from this checkout may be incomplete."""
        found: list[RepoWarning] = []
        if self.is_shallow():
            found.append(
                RepoWarning(
                    "shallow",
                    "this is a shallow clone: tags and history may be missing. Fix: "
                    "`git fetch --tags --unshallow` (in CI: `fetch-depth: 0` with actions/checkout)",
                )
            )
        if not self.tags() and self.remote_url() is not None and self.head() is not None:
            found.append(
                RepoWarning(
                    "no-tags",
                    "the clone has no tags at all: registry tags were probably not fetched. Fix: "
                    "`git fetch --tags` (in CI: `fetch-depth: 0` and `fetch-tags: true`)",
                )
            )
        return found

    # -- tags -----------------------------------------------------------
    def tags(self) -> list[TagRecord]:
        """Every tag, annotated or not, from one ``for-each-ref`` call."""
        if self._tags is None:
            raw = self._repo.git.for_each_ref(
                f"--format={_TAG_FORMAT}", "refs/tags", stdout_as_string=False
            )
            self._tags = self._parse_tags(raw)
        return self._tags

    def refresh(self) -> None:
        """Forget cached tags (after the write path created one)."""
        self._tags = None

    def _parse_tags(self, raw: bytes) -> list[TagRecord]:
        fields = raw.split(b"\0")
        width = len(_TAG_FIELDS)
        records: list[TagRecord] = []
        for start in range(0, len(fields) - width + 1, width):
            (
                ref, otype, oname, ptype, pname, tagger, email, tdate, message,
                c_date, c_author, c_author_email, c_committer, c_committer_email, c_parents, c_message,
                l_date, l_author, l_author_email, l_committer, l_committer_email, l_parents, l_message,
            ) = fields[start : start + width]
            ref = ref.lstrip(b"\n")
            name = _text(ref[len(b"refs/tags/") :])
            if otype == b"tag":
                target = pname.decode()
                commit = CommitRecord(
                    target, _int(c_date), _text(c_author), _text(c_author_email),
                    _text(c_committer), _text(c_committer_email), _text(c_message),
                    tuple(c_parents.decode().split()),
                ) if ptype == b"commit" else None
                record = TagRecord(
                    name=name, target=target, annotated=True,
                    tagger_name=_text(tagger), tagger_email=_text(email),
                    timestamp=_int(tdate), message=_text(message),
                    commit_timestamp=commit.timestamp if commit else 0,
                    object_type=ptype.decode() or "unknown",
                )
            else:
                target = oname.decode()
                commit = CommitRecord(
                    target, _int(l_date), _text(l_author), _text(l_author_email),
                    _text(l_committer), _text(l_committer_email), _text(l_message),
                    tuple(l_parents.decode().split()),
                ) if otype == b"commit" else None
                record = TagRecord(
                    name=name, target=target, annotated=False,
                    commit_timestamp=commit.timestamp if commit else 0,
                    object_type=otype.decode(),
                )
            if commit is not None:
                self._commits.setdefault(commit.hexsha, commit)
            records.append(record)
        return records

    # -- commits --------------------------------------------------------
    def commit(self, rev: str) -> CommitRecord | None:
        """A commit's identity; tagged commits come free with ``tags()``."""
        if rev in self._commits:
            return self._commits[rev]
        sha = self.resolve(rev)
        if sha is None:
            return None
        if sha not in self._commits:
            c = self._repo.commit(sha)
            self._commits[sha] = CommitRecord(
                sha, c.committed_date, c.author.name or "", c.author.email or "",
                c.committer.name or "", c.committer.email or "",
                c.message if isinstance(c.message, str) else _text(c.message),
                tuple(p.hexsha for p in c.parents),
            )
        return self._commits[sha]

    def commits(self, shas: list[str]) -> dict[str, CommitRecord]:
        result: dict[str, CommitRecord] = {}
        for sha in shas:
            record = self.commit(sha)
            if record is not None:
                result[sha] = record
        return result

    def log(self, rev: str, paths: list[str] | None = None, max_count: int = 50) -> list[str]:
        """Commits reachable from ``rev`` that touched ``paths``, newest first."""
        args = ["--format=%H", f"--max-count={max_count}", rev]
        if paths:
            args += ["--", *paths]
        try:
            out = self._repo.git.log(*args)
        except git.GitCommandError:
            return []
        return out.split()

    # -- blobs and trees ------------------------------------------------
    def _object(self, spec: str) -> tuple[str, str, bytes] | None:
        try:
            sha, otype, _size, data = self._repo.git.get_object_data(spec)
        except ValueError:
            return None
        return sha.decode(), otype.decode(), data

    def read_file(self, commit: str, path: str) -> bytes | None:
        """A file's bytes at a commit, or None when it is not there."""
        obj = self._object(f"{commit}:{path.lstrip('/')}")
        if obj is None or obj[1] != "blob":
            return None
        return obj[2]

    def blob_info(self, commit: str, path: str) -> BlobInfo | None:
        try:
            sha, otype, size = self._repo.git.get_object_header(f"{commit}:{path.lstrip('/')}")
        except ValueError:
            return None
        if otype != b"blob":
            return None
        return BlobInfo(sha.decode(), int(size))

    def sha256(self, commit: str, path: str) -> str | None:
        data = self.read_file(commit, path)
        return hashlib.sha256(data).hexdigest() if data is not None else None

    def is_dir(self, commit: str, path: str) -> bool:
        obj = self._object(f"{commit}:{path.strip('/')}") if path.strip("/") else None
        return obj is not None and obj[1] == "tree"

    def tree(self, commit: str, path: str = "") -> list[TreeEntry] | None:
        """Entries of a directory at a commit, or None when it is not a directory."""
        spec = f"{commit}:{path.strip('/')}" if path.strip("/") else f"{commit}^{{tree}}"
        obj = self._object(spec)
        if obj is None or obj[1] != "tree":
            return None
        return list(_parse_tree(obj[2]))

    def find_files(self, commit: str, names: frozenset[str]) -> list[str]:
        """Paths of files called one of ``names`` anywhere in the commit's tree.

        Memoised per tree object, so walking thousands of commits costs only
        the subtrees that changed between them.
        """
        obj = self._object(f"{commit}^{{tree}}")
        if obj is None:
            return []
        return sorted(self._find_in_tree(obj[0], names))

    @lru_cache(maxsize=65536)
    def _find_in_tree(self, tree_sha: str, names: frozenset[str]) -> tuple[str, ...]:
        obj = self._object(tree_sha)
        if obj is None:
            return ()
        found: list[str] = []
        for entry in _parse_tree(obj[2]):
            if entry.is_tree:
                if entry.name.startswith(".") or entry.name in _SKIP_DIRS:
                    continue
                found += [f"{entry.name}/{p}" for p in self._find_in_tree(entry.sha, names)]
            elif entry.name in names:
                found.append(entry.name)
        return tuple(found)

    def close(self) -> None:
        self._repo.close()

    def __enter__(self) -> "GitRepo":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_SKIP_DIRS = frozenset({"node_modules", "__pycache__", "venv"})


def _parse_tree(data: bytes):
    pos = 0
    end = len(data)
    while pos < end:
        space = data.index(b" ", pos)
        nul = data.index(b"\0", space)
        mode = data[pos:space].decode()
        name = _text(data[space + 1 : nul])
        sha = data[nul + 1 : nul + 21].hex()
        pos = nul + 21
        yield TreeEntry(mode, name, sha)
