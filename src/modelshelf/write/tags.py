"""Tag names, counters, creation, push and deletion: byte-for-byte what GTO writes.

GTO (through libgit2) stores the message verbatim, without the trailing
newline ``git tag -m`` adds; ``--cleanup=verbatim`` gives the same object.
The tagger is the Git committer identity (config or GIT_COMMITTER_* env),
and GIT_COMMITTER_DATE is honoured, as for any ``git tag``.
"""

from __future__ import annotations

import shlex

from ..core.events import TagRecord
from ..core.grammar import TAG_RE, Action, TagName, format_tag_name, tag_to_name
from ..git import GitError, GitRepo
from .errors import PushFailed, TagExists


def next_counter(records: list[TagRecord], artifact: str) -> int:
    """GTO's ``name_tag``: the max ``#N`` over every tag of the artifact, plus one.

    GTO scans all tag names (lightweight ones too, and any action), so do we.
    """
    counter = 0
    for record in records:
        match = TAG_RE.match(record.name)
        if match and match["counter"] and tag_to_name(match["artifact"]) == artifact:
            counter = max(counter, int(match["counter"]))
    return counter + 1


def make_tag_name(
    records: list[TagRecord],
    action: Action,
    artifact: str,
    version: str | None = None,
    stage: str | None = None,
    counted: bool = False,
) -> str:
    counter = next_counter(records, artifact) if counted else None
    return format_tag_name(TagName(artifact, action, version=version, stage=stage, counter=counter))


def create_tag(repo: GitRepo, name: str, commit: str, message: str, sign: bool = False) -> None:
    """``sign``: ``git tag -s``, so the user's ``gpg.format`` and ``user.signingkey`` apply.

    Git appends the signature right after the message, so a signed tag's message
    ends with a newline (else the signature would start mid-line and not be found);
    GTO and modelshelf both read the message stripped, so it reads the same.
    """
    if any(record.name == name for record in repo.tags()):
        raise TagExists(f"tag '{name}' already exists")
    if sign:
        repo.run("tag", "-s", "--cleanup=verbatim", name, commit, "-m",
                 message if message.endswith("\n") else message + "\n")
    else:
        repo.run("tag", "-a", "--cleanup=verbatim", name, commit, "-m", message)
    repo.refresh()


def push_tag(repo: GitRepo, name: str, remote: str = "origin") -> None:
    """Push a tag this command has just created; if the push fails, delete it again.

    GTO keeps the local tag. But a tag the remote refused (someone registered the
    same version first) or never got would differ from the remote's: the local
    registry would disagree with the published one, and ``git fetch --tags`` would
    refuse to clobber it. Deleting it leaves the repo as it was, so the same
    command can simply be run again once the remote is reachable or fetched.
    """
    ref = f"refs/tags/{name}"
    try:
        repo.run("push", remote, f"{ref}:{ref}")
    except GitError as exc:
        try:
            repo.run("tag", "-d", name)
        finally:
            repo.refresh()
        raise PushFailed(
            f"the command `git push {shlex.quote(remote)} {shlex.quote(name)}` failed ({_detail(exc)}), "
            "so the new tag was deleted locally too (nothing is left to disagree with the remote): "
            f"run `git fetch --tags {shlex.quote(remote)}` (or fix the remote), then the same command again"
        ) from None


def delete_tags(repo: GitRepo, names: list[str], push: bool = False, remote: str = "origin") -> None:
    """Delete tags locally and, with ``push``, on ``remote`` too.

    The remote goes first, in one ``git push --delete``: if it fails, no local
    tag is gone yet, so nothing is lost and the same command can be rerun
    (deleting a tag the remote no longer has is only a warning there).
    GTO deletes and pushes one tag at a time, and stops half-way on a failure.
    """
    if not names:
        return
    if push:
        try:
            repo.run("push", remote, "--delete", *(f"refs/tags/{name}" for name in names))
        except GitError as exc:
            command = " ".join(["git push --delete", shlex.quote(remote), *map(shlex.quote, names)])
            raise PushFailed(
                f"the command `{command}` failed ({_detail(exc)}); no local tag was deleted. "
                "Make sure your local repository is in sync with the remote."
            ) from None
    try:
        repo.run("tag", "-d", *names)
    finally:
        repo.refresh()


def _detail(exc: GitError) -> str:
    """The line of git's output that says why a push failed.

    Git ends with hints ("and the repository exists.", "hint: Updates were
    rejected..."); the reason is the ``[rejected]`` line, else the first
    ``fatal:`` or ``error:`` line.
    """
    lines = [" ".join(line.split()) for line in (exc.stderr or "").splitlines() if line.strip()]
    for line in lines:
        if "[rejected]" in line or "[remote rejected]" in line:
            return line.lstrip("! ")
    for line in lines:
        if line.startswith(("fatal:", "error:")):
            return line
    return lines[-1] if lines else "no detail"
