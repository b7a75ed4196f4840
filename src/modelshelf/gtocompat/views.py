"""GTO-shaped views of registry state, so scripts written against ``gto`` keep working.

Each function returns exactly the JSON structure the matching ``gto ... --json``
command prints (GTO 1.10), built from the pure core's state.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..core.events import Event, EventKind, iso_utc
from ..core.grammar import parse_spec
from ..core.state import ArtifactState, StageHistory, VersionSort, VersionState
from ..registry import Registry

JSON = dict[str, Any]


def event_json(event: Event, exclude_internal: bool = False) -> JSON:
    """One event as GTO's ``BaseEvent.dict_state`` prints it."""
    data: JSON = {}
    if not exclude_internal:
        data["priority"] = event.kind.priority
        data["addition"] = event.kind.addition
    data.update(
        artifact=event.artifact,
        created_at=iso_utc(event.timestamp),
        author=event.author,
        author_email=event.author_email,
        message=event.message,
        commit_hexsha=event.commit,
    )
    if event.tag is not None:
        data["tag"] = event.tag
    if event.version is not None:
        data["version"] = event.version
    if event.stage is not None:
        data["stage"] = event.stage
    data["event"] = event.kind.value
    return data


def _artifacts_yaml_entry(registry: Registry, commit: str, name: str) -> JSON | None:
    """GTO's "gto" enrichment: the artifact's ``artifacts.yaml`` entry at a commit."""
    data = registry.artifacts_yaml(commit)
    if not isinstance(data, dict) or name not in data or not isinstance(data[name], (dict, type(None))):
        return None
    entry = data[name] or {}
    return {
        "source": "gto",
        "artifact": {
            "type": entry.get("type"),
            "path": entry.get("path"),
            "virtual": entry.get("virtual", True),
            "labels": entry.get("labels", []),
            "description": entry.get("description", ""),
            "custom": entry.get("custom"),
        },
    }


def _detailed(registry: Registry, event: Event) -> Event:
    """A commit event with its author and message, which the fold leaves out (read lazily)."""
    if event.kind is not EventKind.COMMIT:
        return event
    commit = registry.repo.commit(event.commit)
    if commit is None:
        return event
    return replace(event, author=commit.author_name, author_email=commit.author_email, message=commit.message)


def _commit_json(registry: Registry, event: Event) -> JSON:
    commit = registry.repo.commit(event.commit)
    data = _without_event(_detailed(registry, event))
    entry = _artifacts_yaml_entry(registry, event.commit, event.artifact)
    data["enrichments"] = [entry] if entry else []
    data["committer"] = commit.committer_name if commit else ""
    data["committer_email"] = commit.committer_email if commit else ""
    return data


def _without_event(event: Event) -> JSON:
    data = event_json(event)
    data.pop("event")
    return data


def _stage_json(history: StageHistory) -> JSON:
    authoring = history.authoring_event
    return {
        "artifact": history.artifact,
        "commit_hexsha": history.commit,
        "version": history.version,
        "stage": history.stage,
        "assignments": [event_json(e) for e in history.assignments],
        "unassignments": [event_json(e) for e in history.unassignments],
        "is_active": history.is_active,
        "activated_at": iso_utc(history.activated_at) if history.activated_at is not None else None,
        "created_at": iso_utc(authoring.timestamp),
        "author": authoring.author,
        "author_email": authoring.author_email,
        "message": authoring.message,
        "ref": authoring.ref,
    }


def _version_json(registry: Registry, version: VersionState, stages: list[StageHistory]) -> JSON:
    authoring = _detailed(registry, version.authoring_event)
    return {
        "artifact": version.artifact,
        "commit_hexsha": version.commit,
        "version": version.version,
        "enrichments": [_commit_json(registry, e) for e in version.commits],
        "registrations": [_without_event(e) for e in version.registrations],
        "deregistrations": [_without_event(e) for e in version.deregistrations],
        "stages": [_stage_json(s) for s in stages],
        "is_active": version.is_active,
        "activated_at": iso_utc(version.activated_at),
        "created_at": iso_utc(authoring.timestamp),
        "author": authoring.author,
        "author_email": authoring.author_email,
        "message": authoring.message,
        "ref": authoring.ref,
        "discovered": version.discovered,
    }


def show_registry(
    registry: Registry,
    registered_only: bool = False,
    deprecated: bool = False,
    assignments_per_version: int = -1,
    versions_per_stage: int = 1,
    sort: VersionSort = VersionSort.TIMESTAMP,
) -> JSON:
    """``gto show --json``: name -> latest version and what each stage holds."""
    columns = registry.stage_columns()
    result: JSON = {}
    for artifact in registry.state.artifacts.values():
        if not (artifact.is_active or deprecated):
            continue
        latest = artifact.latest(registered_only=True)
        held = artifact.stages(registered_only, assignments_per_version, versions_per_stage, sort)
        result[artifact.name] = {
            "version": latest.version if latest else None,
            "stage": {
                stage: ", ".join(h.version for h in held.get(stage, [])) or None for stage in columns
            },
            "registered": artifact.is_registered,
            "active": artifact.is_active,
        }
    return result


def show_versions(
    registry: Registry,
    name: str,
    registered_only: bool = False,
    deprecated: bool = False,
    assignments_per_version: int = -1,
    versions_per_stage: int = 1,
    sort: VersionSort = VersionSort.TIMESTAMP,
) -> list[JSON]:
    """``gto show NAME --json`` (NAME may be a spec: ``m@latest``, ``m@v1.0.0``, ``m#prod``)."""
    spec = parse_spec(name)
    artifact: ArtifactState = registry.artifact(spec.name)
    held = artifact.stages(registered_only, assignments_per_version, versions_per_stage, sort)
    versions = []
    if artifact.is_active or deprecated:
        for version in artifact.get_versions(
            active_only=not deprecated, include_non_explicit=not registered_only, include_discovered=True
        ):
            stages = [h for group in held.values() for h in group if h.version == version.version]
            versions.append(_version_json(registry, version, stages))
    if name != spec.name:
        if spec.stage:
            versions = [v for v in versions for s in v["stages"] if s["stage"] == spec.stage]
        elif spec.version:
            versions = [v for v in versions if v["version"] == spec.version]
        else:
            versions = versions[:1]
    return versions


def history(registry: Registry, name: str | None = None, ascending: bool = False) -> list[JSON]:
    """``gto history --json``."""
    if name is not None:
        registry.artifact(name)
    return [
        {
            "timestamp": iso_utc(e.timestamp),
            "artifact": e.artifact,
            "event": e.kind.value,
            "priority": e.kind.priority,
            "version": e.version,
            "stage": e.stage,
            "commit": e.commit,
            "author": e.author,
            "author_email": e.author_email,
            "message": e.message,
            "ref": e.ref,
        }
        for e in registry.state.history(name, ascending)
    ]


def declared_only(registry: Registry) -> list[str]:
    """Models declared at HEAD (dvc.yaml) that no tag names yet: logged, not registered.
    Not part of GTO's JSON shapes; the tables and doctor list them."""
    from ..index.metadata_json import MetadataJson  # the metadata readers: only for the tables (`show --json` skips them)

    return MetadataJson(registry).declared_only(list(registry.state.artifacts))
