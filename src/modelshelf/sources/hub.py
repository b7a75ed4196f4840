"""The hub index: every source's part merged into one index (schema_version 1, additive fields).

Each model keeps its record as its source publishes it, with a qualified name
(``SOURCE::NAME``) and ``source``, ``name_in_source``, ``repository`` (and for a
federated source ``source_page``) added; the top-level ``sources`` list says
what was read, when, from which commit or index, and which sources are stale.
A source that cannot be read keeps its last good part (``store``), marked
stale with the reason: its models are never dropped silently.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .. import __version__
from ..core.events import iso_utc
from ..delivery.publish import publish_configured
from ..index.build import SCHEMA_VERSION
from ..registry import load_registry
from .read import OpenRepository, SourceRead, SourceUnreadable, fetch_index, git_fingerprint, git_path, read_git, read_index
from .spec import SourceError, SourceSpec, make_source
from ..git.mirror import open_repository
from .store import SourceStore, hub_cache_dir, stamp



def mirror_opener(cache_root: Path) -> OpenRepository:
    """Git URLs through their bare mirrors under ``cache_root`` (the hub's cache: CI keeps it).
    A failed fetch raises (``keep_stale=False``): the hub keeps the source's last good read itself."""

    def open_(location: str) -> Path:
        with open_repository(location, cache_root=cache_root, keep_stale=False) as local:
            return Path(local.path)

    return open_

JSON = dict[str, Any]
Progress = Callable[[int, int, str], None]


@dataclass
class HubIndex:
    data: JSON
    problems: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)  # sources shown from their last good read
    reread: list[str] = field(default_factory=list)  # sources read afresh (the others were unchanged)
    repositories: dict[str, Path] = field(default_factory=dict)  # Git sources read fine: where their repository is


def read_time() -> str:
    """Now, or ``SOURCE_DATE_EPOCH`` (reproducible builds) when set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    seconds = int(epoch) if epoch.isdigit() else int(time.time())
    return iso_utc(seconds)


def build_hub_index(specs: list[SourceSpec], store: SourceStore, *, candidates: int = 0,
                    open_repository: OpenRepository | None = None, progress: Progress | None = None) -> HubIndex:
    """Read (or reuse) every source and merge them. ``SourceError`` for a source that is bad input
    and was never read before; any other failure makes the source stale."""
    hub = HubIndex({})
    parts: list[JSON] = []
    for position, spec in enumerate(specs, start=1):
        if progress:
            progress(position, len(specs), spec.name)
        cached = store.load(spec.name)
        try:
            part, fresh = _read(spec, store, cached, candidates, open_repository, hub.repositories)
        except SourceUnreadable as exc:
            if cached is None and exc.bad_input:
                raise SourceError(f"source '{spec.name}': {exc}") from None
            part = dict(cached["part"]) if cached is not None else _never_read(spec)
            part.update(stale=True, reason=str(exc))
            kept = f"keeping its last good read from {part['read_at']}" if part.get("read_at") else "never read"
            hub.problems.append(f"source '{spec.name}' ({spec.shown}) is stale: {exc}; {kept} "
                                f"({len(part['models'])} models)")
            hub.stale.append(spec.name)
        else:
            if fresh:
                hub.reread.append(spec.name)
        hub.problems += part.get("problems") or []
        parts.append(part)
    hub.data = merge(parts)
    return hub


def _read(spec: SourceSpec, store: SourceStore, cached: JSON | None, candidates: int,
          open_repository: OpenRepository | None, repositories: dict[str, Path]) -> tuple[JSON, bool]:
    """The source's part and whether it was read afresh (else: reused, its fingerprint unchanged)."""
    reusable = cached if cached is not None and cached.get("stamp") == stamp() else None
    if spec.kind == "index":
        raw, url = fetch_index(spec)
        fingerprint = hashlib.sha256(raw).hexdigest()
        if reusable is not None and reusable.get("fingerprint") == fingerprint:
            return _reused(reusable, spec), False
        read: SourceRead = read_index(spec, raw, url, fingerprint)
    else:
        path = git_path(spec, open_repository)
        fingerprint, _ = git_fingerprint(path, f"candidates={candidates}")
        repositories[spec.name] = path
        if reusable is not None and reusable.get("fingerprint") == fingerprint:
            return _reused(reusable, spec), False
        read = read_git(spec, path, fingerprint, candidates)
    part = {**read.part, "read_at": read_time(), "stale": False, "reason": None, "problems": read.problems}
    store.save(spec.name, fingerprint, part)
    return part, True


def _reused(cached: JSON, spec: SourceSpec) -> JSON:
    return {**cached["part"], "location": spec.shown, "stale": False, "reason": None}


def _never_read(spec: SourceSpec) -> JSON:
    return {"name": spec.name, "kind": spec.kind, "location": spec.shown, "repository": None, "site": None,
            "commit": None, "index_sha256": None, "read_at": None, "stages": [], "models": [], "events": [],
            "ignored_tags": [], "problems": []}


SOURCE_FIELDS = ("name", "kind", "location", "repository", "site", "commit", "index_sha256", "read_at", "stale",
                 "reason")


def merge(parts: list[JSON]) -> JSON:
    """One index from the sources' parts: models by qualified name, events newest first."""
    stages: dict[str, None] = {}
    for part in parts:
        stages.update((s, None) for s in part["stages"])
    models = sorted((m for part in parts for m in part["models"]), key=lambda m: m["name"])
    events = [e for part in parts for e in part["events"]]
    events.sort(key=lambda e: str(e.get("timestamp")), reverse=True)  # stable: source order on a tie
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": f"modelshelf {__version__}",
        "repository": {"head": None, "remote": None},
        "stages": list(stages),
        "models": models,
        "events": events,
        "ignored_tags": [t for part in parts for t in part["ignored_tags"]],
        "sources": [_source_entry(part) for part in parts],
    }


def _source_entry(part: JSON) -> JSON:
    entry = {**{k: part.get(k) for k in SOURCE_FIELDS}, "models": len(part["models"])}
    if part.get("claimed_rules") is not None:  # only federated sources with rules: other hubs keep their bytes
        entry["claimed_rules"] = part["claimed_rules"]
    return entry


def read_hub(specs: list[SourceSpec], base: Path, *, candidates: int = 0, progress: Progress | None = None) -> HubIndex:
    """The hub index of a catalog at ``base`` (its cache: ``store.hub_cache_dir``); Git URLs through the mirror."""
    folder = hub_cache_dir(base)
    return build_hub_index(specs, SourceStore(folder), candidates=candidates,
                           open_repository=mirror_opener(folder.parent), progress=progress)


def hub_plot_cache(base: Path) -> Path:
    return hub_cache_dir(base) / "plots"


def with_base(specs: list[SourceSpec], base: Path) -> list[SourceSpec]:
    """Relative local paths taken from ``base`` (the folder of mkdocs.yml)."""
    return [make_source(s.name, s.location, base, s.settings) for s in specs]


def publish_hub(hub: HubIndex, index_data: JSON, site_dir: Path, *, setting: bool | str, max_size: int,
                dvc_remotes: tuple[str, ...] = ()) -> list[str]:
    """Each Git source's bytes into the hub's site, as a one-repository build publishes its own
    (``publish_artifacts``); federated models keep their own sites' download URLs."""
    problems: list[str] = []
    for name, path in hub.repositories.items():
        part = {"models": [m for m in index_data["models"] if m.get("source") == name]}
        try:
            with load_registry(path) as registry:
                problems += publish_configured(registry, part, site_dir, setting=setting, max_size=max_size,
                                               dvc_remotes=dvc_remotes)
        except Exception as exc:  # noqa: BLE001 (the source went away since it was read: downloads use its repo)
            problems.append(f"source '{name}': publish artifacts: {exc}")
    return problems
