"""Metadata readers -> the index's JSON fragments, cached per commit.

The index asks for each version's metadata and for each model's
declaration; this module owns the mapping from the typed metadata model to
the published schema, so neither side leaks into the other.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any, Iterator

from ..metadata import MetadataReader
from ..metadata.model import ArtifactDecl, FileHash, Lineage, MetadataNotice, ModelCard, Storage, VersionMetadata
from ..registry import Registry

JSON = dict[str, Any]


def _filehash(item: FileHash) -> JSON:
    return {"path": item.path, "md5": item.md5, "size": item.size, "nfiles": item.nfiles}


def _flat_params(by_file: dict) -> JSON:
    """dvc.lock params per file -> flat ``file:key`` entries (the schema's shape)."""
    flat: JSON = {}
    for file, values in sorted(by_file.items()):
        if isinstance(values, dict):
            for key, value in sorted(values.items()):
                flat[f"{file}:{key}"] = value
        else:
            flat[file] = values
    return flat


def lineage_json(lineage: Lineage) -> JSON:
    return {
        "produced_by": lineage.produced_by,
        "stages": [
            {
                "name": stage.name,
                "lock_file": stage.lock_file,
                "cmd": stage.cmd,
                "deps": [_filehash(d) for d in stage.deps],
                "outs": [_filehash(o) for o in stage.outs],
                "params": _flat_params(stage.params),
            }
            for stage in lineage.stages
        ],
    }


def storage_json(storage: Storage) -> JSON:
    return asdict(storage)


def card_json(card: ModelCard | None) -> JSON | None:
    if card is None:
        return None
    return {"path": card.path, "markdown": card.body, "front_matter": card.front_matter}


def version_json(meta: VersionMetadata) -> JSON:
    return {
        "metrics": dict(sorted(meta.metrics.items())),
        "metric_sources": [{"path": s.path, "origin": s.origin} for s in meta.metric_sources],
        "params": dict(sorted(meta.params.items())),
        "param_sources": [{"path": s.path, "origin": s.origin} for s in meta.param_sources],
        "missing": sorted(meta.missing),
        "lineage": lineage_json(meta.lineage),
        "storage": storage_json(meta.storage),
        "problems": [str(p) for p in meta.problems],
    }


def declaration_json(decl: ArtifactDecl | None, card: ModelCard | None) -> JSON:
    if decl is None:
        return {"type": None, "path": None, "description": "", "labels": [], "meta": {}, "declared_in": None,
                "card": card_json(card)}
    return {
        "type": decl.type,
        "path": decl.url or decl.repo_path or decl.path,
        "description": decl.description,
        "labels": list(decl.labels),
        "meta": decl.meta,
        "declared_in": decl.source,
        "card": card_json(card),
    }


def notice_json(notice: MetadataNotice) -> JSON:
    """A notice as the fragment cache stores it (it never goes into the index)."""
    return asdict(notice)


def notice_from_json(data: JSON) -> MetadataNotice:
    return MetadataNotice(data["file"], data["commit"], data["kind"], data["key"], data["value"])


@dataclass
class Captured:
    """What the metadata read inside one ``MetadataJson.capture()`` block reported."""

    problems: list[str] = field(default_factory=list)
    notices: list[MetadataNotice] = field(default_factory=list)
    record: bool = True  # also add the problems to the build's list now (else the caller replays them)


class MetadataJson:
    """Per-registry cache of metadata, as JSON fragments for the index."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.reader = MetadataReader(registry.repo)
        self._problems: dict[str, None] = {}
        self._capturing: Captured | None = None

    @property
    def problems(self) -> list[str]:
        return list(self._problems)

    def note(self, problems) -> None:
        for problem in problems:
            if self._capturing is None or self._capturing.record:
                self._problems.setdefault(str(problem), None)
            if self._capturing is not None:
                self._capturing.problems.append(str(problem))

    def _note_notices(self, notices: tuple[MetadataNotice, ...]) -> None:
        """Notices are only kept for a capture block: the caller knows which version they belong to."""
        if self._capturing is not None:
            self._capturing.notices += [n for n in notices if n not in self._capturing.notices]

    @contextmanager
    def capture(self, record: bool = True) -> Iterator[Captured]:
        """Collect the problems and notices noted inside the block (to cache them with a fragment).

        ``record=False``: keep them out of ``problems`` until the caller ``note``s them
        (a fragment read ahead of its turn reports its problems in the usual order).
        """
        saved, self._capturing = self._capturing, Captured(record=record)
        try:
            yield self._capturing
        finally:
            captured, self._capturing = self._capturing, saved
            if saved is not None:
                saved.problems.extend(captured.problems)
                saved.notices += [n for n in captured.notices if n not in saved.notices]

    def metadata(self, name: str, commit: str) -> VersionMetadata:
        meta = self.reader.version(commit, name)
        self.note(meta.problems)
        self._note_notices(meta.notices)
        return meta

    def version(self, name: str, commit: str) -> JSON:
        return version_json(self.metadata(name, commit))

    def declaration(self, name: str, commits: list[str]) -> JSON:
        """The model's declaration at HEAD, else at its newest version that declares it."""
        head = self.registry.head.hexsha if self.registry.head else None
        for commit in ([head] if head else []) + commits:
            meta = self.metadata(name, commit)
            if meta.declaration is not None:
                return declaration_json(meta.declaration, meta.card)
        return declaration_json(None, None)

    def declared_only(self, known: list[str]) -> list[str]:
        """Models declared at HEAD that no tag names yet (logged, not registered)."""
        if self.registry.head is None:
            return []
        declarations = self.reader.declarations(self.registry.head.hexsha)
        self.note(declarations.problems)
        return [name for name in declarations if name not in known]
