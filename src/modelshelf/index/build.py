"""Registry state + metadata -> the JSON index (schema ``SCHEMA_VERSION``).

The index is the contract with deploy scripts, the catalog and the download
client. It is deterministic: no wall-clock time, stable ordering, so the same
repository always gives byte-identical JSON.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from .. import __version__
from ..atomic import atomic_write
from ..json_text import dumps
from ..core.events import Event, iso_utc
from ..core.schema import SCHEMA_VERSION
from ..core.semver import SemVer
from ..core.state import ArtifactState, VersionState
from .fragment_cache import FragmentCache
from ..governance.index_fields import annotate_index
from ..metadata.model import MetadataNotice
from .metadata_json import MetadataJson, notice_from_json, notice_json
from ..registry import Registry, UnknownArtifact

if TYPE_CHECKING:
    from ..compare.extras import CompareExtras

SCHEMA_FILE = Path(__file__).parents[1] / "schema" / "registry.schema.json"

JSON = dict[str, Any]
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class VersionNotice:
    """A ``MetadataNotice`` of one model version: what ``doctor`` prints."""

    model: str
    version: str
    notice: MetadataNotice

    def __str__(self) -> str:
        return f"model {self.model} version {self.version}: {self.notice}"


@dataclass
class Index:
    """The index, what is wrong in the repo (``problems``: build warnings) and what
    the index leaves out (``notices``: reported by ``doctor``, never build warnings)."""

    data: JSON
    problems: list[str] = field(default_factory=list)
    notices: list[VersionNotice] = field(default_factory=list)


def event_record(event: Event) -> JSON:
    return {
        "timestamp": iso_utc(event.timestamp),
        "model": event.artifact,
        "event": event.kind.value,
        "version": event.version,
        "stage": event.stage,
        "commit": event.commit,
        "tag": event.tag,
        "author": event.author,
        "author_email": event.author_email,
        "message": event.message,
    }


def _version_status(version: VersionState) -> str:
    if version.discovered:
        return "unregistered"
    return "active" if version.is_active else "deregistered"


def _ordered_versions(artifact: ArtifactState) -> list[VersionState]:
    """Every version a user may ask about: SemVer ones (greatest first), then bare commits."""
    versions = [v for v in artifact.versions if not (v.discovered and not v.stages)]
    semvers = [v for v in versions if SemVer.is_valid(v.version)]
    semvers.sort(key=lambda v: (SemVer.parse(v.version), v.version), reverse=True)
    commits = sorted((v for v in versions if not SemVer.is_valid(v.version)), key=lambda v: v.version)
    seen: set[str] = set()
    result = []
    for version in semvers + commits:
        if version.version not in seen:  # GTO may hold one hexsha version several times
            seen.add(version.version)
            result.append(version)
    return result


def _previous_versions(ordered: list[VersionState]) -> dict[str, str | None]:
    """Each active SemVer version's predecessor among active ones."""
    active = [v.version for v in reversed(ordered) if SemVer.is_valid(v.version) and v.is_active]
    return {name: (active[i - 1] if i else None) for i, name in enumerate(active)}


def _registration(version: VersionState) -> Event | None:
    events = version.registrations or version.deregistrations
    if events:
        return events[-1] if version.registrations else events[0]
    return None


def version_key(name: str, commit: str, plots: bool) -> str:
    return f"version|{commit}|{name}|plots={plots}"


def _commit_info(registry: Registry, sha: str) -> JSON | None:
    commit = registry.repo.commit(sha)
    if commit is None:
        return None
    return {
        "author": commit.author_name,
        "author_email": commit.author_email,
        "date": iso_utc(commit.timestamp),
        "message": commit.message.strip(),
        "parents": list(commit.parents),
    }


def _cached(cache: FragmentCache | None, key: str, metadata: MetadataJson,
            compute: Callable[[], Any], ready: dict[str, JSON] | None = None) -> tuple[Any, tuple[MetadataNotice, ...]]:
    """``compute()``, or its cached (or ``ready``) value, with the problems it noted either way, and its notices."""
    entry = ready.get(key) if ready else None
    if entry is None and cache is not None:
        entry = cache.get(key)
    if entry is not None:
        metadata.note(entry["problems"])  # a cached fragment's problems, reported as if just found
        return entry["value"], tuple(notice_from_json(n) for n in entry["notices"])
    with metadata.capture() as captured:
        value = compute()
    if cache is not None:
        cache.put(key, {"value": value, "problems": captured.problems,
                        "notices": [notice_json(n) for n in captured.notices]})
    return value, tuple(captured.notices)


def version_fragment(registry: Registry, metadata: MetadataJson, extras: CompareExtras | None,
                     name: str, commit: str) -> JSON:
    """What the index says of one version that its commit decides (cached per commit)."""
    fragment: JSON = {"commit_info": _commit_info(registry, commit)}
    fragment.update(metadata.version(name, commit))
    if extras is not None:
        fragment["plots"] = extras.plots(name, commit)
    return fragment


def build_model(registry: Registry, artifact: ArtifactState, metadata: MetadataJson,
                extras: CompareExtras | None = None, cache: FragmentCache | None = None,
                notices: list[VersionNotice] | None = None, ready: dict[str, JSON] | None = None) -> JSON:
    """One model's index record; its versions' notices are appended to ``notices`` if given.

    ``ready``: version fragments read ahead (``read_ahead``), by ``version_key``.
    """
    ordered = _ordered_versions(artifact)
    previous = _previous_versions(ordered)
    held = artifact.stages()
    stage_of: dict[str, list[str]] = {}
    for stage, group in held.items():
        for history in group:
            stage_of.setdefault(history.version, []).append(stage)
    latest = artifact.latest()
    versions: list[JSON] = []
    for version in ordered:
        registration = _registration(version)
        record: JSON = {
            "version": version.version,
            "status": _version_status(version),
            "tag": registration.tag if registration else None,
            "commit": version.commit,
            "created_at": iso_utc(registration.timestamp) if registration else None,
            "author": registration.author if registration else None,
            "author_email": registration.author_email if registration else None,
            "message": registration.message if registration else None,
            "stages": sorted(stage_of.get(version.version, [])),
            "previous": previous.get(version.version),
            "commit_info": None,  # from the (cached) fragment below, with the metadata
        }

        key = version_key(artifact.name, version.commit, extras is not None)
        fragment, found = _cached(
            cache, key, metadata,
            lambda commit=version.commit: version_fragment(registry, metadata, extras, artifact.name, commit),
            ready,
        )
        record.update(fragment)
        versions.append(record)
        if notices is not None:
            notices += [VersionNotice(artifact.name, version.version, n) for n in found]
    commits = [v.commit for v in ordered]
    head = registry.head.hexsha if registry.head else None
    declaration, _ = _cached(  # notices belong to versions; HEAD's are not one's
        cache, f"declaration|{head}|{artifact.name}|{hashlib.sha1(' '.join(commits).encode()).hexdigest()}",
        metadata, lambda: metadata.declaration(artifact.name, commits),
    )
    result: JSON = {
        "name": artifact.name,
        **declaration,
        "registered": artifact.is_registered,
        "deprecated": artifact.deprecated,
        "latest": latest.version if latest else None,
        "stages": {stage: group[0].version for stage, group in sorted(held.items()) if group},
        "versions": versions,
        "events": [event_record(e) for e in registry.state.history(artifact.name)],
    }
    if extras is not None:
        result["candidates"] = extras.candidates(artifact.name, {v.commit for v in artifact.versions}, first=latest is None)
    return result


def build_index(registry: Registry, progress: Progress | None = None, candidates: int = 0,
                use_cache: bool = True) -> Index:
    """The whole registry with metadata (and plots) at every version's commit.

    ``candidates``: how many recent HEAD commits to search for unregistered
    candidates of each model (0: none; the site's default: ``compare.candidates.DEFAULT_CANDIDATES``).
    ``use_cache``: reuse (and save) per-commit fragments in the Git dir.
    """
    from ..compare.extras import CompareExtras

    metadata = MetadataJson(registry)
    extras = CompareExtras(metadata, depth=candidates)
    cache = FragmentCache.in_git_dir(registry.repo.common_dir) if use_cache else None
    artifacts = dict(registry.state.artifacts)
    for name in metadata.declared_only(list(artifacts)):
        artifacts[name] = ArtifactState(name)  # logged in dvc.yaml, never tagged
    uncached = [
        (name, v.commit) for name, a in artifacts.items() for v in _ordered_versions(a)
        if cache is None or cache.get(version_key(name, v.commit, True)) is None
    ]
    ready = read_ahead(registry, metadata, extras, cache, uncached, progress)
    models = []
    notices: list[VersionNotice] = []
    for name in sorted(artifacts):
        models.append(build_model(registry, artifacts[name], metadata, extras, cache, notices, ready))
    data: JSON = {
        "schema_version": SCHEMA_VERSION,
        "generator": f"modelshelf {__version__}",
        "repository": {
            "head": registry.head.hexsha if registry.head else None,
            "remote": _public_url(registry.repo.remote_url()),
        },
        "stages": _stage_order(registry, models),
        "models": models,
        "events": [event_record(e) for e in registry.state.history()],
        "ignored_tags": [{"tag": t.name, "reason": t.reason} for t in registry.ignored],
    }
    problems = [w.message for w in registry.warnings] + registry.problems + metadata.problems
    problems += annotate_index(registry, data, use_cache)  # signatures and rules: only where there are some
    if cache is not None:
        cache.save()
    return Index(data, problems, notices)


READ_AHEAD = 512  # commits per chunk: one git diff-tree each (fewer processes: less system time), their blobs prefetched


def read_ahead(registry: Registry, metadata: MetadataJson, extras: CompareExtras | None,
               cache: FragmentCache | None, versions: list[tuple[str, str]],
               progress: Progress | None = None) -> dict[str, JSON]:
    """The fragments of ``versions`` (model, commit), read commit by commit, oldest first, in chunks.

    A chunk's commits are prefetched in a few batches (what changed from each
    commit to the next, and the small files that changed) and their versions read
    in that order: a commit costs its changed files, not a listing of every folder,
    and memory stays bounded however many commits the registry has. Their problems are replayed when
    ``build_model`` takes the fragment, so the build's warnings keep their order.
    """
    by_commit: dict[str, list[str]] = {}
    for name, commit in versions:
        names = by_commit.setdefault(commit, [])
        if name not in names:
            names.append(name)
    # Oldest first: the reader walks from commit to commit by what changed between them,
    # which along the history is a version's own files (see git/treewalk.py).
    times = registry.repo.commit_times()
    commits = sorted(by_commit, key=lambda commit: times.get(commit, 0))
    ready: dict[str, JSON] = {}
    done = 0
    for start in range(0, len(commits), READ_AHEAD):
        chunk = commits[start : start + READ_AHEAD]
        registry.repo.prefetch_commits(chunk)
        metadata.reader.prefetch(chunk, commits[start + READ_AHEAD : start + 2 * READ_AHEAD])
        for commit in chunk:
            for name in by_commit[commit]:
                key = version_key(name, commit, extras is not None)
                with metadata.capture(record=False) as captured:
                    value = version_fragment(registry, metadata, extras, name, commit)
                entry = {"value": value, "problems": captured.problems,
                         "notices": [notice_json(n) for n in captured.notices]}
                if cache is not None:
                    cache.put(key, entry)
                ready[key] = entry
                done += 1
                if progress:
                    progress(done, len(versions), name)
    return ready


def _stage_order(registry: Registry, models: list[JSON]) -> list[str]:
    if registry.config.stages is not None:
        return list(registry.config.stages)
    used = {stage for model in models for stage in model["stages"]}
    return sorted(used)


_CREDENTIALS = re.compile(r"(?<=://)[^/@]+@")


def _public_url(url: str | None) -> str | None:
    """The remote without any user:password part (never publish credentials)."""
    return _CREDENTIALS.sub("", url) if url else None


def write_index(data: JSON, output: str, pretty: bool = False) -> None:
    text = dumps(data, pretty)
    if output == "-":
        sys.stdout.write(text)
    else:
        atomic_write(Path(output), text)


def load_schema() -> JSON:
    return json.loads(SCHEMA_FILE.read_text())


class UnknownModel(UnknownArtifact):
    """A name that is neither a tagged nor a declared model; ``known`` lists those that are."""

    def __init__(self, name: str, known: list[str]) -> None:
        self.name, self.known = name, known
        super().__init__(f"unknown model '{name}'; known models: {', '.join(known) or 'none'}")


def model_state(registry: Registry, metadata: MetadataJson, name: str) -> ArtifactState:
    """What ``build_model`` reads for one model: its tags' state, else an empty one for a model
    declared at HEAD and never tagged; else ``UnknownModel`` (the one place this is decided
    for the CLI's compare and the download API's repo source)."""
    artifact = registry.state.artifacts.get(name)
    if artifact is not None:
        return artifact
    declared = metadata.declared_only(list(registry.state.artifacts))
    if name not in declared:
        raise UnknownModel(name, sorted([*registry.state.artifacts, *declared]))
    return ArtifactState(name)  # declared in dvc.yaml, never tagged
