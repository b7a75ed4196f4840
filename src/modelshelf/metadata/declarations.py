"""Model declarations: ``artifacts:`` of every ``dvc.yaml`` and the legacy ``artifacts.yaml``.

A ``dvc.yaml`` also lists the metrics and params files the other readers need,
so it is parsed once into a ``DvcYaml`` here. Every wrong type becomes a
``MetadataProblem`` and the rest of the file still reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.grammar import is_valid_name
from ..core.repo_files import ARTIFACTS_YAML
from .model import ArtifactDecl, JSONValue, MetadataProblem
from .parse import folder_of, is_url, jsonable, repo_path



@dataclass(frozen=True)
class ParamsEntry:
    """A params file named by ``dvc.yaml``; ``keys`` empty means every key."""

    path: str  # repo-relative
    keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class DvcYaml:
    """What one ``dvc.yaml`` says that the metadata readers use."""

    path: str
    folder: str
    artifacts: tuple[ArtifactDecl, ...] = ()
    metrics: tuple[str, ...] = ()  # repo-relative, top-level list then stage metrics
    params: tuple[ParamsEntry, ...] = ()
    problems: tuple[MetadataProblem, ...] = ()


class _Problems:
    def __init__(self, file: str, commit: str) -> None:
        self.file, self.commit, self.items = file, commit, []  # type: tuple[str, str, list[MetadataProblem]]

    def add(self, message: str) -> None:
        self.items.append(MetadataProblem(self.file, self.commit, message))


def _str_field(entry: dict, key: str, where: str, problems: _Problems) -> str | None:
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        return value
    problems.add(f"{where}: '{key}' must be a string, not {type(value).__name__}")
    return None


def _labels(value: object, where: str, problems: _Problems) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        problems.add(f"{where}: 'labels' must be a list of strings, not {type(value).__name__}")
        return ()
    kept = [v for v in value if isinstance(v, str)]
    if len(kept) != len(value):
        problems.add(f"{where}: 'labels' entries must be strings; others ignored")
    return tuple(sorted(set(kept)))


def _meta(value: object, key: str, where: str, problems: _Problems) -> dict[str, JSONValue]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.add(f"{where}: '{key}' must be a mapping, not {type(value).__name__}")
        return {}
    converted = jsonable(value)
    return converted if isinstance(converted, dict) else {}


def _located(folder: str, path: str | None, where: str, problems: _Problems) -> tuple[str | None, str | None]:
    """(repo_path, url) for a declared path."""
    if path is None:
        return None, None
    if is_url(path):
        return None, path
    if path.startswith("/"):  # one rule with download: no absolute, escaping or symlinked paths
        problems.add(f"{where}: path '{path}' is absolute: paths are relative to the folder of the file "
                     "that declares them; refused")
        return None, None
    located = repo_path(folder, path)
    if located is None or located == "":
        problems.add(f"{where}: path '{path}' is outside the repository")
        return None, None
    return located, None


def _artifact(name: object, entry: object, dvc_path: str, folder: str, problems: _Problems) -> ArtifactDecl | None:
    if not isinstance(name, str):
        problems.add(f"artifact name {name!r} must be a string; ignored")
        return None
    full = f"{folder}:{name}" if folder else name
    where = f"artifact '{full}'"
    if not is_valid_name(full):
        problems.add(
            f"{where}: invalid name (letters, digits, '-', '_', '/', starting and ending "
            "with a letter or digit); ignored"
        )
        return None
    if entry is None:
        entry = {}
    if not isinstance(entry, dict):
        problems.add(f"{where}: must be a mapping with 'path', not {type(entry).__name__}; ignored")
        return None
    path = _str_field(entry, "path", where, problems)
    if path is None and "path" not in entry:
        problems.add(f"{where}: no 'path'")
    located, url = _located(folder, path, where, problems)
    return ArtifactDecl(
        name=full,
        source=dvc_path,
        folder=folder,
        path=path,
        repo_path=located,
        url=url,
        type=_str_field(entry, "type", where, problems),
        description=_str_field(entry, "desc", where, problems) or "",
        labels=_labels(entry.get("labels"), where, problems),
        meta=_meta(entry.get("meta"), "meta", where, problems),
    )


def _paths(value: object, folder: str, what: str, problems: _Problems) -> list[str]:
    """A list of file paths (strings, or single-key ``{path: {options}}`` mappings)."""
    if value is None:
        return []
    if not isinstance(value, list):
        problems.add(f"'{what}' must be a list, not {type(value).__name__}")
        return []
    found: list[str] = []
    for item in value:
        names = [item] if isinstance(item, str) else list(item) if isinstance(item, dict) else []
        if not names or not all(isinstance(n, str) for n in names):
            problems.add(f"'{what}': entry {item!r} is not a path; ignored")
            continue
        for name in names:
            if "${" in name or is_url(name):
                continue  # templated (foreach/matrix) or remote: not a file in this commit
            located = repo_path(folder, name)
            if located:
                found.append(located)
    return found


def _params(value: object, folder: str, problems: _Problems) -> list[ParamsEntry]:
    if value is None:
        return []
    if not isinstance(value, list):
        problems.add(f"'params' must be a list, not {type(value).__name__}")
        return []
    entries: list[ParamsEntry] = []
    for item in value:
        if isinstance(item, str):
            pairs: list[tuple[object, object]] = [(item, None)]
        elif isinstance(item, dict):
            pairs = list(item.items())
        else:
            problems.add(f"'params': entry {item!r} is not a file name; ignored")
            continue
        for name, keys in pairs:
            if not isinstance(name, str) or "${" in name:
                continue
            if keys is not None and not (isinstance(keys, list) and all(isinstance(k, str) for k in keys)):
                problems.add(f"'params': keys of '{name}' must be a list of strings; reading all keys")
                keys = None
            located = repo_path(folder, name)
            if located:
                entries.append(ParamsEntry(located, tuple(keys or ())))
    return entries


def parse_dvc_yaml(data: object, path: str, commit: str, error: str | None = None) -> DvcYaml:
    """One ``dvc.yaml`` (already parsed) as a typed ``DvcYaml``."""
    folder = folder_of(path)
    problems = _Problems(path, commit)
    if error is not None:
        problems.add(error)
        return DvcYaml(path, folder, problems=tuple(problems.items))
    if data is None:
        return DvcYaml(path, folder)
    if not isinstance(data, dict):
        problems.add(f"expected a mapping at the top level, not {type(data).__name__}")
        return DvcYaml(path, folder, problems=tuple(problems.items))
    artifacts: list[ArtifactDecl] = []
    section = data.get("artifacts")
    if section is not None and not isinstance(section, dict):
        problems.add(f"'artifacts' must be a mapping of names, not {type(section).__name__}")
    elif section:
        for name, entry in section.items():
            decl = _artifact(name, entry, path, folder, problems)
            if decl is not None:
                artifacts.append(decl)
    metrics = _paths(data.get("metrics"), folder, "metrics", problems)
    stages = data.get("stages")
    if isinstance(stages, dict):
        for stage_name, stage in stages.items():
            if isinstance(stage, dict) and "metrics" in stage:
                metrics += _paths(stage["metrics"], folder, f"stages.{stage_name}.metrics", problems)
    elif stages is not None:
        problems.add(f"'stages' must be a mapping, not {type(stages).__name__}")
    return DvcYaml(
        path=path,
        folder=folder,
        artifacts=tuple(artifacts),
        metrics=tuple(dict.fromkeys(metrics)),
        params=tuple(_params(data.get("params"), folder, problems)),
        problems=tuple(problems.items),
    )


def parse_artifacts_yaml(data: object, commit: str, error: str | None = None) -> tuple[list[ArtifactDecl], list[MetadataProblem]]:
    """GTO's ``artifacts.yaml``: ``name: {type, path, virtual, labels, description, custom}``."""
    problems = _Problems(ARTIFACTS_YAML, commit)
    if error is not None:
        problems.add(error)
        return [], problems.items
    if data is None:
        return [], []
    if not isinstance(data, dict):
        problems.add(f"expected a mapping of model names, not {type(data).__name__}")
        return [], problems.items
    found: list[ArtifactDecl] = []
    for name, entry in data.items():
        where = f"artifact '{name}'"
        if not isinstance(name, str) or not is_valid_name(name):
            problems.add(f"{where}: invalid name; ignored")
            continue
        if entry is None:
            entry = {}
        if not isinstance(entry, dict):
            problems.add(f"{where}: must be a mapping, not {type(entry).__name__}; ignored")
            continue
        path = _str_field(entry, "path", where, problems)
        located, url = _located("", path, where, problems)
        virtual = entry.get("virtual", True)
        if not isinstance(virtual, bool):
            problems.add(f"{where}: 'virtual' must be true or false")
            virtual = True
        custom = entry.get("custom")
        found.append(
            ArtifactDecl(
                name=name,
                source=ARTIFACTS_YAML,
                folder="",
                path=path,
                repo_path=located,
                url=url,
                type=_str_field(entry, "type", where, problems),
                description=_str_field(entry, "description", where, problems) or "",
                labels=_labels(entry.get("labels"), where, problems),
                meta=_meta(custom, "custom", where, problems) if isinstance(custom, dict) or custom is None else {},
                virtual=virtual,
            )
        )
    return found, problems.items
