"""``dvc.lock``: what each pipeline stage ran, read and wrote, and a model's lineage.

Paths in a lock file are relative to its folder; here they are repo-relative,
so stages of every ``dvc.lock`` in the commit form one graph.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .model import FileHash, Lineage, LineageStage, MetadataProblem, Scalar
from .parse import flatten, folder_of, is_url, is_within, repo_path


@dataclass(frozen=True)
class LockFile:
    path: str
    folder: str
    stages: tuple[LineageStage, ...] = ()
    problems: tuple[MetadataProblem, ...] = ()


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _md5(entry: dict) -> str | None:
    """DVC 3 writes ``hash: md5`` plus ``md5: <value>``; DVC 2 only ``md5``."""
    value = entry.get("md5")
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # an all-digit hash written unquoted by hand
    if isinstance(value, str):
        return value
    algo = entry.get("hash")
    if isinstance(algo, str):
        named = entry.get(algo)
        if isinstance(named, str):
            return named
        if len(algo) >= 32:  # a bare hash value
            return algo
    return None


def file_hashes(value: object, folder: str) -> tuple[FileHash, ...]:
    """``deps``/``outs`` entries as repo-relative ``FileHash``es (URL deps kept as is)."""
    if not isinstance(value, list):
        return ()
    found: list[FileHash] = []
    for entry in value:
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            continue
        raw = entry["path"]
        located = raw if is_url(raw) else repo_path(folder, raw)
        if not located:
            continue
        found.append(FileHash(located, _md5(entry), _int(entry.get("size")), _int(entry.get("nfiles"))))
    return tuple(found)


def _stage_params(value: object, folder: str) -> dict[str, dict[str, Scalar]]:
    if not isinstance(value, dict):
        return {}
    params: dict[str, dict[str, Scalar]] = {}
    for name, values in value.items():
        located = repo_path(folder, str(name))
        if located and isinstance(values, dict):
            params[located] = dict(sorted(flatten(values).items()))
    return params


def parse_dvc_lock(data: object, path: str, commit: str, error: str | None = None) -> LockFile:
    folder = folder_of(path)
    problem = lambda message: MetadataProblem(path, commit, message)  # noqa: E731
    if error is not None:
        return LockFile(path, folder, problems=(problem(error),))
    if data is None:
        return LockFile(path, folder)
    if not isinstance(data, dict):
        return LockFile(path, folder, problems=(problem(f"expected a mapping, not {type(data).__name__}"),))
    # Schema 2.0 nests stages under ``stages``; DVC 1 locks are the stages mapping itself.
    stages = data.get("stages") if "schema" in data or "stages" in data else data
    if not isinstance(stages, dict):
        return LockFile(path, folder, problems=(problem("'stages' must be a mapping"),))
    # DVC addresses stages outside the root as "folder/dvc.yaml:stage".
    prefix = f"{folder}/dvc.yaml:" if folder else ""
    found: list[LineageStage] = []
    problems: list[MetadataProblem] = []
    for name, stage in stages.items():
        if not isinstance(stage, dict):
            problems.append(problem(f"stage '{name}' must be a mapping; ignored"))
            continue
        cmd = stage.get("cmd")
        if isinstance(cmd, list):
            cmd = "\n".join(str(c) for c in cmd)
        found.append(
            LineageStage(
                name=f"{prefix}{name}",
                lock_file=path,
                cmd=cmd if isinstance(cmd, str) else "",
                deps=file_hashes(stage.get("deps"), folder),
                outs=file_hashes(stage.get("outs"), folder),
                params=_stage_params(stage.get("params"), folder),
            )
        )
    return LockFile(path, folder, tuple(found), tuple(problems))


def _overlaps(a: str, b: str) -> bool:
    return a != "" and b != "" and (is_within(a, b) or is_within(b, a))


def producer(stages: Sequence[LineageStage], target: str) -> LineageStage | None:
    """The stage whose outs contain ``target`` (the most specific out wins)."""
    best: tuple[int, str] | None = None
    chosen: LineageStage | None = None
    for stage in stages:
        for out in stage.outs:
            if out.path and is_within(target, out.path):
                key = (-len(out.path), stage.name)
                if best is None or key < best:
                    best, chosen = key, stage
    return chosen


def lineage(stages: Sequence[LineageStage], target: str | None) -> Lineage:
    """The producing stage and everything upstream of it, upstream first."""
    if not target:
        return Lineage()
    top = producer(stages, target)
    if top is None:
        return Lineage()
    ordered: list[LineageStage] = []
    seen: set[str] = set()

    def visit(stage: LineageStage) -> None:
        seen.add(stage.name)
        upstream = sorted(
            (
                other
                for other in stages
                if other.name not in seen
                and any(_overlaps(dep.path, out.path) for dep in stage.deps for out in other.outs)
            ),
            key=lambda s: s.name,
        )
        for other in upstream:
            if other.name not in seen:
                visit(other)
        ordered.append(stage)

    visit(top)
    return Lineage(produced_by=top.name, stages=tuple(ordered))
