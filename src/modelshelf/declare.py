"""Declaring models in ``dvc.yaml`` (``add`` and ``log_model``) and reading declarations back.

Edits go through ruamel.yaml's round-trip mode with the file's own
indentation, so comments, key order and quoting survive and only the
declared model changes; files are replaced atomically (temp file + rename).
A model ``folder/path:name`` lives in ``folder/path/dvc.yaml`` as ``name``.
"""

from __future__ import annotations

import io
import json
import math
import os
import posixpath
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError as RuamelError
from ruamel.yaml.util import load_yaml_guess_indent

from .atomic import atomic_write
from .gtocompat.gto_config import load_config
from .core.grammar import check_name
from .git import GitRepo
from .git.repo import root_or_folder
from .metadata.parse import is_url, repo_path

DVC_YAML = "dvc.yaml"
ARTIFACTS_YAML = "artifacts.yaml"


class DeclareError(ValueError):
    """A declaration that cannot be written (bad input or an unusable dvc.yaml)."""


@dataclass(frozen=True)
class Declaration:
    """A model as a ``dvc.yaml`` / ``artifacts.yaml`` declares it at one commit."""

    name: str
    path: str | None
    type: str | None = None
    description: str | None = None
    labels: tuple[str, ...] = ()
    source: str = DVC_YAML


@dataclass(frozen=True)
class Declared:
    """What ``add_artifact`` / ``log_model`` wrote."""

    name: str
    dvcyaml: Path
    created: bool  # False when an existing declaration was updated
    metrics: Path | None = None
    params: Path | None = None


def split_name(name: str) -> tuple[str, str]:
    """``folder/path:name`` -> (``folder/path``, ``name``); a root model has folder ``''``."""
    check_name(name)
    folder, _, short = name.rpartition(":")
    return folder.strip("/"), short


def _root(repo: str | os.PathLike[str]) -> Path:
    root = root_or_folder(repo)
    if root is None:
        raise DeclareError(f"{repo}: no such directory")
    return root


def _mapping_indent(text: str) -> int:
    indents = [
        len(line) - len(line.lstrip(" "))
        for line in text.splitlines()
        if line.startswith(" ") and re.match(r"^\s+[^\s#-][^:]*:(\s|$)", line)
    ]
    return min(indents) if indents else 2


def _yaml_for(text: str) -> tuple[YAML, Any]:
    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.width = 4096  # never re-wrap long descriptions
    data, seq_indent, offset = load_yaml_guess_indent(text) if text.strip() else (None, None, None)
    mapping = _mapping_indent(text)
    rt.indent(mapping=mapping, sequence=seq_indent or mapping, offset=offset if offset is not None else 0)
    data = rt.load(text) if text.strip() else None
    return rt, data


def _load_dvcyaml(path: Path) -> tuple[YAML, CommentedMap]:
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
    except UnicodeDecodeError as exc:
        raise DeclareError(f"{path}: not UTF-8 (byte {exc.start}); nothing was changed") from None
    except OSError as exc:  # a folder named dvc.yaml, a file where its folder should be, ...
        raise DeclareError(f"cannot read {path}: {exc.strerror or exc}; nothing was changed") from None
    try:
        rt, data = _yaml_for(text)
    except RuamelError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "parse error"
        raise DeclareError(f"{path}: not valid YAML ({first}); nothing was changed") from None
    if data is None:
        data = CommentedMap()
    if not isinstance(data, CommentedMap):
        raise DeclareError(f"{path}: expected a mapping at the top level; nothing was changed")
    return rt, data


def _write(path: Path, text: str) -> None:
    try:
        atomic_write(path, text)
    except OSError as exc:  # a file where a folder should be, a read-only folder, ...
        blocker = next((p for p in reversed(path.parents) if p.exists() and not p.is_dir()), None)
        reason = f"{blocker} is a file, not a folder" if blocker else exc.strerror or str(exc)
        raise DeclareError(f"cannot write {path}: {reason}") from None


def _dump(rt: YAML, data: CommentedMap) -> str:
    out = io.StringIO()
    rt.dump(data, out)
    return out.getvalue()


def _check_text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise DeclareError(f"{what} must be a non-empty string")
    return value


def add_artifact(
    name: str,
    path: str | None = None,
    type: str | None = None,
    desc: str | None = None,
    labels: list[str] | tuple[str, ...] | None = None,
    meta: Mapping[str, Any] | None = None,
    repo: str | os.PathLike[str] = ".",
    require_path: bool = False,
) -> Declared:
    """Declare ``name`` in dvc.yaml's ``artifacts:``, or update the fields given.

    A new model needs ``path``; ``type`` must be allowed by ``.gto``. Labels
    are added to the existing ones (kept unique, in order). ``require_path``:
    refuse a ``path`` (not a URL) that does not exist in the work tree.
    """
    folder, short = split_name(name)
    folder = "/".join(part for part in folder.split("/") if part)
    canonical = f"{folder}:{short}" if folder else short
    if canonical != name:
        # GTO reads 'dir/:m' as a name of its own, never the 'dir:m' that dir/dvc.yaml declares.
        raise DeclareError(f"invalid model name '{name}': a model declared in "
                           f"{folder + '/' if folder else ''}dvc.yaml is called '{canonical}'")
    root = _root(repo)
    if type is not None:
        _check_text(type, "type")
        try:
            load_config(root).check_type(type)
        except ValueError as exc:
            raise DeclareError(str(exc)) from None
    if path is not None:
        _check_text(path, "path")
        if not is_url(path) and (posixpath.isabs(path) or repo_path(folder, path) in (None, "")):
            raise DeclareError(f"path '{path}' must be inside the repository (relative to "
                               f"{folder + '/' if folder else 'the root '}dvc.yaml) or a URL such as s3://...")
        if require_path and not is_url(path) and not os.path.lexists(root / folder / path):
            raise DeclareError(f"path '{path}' does not exist ({root / folder / path}); nothing was changed "
                               "(log_model declares the model file that training wrote: write it first)")
    for label in labels or ():
        _check_text(label, "label")
    dvcyaml = root / folder / DVC_YAML if folder else root / DVC_YAML
    rt, data = _load_dvcyaml(dvcyaml)
    artifacts = data.get("artifacts")
    if artifacts is None:
        artifacts = CommentedMap()
        data["artifacts"] = artifacts
    if not isinstance(artifacts, CommentedMap):
        raise DeclareError(f"{dvcyaml}: 'artifacts' must be a mapping of model names; nothing was changed")
    entry = artifacts.get(short)
    created = entry is None
    if created:
        if path is None:
            raise DeclareError(f"model '{name}' is not declared in {dvcyaml} yet: give its path (--path)")
        entry = CommentedMap()
        artifacts[short] = entry
    if not isinstance(entry, CommentedMap):
        raise DeclareError(f"{dvcyaml}: artifacts.{short} must be a mapping; nothing was changed")
    for key, value in (("path", path), ("type", type), ("desc", desc)):
        if value is not None:
            entry[key] = value
    if labels:
        existing = entry.get("labels")
        if existing is None:
            existing = CommentedSeq()
            entry["labels"] = existing
        if not isinstance(existing, list):
            raise DeclareError(f"{dvcyaml}: artifacts.{short}.labels must be a list; nothing was changed")
        for label in labels:
            if label not in existing:
                existing.append(label)
    if meta:
        current = entry.get("meta")
        if current is None:
            entry["meta"] = CommentedMap(meta)
        elif isinstance(current, dict):
            current.update(meta)
        else:
            raise DeclareError(f"{dvcyaml}: artifacts.{short}.meta must be a mapping; nothing was changed")
    _write(dvcyaml, _dump(rt, data))
    return Declared(name, dvcyaml, created)


METRICS_FOLDER = "metrics"
PARAMS_FOLDER = "params"


class NonFiniteMetric(UserWarning):
    """A NaN or infinite metric/param was written (as JSON's ``NaN``/``Infinity``); the
    index and the catalog leave it out and ``doctor`` lists it."""


def _json_value(value: Any) -> Any:
    """NumPy-style scalars (``np.float32(0.9)``) as the Python numbers they hold."""
    item = getattr(value, "item", None)
    if callable(item):
        return item()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _values_text(name: str, values: Mapping[str, Any], what: str) -> tuple[str, list[str]]:
    """``values`` as JSON text (validated before anything is written), and the keys that are NaN/infinite."""
    try:
        text = json.dumps(dict(values), indent=2, ensure_ascii=False, default=_json_value) + "\n"
    except (TypeError, ValueError) as exc:
        raise DeclareError(f"{what} for '{name}' can't be written as JSON: {exc}") from None
    non_finite: list[str] = []

    def walk(prefix: str, data: Any) -> None:
        if isinstance(data, dict):
            for key, item in data.items():
                walk(f"{prefix}.{key}" if prefix else str(key), item)
        elif isinstance(data, float) and not math.isfinite(data):
            non_finite.append(prefix)

    walk("", json.loads(text))
    return text, non_finite


def _inside(file: str, what: str) -> str:
    if posixpath.isabs(file) or Path(file).is_absolute() or ".." in Path(file).parts or not file.strip():
        raise DeclareError(f"{what} file '{file}' must be a path inside the repository")
    return file


def _meta_names(entry: Any, key: str) -> list[str]:
    """The files a declaration's ``meta.metrics`` / ``meta.params`` names (a string or a list)."""
    meta = entry.get("meta") if isinstance(entry, dict) else None
    named = meta.get(key) if isinstance(meta, dict) else None
    items = [named] if isinstance(named, str) else named if isinstance(named, list) else []
    return [item for item in items if isinstance(item, str) and item]


def _own_file(entry: Any, key: str, given: str | None, default: str) -> str:
    """The model's own metrics/params file: the one given, else the first its meta names, else the default."""
    if given is not None:
        return given
    return next(iter(_meta_names(entry, key)), default)


def log_model(
    name: str,
    path: str,
    type: str | None = "model",
    desc: str | None = None,
    labels: list[str] | tuple[str, ...] | None = None,
    meta: Mapping[str, Any] | None = None,
    metrics: Mapping[str, Any] | None = None,
    metrics_file: str | None = None,
    params: Mapping[str, Any] | None = None,
    params_file: str | None = None,
    repo: str | os.PathLike[str] = ".",
) -> Declared:
    """For training scripts: declare the model and write its own metrics and params (JSON).

    Each model gets its own files: ``metrics/NAME.json`` and ``params/NAME.json``
    (relative to the dvc.yaml's folder) unless ``metrics_file`` / ``params_file``
    or the model's ``meta`` name others. The files are named in the model's
    ``meta`` (``meta.metrics`` / ``meta.params``), so they stay its own however
    many models the repo gains; the metrics file is also listed under dvc.yaml's
    ``metrics:`` (for ``dvc metrics``). ``path`` must exist (or be a URL).
    A NaN or infinite value is written as JSON's ``NaN``/``Infinity`` with a
    ``NonFiniteMetric`` warning (the index leaves it out; ``doctor`` lists it).
    Everything is checked before anything is written.
    """
    folder, short = split_name(name)
    texts: dict[str, tuple[str, list[str]]] = {}
    if metrics is not None:
        texts["metrics"] = _values_text(name, metrics, "metrics")
    if params is not None:
        texts["params"] = _values_text(name, params, "params")
    for given, what in ((metrics_file, "metrics"), (params_file, "params")):
        if given is not None:
            _inside(given, what)
    root = _root(repo)
    dvcyaml = root / folder / DVC_YAML if folder else root / DVC_YAML
    _, current = _load_dvcyaml(dvcyaml)
    artifacts = current.get("artifacts")
    entry = artifacts.get(short) if isinstance(artifacts, dict) else None
    files = {
        "metrics": _inside(_own_file(entry, "metrics", metrics_file, f"{METRICS_FOLDER}/{short}.json"), "metrics"),
        "params": _inside(_own_file(entry, "params", params_file, f"{PARAMS_FOLDER}/{short}.json"), "params"),
    }
    own = {key: files[key] for key in texts if files[key] not in _meta_names(entry, key)}
    declared = add_artifact(name, path, type=type, desc=desc, labels=labels, meta={**(meta or {}), **own},
                            repo=repo, require_path=True)
    written: dict[str, Path] = {}
    for key, (text, non_finite) in texts.items():
        target = declared.dvcyaml.parent / files[key]
        _write(target, text)
        written[key] = target
        for value_key in non_finite:
            warnings.warn(NonFiniteMetric(
                f"{key[:-1] if key == 'params' else 'metric'} '{value_key}' of '{name}' is NaN or infinite: "
                f"written to {target} as is; the index and the catalog leave it out (`modelshelf doctor` lists it)"
            ), stacklevel=2)
    if "metrics" in texts:
        rt, data = _load_dvcyaml(declared.dvcyaml)
        listed = data.get("metrics")
        if listed is None:
            data["metrics"] = CommentedSeq([files["metrics"]])
        elif isinstance(listed, list):
            if files["metrics"] not in listed:
                listed.append(files["metrics"])
        else:
            raise DeclareError(f"{declared.dvcyaml}: 'metrics' must be a list of files")
        _write(declared.dvcyaml, _dump(rt, data))
    return Declared(name, declared.dvcyaml, declared.created, written.get("metrics"), written.get("params"))


# -- reading declarations at a commit (for check-ref) -------------------------


def _safe_load(raw: bytes | None) -> Any:
    if raw is None:
        return None
    try:
        return yaml.safe_load(raw)
    except yaml.YAMLError:
        return None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _labels(value: Any) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def read_declaration(repo: GitRepo, commit: str, name: str) -> Declaration | None:
    """The model's declaration at ``commit``: dvc.yaml first, then GTO's artifacts.yaml."""
    folder, short = split_name(name)
    dvc = _safe_load(repo.read_file(commit, f"{folder}/{DVC_YAML}" if folder else DVC_YAML))
    if isinstance(dvc, dict) and isinstance(dvc.get("artifacts"), dict):
        entry = dvc["artifacts"].get(short)
        if isinstance(entry, dict):
            return Declaration(
                name, _str(entry.get("path")), _str(entry.get("type")), _str(entry.get("desc")),
                _labels(entry.get("labels")), f"{folder}/{DVC_YAML}" if folder else DVC_YAML,
            )
    legacy = _safe_load(repo.read_file(commit, ARTIFACTS_YAML))
    if isinstance(legacy, dict) and isinstance(legacy.get(name), dict):
        entry = legacy[name]
        return Declaration(
            name, _str(entry.get("path")), _str(entry.get("type")), _str(entry.get("description")),
            _labels(entry.get("labels")), ARTIFACTS_YAML,
        )
    return None
