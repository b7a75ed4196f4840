"""``dvc.yaml`` ``plots:`` declarations and the data files they name, per model and commit.

The metadata reader does not read plots, so this module does, through the
reader's ``DocumentCache`` (each blob parsed once). Supported declarations
(top-level DVC 3 ``plots:`` and a stage's ``plots:`` outputs)::

    plots:
      - evaluation/roc.json                      # a file: x = step, y = last numeric field
      - evaluation/prc.json: {x: recall, y: precision}
      - ROC: {x: fpr, y: {evaluation/roc.json: tpr}, title: ROC}
      - evaluation/confusion.png                 # an image

Curves keep at most ``MAX_POINTS`` points (evenly thinned, first and last
kept) so the JSON stays small; bad data files become problems, never errors.
"""

from __future__ import annotations

import csv
import io
import math
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass

from ..metadata.model import ArtifactDecl, MetadataProblem
from ..metadata.parse import DocumentCache, folder_of, is_url, is_within, repo_path

MAX_POINTS = 200
MAX_DATA_BYTES = 4 * 1024 * 1024
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")
DATA_EXTENSIONS = (".json", ".csv", ".tsv", ".yaml", ".yml")
STEP = "step"  # the x field when none is given: the row number


@dataclass(frozen=True)
class PlotSource:
    """One file of a plot and the fields it contributes."""

    path: str  # repo-relative
    x: str  # a field name, or STEP
    y: tuple[str, ...]  # empty: the last numeric field


@dataclass(frozen=True)
class PlotSpec:
    """One ``plots:`` entry."""

    id: str
    title: str
    image: bool
    sources: tuple[PlotSource, ...]


@dataclass(frozen=True)
class Series:
    file: str
    x: str
    y: str
    points: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class VersionPlot:
    """A plot at one commit: curves for data plots, the blob for images."""

    id: str
    title: str
    kind: str  # "data" | "image"
    x: str
    y: str
    series: tuple[Series, ...] = ()
    path: str | None = None  # images
    git_sha: str | None = None
    size: int | None = None

    def to_json(self) -> dict:
        if self.kind == "image":
            return {"id": self.id, "title": self.title, "kind": "image", "path": self.path,
                    "git_sha": self.git_sha, "size": self.size}
        return {
            "id": self.id, "title": self.title, "kind": "data", "x": self.x, "y": self.y,
            "series": [{"file": s.file, "x": s.x, "y": s.y, "points": [list(p) for p in s.points]}
                       for s in self.series],
        }


def _is_image(path: str) -> bool:
    return path.lower().endswith(IMAGE_EXTENSIONS)


def _fields(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str))
    return ()


def parse_plots(data: object, folder: str) -> tuple[list[PlotSpec], list[str]]:
    """Every plot a parsed ``dvc.yaml`` declares (top level first, then stages), and problems."""
    specs: list[PlotSpec] = []
    problems: list[str] = []
    if not isinstance(data, dict):
        return specs, problems
    entries: list[tuple[str, object]] = []
    top = data.get("plots")
    if isinstance(top, list):
        for item in top:
            if isinstance(item, str):
                entries.append((item, None))
            elif isinstance(item, dict):
                entries += [(str(k), v) for k, v in item.items()]
            else:
                problems.append(f"plots: entry of type {type(item).__name__} ignored")
    elif isinstance(top, dict):
        entries += [(str(k), v) for k, v in top.items()]
    elif top is not None:
        problems.append(f"plots: must be a list, not {type(top).__name__}")
    stages = data.get("stages")
    if isinstance(stages, dict):
        for stage in stages.values():
            outs = stage.get("plots") if isinstance(stage, dict) else None
            for item in outs if isinstance(outs, list) else []:
                if isinstance(item, str):
                    entries.append((item, None))
                elif isinstance(item, dict):
                    entries += [(str(k), v) for k, v in item.items()]
    seen: set[str] = set()
    for key, props in entries:
        spec = _spec(key, props if isinstance(props, dict) else {}, folder)
        if spec is not None and spec.id not in seen:
            seen.add(spec.id)
            specs.append(spec)
    return specs, problems


def _spec(key: str, props: dict, folder: str) -> PlotSpec | None:
    title = props.get("title") if isinstance(props.get("title"), str) else key
    x = props.get("x")
    y = props.get("y")
    if isinstance(y, dict):  # a named plot: y maps files to fields
        sources = []
        for file, fields in y.items():
            path = repo_path(folder, str(file)) if not is_url(str(file)) else None
            if not path:
                continue
            fx = x.get(file) if isinstance(x, dict) else x
            sources.append(PlotSource(path, fx if isinstance(fx, str) else STEP, _fields(fields)))
        return PlotSpec(key, title, False, tuple(sources)) if sources else None
    if is_url(key):
        return None
    path = repo_path(folder, key)
    if not path:
        return None
    if _is_image(path):
        return PlotSpec(key, title, True, (PlotSource(path, STEP, ()),))
    if not path.lower().endswith(DATA_EXTENSIONS):
        return None  # a folder of plots, or an unknown format
    return PlotSpec(key, title, False, (PlotSource(path, x if isinstance(x, str) else STEP, _fields(y)),))


# -- data files ---------------------------------------------------------------
def _rows(data: object) -> list[dict] | None:
    """The list of records in a plot file: the file itself, or its first list of records."""
    if isinstance(data, list):
        return [r for r in data if isinstance(r, dict)]
    if isinstance(data, dict):
        for value in data.values():
            if isinstance(value, list) and value and isinstance(value[0], dict):
                return [r for r in value if isinstance(r, dict)]
    return None


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            found = float(value)
        except ValueError:
            return None
        return found if math.isfinite(found) else None
    return None


def _round(value: float) -> float:
    return float(f"{value:.6g}")


def _thin(points: list[tuple[float, float]]) -> tuple[tuple[float, float], ...]:
    if len(points) <= MAX_POINTS:
        return tuple(points)
    step = (len(points) - 1) / (MAX_POINTS - 1)
    return tuple(points[round(i * step)] for i in range(MAX_POINTS))


def series_from_rows(file: str, rows: list[dict], x: str, ys: tuple[str, ...]) -> list[Series]:
    """Curves of ``ys`` against ``x`` (the row number for STEP); rows without numbers skipped."""
    if not ys:
        last = [k for k in (rows[0] if rows else {}) if k != x and _number(rows[0][k]) is not None]
        ys = (last[-1],) if last else ()
    found = []
    for y in ys:
        points = []
        for i, row in enumerate(rows):
            xv = float(i) if x == STEP and x not in row else _number(row.get(x))
            yv = _number(row.get(y))
            if xv is not None and yv is not None:
                points.append((_round(xv), _round(yv)))
        if points:
            found.append(Series(file, x, y, _thin(points)))
    return found


def _table(raw: bytes, delimiter: str) -> list[dict]:
    text = raw.decode("utf-8-sig", errors="replace")
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


@dataclass(frozen=True)
class _PlotOwners:
    everyone: bool  # one model in the group: every plot is its
    by_model: dict[str, tuple[int, ...]]  # model -> positions of its plots


def _plot_owners(specs: list[PlotSpec], group: list[ArtifactDecl]) -> _PlotOwners:
    """Each plot goes to the models whose folder holds its first file, the deepest folder winning."""
    if len(group) <= 1:
        return _PlotOwners(True, {})
    homes: dict[str, list[str]] = {}
    for d in group:
        if d.repo_path:
            homes.setdefault(folder_of(d.repo_path), []).append(d.name)
    by_model: dict[str, list[int]] = {}
    for position, spec in enumerate(specs):
        where = folder_of(spec.sources[0].path)
        while True:
            if where in homes:
                for name in homes[where]:
                    by_model.setdefault(name, []).append(position)
                break
            if not where:
                break
            where = folder_of(where)
    return _PlotOwners(False, {k: tuple(v) for k, v in by_model.items()})


class PlotReader:
    """A model's plots at a commit, memoised by blob sha (unchanged files are read once)."""

    def __init__(self, docs: DocumentCache) -> None:
        self.docs = docs
        self._specs: dict[tuple[str, str], tuple[list[PlotSpec], list[str]]] = {}
        self._series: dict[tuple[str, str, str, tuple[str, ...]], tuple[list[Series], str | None]] = {}
        self._owners: dict[tuple[str, str], _PlotOwners] = {}

    def specs(self, commit: str, dvc_yaml: str) -> tuple[list[PlotSpec], list[str]]:
        doc = self.docs.load(commit, dvc_yaml)
        if doc is None or doc.error:
            return [], []
        key = (dvc_yaml, doc.blob_sha)
        if key not in self._specs:
            self._specs[key] = parse_plots(doc.data, folder_of(dvc_yaml))
        return self._specs[key]

    def owned(self, commit: str, decl: ArtifactDecl, siblings: Iterable[ArtifactDecl]) -> list[PlotSpec]:
        """Plots of the model's ``dvc.yaml``: all when it declares one model, else those in its folder.

        Who owns which plot depends only on the ``dvc.yaml`` blob (its plots and its
        artifacts), so it is worked out once per blob, not once per commit.
        """
        source = decl.source if posixpath.basename(decl.source) == "dvc.yaml" else "dvc.yaml"
        specs, _ = self.specs(commit, source)
        key: tuple[str, str] | None = None
        if source == decl.source:  # the siblings are that blob's own artifacts
            doc = self.docs.load(commit, source)
            key = (source, doc.blob_sha) if doc is not None else None
        owners = self._owners.get(key) if key is not None else None
        if owners is None:
            owners = _plot_owners(specs, [d for d in siblings if d.source == decl.source])
            if key is not None:
                self._owners[key] = owners
        if owners.everyone:
            return specs
        return [specs[i] for i in owners.by_model.get(decl.name, ())]

    def read(self, commit: str, spec: PlotSpec) -> tuple[VersionPlot | None, list[MetadataProblem]]:
        if spec.image:
            path = spec.sources[0].path
            info = self.docs.info(commit, path)
            if info is None:
                return None, []
            return VersionPlot(spec.id, spec.title, "image", "", "", path=path, git_sha=info.sha, size=info.size), []
        series: list[Series] = []
        problems: list[MetadataProblem] = []
        for source in spec.sources:
            found, error = self._read_series(commit, source)
            if error:
                problems.append(MetadataProblem(source.path, commit, error))
            series += found
        if not series:
            return None, problems
        x = spec.sources[0].x
        y = ", ".join(dict.fromkeys(s.y for s in series))
        return VersionPlot(spec.id, spec.title, "data", x, y, tuple(series)), problems

    def _read_series(self, commit: str, source: PlotSource) -> tuple[list[Series], str | None]:
        info = self.docs.info(commit, source.path)
        if info is None:
            return [], None  # not committed (DVC-tracked, or not produced at this commit)
        key = (info.sha, source.path, source.x, source.y)
        if key not in self._series:
            self._series[key] = self._parse(commit, source, info.size)
        return self._series[key]

    def _parse(self, commit: str, source: PlotSource, size: int) -> tuple[list[Series], str | None]:
        if size > MAX_DATA_BYTES:
            return [], f"plot data too large to read ({size} bytes)"
        lower = source.path.lower()
        if lower.endswith((".csv", ".tsv")):
            raw = self.docs.read_bytes(commit, source.path)
            if raw is None:
                return [], "could not be read"
            try:
                rows = _table(raw, "\t" if lower.endswith(".tsv") else ",")
            except csv.Error as exc:
                return [], f"not valid CSV: {exc}"
        else:
            doc = self.docs.load(commit, source.path)
            if doc is None:
                return [], None
            if doc.error:
                return [], doc.error
            rows = _rows(doc.data)
            if rows is None:
                return [], "plot data must be a list of records (or a mapping holding one)"
        return series_from_rows(source.path, rows, source.x, source.y), None
