"""Comparing versions and candidates of one model: metrics, params, lineage, plots.

Works on the model's JSON record (what the site publishes under
``api/models/``), so the CLI shows exactly what the compare page computes in
the browser (``render/assets/compare.js`` follows the same rules): the first
entry is the baseline, deltas are ``value - baseline``; params and lineage
rows are listed only where the entries differ.
"""

from __future__ import annotations

import math
import posixpath
from dataclasses import dataclass, field
from typing import Any

from ..core.errors import ModelshelfError
from ..metadata.model import Scalar

JSON = dict[str, Any]
CODE_EXTENSIONS = frozenset({".py", ".ipynb", ".r", ".sh", ".js", ".ts", ".java", ".scala", ".jl", ".sql",
                             ".go", ".rs", ".c", ".cc", ".cpp", ".h", ".m", ".rb", ".pl", ".lua"})


class CompareError(ModelshelfError, ValueError):
    """A reference that names no version, candidate or commit of the model."""


@dataclass(frozen=True)
class Entry:
    """One side of a comparison."""

    label: str  # "v1.2.0", or a short sha (with the experiment name)
    kind: str  # "version" | "candidate" | "commit"
    commit: str
    metrics: dict[str, Scalar] = field(default_factory=dict)
    params: dict[str, Scalar] = field(default_factory=dict)
    lineage: dict[tuple[str, str, str], str | None] = field(default_factory=dict)  # (stage, kind, path) -> hash
    plots: tuple[JSON, ...] = ()
    register: str | None = None  # the command that would register a candidate


@dataclass(frozen=True)
class MetricRow:
    key: str
    values: tuple[Scalar | None, ...]
    deltas: tuple[float | None, ...]  # against the first entry


@dataclass(frozen=True)
class DiffRow:
    key: str
    values: tuple[Scalar | None, ...]


@dataclass(frozen=True)
class LineageRow:
    stage: str
    kind: str  # "code" | "data" | "output" | "command"
    path: str
    values: tuple[str | None, ...]


@dataclass(frozen=True)
class Comparison:
    model: str
    entries: tuple[Entry, ...]
    metrics: tuple[MetricRow, ...]
    params: tuple[DiffRow, ...]
    lineage: tuple[LineageRow, ...]
    plots: tuple[str, ...]  # plot ids present in at least one entry

    def to_json(self) -> JSON:
        return {
            "model": self.model,
            "entries": [{"label": e.label, "kind": e.kind, "commit": e.commit, "register": e.register}
                        for e in self.entries],
            "metrics": [{"key": r.key, "values": list(r.values), "deltas": list(r.deltas)} for r in self.metrics],
            "params": [{"key": r.key, "values": list(r.values)} for r in self.params],
            "lineage": [{"stage": r.stage, "kind": r.kind, "path": r.path, "values": list(r.values)}
                        for r in self.lineage],
            "plots": list(self.plots),
        }


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _kind(path: str, role: str) -> str:
    if role == "outs":
        return "output"
    return "code" if posixpath.splitext(path)[1].lower() in CODE_EXTENSIONS else "data"


def lineage_hashes(lineage: JSON | None) -> dict[tuple[str, str, str], str | None]:
    """Each stage's command, deps and outs as comparable keys."""
    found: dict[tuple[str, str, str], str | None] = {}
    for stage in (lineage or {}).get("stages", []):
        name = stage.get("name", "")
        found[(name, "command", "cmd")] = stage.get("cmd")
        for role in ("deps", "outs"):
            for item in stage.get(role, []):
                found[(name, _kind(item["path"], role), item["path"])] = item.get("md5")
    return found


def _short(sha: str) -> str:
    return sha[:7]


def entry_from_version(record: JSON) -> Entry:
    return Entry(record["version"] if len(record["version"]) != 40 else _short(record["version"]),
                 "version", record["commit"], dict(record.get("metrics") or {}), dict(record.get("params") or {}),
                 lineage_hashes(record.get("lineage")), tuple(record.get("plots") or ()))


def entry_from_candidate(record: JSON) -> Entry:
    label = _short(record["commit"]) + (f" ({record['experiment']})" if record.get("experiment") else "")
    return Entry(label, "candidate", record["commit"], dict(record.get("metrics") or {}),
                 dict(record.get("params") or {}), lineage_hashes(record.get("lineage")),
                 tuple(record.get("plots") or ()), record.get("register"))


def resolve_entry(model: JSON, token: str) -> Entry | None:
    """A version (``v1.0.0``, ``NAME@v1.0.0``, ``NAME@latest``, ``NAME#stage``) or a candidate/commit prefix."""
    name = model["name"]
    wanted = token
    if token.startswith(name) and len(token) > len(name) and token[len(name)] in "@#":
        rest = token[len(name) + 1:]
        if token[len(name)] == "#":
            held = model.get("stages", {}).get(rest.split("#")[0])
            if held is None:
                raise CompareError(f"stage '{rest}' of {name} holds no version; stages: "
                                   f"{', '.join(sorted(model.get('stages', {}))) or 'none'}")
            wanted = held
        else:
            wanted = model.get("latest") if rest == "latest" else rest
            if wanted is None:
                raise CompareError(f"{name} has no registered version")
    versions = model.get("versions", [])
    for record in versions:
        if record["version"] == wanted:
            return entry_from_version(record)
    candidates = model.get("candidates", [])
    for record in candidates:
        if record.get("experiment") and record["experiment"] == wanted:
            return entry_from_candidate(record)
    lowered = wanted.lower()
    if len(lowered) >= 4 and all(c in "0123456789abcdef" for c in lowered):
        for record in versions:
            if record["commit"].startswith(lowered) and record["status"] == "active":
                return entry_from_version(record)
        for record in candidates:
            if record["commit"].startswith(lowered):
                return entry_from_candidate(record)
    return None


DELTA_DIGITS = 12  # significant digits of a delta: float noise (0.028000000000000025) gone, data kept


def _difference(value: float, base: float) -> float:
    """``value - base`` without binary noise, the same on every machine (IEEE doubles)."""
    difference = value - base
    if isinstance(difference, int) or not math.isfinite(difference):
        return difference
    return float(f"{difference:.{DELTA_DIGITS}g}")


def compare(model_name: str, entries: list[Entry]) -> Comparison:
    """Metrics side by side with deltas against the first entry; params and lineage that differ."""
    base = entries[0] if entries else None
    metric_keys = sorted({k for e in entries for k in e.metrics})
    metrics = []
    for key in metric_keys:
        values = tuple(e.metrics.get(key) for e in entries)
        first = base.metrics.get(key) if base else None
        deltas = tuple(
            _difference(v, first) if _is_number(v) and _is_number(first) else None  # type: ignore[arg-type]
            for v in values
        )
        metrics.append(MetricRow(key, values, deltas))
    params = []
    for key in sorted({k for e in entries for k in e.params}):
        values = tuple(e.params.get(key) for e in entries)
        if len(set(map(repr, values))) > 1:
            params.append(DiffRow(key, values))
    lineage = []
    for stage, kind, path in sorted({k for e in entries for k in e.lineage}):
        values = tuple(e.lineage.get((stage, kind, path)) for e in entries)
        if len(set(values)) > 1:
            lineage.append(LineageRow(stage, kind, path, values))
    plots = tuple(dict.fromkeys(p["id"] for e in entries for p in e.plots))
    return Comparison(model_name, tuple(entries), tuple(metrics), tuple(params), tuple(lineage), plots)
