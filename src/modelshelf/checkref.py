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

from .core.events import Event, iso_utc
from .declare import Declaration, read_declaration
from .registry import load_registry

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


def check_ref(ref: str, repo: str | os.PathLike[str] = ".") -> list[RefEvent]:
    """The events a tag created: one for a registry tag, none otherwise."""
    tag = ref[len(REFS_TAGS):] if ref.startswith(REFS_TAGS) else ref
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


def dotenv_lines(outputs: dict[str, str]) -> str:
    """GitLab dotenv report: ``MODELSHELF_KEY=value``, one line each (newlines become spaces)."""
    return "".join(
        f"MODELSHELF_{key.upper()}={' '.join(value.split())}\n" for key, value in outputs.items()
    )
