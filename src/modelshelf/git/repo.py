"""Reading a repository: tags, commits, blobs and trees.

Everything the registry needs from Git goes through ``GitRepo``; nothing
else in the package runs git. Reads are batched: one ``for-each-ref`` gives
every tag with its tagger, message and peeled commit; one long-lived
``cat-file --batch`` serves every blob and tree.
"""

from __future__ import annotations

import os
import posixpath
import subprocess
import tempfile
import threading
from collections import Counter, OrderedDict, deque
from itertools import chain
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import ModelshelfError
from ..core.events import CommitRecord, TagRecord
from .catfile import CatFile
from .objects import BlobInfo, TreeEntry, int_or_zero, parse_commit, parse_tree, skipped, text
from .tagrefs import TAG_FORMAT, parse_tag_refs
from .treewalk import FoundFiles, Step, TreeWalk, parse_diff_steps

class NotAGitRepo(ModelshelfError):
    """The path is not inside a Git repository."""


class GitError(ModelshelfError):
    """A git command failed; ``stderr`` says why."""

    def __init__(self, args: list[str], returncode: int, stderr: str) -> None:
        self.command = args
        self.returncode = returncode
        self.stderr = stderr
        lines = stderr.strip().splitlines()
        super().__init__(f"git {' '.join(args)} failed: {lines[-1] if lines else f'exit {returncode}'}")


@dataclass(frozen=True)
class RepoWarning:
    """Something about the checkout that makes the registry incomplete."""

    code: str
    message: str


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)


class GitRepo:
    """One repository (work tree, linked worktree or bare).

    Trees are cached by sha, so resolving a path at a commit walks only the
    trees that differ from commits already seen (Git's Merkle structure does
    the deduplication), and thousands of commits cost little more than one.
    """

    def __init__(self, path: str | os.PathLike[str] = ".") -> None:
        self.path = Path(path)
        if not self.path.is_dir():
            raise NotAGitRepo(f"{self.path}: no such directory")
        probe = _git(self.path, "rev-parse", "--is-bare-repository", "--absolute-git-dir", "--git-common-dir")
        if probe.returncode != 0:
            raise NotAGitRepo(f"{self.path}: not a Git repository (or any parent up to /)")
        bare, git_dir, common_dir = text(probe.stdout).splitlines()[:3]
        self.is_bare = bare == "true"
        self.git_dir = Path(git_dir)
        self.common_dir = (self.path / common_dir).resolve() if not os.path.isabs(common_dir) else Path(common_dir)
        if self.is_bare:
            self.root = self.git_dir
        else:
            top = _git(self.path, "rev-parse", "--show-toplevel")
            self.root = Path(text(top.stdout).strip()) if top.returncode == 0 else self.path.resolve()
        self._cat = CatFile(self.root)
        self._commits: dict[str, CommitRecord] = {}
        self._tags: list[TagRecord] | None = None
        self._dangling: dict[str, str] = {}  # tags left out: their object or commit is missing
        self._not_utf8: list[str] = []  # annotated tags whose message or tagger had to be repaired
        # Subtrees are kept (their number is bounded by distinct content: unchanged
        # folders are one object across commits); commits' root trees, a new one per
        # commit listing every top-level folder, are kept within a budget of entries.
        self._trees: dict[str, dict[str, TreeEntry]] = {}
        self._roots: OrderedDict[str, dict[str, TreeEntry]] = OrderedDict()
        self._root_entries = 0
        self._known_entries: dict[bytes, TreeEntry] = {}  # one object per distinct tree entry
        self._root_trees: dict[str, str | None] = {}
        self._sizes: dict[str, int] = {}
        self._blobs: dict[str, bytes] = {}  # prefetched small blobs (see ``prefetch``)
        self._blob_bytes = 0
        self._found: dict[tuple[str, frozenset[str]], tuple[tuple[str, str], ...]] = {}
        self._found_below: dict[tuple[str, str, frozenset[str]], tuple[tuple[str, str], ...]] = {}
        self._found_by_entry: dict[frozenset[str], dict[TreeEntry, tuple[tuple[str, str], ...]]] = {}
        self._remotes: dict[str, str | None] = {}
        # Commits read in order (``prefetch``): one flat tree moved by diffs (see treewalk).
        self._walk = TreeWalk()
        self._steps: deque[Step] = deque()
        self._queued: Counter[str] = Counter()
        self._empty_tree: str | None = None
        self._diffing: tuple[list[tuple[str, str, str]], subprocess.Popen[bytes], threading.Thread, list[bytes]] | None = None
        self.tree_entries_read = 0  # entries of tree objects parsed (what scale tests count)
        self._folders: OrderedDict[tuple[str, str], str | None] = OrderedDict()  # (root tree, folder) -> tree id

    # -- identity -------------------------------------------------------
    def run(self, *args: str, env: dict[str, str] | None = None) -> str:
        """Run one git command in the repo (for the write path)."""
        result = subprocess.run(
            ["git", *args], cwd=self.root, env={**os.environ, **(env or {})}, capture_output=True, check=False
        )
        if result.returncode != 0:
            raise GitError(list(args), result.returncode, text(result.stderr))
        return text(result.stdout)

    def head(self) -> str | None:
        """The checked-out commit, or None in an empty repository."""
        return self.resolve("HEAD")

    def resolve(self, rev: str) -> str | None:
        """The commit a revision names, or None."""
        if not rev or rev.startswith("-"):
            return None
        info = self._cat.info(f"{rev}^{{commit}}")
        return info.sha if info is not None and info.type == "commit" else None

    def remote_url(self, name: str = "origin") -> str | None:
        if name not in self._remotes:
            result = _git(self.root, "config", "--get", f"remote.{name}.url")
            self._remotes[name] = text(result.stdout).strip() or None if result.returncode == 0 else None
        return self._remotes[name]

    def is_shallow(self) -> bool:
        return (self.git_dir / "shallow").exists() or (self.common_dir / "shallow").exists()

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
        self.tags()  # finds the dangling tags
        for name, sha in sorted(self._dangling.items()):
            found.append(RepoWarning(
                "dangling-tag",
                f"tag '{name}' points at a missing object ({sha}): skipped. Fix: delete it "
                f"(`git tag -d {name}`) or fetch the missing objects",
            ))
        if not self.tags() and self.head() is not None and self.remote_url() is not None:
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
        """Every tag, annotated or not, from one ``for-each-ref`` call.

        A tag whose object or commit is missing (history rewritten, object pruned)
        makes that call fail: such tags are then found, left out and named by
        ``warnings()``, and the others read from a throw-away ref list.
        """
        if self._tags is None:
            result = _git(self.root, "for-each-ref", f"--format={TAG_FORMAT}", "refs/tags")
            if result.returncode != 0:
                dangling = self._dangling_tags()
                if dangling:
                    self._dangling = dangling
                    result = self._for_each_ref_without(set(dangling))
            if result.returncode != 0:
                raise GitError(["for-each-ref", "refs/tags"], result.returncode, text(result.stderr))
            parsed = parse_tag_refs(result.stdout)
            for commit, tree in parsed.root_trees.items():
                self._root_trees.setdefault(commit, tree)
            self._tags, self._not_utf8 = parsed.records, parsed.not_utf8
        return self._tags

    def _tag_refs(self) -> list[tuple[bytes, str]]:
        """(ref name, object id) of every tag, without reading any object."""
        listing = _git(self.root, "for-each-ref", "--format=%(refname)%00%(objectname)", "refs/tags")
        pairs = []
        for line in listing.stdout.split(b"\n"):
            ref, sep, sha = line.partition(b"\0")
            if sep:
                pairs.append((ref, sha.decode()))
        return pairs

    def _dangling_tags(self) -> dict[str, str]:
        """Tags (name -> object id) whose object, or the object it points at, is missing."""
        pairs = self._tag_refs()
        query = "".join(f"{sha}^{{}}\n" for _, sha in pairs).encode()
        checked = subprocess.run(["git", "cat-file", "--batch-check"], cwd=self.root, input=query,
                                 capture_output=True, check=False)
        answers = checked.stdout.split(b"\n")
        return {
            text(ref[len(b"refs/tags/"):]): sha
            for (ref, sha), answer in zip(pairs, answers) if answer.endswith(b" missing")
        }

    def _for_each_ref_without(self, dangling: set[str]) -> subprocess.CompletedProcess[bytes]:
        """``for-each-ref`` over every tag but ``dangling``: a temporary Git dir that lists
        the other tags and borrows this repository's objects (nothing here is written)."""
        kept = sorted((ref, sha) for ref, sha in self._tag_refs() if text(ref[len(b"refs/tags/"):]) not in dangling)
        with tempfile.TemporaryDirectory(prefix="modelshelf-refs-") as tmp:
            git_dir = Path(tmp)
            (git_dir / "refs").mkdir()
            (git_dir / "objects" / "info").mkdir(parents=True)
            (git_dir / "objects" / "info" / "alternates").write_text(str((self.common_dir / "objects").resolve()) + "\n")
            (git_dir / "HEAD").write_text("ref: refs/heads/main\n")
            (git_dir / "packed-refs").write_bytes(b"".join(sha.encode() + b" " + ref + b"\n" for ref, sha in kept))
            return _git(self.root, "--git-dir", str(git_dir), "for-each-ref", f"--format={TAG_FORMAT}", "refs/tags")

    def tags_not_utf8(self) -> list[str]:
        """Annotated tags whose message or tagger is not UTF-8 (read with U+FFFD in its place).

        modelshelf reads them; GTO stops on them, so ``doctor`` points them out.
        """
        self.tags()
        return list(self._not_utf8)

    def refresh(self) -> None:
        """Forget cached tags (after the write path created one)."""
        self._tags = None
        self._not_utf8 = []

    # -- commits --------------------------------------------------------
    def commit(self, rev: str) -> CommitRecord | None:
        """A commit's identity; tagged commits come free with ``tags()``."""
        if rev in self._commits:
            return self._commits[rev]
        sha = self.resolve(rev)
        if sha is None:
            return None
        if sha not in self._commits:
            found = self._cat.contents(sha)
            if found is None:
                return None
            self._commits[sha] = parse_commit(sha, found[1])
        return self._commits[sha]

    def prefetch_commits(self, shas: list[str]) -> None:
        """Read many commits with one ``git log --no-walk`` instead of one cat-file request each."""
        wanted = [sha for sha in dict.fromkeys(shas) if sha not in self._commits]
        if len(wanted) < 16:
            return  # not worth a process
        fields = ("%H", "%P", "%an", "%ae", "%cn", "%ce", "%ct", "%B")
        result = subprocess.run(
            ["git", "log", "--no-walk=unsorted", "--stdin", "--format=" + "%x00".join(fields) + "%x00"],
            cwd=self.root, input="\n".join(wanted).encode(), capture_output=True, check=False,
        )
        if result.returncode != 0:
            return  # commit() still reads each one on demand
        tokens = result.stdout.split(b"\0")
        for start in range(0, len(tokens) - len(fields) + 1, len(fields)):
            sha, parents, a_name, a_email, c_name, c_email, c_time, message = tokens[start : start + len(fields)]
            sha_text = sha.strip().decode()
            self._commits[sha_text] = CommitRecord(
                sha_text, int_or_zero(c_time), text(a_name), text(a_email), text(c_name), text(c_email),
                text(message), tuple(parents.decode().split()),
            )

    def commit_times(self) -> dict[str, int]:
        """Committer time of every tagged commit (read with ``tags()``)."""
        return {t.target: t.commit_timestamp for t in self.tags() if t.object_type == "commit"}

    def log(self, rev: str, paths: list[str] | None = None, max_count: int = 50) -> list[str]:
        """Commits reachable from ``rev`` that touched ``paths``, newest first."""
        args = ["log", "--format=%H", f"--max-count={max_count}", rev, "--"]
        result = _git(self.root, *(args + list(paths or [])))
        return text(result.stdout).split() if result.returncode == 0 else []

    # -- blobs and trees ------------------------------------------------
    def _root_tree(self, commit: str) -> str | None:
        if commit not in self._root_trees:
            info = self._cat.info(f"{commit}^{{tree}}")
            self._root_trees[commit] = info.sha if info is not None else None
        return self._root_trees[commit]

    def _entries(self, tree_sha: str, root: bool = False) -> dict[str, TreeEntry]:
        entries = self._trees.get(tree_sha)
        if entries is None:
            entries = self._roots.get(tree_sha)
            if entries is not None:
                self._roots.move_to_end(tree_sha)
                return entries
            found = self._cat.contents(tree_sha)
            entries = parse_tree(found[1], self._known_entries) if found and found[0].type == "tree" else {}
            self.tree_entries_read += len(entries)
            self._keep_tree(tree_sha, entries, root)
        return entries

    def _keep_tree(self, tree_sha: str, entries: dict[str, TreeEntry], root: bool) -> None:
        if not root:
            self._trees[tree_sha] = entries
            return
        if tree_sha not in self._roots:
            self._root_entries += len(entries)
        self._roots[tree_sha] = entries
        while self._root_entries > _ROOT_BUDGET and len(self._roots) > 1:
            _, dropped = self._roots.popitem(last=False)
            self._root_entries -= len(dropped)

    def _walked(self, commit: str) -> TreeWalk | None:
        """The walk, moved to ``commit`` if it is queued ahead; None when it cannot be there."""
        walk = self._walk
        if walk.commit == commit:
            return walk
        if not self._queued[commit]:
            return None
        while self._steps:
            step = self._steps.popleft()
            self._queued[step.commit] -= 1
            walk.apply(step)
            if step.commit == commit:
                return walk
        return None  # pragma: no cover - a queued commit is always in the steps

    def _entry(self, commit: str, path: str) -> TreeEntry | None:
        """The tree entry at ``path`` in a commit (None for the root or a missing path)."""
        walk = self._walked(commit)
        if walk is not None:
            key = "/".join(p for p in path.split("/") if p) if "//" in path or path[:1] == "/" or path[-1:] == "/" else path
            return walk.paths.get(key) if key else None
        tree = self._root_tree(commit)
        parts = [p for p in path.strip("/").split("/") if p]
        if tree is None or not parts or any(p in (".", "..") for p in parts):
            return None
        if len(parts) > 1 and not self._root_cached(tree) and "\n" not in path:
            # A commit off the walk whose root is not parsed: git finds the folder (in C),
            # rather than listing every top-level folder here for one lookup.
            folder = self._folder_sha(tree, "/".join(parts[:-1]))
            return self._entries(folder).get(parts[-1]) if folder is not None else None
        entry: TreeEntry | None = None
        for depth, part in enumerate(parts):
            entry = self._entries(tree, root=depth == 0).get(part)
            if entry is None:
                return None
            if depth < len(parts) - 1:
                if not entry.is_tree:
                    return None
                tree = entry.sha
        return entry

    def read_blob(self, sha: str) -> bytes | None:
        if sha in self._blobs:
            return self._blobs[sha]
        found = self._cat.contents(sha)
        if found is None or found[0].type != "blob":
            return None
        self._sizes[sha] = found[0].size
        return found[1]

    def blob_sha(self, commit: str, path: str) -> str | None:
        """The blob sha of a file at a commit, from cached trees (usually no Git round trip)."""
        entry = self._entry(commit, path)
        if entry is None or entry.is_tree or entry.mode == "160000":
            return None
        return entry.sha

    def read_blob_capped(self, sha: str, cap: int) -> tuple[int, bytes | None] | None:
        """``(size, bytes)`` of a blob; bytes None when it is larger than ``cap``."""
        if sha in self._blobs:
            data = self._blobs[sha]
            return len(data), data if len(data) <= cap else None
        found = self._cat.contents_capped(sha, cap)
        if found is None or found[0].type != "blob":
            return None
        self._sizes[sha] = found[0].size
        return found[0].size, found[1]

    def read_file(self, commit: str, path: str) -> bytes | None:
        """A file's bytes at a commit, or None when it is not there."""
        entry = self._entry(commit, path)
        if entry is None or entry.is_tree or entry.mode == "160000":
            return None
        return self.read_blob(entry.sha)

    def blob_info(self, commit: str, path: str) -> BlobInfo | None:
        entry = self._entry(commit, path)
        if entry is None or entry.is_tree or entry.mode == "160000":
            return None
        if entry.sha not in self._sizes:
            info = self._cat.info(entry.sha)
            if info is None:
                return None
            self._sizes[entry.sha] = info.size
        return BlobInfo(entry.sha, self._sizes[entry.sha])

    def is_dir(self, commit: str, path: str) -> bool:
        entry = self._entry(commit, path)
        return entry is not None and entry.is_tree

    def _root_cached(self, tree: str) -> bool:
        return tree in self._roots or tree in self._trees

    def _folder_sha(self, root: str, folder: str) -> str | None:
        """The tree id of ``folder`` under the root tree ``root`` (remembered), None if not a folder."""
        key = (root, folder)
        if key in self._folders:
            self._folders.move_to_end(key)
            return self._folders[key]
        info = self._cat.info(f"{root}:{folder}")
        sha = info.sha if info is not None and info.type == "tree" else None
        self._folders[key] = sha
        if len(self._folders) > _FOLDERS:
            self._folders.popitem(last=False)
        return sha

    def tree(self, commit: str, path: str = "") -> list[TreeEntry] | None:
        """Entries of a directory at a commit, or None when it is not a directory."""
        parts = [p for p in path.split("/") if p]
        root = self._root_tree(commit) if parts and self._walk.commit != commit and not self._queued[commit] else None
        if (root is not None and not self._root_cached(root) and "\n" not in path
                and not any(p in (".", "..") for p in parts)):
            folder = self._folder_sha(root, "/".join(parts))  # one lookup in git, not a root listing here
            return list(self._entries(folder).values()) if folder is not None else None
        if path.strip("/"):
            entry = self._entry(commit, path)
            if entry is None or not entry.is_tree:
                return None
            sha = entry.sha
        else:
            root = self._root_tree(commit)
            if root is None:
                return None
            sha = root
        return list(self._entries(sha, root=not path.strip("/")).values())

    def find_blobs(self, commit: str, names: frozenset[str]) -> list[tuple[str, str]]:
        """``(path, blob sha)`` of files called one of ``names`` anywhere in the commit.

        Memoised per tree object, so walking thousands of commits costs only
        the subtrees that changed between them.
        """
        walk = self._walked(commit)
        if walk is not None:
            return list(walk.found(names).files())
        root = self._root_tree(commit)
        return sorted(self._find_in_tree(root, names, top=True)) if root else []

    def found_files(self, commit: str, names: frozenset[str]) -> FoundFiles:
        """``find_blobs`` with a key that tells equal lists apart cheaply (see ``FoundFiles``).

        Along a walk (``prefetch``) the list is kept up to date by diffs: no per-commit
        work for the files that did not change.
        """
        walk = self._walked(commit)
        if walk is not None:
            return walk.found(names)
        files = tuple(self.find_blobs(commit, names))
        return FoundFiles(("listed", files), lambda: files)

    def find_files(self, commit: str, names: frozenset[str]) -> list[str]:
        """Paths of files called one of ``names`` anywhere in the commit's tree."""
        return [path for path, _ in self.find_blobs(commit, names)]

    def _find_in_tree(self, tree_sha: str, names: frozenset[str], top: bool = False) -> tuple[tuple[str, str], ...]:
        """``top``: a commit's root tree (seldom shared by two commits: not memoised)."""
        if top:
            return self._find_at_root(tree_sha, names)
        memo = self._found
        key = (tree_sha, names)
        if key in memo:
            return memo[key]
        prefixed = self._found_below
        found: list[tuple[str, str]] = []
        for entry in self._entries(tree_sha, root=top).values():
            if entry.is_tree:
                # A subtree's results, already prefixed with its name: an unchanged
                # folder costs one lookup per commit, not one string per file found.
                below = prefixed.get((entry.name, entry.sha, names))
                if below is None:
                    inner = () if skipped(entry.name) else self._find_in_tree(entry.sha, names)
                    below = tuple((f"{entry.name}/{p}", sha) for p, sha in inner)
                    prefixed[(entry.name, entry.sha, names)] = below
                found += below
            elif entry.name in names and entry.mode != "160000":
                found.append((entry.name, entry.sha))
        result = tuple(found)
        if not top:
            memo[key] = result
        return result

    def _find_at_root(self, tree_sha: str, names: frozenset[str]) -> tuple[tuple[str, str], ...]:
        """``_find_in_tree`` of a root tree: each entry's findings are kept by entry (entries
        are shared objects), so a root that differs from earlier ones by a folder or two
        costs one C-level lookup per entry and Python work only for the new entries."""
        by_entry = self._found_by_entry.setdefault(names, {})
        entries = list(self._entries(tree_sha, root=True).values())
        for entry in set(entries).difference(by_entry):
            if entry.is_tree:
                inner = () if skipped(entry.name) else self._find_in_tree(entry.sha, names)
                by_entry[entry] = tuple((f"{entry.name}/{p}", sha) for p, sha in inner)
            elif entry.name in names and entry.mode != "160000":
                by_entry[entry] = ((entry.name, entry.sha),)
            else:
                by_entry[entry] = ()
        return tuple(chain.from_iterable(map(by_entry.__getitem__, entries)))

    # -- prefetching (pipelined batches instead of one round trip per object) --
    def prefetch(self, commits: list[str], markers: frozenset[str], then: list[str] | None = None) -> None:
        """Warm the caches for reading metadata at these commits, in this order.

        The commits are queued on the tree walk: one ``git diff-tree`` lists what
        changed from each to the next, so reading a commit then costs its changed
        paths, not a listing of its whole tree. The small blobs that changed beside
        a file named in ``markers`` (a model's folder: its dvc.yaml, metrics, params,
        ...) or at the root, and the folders that changed, are read in a few
        pipelined ``cat-file`` batches. Reads that this guessed wrong still work,
        one request each; commits read out of this order are read from their trees.
        ``then``: the commits the next call will ask for: git starts on their diff now,
        while these are read (a diff costs git the size of both root trees).
        """
        commits = list(dict.fromkeys(commits))
        if not commits:
            return
        last = self._steps[-1].tree if self._steps else self._walk.tree or self._empty_tree_sha()
        pairs = self._pairs(commits, last)
        steps = self._diff(pairs)
        if then:
            self._start_diff(self._pairs(list(dict.fromkeys(then)), pairs[-1][2] if pairs else last))
        if not steps:
            return
        self._blobs.clear()  # the previous batch's blobs are parsed (and cached by sha) by now
        self._blob_bytes = 0
        self._steps.extend(steps)
        self._queued.update(step.commit for step in steps)
        paths = self._walk.paths
        marked = {posixpath.dirname(c.path) for step in steps for c in step.changes
                  if c.entry is not None and c.entry.name in markers}
        trees: dict[str, None] = {}
        blobs: dict[str, None] = {}
        for step in steps:
            for change in step.changes:
                entry = change.entry
                if entry is None or entry.mode == "160000":
                    continue
                if entry.is_tree:
                    if entry.sha not in self._trees:
                        trees[entry.sha] = None
                    continue
                folder = posixpath.dirname(change.path)
                if folder == "" or folder in marked or any(
                        f"{folder}/{name}" in paths for name in markers):
                    blobs[entry.sha] = None
        tree_list = list(trees)
        for start in range(0, len(tree_list), _BATCH):
            for sha, info, data in self._cat.many("contents", tree_list[start : start + _BATCH]):
                ok = info is not None and info.type == "tree" and data is not None
                self._trees[sha] = parse_tree(data, self._known_entries) if ok else {}
                self.tree_entries_read += len(self._trees[sha])
        self.prefetch_blobs(list(blobs))

    def _empty_tree_sha(self) -> str | None:
        """The empty tree's id in this repository's hash (the walk starts from it)."""
        if self._empty_tree is None:
            found = subprocess.run(["git", "hash-object", "-t", "tree", "--stdin"], cwd=self.root, input=b"",
                                   capture_output=True, check=False)
            self._empty_tree = text(found.stdout).strip() if found.returncode == 0 else ""
        return self._empty_tree or None

    def _pairs(self, commits: list[str], last: str | None) -> list[tuple[str, str, str]]:
        """(commit, previous tree, its tree) for each commit whose root tree is known."""
        self._prefetch_root_trees(commits)
        pairs: list[tuple[str, str, str]] = []
        for commit in commits:
            tree = self._root_trees.get(commit)
            if tree is not None and last is not None:
                pairs.append((commit, last, tree))
                last = tree
        return pairs

    def _start_diff(self, pairs: list[tuple[str, str, str]]) -> None:
        """Run ``git diff-tree`` for ``pairs`` in the background (see ``_diff``)."""
        if not pairs:
            return
        proc = subprocess.Popen(["git", "diff-tree", "--stdin", "-r", "-t", "-z", "--no-renames"], cwd=self.root,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        answer: list[bytes] = []
        request = "".join(f"{old} {new}\n" for _, old, new in pairs).encode()
        thread = threading.Thread(target=lambda: answer.append(proc.communicate(request)[0]), daemon=True)
        thread.start()
        self._diffing = (pairs, proc, thread, answer)

    def _diff(self, pairs: list[tuple[str, str, str]]) -> list[Step]:
        """What changed at each (commit, old tree, new tree): one ``git diff-tree`` for all.

        One process per batch: git keeps every tree it parsed, so one process for
        the whole history would hold them all.
        """
        if self._diffing is None or self._diffing[0] != pairs:
            self._finish_diff()
            self._start_diff(pairs)
        if self._diffing is None:
            return []
        _, proc, thread, answer = self._diffing
        self._diffing = None
        thread.join()
        if proc.returncode != 0 or not answer:
            return []  # a missing object: the commits are read from their trees
        try:
            return list(parse_diff_steps(answer[0], pairs))
        except ValueError:
            return []

    def _finish_diff(self) -> None:
        """Wait for a background diff nobody asked for (a reader that changed its mind)."""
        if self._diffing is not None:
            _, proc, thread, _ = self._diffing
            self._diffing = None
            thread.join()
            proc.wait()

    def _prefetch_root_trees(self, commits: list[str]) -> None:
        unknown = [c for c in commits if c not in self._root_trees]
        for name, info, _ in self._cat.many("info", [f"{c}^{{tree}}" for c in unknown]):
            self._root_trees[name[: -len("^{tree}")]] = info.sha if info is not None else None

    def prefetch_blobs(self, shas: list[str], cap: int = 1 << 18) -> None:
        """Sizes of ``shas``, and the bytes of those up to ``cap``, within a memory budget."""
        unknown = [sha for sha in dict.fromkeys(shas) if sha not in self._sizes]
        for start in range(0, len(unknown), _BATCH):
            for sha, info, _ in self._cat.many("info", unknown[start : start + _BATCH]):
                if info is not None and info.type == "blob":
                    self._sizes[sha] = info.size
        small: list[str] = []
        for sha in dict.fromkeys(shas):
            size = self._sizes.get(sha)
            if sha in self._blobs or size is None or size > cap:
                continue
            if self._blob_bytes + size > _BLOB_BUDGET:
                continue  # too big for what is left: smaller ones may still fit
            self._blob_bytes += size
            small.append(sha)
        batch: list[str] = []
        batch_bytes = 0
        for position, sha in enumerate(small):
            batch.append(sha)
            batch_bytes += self._sizes[sha]
            if batch_bytes >= _BATCH_BYTES or len(batch) == _BATCH or position == len(small) - 1:
                for name, info, data in self._cat.many("contents", batch):
                    if info is not None and info.type == "blob" and data is not None:
                        self._blobs[name] = data
                batch, batch_bytes = [], 0

    def close(self) -> None:
        self._finish_diff()
        self._cat.close()

    def __enter__(self) -> "GitRepo":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def root_or_folder(path: str | os.PathLike[str]) -> Path | None:
    """The work tree root when ``path`` is in a Git repo, else ``path`` if it is a folder.

    For commands that edit files (``add``, ``init``) and also work before ``git init``.
    """
    try:
        with GitRepo(path) as repo:
            return repo.root
    except NotAGitRepo:
        return Path(path) if Path(path).is_dir() else None


_BATCH = 1024  # objects per pipelined cat-file batch (bounds the memory of one answer)
_BATCH_BYTES = 8 << 20  # bytes of blob contents per batch
_BLOB_BUDGET = 48 << 20  # bytes of prefetched blobs kept in memory
_FOLDERS = 100_000  # remembered (root tree, folder) -> folder tree id lookups
_ROOT_BUDGET = 200_000  # entries of commits' root trees kept parsed (a few MB: entries are shared)
