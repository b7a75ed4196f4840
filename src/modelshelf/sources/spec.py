"""Sources as the user names them: ``NAME=LOCATION`` on the CLI, ``sources:`` in mkdocs.yml.

What a location is decides how it is read:

- ``index``: an ``http(s)://`` or ``file://`` URL, or a path, ending in ``.json``
  (another catalog's ``api/registry.json``: federation);
- ``git``: any other URL (``https://``, ``ssh://``, ``git@host:org/repo.git``,
  ``file://``), read through a bare mirror kept in the cache;
- ``local``: any other path (a repository on this machine).

Every mistake is one ``SourceError`` naming the source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ..core.errors import ModelshelfError
from ..core.naming import RESERVED_STEMS
from ..core.qualified import is_valid_source_name
from ..git.urls import display_url

KINDS = ("local", "git", "index")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+://")
_SCP_LIKE = re.compile(r"^(?:[A-Za-z0-9._-]+@)?[A-Za-z0-9.-]+:(?!//)[^\s]+$")


class SourceError(ModelshelfError, ValueError):
    """A source named wrongly, or one that cannot be what its location says (exit 2)."""


@dataclass(frozen=True)
class SourceSettings:
    """How the hub shows one source's models (the hub never loads a source's mkdocs.yml)."""

    stages: tuple[str, ...] = ()
    stage_colors: dict[str, str] = field(default_factory=dict)
    lower_is_better: tuple[str, ...] | None = None  # None: the hub's own setting


@dataclass(frozen=True)
class SourceSpec:
    name: str
    location: str  # as given (may hold credentials: never shown; see ``shown``)
    kind: str
    settings: SourceSettings = field(default_factory=SourceSettings)

    @property
    def shown(self) -> str:
        """The location without credentials, for pages, the index and messages."""
        return display_url(self.location)


def source_kind(location: str) -> str:
    if location.lower().endswith(".json"):
        return "index"
    if _URL.match(location) or (_SCP_LIKE.match(location) and len(location.split(":", 1)[0]) > 1):
        return "git"
    return "local"


def make_source(name: object, location: object, base: Path | None = None,
                settings: SourceSettings | None = None) -> SourceSpec:
    """One checked source; a relative local path is taken from ``base`` (mkdocs.yml's folder)."""
    if not isinstance(name, str) or not isinstance(location, str) or not location.strip():
        raise SourceError(f"source {name!r}: needs a name and a location (strings)")
    if not is_valid_source_name(name) or name.lower() in RESERVED_STEMS:
        raise SourceError(f"source '{name}': not a valid source name: use letters, digits, '-' and '_', starting "
                          "with a letter or digit (it names a folder of the catalog; not one of "
                          f"{', '.join(sorted(RESERVED_STEMS))})")
    kind = source_kind(location)
    if kind == "local" and base is not None and not Path(location).expanduser().is_absolute():
        location = str(base / location)
    return SourceSpec(name, location, kind, settings or SourceSettings())


def parse_source_argument(text: str, base: Path | None = None) -> SourceSpec:
    """``NAME=LOCATION`` (the CLI's ``--source``)."""
    name, sep, location = text.partition("=")
    if not sep or not name or not location:
        raise SourceError(f"--source {text!r}: expected NAME=LOCATION (a path, a Git URL or an "
                          "api/registry.json URL)")
    return make_source(name, location, base)


def settings_from_options(name: str, options: dict[str, Any]) -> SourceSettings:
    stages = options.get("stages") or []
    colors = options.get("stage_colors") or {}
    lower = options.get("lower_is_better")
    if not isinstance(stages, list) or not all(isinstance(s, str) for s in stages):
        raise SourceError(f"source '{name}': 'stages' must be a list of stage names")
    if not isinstance(colors, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in colors.items()):
        raise SourceError(f"source '{name}': 'stage_colors' must map stage names to colours")
    if lower is not None and (not isinstance(lower, list) or not all(isinstance(p, str) for p in lower)):
        raise SourceError(f"source '{name}': 'lower_is_better' must be a list of metric names or patterns")
    return SourceSettings(tuple(stages), dict(colors), tuple(lower) if lower is not None else None)


SOURCE_KEYS = frozenset({"name", "location", "stages", "stage_colors", "lower_is_better"})


def sources_from_options(items: Iterable[object], base: Path | None = None) -> list[SourceSpec]:
    """The plugin option ``sources:`` (a list of mappings), checked."""
    specs = []
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise SourceError(f"sources: item {position} must be a mapping with 'name' and 'location'")
        name = item.get("name", f"#{position}")
        unknown = sorted(set(item) - SOURCE_KEYS)
        if unknown:
            raise SourceError(f"source '{name}': unknown key(s) {', '.join(map(str, unknown))} "
                              f"(known: {', '.join(sorted(SOURCE_KEYS))})")
        specs.append(make_source(name, item.get("location"), base, settings_from_options(str(name), item)))
    return check_sources(specs)


def check_sources(specs: list[SourceSpec]) -> list[SourceSpec]:
    """``specs`` if no two share a name (case-insensitively: they are folders of the site)."""
    seen: dict[str, str] = {}
    for spec in specs:
        key = spec.name.lower()
        if key in seen:
            raise SourceError(f"source '{spec.name}': two sources are named '{seen[key]}' and '{spec.name}' "
                              "(names must differ, also in case)")
        seen[key] = spec.name
    return specs
