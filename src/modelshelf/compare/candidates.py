"""Candidate commits: recent, never-registered changes to a model's files.

One ``git log --name-only`` over the last ``depth`` commits of HEAD (and one
``git log --no-walk`` over DVC experiment refs under ``refs/exps/``) serves
every model of a build: each model only filters the changed paths against
its own files (artifact path, metrics, params, plots, the ``dvc.lock`` or
``.dvc`` file that tracks it). So the cost of candidates does not grow with
the number of models, which keeps builds fast.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..git import GitError, GitRepo

DEFAULT_CANDIDATES = 20  # recent HEAD commits searched for unregistered candidates (the site's, compare's)
EXPS_PREFIX = "refs/exps/"
_EXP_INTERNAL = frozenset({"exec", "celery", "temp", "runs"})  # DVC's own bookkeeping refs


@dataclass(frozen=True)
class ChangedCommit:
    """A commit and the paths it changed (against its first parent)."""

    commit: str
    paths: tuple[str, ...]
    source: str = "branch"  # "branch" | "experiment"
    ref: str | None = None  # the experiment ref
    experiment: str | None = None  # its name (the ref's last part)


@dataclass(frozen=True)
class Candidate:
    commit: str
    changed: tuple[str, ...]  # the model's own paths this commit changed
    source: str
    ref: str | None
    experiment: str | None


def register_command(name: str, commit: str, first: bool = False) -> str:
    """The command that registers ``commit``: a minor bump, or (``first``: nothing registered
    yet, where a bump fails) the first version, as ``register`` picks it without a bump."""
    return f"modelshelf register {name} {commit}" + ("" if first else " --bump-minor")


def _parse_log(text: str, source: str = "branch") -> list[ChangedCommit]:
    found = []
    for chunk in text.split("\0"):
        lines = [line for line in chunk.splitlines() if line.strip()]
        if not lines:
            continue
        found.append(ChangedCommit(lines[0].strip(), tuple(lines[1:]), source))
    return found


def recent_changes(repo: GitRepo, rev: str, depth: int) -> list[ChangedCommit]:
    """The last ``depth`` commits reachable from ``rev``, newest first, with their changed paths."""
    if depth <= 0:
        return []
    try:
        text = repo.run("-c", "core.quotepath=off", "log", "--format=%x00%H", "--name-only", "--no-renames",
                        f"--max-count={depth}", rev, "--")
    except GitError:
        return []
    return _parse_log(text)


def experiment_changes(repo: GitRepo) -> list[ChangedCommit]:
    """DVC experiments (``refs/exps/<baseline>/<name>``), each with the paths it changed."""
    try:
        listing = repo.run("for-each-ref", "--format=%(refname)%00%(objectname)", EXPS_PREFIX.rstrip("/"))
    except GitError:
        return []
    refs: dict[str, str] = {}
    for line in listing.splitlines():
        ref, _, sha = line.partition("\0")
        parts = ref[len(EXPS_PREFIX):].split("/")
        if len(parts) < 3 or parts[0] in _EXP_INTERNAL or not sha:
            continue
        refs.setdefault(sha, ref)
    if not refs:
        return []
    try:
        text = repo.run("-c", "core.quotepath=off", "log", "--no-walk=sorted", "--format=%x00%H", "--name-only",
                        "--no-renames", *sorted(refs), "--")
    except GitError:
        return []
    found = []
    for item in _parse_log(text, "experiment"):
        ref = refs.get(item.commit)
        if ref is not None:
            found.append(ChangedCommit(item.commit, item.paths, "experiment", ref, ref.rsplit("/", 1)[-1]))
    return sorted(found, key=lambda c: (c.ref or "", c.commit))


def _touches(path: str, watched: frozenset[str]) -> bool:
    if path in watched:
        return True
    return any(path.startswith(w + "/") for w in watched)


class CandidateFinder:
    """Candidates of any model from one shared read of recent history."""

    def __init__(self, repo: GitRepo, head: str | None, depth: int) -> None:
        self.depth = depth
        self.changes: list[ChangedCommit] = []
        if head and depth > 0:
            self.changes = recent_changes(repo, head, depth) + experiment_changes(repo)

    def find(self, watched: set[str], known: set[str]) -> list[Candidate]:
        """Commits that changed a watched path and are none of the ``known`` (version) commits."""
        if not watched or not self.changes:
            return []
        paths = frozenset(p.strip("/") for p in watched if p)
        found: list[Candidate] = []
        seen: set[str] = set()
        for change in self.changes:
            if change.commit in known or change.commit in seen:
                continue
            mine = tuple(p for p in change.paths if _touches(p, paths))
            if mine:
                seen.add(change.commit)
                found.append(Candidate(change.commit, mine, change.source, change.ref, change.experiment))
        return found
