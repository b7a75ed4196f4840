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

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from .declarations import DvcYaml
from .model import ArtifactDecl, LineageStage, MetadataNotice, MetadataProblem, Scalar, ValueSource
from .parse import MAX_NODES, DocumentCache, flatten_capped, folder_of, is_url, is_within, repo_path

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


def ancestors(folder: str) -> list[str]:
    """``folder``, its parent, ... up to the repo root "" (deepest first)."""
    found = [folder]
    while folder:
        folder = folder_of(folder)
        found.append(folder)
    return found


@dataclass(eq=False)
class GroupDecls:
    """The models declared in one ``dvc.yaml`` (the root one also holds artifacts.yaml's).

    Shared by every commit whose declaration files are the same blobs, so what is
    derived from it (``plans``: the candidate files, indexed) is computed once,
    not once per commit.
    """

    folder: str
    dvc: DvcYaml | None
    artifacts: tuple[ArtifactDecl, ...]
    produced: dict[str, tuple[str, ...]]  # model -> outs of the dvc.lock stage that produced it
    by_home: dict[str, tuple[str, ...]]  # folder -> models whose files may live there (their path or its folder)
    plans: dict[str, "_Plan"] = field(default_factory=dict)


class Homes:
    """Where each model of a group keeps its files at one commit, resolved only when asked.

    ``resolve(name)`` looks one model's path up at the commit; which models to ask
    comes from ``by_home``, so a lookup costs the depth of a folder, not the group's size.
    """

    def __init__(self, by_home: dict[str, tuple[str, ...]], resolve: Callable[[str], str | None]) -> None:
        self._by_home = by_home
        self._resolve = resolve
        self._homes: dict[str, str | None] = {}
        self._owners: dict[str, frozenset[str]] = {}

    def of(self, name: str) -> str | None:
        if name not in self._homes:
            self._homes[name] = self._resolve(name)
        return self._homes[name]

    def owners(self, where: str) -> frozenset[str]:
        """Models whose folder holds ``where``, the deepest folder winning."""
        found = self._owners.get(where)
        if found is None:
            found = frozenset()
            for folder in ancestors(where):
                names = [n for n in self._by_home.get(folder, ()) if self.of(n) == folder]
                if names:
                    found = frozenset(names)
                    break
            self._owners[where] = found
        return found


@dataclass(frozen=True)
class Group:
    """A group's declarations at one commit (with that commit's homes)."""

    decls: GroupDecls
    homes: Homes

    @property
    def folder(self) -> str:
        return self.decls.folder

    @property
    def dvc(self) -> DvcYaml | None:
        return self.decls.dvc

    @property
    def artifacts(self) -> tuple[ArtifactDecl, ...]:
        return self.decls.artifacts


@dataclass(frozen=True)
class _Plan:
    """A group's candidate files of one kind, in order, indexed so a model finds its own quickly."""

    candidates: tuple[Candidate, ...]
    claimed: frozenset[str]  # paths some model names in its meta
    owned: dict[str, tuple[int, ...]]  # model -> positions of candidates naming it
    folders: tuple[str, ...]  # sorted folders of the ownerless candidates
    by_folder: dict[str, tuple[int, ...]]  # folder -> positions of its ownerless candidates
    all_paths: frozenset[str]

    @staticmethod
    def of(candidates: list[Candidate]) -> "_Plan":
        owned: dict[str, list[int]] = {}
        by_folder: dict[str, list[int]] = {}
        for position, candidate in enumerate(candidates):
            for owner in candidate.owners:
                owned.setdefault(owner, []).append(position)
            if not candidate.owners:
                by_folder.setdefault(folder_of(candidate.path), []).append(position)
        return _Plan(
            tuple(candidates), frozenset(c.path for c in candidates if c.owners),
            {k: tuple(v) for k, v in owned.items()}, tuple(sorted(by_folder)),
            {k: tuple(v) for k, v in by_folder.items()}, frozenset(c.path for c in candidates),
        )

    def paths(self) -> frozenset[str]:
        return self.all_paths

    def mine(self, me: ArtifactDecl, group: Group) -> list[Candidate]:
        """The candidates that may belong to ``me`` (a superset; ``_belongs`` decides), in order."""
        if len(group.artifacts) <= 1:
            return list(self.candidates)
        positions = list(self.owned.get(me.name, ()))
        home = group.homes.of(me.name)
        if home is not None:
            if home == "":
                folders: Sequence[str] = self.folders
            else:
                start = bisect.bisect_left(self.folders, home)
                end = bisect.bisect_left(self.folders, home + "0")  # "0" follows "/"
                folders = self.folders[start:end]
            for folder in folders:
                if is_within(folder, home):
                    positions += self.by_folder[folder]
        return [self.candidates[i] for i in sorted(positions)]


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


def _belongs(candidate: Candidate, me: ArtifactDecl, group: Group, claimed: frozenset[str]) -> bool:
    if candidate.lineage:
        return True
    if candidate.owners:
        return me.name in candidate.owners
    if candidate.path in claimed:
        return False  # another model names it in its meta
    if len(group.artifacts) <= 1:
        return True
    return me.name in group.homes.owners(folder_of(candidate.path))


def _keep(values: dict[str, V], keys: tuple[str, ...]) -> dict[str, V]:
    if not keys:
        return values
    return {k: v for k, v in values.items() if any(k == s or k.startswith(s + ".") for s in keys)}


class ValueReader:
    def __init__(self, docs: DocumentCache) -> None:
        self.docs = docs

    def _collect(
        self, commit: str, candidates: list[Candidate], me: ArtifactDecl, group: Group, meta_key: str,
        claimed: frozenset[str], fallback: dict[str, dict[str, Scalar]] | None = None,
    ) -> Values:
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
            flat, capped = flatten_capped(doc.data, non_finite=non_finite)
            if capped:
                problems.append(MetadataProblem(
                    candidate.path, commit, f"more {meta_key} than modelshelf reads from one file "
                    f"(the cap is {MAX_NODES:,} entries): the rest is left out"))
            found = _keep(flat, candidate.keys)
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
        plan = group.decls.plans.get("metrics")
        if plan is None:
            plan = group.decls.plans["metrics"] = _Plan.of(_merge_owners(_metrics_candidates(group.decls)))
        candidates = _with_extra(plan, plan.mine(me, group), self._dvclive(DVCLIVE_METRICS, me, group))
        return self._collect(commit, candidates, me, group, "metrics", plan.claimed)

    def params(
        self, commit: str, me: ArtifactDecl, group: Group,
        lineage: Sequence[LineageStage], group_stages: Sequence[LineageStage],
    ) -> Values:
        plan = group.decls.plans.get("params")
        if plan is None:
            plan = group.decls.plans["params"] = _Plan.of(_merge_owners(_params_candidates(group.decls)))
        default = f"{group.folder}/{PARAMS_YAML}" if group.folder else PARAMS_YAML
        extra = [*self._dvclive(DVCLIVE_PARAMS, me, group), Candidate(default, PARAMS_YAML, listed=False)]
        candidates = _with_extra(plan, plan.mine(me, group), extra)
        recorded = _lock_params(lineage or group_stages)
        for path, values in sorted(_lock_params(lineage).items()):
            candidates.append(Candidate(path, "dvc.lock", keys=tuple(values), listed=False, lineage=True))
        return self._collect(commit, candidates, me, group, "params", plan.claimed, fallback=recorded)

    @staticmethod
    def _dvclive(name: str, me: ArtifactDecl, group: Group) -> list[Candidate]:
        folders = [group.folder]
        home = group.homes.of(me.name)
        if home is not None and home != group.folder:
            folders.append(home)
        return [Candidate(f"{f}/{name}" if f else name, "dvclive", listed=False) for f in folders]


def _metrics_candidates(group: GroupDecls) -> list[Candidate]:
    candidates = [
        Candidate(path, "meta.metrics", owners=(decl.name,))
        for decl in group.artifacts
        for path in _meta_paths(decl, "metrics")
    ]
    if group.dvc is not None:
        # A metrics file written by the stage that produced a model is that model's.
        producers: dict[str, set[str]] = {}
        for name, outs in group.produced.items():
            for out in outs:
                producers.setdefault(out, set()).add(name)
        candidates += [
            Candidate(path, "dvc.yaml metrics", owners=tuple(sorted(producers.get(path, ()))))
            for path in group.dvc.metrics
        ]
    return candidates


def _params_candidates(group: GroupDecls) -> list[Candidate]:
    candidates = [
        Candidate(path, "meta.params", owners=(decl.name,))
        for decl in group.artifacts
        for path in _meta_paths(decl, "params")
    ]
    if group.dvc is not None:
        candidates += [Candidate(e.path, "dvc.yaml params", keys=e.keys) for e in group.dvc.params]
    return candidates


def _with_extra(plan: _Plan, mine: list[Candidate], extra: list[Candidate]) -> list[Candidate]:
    """``mine`` then the ownerless ``extra`` files no group candidate already names (as a merge would)."""
    known = plan.paths() if extra else frozenset()
    added: set[str] = set()
    for candidate in extra:
        if candidate.path not in known and candidate.path not in added:
            added.add(candidate.path)
            mine.append(candidate)
    return mine


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
