"""Folding events into registry state with GTO's exact semantics.

This is a faithful port of GTO 1.10's object model (``gto/base.py``):
artifacts hold versions, versions hold per-stage assignment histories, and
every "which is newest" question is answered by a stable sort on tag time.
Tie-breaking follows GTO's concatenation order, so repos read identically.
The one deliberate difference: where GTO raises (two versions on one commit)
this keeps the most recently registered one and reports it as a problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Iterable

from .events import CommitRecord, Event, EventKind, RegistryTag, order_tags, ACTION_TO_KIND
from .grammar import Action
from .semver import SemVer


class VersionSort(str, Enum):
    SEMVER = "semver"
    TIMESTAMP = "timestamp"


def _ordered(events: Iterable[Event], ascending: bool = False) -> list[Event]:
    """GTO's ``sorted(..., key=created_at)[::-1]``: stable by time, then reversed."""
    result = sorted(events, key=lambda e: e.timestamp)
    return result if ascending else result[::-1]


@dataclass
class StageHistory:
    """The assignments and unassignments of one stage on one version (GTO's VStage)."""

    artifact: str
    version: str
    commit: str
    stage: str
    assignments: list[Event] = field(default_factory=list)
    unassignments: list[Event] = field(default_factory=list)
    _newest_first: list[Event] | None = field(default=None, repr=False, compare=False)

    def add(self, event: Event) -> None:
        target = self.assignments if event.kind is EventKind.ASSIGNMENT else self.unassignments
        if event not in target:
            target.append(event)
            target.sort(key=lambda e: e.timestamp)
            self._newest_first = None

    def events(self, ascending: bool = False) -> list[Event]:
        if self._newest_first is None:
            self._newest_first = _ordered(self.assignments + self.unassignments)
        return self._newest_first[::-1] if ascending else list(self._newest_first)

    @property
    def is_active(self) -> bool:
        events = self.events()
        return bool(events) and events[0].kind is EventKind.ASSIGNMENT

    @property
    def activated_at(self) -> int | None:
        events = self.events()
        return events[0].timestamp if events and events[0].kind is EventKind.ASSIGNMENT else None

    @property
    def authoring_event(self) -> Event:
        additions = [e for e in self.events() if e.kind.addition]
        return additions[0] if additions else self.events()[0]

    @property
    def created_at(self) -> int:
        return self.authoring_event.timestamp


@dataclass
class VersionState:
    """One version of an artifact: a SemVer, or a commit hexsha for unregistered commits."""

    artifact: str
    version: str
    commit: str
    registrations: list[Event] = field(default_factory=list)
    deregistrations: list[Event] = field(default_factory=list)
    commits: list[Event] = field(default_factory=list)
    stages: dict[str, StageHistory] = field(default_factory=dict)
    _memo: dict[tuple[bool, bool], list[Event]] = field(default_factory=dict, repr=False, compare=False)

    def add(self, event: Event) -> None:
        self._memo.clear()
        if event.kind in (EventKind.ASSIGNMENT, EventKind.UNASSIGNMENT):
            assert event.stage is not None
            if event.stage not in self.stages:
                self.stages[event.stage] = StageHistory(self.artifact, self.version, self.commit, event.stage)
            self.stages[event.stage].add(event)
            return
        target = {
            EventKind.REGISTRATION: self.registrations,
            EventKind.DEREGISTRATION: self.deregistrations,
            EventKind.COMMIT: self.commits,
        }[event.kind]
        if event not in target:
            target.append(event)
            target.sort(key=lambda e: e.timestamp)

    def events(self, direct: bool = True, indirect: bool = True, ascending: bool = False) -> list[Event]:
        key = (direct, indirect)
        newest_first = self._memo.get(key)
        if newest_first is None:
            pool: list[Event] = []
            if direct:
                pool += self.registrations + self.deregistrations
            if indirect:
                pool += self.commits + [e for s in self.stages.values() for e in s.events()]
            newest_first = self._memo[key] = _ordered(pool)
        return newest_first[::-1] if ascending else list(newest_first)

    @property
    def is_registered(self) -> bool:
        return bool(self.registrations)

    @property
    def discovered(self) -> bool:
        """True when no registration or deregistration tag names this version."""
        return not (self.registrations or self.deregistrations)

    @property
    def is_active(self) -> bool:
        direct = self.events(indirect=False)
        if direct:
            return direct[0].kind is EventKind.REGISTRATION
        return bool(self.events(direct=False))

    @property
    def authoring_event(self) -> Event:
        additions = [e for e in self.events(indirect=False) if e.kind.addition]
        if additions:
            return additions[0]
        return self.events(direct=False)[0]

    @property
    def created_at(self) -> int:
        return self.authoring_event.timestamp

    @property
    def activated_at(self) -> int:
        if self.registrations:
            return self.registrations[0].timestamp
        return self.events(ascending=True)[0].timestamp

    def active_stages(self, ascending: bool = False) -> list[StageHistory]:
        active = [s for s in self.stages.values() if s.is_active]
        result = sorted(active, key=lambda s: s.activated_at or 0)
        return result if ascending else result[::-1]


def sort_versions(versions: list[VersionState], sort: VersionSort, ascending: bool = False) -> list[VersionState]:
    """GTO's ``sort_versions``: SemVer ones by precedence, hexsha ones after, by name."""
    if sort is VersionSort.SEMVER:
        semvers = sorted((v for v in versions if SemVer.is_valid(v.version)), key=lambda v: SemVer.parse(v.version))
        others = sorted((v for v in versions if not SemVer.is_valid(v.version)), key=lambda v: v.version)
        if not ascending:
            semvers.reverse()
            others.reverse()
        return semvers + others
    result = sorted(versions, key=lambda v: v.created_at)
    return result if ascending else result[::-1]


@dataclass
class ArtifactState:
    name: str
    versions: list[VersionState] = field(default_factory=list)
    deprecations: list[Event] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # versions by commit, in creation order: the fold looks one up per tag
    _by_commit: dict[str, list[VersionState]] = field(default_factory=dict, repr=False, compare=False)

    # -- building -------------------------------------------------------
    def find_version(
        self,
        version: str | None = None,
        commit: str | None = None,
        include_discovered: bool = False,
        create: bool = False,
    ) -> VersionState | None:
        pool = self._by_commit.get(commit, []) if commit is not None else self.versions
        found = [
            v
            for v in pool
            if (version is None or v.version == version) and (include_discovered or not v.discovered)
        ]
        if not found and create:
            created = VersionState(self.name, version or commit or "", commit or "")
            self.versions.append(created)
            self._by_commit.setdefault(created.commit, []).append(created)
            return created
        if len(found) > 1:
            names = ", ".join(v.version for v in found)
            problem = f"{self.name}: several versions ({names}) at commit {commit}; using {found[-1].version}"
            if problem not in self.problems:
                self.problems.append(problem)
        return found[-1] if found else None

    def add(self, event: Event) -> None:
        if event.kind is EventKind.DEPRECATION:
            if event not in self.deprecations:
                self.deprecations.append(event)
                self.deprecations.sort(key=lambda e: e.timestamp)
            return
        version = self.find_version(event.version, event.commit, create=True)
        assert version is not None
        version.add(event)

    # -- reading --------------------------------------------------------
    def events(self, ascending: bool = False) -> list[Event]:
        pool = list(self.deprecations) + [e for v in self.versions for e in v.events()]
        return _ordered(pool, ascending)

    @property
    def is_active(self) -> bool:
        events = self.events()
        return bool(events) and events[0].kind is not EventKind.DEPRECATION

    @property
    def deprecated(self) -> bool:
        return bool(self.events()) and not self.is_active

    @property
    def is_registered(self) -> bool:
        """True when any tag (not just a declaration at HEAD) names the artifact."""
        return any(e.kind is not EventKind.COMMIT for e in self.events())

    def get_versions(
        self,
        active_only: bool = True,
        include_non_explicit: bool = False,
        include_discovered: bool = False,
        sort: VersionSort = VersionSort.SEMVER,
        ascending: bool = False,
    ) -> list[VersionState]:
        chosen = [
            v
            for v in self.versions
            if not active_only
            or v.is_active
            and (
                (v.is_registered and not v.discovered)
                or (include_discovered and v.discovered)
                or (include_non_explicit and not v.is_registered)
            )
        ]
        return sort_versions(chosen, sort, ascending)

    def latest(self, registered_only: bool = True) -> VersionState | None:
        """The greatest SemVer among registered, not deregistered versions."""
        versions = self.get_versions(include_non_explicit=not registered_only)
        return versions[0] if versions else None

    def stages(
        self,
        registered_only: bool = False,
        assignments_per_version: int = -1,
        versions_per_stage: int = 1,
        sort: VersionSort = VersionSort.TIMESTAMP,
    ) -> dict[str, list[StageHistory]]:
        """Stage -> the versions it holds, newest assignment first.

        Defaults are ``gto show``'s: one version per stage, the one whose
        latest live assignment is newest, so a re-assignment rolls back.
        ``versions_per_stage=-1`` lists every version still in the stage;
        ``assignments_per_version=1`` is GTO's kanban view.
        """
        if assignments_per_version < -1 or versions_per_stage < -1:
            raise ValueError("assignments_per_version and versions_per_stage must be >= -1")
        versions = self.get_versions(include_non_explicit=not registered_only, sort=sort)
        candidates: list[StageHistory] = []
        for version in versions:
            active = version.active_stages(ascending=True)
            candidates += active[:assignments_per_version] if assignments_per_version > -1 else active
        if sort is VersionSort.TIMESTAMP:
            candidates = sorted(candidates, key=lambda s: s.created_at)[::-1]
        result: dict[str, list[StageHistory]] = {}
        for history in candidates:
            held = result.setdefault(history.stage, [])
            if versions_per_stage > -1 and len(held) >= versions_per_stage:
                continue
            if history.version not in [h.version for h in held]:
                held.append(history)
        return result

    @property
    def used_stages(self) -> set[str]:
        return set(self.stages(sort=VersionSort.SEMVER))


@dataclass
class RegistryState:
    artifacts: dict[str, ArtifactState] = field(default_factory=dict)

    def artifact(self, name: str, create: bool = False) -> ArtifactState | None:
        if name not in self.artifacts and create:
            self.artifacts[name] = ArtifactState(name)
        return self.artifacts.get(name)

    def used_stages(self) -> list[str]:
        return sorted({s for a in self.artifacts.values() for s in a.used_stages})

    def stage_columns(self, allowed: list[str] | None) -> list[str]:
        """Stages shown as columns: the configured ones, else those in use."""
        return list(allowed) if allowed is not None else self.used_stages()

    def problems(self) -> list[str]:
        return [p for a in self.artifacts.values() for p in a.problems]

    def history(self, artifact: str | None = None, ascending: bool = False) -> list[Event]:
        """Every tag event, ordered as ``gto history``: by (time, priority)."""
        sources = [self.artifacts[artifact]] if artifact in self.artifacts else [] if artifact else self.artifacts.values()
        events = [e for a in sources for e in a.events() if e.kind is not EventKind.COMMIT]
        events.sort(key=lambda e: (e.timestamp, e.kind.priority))
        return events if ascending else events[::-1]


def _tag_event(tag: RegistryTag, version: str | None) -> Event:
    record, name = tag.record, tag.name
    return Event(
        kind=ACTION_TO_KIND[name.action],
        artifact=name.artifact,
        commit=record.target,
        timestamp=record.timestamp,
        author=record.tagger_name,
        author_email=record.tagger_email,
        message=record.message.strip(),
        version=version,
        stage=name.stage,
        tag=record.name,
        counter=name.counter,
    )


def _commit_event(artifact: str, version: str, commit: str, timestamp: int) -> Event:
    """GTO's per-version commit event. Only its time takes part in the fold;
    who wrote the commit and why is read when a view shows it."""
    return Event(
        kind=EventKind.COMMIT, artifact=artifact, commit=commit, timestamp=timestamp,
        author="", author_email="", message="", version=version,
    )


_PHASES = (
    frozenset({Action.DEPRECATE}),
    frozenset({Action.REGISTER, Action.DEREGISTER}),
    frozenset({Action.ASSIGN, Action.UNASSIGN}),
)


def fold(
    tags: list[RegistryTag],
    commit_times: dict[str, int] | None = None,
    declared_at_head: Iterable[str] = (),
    head: CommitRecord | None = None,
) -> RegistryState:
    """Registry state from registry tags, exactly as GTO's ``get_state``.

    GTO indexes deprecations, then versions, then stages, each by tag time;
    a stage tag on a commit resolves to the version registered there (even
    later), else to the commit's hexsha. ``commit_times`` (committer time of
    each tagged commit) adds GTO's commit "enrichment" events; ``declared_at_head`` lists artifacts that
    ``artifacts.yaml`` declares at ``head`` (shown as unregistered).
    """
    state = RegistryState()
    ordered = order_tags(tags)
    for phase in _PHASES:
        for tag in ordered:
            if tag.name.action not in phase:
                continue
            artifact = state.artifact(tag.name.artifact, create=True)
            assert artifact is not None
            if tag.name.action in (Action.ASSIGN, Action.UNASSIGN):
                version = artifact.find_version(commit=tag.record.target, create=True)
                assert version is not None
                artifact.add(_tag_event(tag, version.version))
            else:
                artifact.add(_tag_event(tag, tag.name.version))
    if commit_times:
        for artifact in state.artifacts.values():
            for version in artifact.versions:
                timestamp = commit_times.get(version.commit)
                if timestamp is not None:
                    version.add(_commit_event(artifact.name, version.version, version.commit, timestamp))
    if head is not None:
        for name in declared_at_head:
            artifact = state.artifact(name, create=True)
            assert artifact is not None
            version = artifact.find_version(commit=head.hexsha, create=True)
            assert version is not None
            version.add(_commit_event(name, version.version, head.hexsha, head.timestamp))
    return state
