"""Comparing refs of one model from a repository: the orchestration behind ``modelshelf compare``.

Each ref is a version or spec (``v1.0.0``, ``NAME@latest``, ``NAME#prod``), a
candidate, or any commit (branch, tag, sha, experiment ref) that declares the
model. The model's record is the one the index builds (with candidates), so the
terminal and the catalog's compare page compare the same data.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..index.build import build_model, model_state
from ..index.metadata_json import MetadataJson, lineage_json
from ..registry import Registry
from .candidates import DEFAULT_CANDIDATES, register_command
from .extras import CompareExtras
from .model import JSON, CompareError, Comparison, Entry, compare, lineage_hashes, resolve_entry


def compare_refs(registry: Registry, name: str, refs: Sequence[str], *,
                 candidates: int = DEFAULT_CANDIDATES) -> Comparison:
    """``name`` at each of ``refs``, side by side. Raises ``CompareError`` for a ref that is
    nothing of the model, ``UnknownArtifact`` for a model neither tagged nor declared."""
    if len(refs) < 2:
        raise CompareError("compare needs at least two versions, candidates or commits")
    metadata = MetadataJson(registry)
    artifact = model_state(registry, metadata, name)
    extras = CompareExtras(metadata, depth=candidates)
    model = build_model(registry, artifact, metadata, extras)
    entries = []
    for token in refs:
        entry = resolve_entry(model, token)
        if entry is None:
            entry = _commit_entry(registry, metadata, extras, model, token)
        if entry is None:
            versions = ", ".join(v["version"] for v in model["versions"]) or "none"
            raise CompareError(f"'{token}' is no version, candidate or commit of {name}; versions: {versions}")
        entries.append(entry)
    return compare(name, entries)


def _commit_entry(registry: Registry, metadata: MetadataJson, extras: CompareExtras, model: JSON,
                  token: str) -> Entry | None:
    """An arbitrary commit (branch, tag, sha, experiment ref): the version or candidate it is, else read like one."""
    name = model["name"]
    sha = registry.repo.resolve(token)
    if sha is None:
        return None
    known = resolve_entry(model, sha)  # `main` or `HEAD~2` may be a registered version's commit
    if known is not None:
        return known
    meta = metadata.metadata(name, sha)
    if meta.declaration is None:
        raise CompareError(f"{name} is not declared at commit {sha[:7]} ('{token}')")
    return Entry(token if token != sha else sha[:7], "commit", sha, dict(meta.metrics), dict(meta.params),
                 lineage_hashes(lineage_json(meta.lineage)), tuple(extras.plots(name, sha)),
                 register_command(name, sha, first=model.get("latest") is None))
