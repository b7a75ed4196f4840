"""Parsing repo files safely: YAML/JSON once per blob, flattening, JSON-able values.

Everything here tolerates hostile input: parse errors become messages, never
exceptions; alias bombs and self-referencing YAML are cut off by a node budget.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import posixpath
import re
from collections import OrderedDict
from dataclasses import dataclass

import yaml

from .model import JSONValue, Scalar
from .source import BlobInfo, BlobSource

try:
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _BaseLoader = yaml.SafeLoader


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Safe loader that also reads ``1e-3`` as a float, as DVC's YAML 1.2 parser does."""


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)

MAX_FILE_BYTES = 8 * 1024 * 1024  # metadata files larger than this are reported, not parsed
MAX_NODES = 20_000  # flattened keys / converted nodes per document
MAX_DEPTH = 32
MAX_LIST = 64  # longer lists (per-epoch curves) are not metrics
MAX_STRING = 100  # longer strings are not metric/param values
MAX_INFOS = 200_000  # remembered (commit, path) -> blob info lookups

_URL_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


def is_url(path: str) -> bool:
    return bool(_URL_RE.match(path))


def repo_path(folder: str, relative: str) -> str | None:
    """``relative`` (to ``folder``) as a normalised repo-relative path; None if it leaves the repo."""
    joined = posixpath.normpath(posixpath.join(folder, relative.lstrip("/")))
    if joined == ".":
        return ""
    if joined == ".." or joined.startswith("../"):
        return None
    return joined


def folder_of(path: str) -> str:
    return posixpath.dirname(path)


def is_within(path: str, folder: str) -> bool:
    """``path`` equals ``folder`` or lies below it ("" is the repo root)."""
    return folder == "" or path == folder or path.startswith(folder + "/")


def describe_parse_error(exc: Exception) -> str:
    """One line saying why a YAML/JSON text did not parse, with the line and column when known."""
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        what = exc.problem or exc.context or "invalid YAML"
        return f"not valid YAML: {what} (line {mark.line + 1}, column {mark.column + 1})"
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text"
    first = str(exc).strip().splitlines()
    return f"not valid YAML: {first[0] if first else type(exc).__name__}"


@dataclass(frozen=True)
class Document:
    """A parsed file: ``data`` when it parsed, else ``error``."""

    path: str
    blob_sha: str
    data: object = None
    error: str | None = None


class DocumentCache:
    """Reads and parses each distinct blob once, keyed by its Git blob sha."""

    def __init__(self, source: BlobSource) -> None:
        self.source = source
        self._parsed: dict[tuple[str, str], tuple[object, str | None]] = {}
        self._infos: OrderedDict[tuple[str, str], BlobInfo | None] = OrderedDict()

    def info(self, commit: str, path: str) -> BlobInfo | None:
        """``blob_info``, remembered for recent commits (many models probe the same files)."""
        key = (commit, path)
        if key in self._infos:
            return self._infos[key]
        found = self._infos[key] = self.source.blob_info(commit, path)
        if len(self._infos) > MAX_INFOS:
            self._infos.popitem(last=False)
        return found

    def load(self, commit: str, path: str) -> Document | None:
        """The parsed file (JSON for ``*.json``, else YAML), or None when absent."""
        blob_sha = getattr(self.source, "blob_sha", None)
        if blob_sha is not None:  # GitRepo: the sha comes from cached trees, the bytes in one request
            sha = blob_sha(commit, path)
            return None if sha is None else self._load_sha(path, sha)
        info = self.info(commit, path)
        if info is None:
            return None
        fmt = "json" if path.lower().endswith(".json") else "yaml"
        key = (info.sha, fmt)
        if key not in self._parsed:
            self._parsed[key] = self._parse(commit, path, info.size, fmt)
        data, error = self._parsed[key]
        return Document(path, info.sha, data, error)

    def load_blob(self, commit: str, path: str, sha: str) -> Document | None:
        """``load`` when the blob sha is already known (from a tree walk): no lookup."""
        fmt = "json" if path.lower().endswith(".json") else "yaml"
        parsed = self._parsed.get((sha, fmt))
        if parsed is None:
            return self.load(commit, path)
        return Document(path, sha, parsed[0], parsed[1])

    def _load_sha(self, path: str, sha: str) -> Document | None:
        fmt = "json" if path.lower().endswith(".json") else "yaml"
        key = (sha, fmt)
        if key not in self._parsed:
            found = self.source.read_blob_capped(sha, MAX_FILE_BYTES)  # type: ignore[attr-defined]
            if found is None:
                return None
            size, raw = found
            if raw is None:
                self._parsed[key] = (None, f"too large to read as metadata ({size} bytes)")
            else:
                self._parsed[key] = self._decode(raw, fmt)
        data, error = self._parsed[key]
        return Document(path, sha, data, error)

    def _parse(self, commit: str, path: str, size: int, fmt: str) -> tuple[object, str | None]:
        if size > MAX_FILE_BYTES:
            return None, f"too large to read as metadata ({size} bytes)"
        raw = self.source.read_file(commit, path)
        if raw is None:
            return None, "could not be read"
        return self._decode(raw, fmt)

    @staticmethod
    def _decode(raw: bytes, fmt: str) -> tuple[object, str | None]:
        try:
            if fmt == "json":
                return json.loads(raw.decode("utf-8-sig")), None
            return yaml.load(raw, Loader=_Loader), None  # noqa: S506 - a safe loader
        except (yaml.YAMLError, ValueError, RecursionError) as exc:
            return None, describe_parse_error(exc)

    def read_bytes(self, commit: str, path: str) -> bytes | None:
        """A blob's bytes; not cached (callers cache what they derive, by blob sha)."""
        return self.source.read_file(commit, path)


def scalar(value: object) -> Scalar | None:
    """A metric/param value kept as is: numbers, bools, short strings (dates as ISO)."""
    if isinstance(value, bool) or isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        return value if len(value) <= MAX_STRING else None
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    return None


def non_finite_label(value: object) -> str | None:
    """``NaN``, ``Infinity`` or ``-Infinity`` (JSON's spelling) for such a float, else None."""
    if not isinstance(value, float) or math.isfinite(value):
        return None
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


def flatten(data: object, prefix: str = "", non_finite: dict[str, str] | None = None) -> dict[str, Scalar]:
    """Nested mappings as ``a.b`` keys, short lists as ``a.0``; non-scalars dropped.

    NaN and infinities are dropped too (the index is strict JSON); pass ``non_finite``
    to learn which keys held one (key -> ``non_finite_label``), so they can be reported.
    """
    return flatten_capped(data, prefix, non_finite)[0]


def flatten_capped(data: object, prefix: str = "",
                   non_finite: dict[str, str] | None = None) -> tuple[dict[str, Scalar], bool]:
    """``flatten``, and whether the document had more than ``MAX_NODES`` nodes (the rest is not read)."""
    out: dict[str, Scalar] = {}
    budget = [MAX_NODES]

    def walk(node: object, key: str, depth: int) -> None:
        if budget[0] <= 0 or depth > MAX_DEPTH:
            return
        budget[0] -= 1
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{key}.{k}" if key else str(k), depth + 1)
        elif isinstance(node, list):
            if len(node) <= MAX_LIST:
                for i, v in enumerate(node):
                    walk(v, f"{key}.{i}" if key else str(i), depth + 1)
        elif key:
            value = scalar(node)
            if value is not None:
                out[key] = value
            elif non_finite is not None:
                label = non_finite_label(node)
                if label is not None:
                    non_finite[key] = label

    walk(data, prefix, 0)
    return out, budget[0] <= 0 and _has_more(data)


def _has_more(data: object) -> bool:
    """Whether ``data`` holds more than ``MAX_NODES`` nodes (counted as ``flatten`` walks them)."""
    count = 0
    stack: list[tuple[object, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            continue
        count += 1
        if count > MAX_NODES:
            return True
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list) and len(node) <= MAX_LIST:
            stack.extend((v, depth + 1) for v in node)
    return False


def jsonable(data: object) -> JSONValue:
    """Free-form repo values as JSON-able data (string keys, ISO dates, no NaN)."""
    budget = [MAX_NODES]

    def conv(node: object, depth: int) -> JSONValue:
        if budget[0] <= 0 or depth > MAX_DEPTH:
            return None
        budget[0] -= 1
        if isinstance(node, dict):
            return {str(k): conv(v, depth + 1) for k, v in node.items()}
        if isinstance(node, (list, tuple)):
            return [conv(v, depth + 1) for v in node]
        if isinstance(node, (set, frozenset)):
            return sorted(str(v) for v in node)
        if node is None or isinstance(node, (bool, int, str)):
            return node
        if isinstance(node, float):
            return node if math.isfinite(node) else None
        if isinstance(node, (_dt.date, _dt.datetime)):
            return node.isoformat()
        return None  # bytes (!!binary) and anything else: not metadata

    return conv(data, 0)
