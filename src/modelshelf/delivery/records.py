"""Typed, read-only views of the published index (schema version 1).

The download code reads a few fields of the index; parsing them here once
keeps dicts at the edge and gives one clear error for a malformed index.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..core.schema import SCHEMA_VERSION as SUPPORTED_SCHEMA
from .errors import LookupFailed

JSON = dict[str, Any]


@dataclass(frozen=True)
class StorageRecord:
    """Where one version's bytes are and how to verify them (schema ``$defs/storage``)."""

    kind: str  # git | lfs | dvc | url | missing
    path: str | None = None
    url: str | None = None
    is_dir: bool = False
    size: int | None = None
    nfiles: int | None = None
    sha256: str | None = None
    git_sha: str | None = None
    md5: str | None = None
    tracked_by: str | None = None
    download_url: str | None = None

    @classmethod
    def from_json(cls, data: object, where: str) -> "StorageRecord":
        if not isinstance(data, dict) or not isinstance(data.get("kind"), str):
            raise LookupFailed(f"{where}: 'storage' must be an object with a 'kind'")
        return cls(
            kind=data["kind"],
            path=_opt_str(data, "path", where),
            url=_opt_str(data, "url", where),
            is_dir=bool(data.get("is_dir", False)),
            size=_opt_int(data, "size"),
            nfiles=_opt_int(data, "nfiles"),
            sha256=_opt_str(data, "sha256", where),
            git_sha=_opt_str(data, "git_sha", where),
            md5=_opt_str(data, "md5", where),
            tracked_by=_opt_str(data, "tracked_by", where),
            download_url=_opt_str(data, "download_url", where),
        )

    def to_json(self) -> JSON:
        return {
            "kind": self.kind, "path": self.path, "url": self.url, "is_dir": self.is_dir, "size": self.size,
            "nfiles": self.nfiles, "sha256": self.sha256, "git_sha": self.git_sha, "md5": self.md5,
            "tracked_by": self.tracked_by, "download_url": self.download_url,
        }


@dataclass(frozen=True)
class VersionRecord:
    version: str
    status: str  # active | deregistered | unregistered
    commit: str
    tag: str | None
    stages: tuple[str, ...]
    storage: StorageRecord

    @classmethod
    def from_json(cls, data: object, where: str) -> "VersionRecord":
        if not isinstance(data, dict) or not isinstance(data.get("version"), str):
            raise LookupFailed(f"{where}: every version must be an object with a 'version'")
        where = f"{where} {data['version']}"
        commit = data.get("commit")
        if not isinstance(commit, str):
            raise LookupFailed(f"{where}: 'commit' is missing")
        stages = data.get("stages") or []
        return cls(
            version=data["version"],
            status=str(data.get("status", "active")),
            commit=commit,
            tag=_opt_str(data, "tag", where),
            stages=tuple(str(s) for s in stages) if isinstance(stages, list) else (),
            storage=StorageRecord.from_json(data.get("storage", {"kind": "missing"}), where),
        )


@dataclass(frozen=True)
class StageVerdictRecord:
    """The index's claim about a stage's holder and the rules (``stage_verdicts``): the
    repository's verdict as recorded when the index was built, not one made here."""

    holder: str
    compliant: bool
    reasons: tuple[str, ...]
    last_compliant: str | None

    @classmethod
    def from_json(cls, data: object) -> "StageVerdictRecord | None":
        """None for an entry this reader cannot use (readers accept what they do not know)."""
        if not isinstance(data, dict) or not isinstance(data.get("compliant"), bool):
            return None
        holder, last = data.get("holder"), data.get("last_compliant")
        violations = data.get("violations") if isinstance(data.get("violations"), list) else []
        reasons = tuple(f"{v.get('rule')}: {v.get('reason')}" for v in violations
                        if isinstance(v, dict) and isinstance(v.get("rule"), str) and isinstance(v.get("reason"), str))
        return cls(holder if isinstance(holder, str) else "", data["compliant"], reasons,
                   last if isinstance(last, str) else None)


@dataclass(frozen=True)
class ModelRecord:
    """One model: its versions, and the lookups the registry core computed (latest, stages)."""

    name: str
    latest: str | None
    stages: dict[str, str]  # stage -> the version it holds
    versions: tuple[VersionRecord, ...]
    deprecated: bool = False
    stage_history: frozenset[str] = frozenset()  # every stage its events ever named
    newest_event: str | None = None  # the latest event time (UTC ISO 8601): the index was built after it
    repository: str | None = None  # a hub's model: its source's Git repository (the hub has no one remote)
    stage_verdicts: dict[str, StageVerdictRecord] = field(default_factory=dict)  # stages with rules, when the index has rules

    @classmethod
    def from_json(cls, data: object, where: str) -> "ModelRecord":
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            raise LookupFailed(f"{where}: every model must be an object with a 'name'")
        name = data["name"]
        stages = data.get("stages") or {}
        versions = data.get("versions") or []
        listed = data.get("events") or []
        events = [e for e in listed if isinstance(e, dict)] if isinstance(listed, list) else []
        if not isinstance(stages, dict) or not isinstance(versions, list):
            raise LookupFailed(f"{where}: model '{name}' has malformed 'stages' or 'versions'")
        return cls(
            name=name,
            latest=_opt_str(data, "latest", where),
            stages={str(k): str(v) for k, v in stages.items()},
            versions=tuple(VersionRecord.from_json(v, f"{where}: {name}") for v in versions),
            deprecated=bool(data.get("deprecated", False)),
            stage_history=frozenset(
                e["stage"] for e in events if isinstance(e.get("stage"), str)
            ),
            newest_event=max((e["timestamp"] for e in events if isinstance(e.get("timestamp"), str)), default=None),
            repository=_opt_str(data, "repository", where) or None,
            stage_verdicts=_stage_verdicts(data.get("stage_verdicts")),
        )

    def version(self, name: str) -> VersionRecord | None:
        for version in self.versions:
            if version.version == name:
                return version
        return None


@dataclass(frozen=True)
class IndexRecord:
    """The models of an index (a whole ``registry.json`` or one ``api/models/<name>.json``)."""

    source: str  # where it was read from, for messages
    models: dict[str, ModelRecord] = field(default_factory=dict)
    stages: tuple[str, ...] = ()  # the registry's configured / used stages
    remote: str | None = None  # repository.remote: where unpublished Git bytes can be fetched from
    whole: bool = True  # a registry.json (False: one model's file, which does not carry the repository)

    @classmethod
    def from_json(cls, data: object, source: str) -> "IndexRecord":
        if not isinstance(data, dict):
            raise LookupFailed(f"{source}: not a modelshelf index (expected a JSON object)")
        schema = data.get("schema_version")
        if "models" in data:
            if schema != SUPPORTED_SCHEMA:
                raise LookupFailed(
                    f"{source}: index schema_version {schema!r} is not supported (this modelshelf reads {SUPPORTED_SCHEMA})"
                )
            if not isinstance(data["models"], list):
                raise LookupFailed(f"{source}: 'models' must be a list")
            models = [ModelRecord.from_json(m, source) for m in data["models"]]
            stages = data.get("stages") or []
            repository = data.get("repository")
            remote = repository.get("remote") if isinstance(repository, dict) else None
            return cls(source, {m.name: m for m in models}, tuple(str(s) for s in stages),
                       remote if isinstance(remote, str) and remote else None)
        if "name" in data and "versions" in data:  # a per-model file
            model = ModelRecord.from_json(data, source)
            return cls(source, {model.name: model}, tuple(model.stages), whole=False)
        raise LookupFailed(f"{source}: not a modelshelf index (no 'models' list)")


def _stage_verdicts(data: object) -> dict[str, StageVerdictRecord]:
    if not isinstance(data, dict):
        return {}
    found = {str(stage): StageVerdictRecord.from_json(entry) for stage, entry in data.items()}
    return {stage: verdict for stage, verdict in found.items() if verdict is not None}


def _opt_str(data: JSON, key: str, where: str) -> str | None:
    value = data.get(key)
    if value is None or isinstance(value, str):
        return value
    raise LookupFailed(f"{where}: '{key}' must be a string, not {type(value).__name__}")


def _opt_int(data: JSON, key: str) -> int | None:
    value = data.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None
