"""Source-qualified model names: ``SOURCE::NAME`` in a catalog that reads several sources.

A GTO name is ``[dir:]name``: the directory part may not contain ``:`` and the
name starts with a letter or digit, so a GTO name holds at most one ``:`` and
never ``::`` (gto/constants.py: ``dirname = "[a-zA-Z0-9-_./]+"``,
``fullname = (?P<dirname>{dirname}:)?(?P<name>{name})``). ``::`` therefore can
never be part of a model's own name, and ``SOURCE::NAME`` splits at its first
``::`` unambiguously. It also survives specs (``churn::model#prod``,
``vision::det:yolo@v1.0.0``: ``@`` and ``#`` never occur in a source name) and
page naming: a source is a folder of the catalog (``models/<source>/<stem>/``),
so source names are plain folder names (letters, digits, ``-``, ``_``).
"""

from __future__ import annotations

import re

QUALIFIER = "::"
SOURCE_NAME_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}"
SOURCE_NAME_RE = re.compile(rf"^{SOURCE_NAME_PATTERN}$")


def is_valid_source_name(name: str) -> bool:
    return bool(SOURCE_NAME_RE.match(name))


def qualify(source: str, name: str) -> str:
    """``SOURCE::NAME``."""
    return f"{source}{QUALIFIER}{name}"


def split_qualified(name: str) -> tuple[str | None, str]:
    """``(source, name)`` of a qualified name; ``(None, name)`` for a plain one."""
    source, sep, rest = name.partition(QUALIFIER)
    return (source, rest) if sep else (None, name)


def is_qualified(name: str) -> bool:
    return QUALIFIER in name
