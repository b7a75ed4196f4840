"""``init``'s ``.gitignore`` entries: the built site and the build cache stay out of commits.

A cache committed by mistake would reach every clone (and its CI); the site is a build
output. ``.cache/`` is where older modelshelf versions kept the plugin's cache inside the
work tree: still ignored, so an old checkout's cache is never added by ``git add -A``.
Appending is idempotent: an entry already present (in any of Git's equivalent
spellings) is not written again.
"""

from __future__ import annotations

from pathlib import Path

from ..atomic import atomic_write

GITIGNORE = ".gitignore"
IGNORED = ("/site/", "/.cache/")
COMMENT = "# modelshelf: the built catalog and the build cache"


def _key(line: str) -> str:
    """``site``, ``site/``, ``/site`` and ``/site/`` all ignore the root's site folder."""
    return line.strip().strip("/")


def missing_entries(existing: str, wanted: tuple[str, ...] = IGNORED) -> list[str]:
    present = {_key(line) for line in existing.splitlines() if line.strip() and not line.lstrip().startswith(("#", "!"))}
    return [entry for entry in wanted if _key(entry) not in present]


def with_entries(existing: str, wanted: tuple[str, ...] = IGNORED) -> str:
    """``existing`` with the missing entries appended (unchanged when none are missing)."""
    missing = missing_entries(existing, wanted)
    if not missing:
        return existing
    lead = "" if not existing or existing.endswith("\n") else "\n"
    gap = "\n" if existing.strip() else ""
    return existing + lead + gap + "\n".join([COMMENT, *missing]) + "\n"


def add_to_gitignore(root: Path) -> Path | None:
    """Append the missing entries to ``root``'s ``.gitignore`` (made when absent); the file when it changed."""
    ignore = root / GITIGNORE
    before = ignore.read_text(encoding="utf-8") if ignore.is_file() else ""
    after = with_entries(before)
    if after == before:
        return None
    atomic_write(ignore, after)
    return ignore
