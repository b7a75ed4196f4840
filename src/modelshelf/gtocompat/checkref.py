"""What a pushed tag means, for CI: ``check-ref`` (same keys as ``gto check-ref --json``).

The event is looked up in the folded registry state, as GTO does, so a
lightweight tag or a tag outside the grammar means nothing (no event). The
model's declaration at the tagged commit adds type, path and description.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.events import Event, iso_utc
from ..declare import Declaration, read_declaration
from ..git import GitRepo
from ..registry import load_registry

REFS_TAGS = "refs/tags/"


@dataclass(frozen=True)
class RefEvent:
    """One registry event and the model's declaration at its commit."""

    event: Event
    declaration: Declaration | None

    def to_json(self) -> dict[str, Any]:
        """GTO's ``dict_state`` keys, in GTO's order, then modelshelf's extras."""
        e = self.event
        data: dict[str, Any] = {
            "artifact": e.artifact,
            "created_at": iso_utc(e.timestamp),
            "author": e.author,
            "author_email": e.author_email,
            "message": e.message,
            "commit_hexsha": e.commit,
            "tag": e.tag,
        }
        if e.version is not None:
            data["version"] = e.version
        if e.stage is not None:
            data["stage"] = e.stage
        data["event"] = e.kind.value
        d = self.declaration
        data["type"] = d.type if d else None
        data["path"] = d.path if d else None
        data["description"] = d.description if d else None
        return data

    def outputs(self) -> dict[str, str]:
        """Flat string outputs for CI (``$GITHUB_OUTPUT``); empty strings for absent values."""
        e, d = self.event, self.declaration
        return {
            "event": e.kind.value,
            "name": e.artifact,
            "version": e.version or "",
            "stage": e.stage or "",
            "tag": e.tag or "",
            "commit": e.commit,
            "type": (d.type or "") if d else "",
            "path": (d.path or "") if d else "",
            "description": (d.description or "") if d else "",
        }


def tag_name(ref: str) -> str:
    return ref[len(REFS_TAGS):] if ref.startswith(REFS_TAGS) else ref


def tag_exists(ref: str, repo: str | os.PathLike[str] = ".") -> bool:
    """Whether the repository has the tag at all (a non-event may still be a tag)."""
    git = GitRepo(repo)
    try:
        return git.resolve(REFS_TAGS + tag_name(ref)) is not None
    finally:
        git.close()


def check_ref(ref: str, repo: str | os.PathLike[str] = ".") -> list[RefEvent]:
    """The events a tag created: one for a registry tag, none otherwise."""
    tag = tag_name(ref)
    registry = load_registry(repo)
    try:
        events = [e for e in registry.state.history(ascending=True) if e.tag == tag]
        return [RefEvent(e, read_declaration(registry.repo, e.commit, e.artifact)) for e in events]
    finally:
        registry.repo.close()


def github_output_lines(outputs: dict[str, str]) -> str:
    """``key=value`` lines; multi-line values use the heredoc form with a delimiter
    derived from the value so the text (from the repo, untrusted) can't end it early."""
    lines: list[str] = []
    for key, value in outputs.items():
        if "\n" in value or "\r" in value:
            delimiter = "EOF_" + hashlib.sha256(value.encode()).hexdigest()[:16]
            lines.append(f"{key}<<{delimiter}\n{value}\n{delimiter}")
        else:
            lines.append(f"{key}={value}")
    return "\n".join(lines) + "\n"


def append_github_output(outputs: dict[str, str], path: str | os.PathLike[str]) -> None:
    with Path(path).open("a", encoding="utf-8") as handle:
        handle.write(github_output_lines(outputs))


# GitLab's limits for a dotenv report (the defaults of its `dotenv_size` / `dotenv_variables`).
DOTENV_MAX_BYTES = 5 * 1024
DOTENV_MAX_VARIABLES = 20
# What reads the same to GitLab (``KEY=VALUE`` per line, the value taken as is) and to a
# POSIX shell that sources the file: in an assignment these are never expanded, quoted,
# split or ended (``#`` is literal inside a word; ``~`` is not: tilde expansion).
_DOTENV_PUNCTUATION = frozenset("_-.,:/@#%+=")


def dotenv_safe(value: str) -> bool:
    """True if ``value`` reads the same when GitLab parses it and when ``sh`` sources it."""
    return all(ch.isalnum() or ch in _DOTENV_PUNCTUATION for ch in value)


@dataclass(frozen=True)
class Dotenv:
    text: str
    left_out: tuple[str, ...]  # variables whose value a shell would read differently, or over the limits


def dotenv_lines(outputs: dict[str, str], existing: str = "") -> Dotenv:
    """GitLab dotenv report lines ``MODELSHELF_KEY=value``, appended to ``existing``.

    GitLab keeps quotes as characters, so no quoting can make a value with a space,
    ``$``, a backtick, a quote or a newline read the same in GitLab and in ``sh``:
    such values are left out (``--json`` has the full text), as is what would take
    the file over GitLab's limits.
    """
    size = len(existing.encode("utf-8"))
    count = sum(1 for line in existing.splitlines() if line.strip())
    lines: list[str] = []
    left_out: list[str] = []
    for key, value in outputs.items():
        line = f"MODELSHELF_{key.upper()}={value}\n"
        length = len(line.encode("utf-8"))
        if not dotenv_safe(value) or size + length > DOTENV_MAX_BYTES or count + 1 > DOTENV_MAX_VARIABLES:
            left_out.append(f"MODELSHELF_{key.upper()}")
            continue
        lines.append(line)
        size += length
        count += 1
    return Dotenv("".join(lines), tuple(left_out))
