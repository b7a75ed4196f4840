"""Metrics and params of one model at one commit.

Which files belong to a model: files its ``meta`` names (``meta.metrics`` /
``meta.params``) are its own, and so are metrics files that the ``dvc.lock``
stage which produced it also wrote; otherwise, with one model in its ``dvc.yaml``,
every file listed there is its; with several, a file belongs to the model
whose folder holds it (the deepest such folder wins). Params files that the
model's own pipeline stages recorded in ``dvc.lock`` are its too (only the
recorded keys). When two files give the same flat key, the first file wins,
in this order: meta, ``dvc.yaml`` lists, DVCLive, ``params.yaml``, ``dvc.lock``.
A NaN or infinite value is left out and noted (``MetadataNotice``) when it would
have been the key's value, i.e. no earlier file gave that key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from .declarations import DvcYaml
from .model import ArtifactDecl, LineageStage, MetadataNotice, MetadataProblem, Scalar, ValueSource
from .parse import DocumentCache, flatten, folder_of, is_url, is_within, repo_path

DVCLIVE_METRICS = "dvclive/metrics.json"
DVCLIVE_PARAMS = "dvclive/params.yaml"
PARAMS_YAML = "params.yaml"

V = TypeVar("V")


@dataclass(frozen=True)
class Candidate:
    """A metrics/params file that may belong to a model."""

    path: str
    origin: str
    keys: tuple[str, ...] = ()  # only these keys (and below); empty: all
    listed: bool = True  # named somewhere, so its absence from Git is reported
    owners: tuple[str, ...] = ()  # models that name it in meta; empty: decided by folder
    lineage: bool = False  # recorded by the model's own stages in dvc.lock: always its


@dataclass(frozen=True)
class Group:
    """The models declared in one ``dvc.yaml`` (the root one also holds artifacts.yaml's)."""

    folder: str
    dvc: DvcYaml | None
    artifacts: tuple[ArtifactDecl, ...]
    homes: tuple[tuple[str, str | None], ...]  # (model, folder its files live in)
    produced: dict[str, tuple[str, ...]]  # model -> outs of the dvc.lock stage that produced it


@dataclass(frozen=True)
class Values:
    values: dict[str, Scalar]
    sources: tuple[ValueSource, ...]
    missing: tuple[str, ...]
    problems: tuple[MetadataProblem, ...]
    notices: tuple[MetadataNotice, ...] = ()


def _meta_paths(decl: ArtifactDecl, key: str) -> list[str]:
    named = decl.meta.get(key)
    items = [named] if isinstance(named, str) else named if isinstance(named, list) else []
    found = []
    for item in items:
        if isinstance(item, str) and item and not is_url(item):
            located = repo_path(decl.folder, item)
            if located:
                found.append(located)
    return found


def _belongs(candidate: Candidate, me: ArtifactDecl, group: Group, claimed: set[str]) -> bool:
    if candidate.lineage:
        return True
    if candidate.owners:
        return me.name in candidate.owners
    if candidate.path in claimed:
        return False  # another model names it in its meta
    if len(group.artifacts) <= 1:
        return True
    return me.name in _folder_owners(group.homes, folder_of(candidate.path))


@lru_cache(maxsize=65536)
def _folder_owners(homes: tuple[tuple[str, str | None], ...], where: str) -> frozenset[str]:
    """Models whose folder holds ``where``, the deepest folder winning (once per group and folder)."""
    matches = [(len(home), name) for name, home in homes if home is not None and is_within(where, home)]
    if not matches:
        return frozenset()
    deepest = max(length for length, _ in matches)
    return frozenset(name for length, name in matches if length == deepest)


def _keep(values: dict[str, V], keys: tuple[str, ...]) -> dict[str, V]:
    if not keys:
        return values
    return {k: v for k, v in values.items() if any(k == s or k.startswith(s + ".") for s in keys)}


class ValueReader:
    def __init__(self, docs: DocumentCache) -> None:
        self.docs = docs

    def _collect(
        self, commit: str, candidates: list[Candidate], me: ArtifactDecl, group: Group, meta_key: str,
        fallback: dict[str, dict[str, Scalar]] | None = None,
    ) -> Values:
        claimed = {c.path for c in candidates if c.owners}
        values: dict[str, Scalar] = {}
        sources: list[ValueSource] = []
        missing: list[str] = []
        problems: list[MetadataProblem] = []
        notices: list[MetadataNotice] = []
        kind = "metric" if meta_key == "metrics" else "param"
        seen: set[str] = set()
        for candidate in candidates:
            if candidate.path in seen or not _belongs(candidate, me, group, claimed):
                continue
            seen.add(candidate.path)
            doc = self.docs.load(commit, candidate.path)
            if doc is None:
                if candidate.listed:
                    missing.append(candidate.path)
                if fallback and candidate.path in fallback:
                    found = _keep(fallback[candidate.path], candidate.keys)
                    self._merge(values, found, sources, ValueSource(candidate.path, "dvc.lock", ()))
                continue
            if doc.error:
                problems.append(MetadataProblem(candidate.path, commit, doc.error))
                continue
            if doc.data is not None and not isinstance(doc.data, (dict, list)):
                problems.append(MetadataProblem(
                    candidate.path, commit, f"expected a mapping of {meta_key}, not {type(doc.data).__name__}"
                ))
                continue
            non_finite: dict[str, str] = {}
            found = _keep(flatten(doc.data, non_finite=non_finite), candidate.keys)
            notices += [
                MetadataNotice(candidate.path, commit, kind, key, label)
                for key, label in sorted(_keep(non_finite, candidate.keys).items()) if key not in values
            ]
            self._merge(values, found, sources, ValueSource(candidate.path, candidate.origin, ()))
        return Values(dict(sorted(values.items())), tuple(sources), tuple(missing), tuple(problems), tuple(notices))

    @staticmethod
    def _merge(values: dict[str, Scalar], found: dict[str, Scalar], sources: list[ValueSource], source: ValueSource) -> None:
        added = sorted(k for k in found if k not in values)
        for key in added:
            values[key] = found[key]
        sources.append(ValueSource(source.path, source.origin, tuple(added)))

    def metrics(self, commit: str, me: ArtifactDecl, group: Group) -> Values:
        candidates = [
            Candidate(path, "meta.metrics", owners=(decl.name,))
            for decl in group.artifacts
            for path in _meta_paths(decl, "metrics")
        ]
        if group.dvc is not None:
            # A metrics file written by the stage that produced a model is that model's.
            candidates += [
                Candidate(path, "dvc.yaml metrics", owners=tuple(
                    sorted(name for name, outs in group.produced.items() if path in outs)))
                for path in group.dvc.metrics
            ]
        candidates += self._dvclive(DVCLIVE_METRICS, me, group)
        return self._collect(commit, _merge_owners(candidates), me, group, "metrics")

    def params(
        self, commit: str, me: ArtifactDecl, group: Group,
        lineage: Sequence[LineageStage], group_stages: Sequence[LineageStage],
    ) -> Values:
        candidates = [
            Candidate(path, "meta.params", owners=(decl.name,))
            for decl in group.artifacts
            for path in _meta_paths(decl, "params")
        ]
        if group.dvc is not None:
            candidates += [Candidate(e.path, "dvc.yaml params", keys=e.keys) for e in group.dvc.params]
        candidates += self._dvclive(DVCLIVE_PARAMS, me, group)
        default = f"{group.folder}/{PARAMS_YAML}" if group.folder else PARAMS_YAML
        candidates.append(Candidate(default, PARAMS_YAML, listed=False))
        candidates = _merge_owners(candidates)
        recorded = _lock_params(lineage or group_stages)
        for path, values in sorted(_lock_params(lineage).items()):
            candidates.append(Candidate(path, "dvc.lock", keys=tuple(values), listed=False, lineage=True))
        return self._collect(commit, candidates, me, group, "params", fallback=recorded)

    @staticmethod
    def _dvclive(name: str, me: ArtifactDecl, group: Group) -> list[Candidate]:
        folders = [group.folder]
        home = dict(group.homes).get(me.name)
        if home is not None and home != group.folder:
            folders.append(home)
        return [Candidate(f"{f}/{name}" if f else name, "dvclive", listed=False) for f in folders]


def _merge_owners(candidates: list[Candidate]) -> list[Candidate]:
    """One candidate per path: the first's origin and keys, every model naming it as owner."""
    owners: dict[str, set[str]] = {}
    for c in candidates:
        owners.setdefault(c.path, set()).update(c.owners)
    merged: dict[str, Candidate] = {}
    for c in candidates:
        if c.path not in merged:
            named = tuple(sorted(owners[c.path]))
            merged[c.path] = Candidate(c.path, c.origin, c.keys, c.listed, named, c.lineage)
    return list(merged.values())


def _lock_params(stages: Sequence[LineageStage]) -> dict[str, dict[str, Scalar]]:
    """Param values as ``dvc.lock`` recorded them, per file (first stage wins a key)."""
    found: dict[str, dict[str, Scalar]] = {}
    for stage in stages:
        for path, values in stage.params.items():
            target = found.setdefault(path, {})
            for key, value in values.items():
                target.setdefault(key, value)
    return found
