"""Typed results of the metadata readers (all frozen; JSON only at the edges).

Free-form values that come from the repo itself (``meta``, ``custom``, model
card front matter) stay as plain JSON-able values: their shape is the repo
author's, not ours.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Union

Scalar = Union[int, float, bool, str]
JSONValue = Union[None, bool, int, float, str, list["JSONValue"], dict[str, "JSONValue"]]

StorageKind = Literal["git", "lfs", "dvc", "url", "missing"]


@dataclass(frozen=True)
class MetadataProblem:
    """Something wrong in repo content, named by file and commit; never raised."""

    file: str
    commit: str
    message: str

    def __str__(self) -> str:
        return f"{self.file} at {self.commit[:7]}: {self.message}"


@dataclass(frozen=True)
class MetadataNotice:
    """A value the repo holds but the index leaves out (NaN, +-Infinity), named by file,
    key and commit. Not a problem: the file is fine and the value may be honest data
    (a diverged run), so ``doctor`` lists it but a ``--strict`` build does not fail on it."""

    file: str
    commit: str
    kind: Literal["metric", "param"]
    key: str
    value: str  # "NaN", "Infinity" or "-Infinity" (a label: NaN never equals itself)

    def __str__(self) -> str:
        return (f"{self.file} at {self.commit[:7]}: {self.kind} '{self.key}' is {self.value}; "
                "left out of the index and catalog (JSON has no such number)")


@dataclass(frozen=True)
class ArtifactDecl:
    """One declared model, from a ``dvc.yaml`` ``artifacts:`` entry or ``artifacts.yaml``."""

    name: str  # full name: "name", or "sub/dir:name" for a sub-folder dvc.yaml
    source: str  # the declaring file, repo-relative
    folder: str  # that file's folder ("" for the root)
    path: str | None = None  # as declared (relative to ``folder``), or a URL
    repo_path: str | None = None  # normalised repo-relative path; None for URLs
    url: str | None = None  # when ``path`` is ``scheme://...``
    type: str | None = None
    description: str = ""
    labels: tuple[str, ...] = ()
    meta: dict[str, JSONValue] = field(default_factory=dict)  # artifacts.yaml: its ``custom``
    virtual: bool | None = None  # artifacts.yaml only (GTO: True unless --must-exist)


@dataclass(frozen=True)
class Declarations:
    """Every model declared at one commit, by full name (sorted)."""

    commit: str
    artifacts: dict[str, ArtifactDecl]
    problems: tuple[MetadataProblem, ...] = ()

    def __getitem__(self, name: str) -> ArtifactDecl:
        return self.artifacts[name]

    def __contains__(self, name: object) -> bool:
        return name in self.artifacts

    def __iter__(self):
        return iter(self.artifacts)

    def __len__(self) -> int:
        return len(self.artifacts)

    def get(self, name: str) -> ArtifactDecl | None:
        return self.artifacts.get(name)


@dataclass(frozen=True)
class ValueSource:
    """One metrics or params file read for a model, and how it was found."""

    path: str  # repo-relative
    origin: str  # "dvc.yaml metrics", "dvclive", "meta.metrics", "params.yaml", "dvc.lock", ...
    keys: tuple[str, ...] = ()  # flat keys it contributed


@dataclass(frozen=True)
class FileHash:
    """A dependency or output recorded in ``dvc.lock`` (or a ``.dvc`` file)."""

    path: str  # repo-relative
    md5: str | None = None
    size: int | None = None
    nfiles: int | None = None

    @property
    def is_dir(self) -> bool:
        return bool(self.md5 and self.md5.endswith(".dir"))


@dataclass(frozen=True)
class LineageStage:
    """One pipeline stage as ``dvc.lock`` recorded it."""

    name: str  # "train", or "sub/dir/dvc.yaml:train" outside the root
    lock_file: str
    cmd: str
    deps: tuple[FileHash, ...] = ()
    outs: tuple[FileHash, ...] = ()
    params: dict[str, dict[str, Scalar]] = field(default_factory=dict)  # file -> flat key -> value


@dataclass(frozen=True)
class Lineage:
    """The stage that produced a model and its upstream stages, upstream first."""

    produced_by: str | None = None
    stages: tuple[LineageStage, ...] = ()


@dataclass(frozen=True)
class Storage:
    """Where a model's bytes are at a commit, and how to verify them."""

    kind: StorageKind
    path: str | None = None  # repo-relative
    url: str | None = None
    is_dir: bool = False
    size: int | None = None
    nfiles: int | None = None
    sha256: str | None = None  # Git: of the bytes (a directory: of its sorted manifest); LFS: the oid
    git_sha: str | None = None  # Git blob (or tree) sha; LFS: the pointer's blob
    md5: str | None = None  # DVC
    tracked_by: str | None = None  # dvc.lock or .dvc file that records the DVC hash


@dataclass(frozen=True)
class ModelCard:
    """A model's README: raw Markdown body and YAML front matter (not rendered)."""

    path: str
    body: str
    front_matter: dict[str, JSONValue] = field(default_factory=dict)


@dataclass(frozen=True)
class VersionMetadata:
    """Everything the repo says about one model at one commit."""

    name: str
    commit: str
    declaration: ArtifactDecl | None = None
    metrics: dict[str, Scalar] = field(default_factory=dict)
    metric_sources: tuple[ValueSource, ...] = ()
    missing: tuple[str, ...] = ()  # listed metrics/params files not committed to Git
    params: dict[str, Scalar] = field(default_factory=dict)
    param_sources: tuple[ValueSource, ...] = ()
    lineage: Lineage = field(default_factory=Lineage)
    storage: Storage = field(default_factory=lambda: Storage("missing"))
    card: ModelCard | None = None
    problems: tuple[MetadataProblem, ...] = ()
    notices: tuple[MetadataNotice, ...] = ()  # metric/param values left out (NaN, infinities)
