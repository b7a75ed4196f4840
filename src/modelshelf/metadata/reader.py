"""``MetadataReader``: everything a repo says about its models, per commit, memoised.

This runs on thousands of commits, so: one tree walk per commit finds every
``dvc.yaml``/``dvc.lock`` (``find_files`` is itself memoised per tree), each
distinct blob is parsed once (by blob sha), and per-commit results are kept
in a bounded LRU. Repo content never raises: it becomes ``MetadataProblem``s.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from dataclasses import dataclass, field

from .card import CardReader
from .declarations import ARTIFACTS_YAML, DVC_LOCK, DVC_YAML, DvcYaml, parse_artifacts_yaml, parse_dvc_yaml
from .lock import LockFile, lineage, parse_dvc_lock, producer
from .model import ArtifactDecl, Declarations, Lineage, LineageStage, MetadataProblem, VersionMetadata
from .parse import DocumentCache, folder_of
from .source import BlobSource
from .storage import GitHasher, read_storage
from .values import Group, GroupDecls, Homes, ValueReader

_FILES = frozenset({DVC_YAML, DVC_LOCK})


@dataclass
class _CommitView:
    """Per-commit parse results shared by every model at that commit."""

    declarations: Declarations
    dvc_files: dict[str, DvcYaml]  # by folder
    locks: dict[str, LockFile]  # by folder
    stages: tuple[LineageStage, ...]
    artifacts_yaml: list[str]
    file_problems: dict[str, list[MetadataProblem]]
    shared: "_Shared"
    groups: dict[str, Group] = field(default_factory=dict)


@dataclass(eq=False)
class _Shared:
    """What commits with the same declaration files share: indices built once, on first use."""

    members: dict[str, tuple[ArtifactDecl, ...]] | None = None  # by folder
    dir_outs: frozenset[str] | None = None  # dvc.lock outs that are folders
    groups: dict[str, GroupDecls] = field(default_factory=dict)
    lineages: dict[str, Lineage] = field(default_factory=dict)  # by target path


def _dedupe(problems: list[MetadataProblem]) -> tuple[MetadataProblem, ...]:
    return tuple(dict.fromkeys(problems))


class MetadataReader:
    """Reads models' metadata from a ``BlobSource`` (a ``GitRepo``), caching per commit and blob."""

    def __init__(self, source: BlobSource, max_commits: int = 1024) -> None:
        self.source = source
        self.docs = DocumentCache(source)
        self._hasher = GitHasher(source, self.docs)
        self._cards = CardReader(source, self.docs)
        self._values = ValueReader(self.docs)
        self._max = max_commits
        self._views: OrderedDict[str, _CommitView] = OrderedDict()
        self._versions: OrderedDict[tuple[str, str], VersionMetadata] = OrderedDict()
        # dvc.yaml / dvc.lock results by (path, blob sha): unchanged files across
        # thousands of commits are converted once (problems name the first commit seen).
        self._files: dict[tuple[str, str], DvcYaml | LockFile] = {}
        self._shared: dict[tuple[object, ...], _CommitView] = {}

    # -- per commit -------------------------------------------------------
    def _view(self, commit: str) -> _CommitView:
        view = self._views.get(commit)
        if view is not None:
            self._views.move_to_end(commit)
            return view
        view = self._build_view(commit)
        self._views[commit] = view
        if len(self._views) > self._max:
            self._views.popitem(last=False)
        return view

    def _build_view(self, commit: str) -> _CommitView:
        find_blobs = getattr(self.source, "find_blobs", None)
        blob_sha = getattr(self.source, "blob_sha", None)
        if find_blobs is None or blob_sha is None:
            located = [(p, None) for p in self.source.find_files(commit, _FILES)]
            return self._parse_view(commit, located)
        # Commits whose dvc.yaml / dvc.lock / artifacts.yaml blobs are all the same
        # (most of them: a version usually changes metrics and weights, not declarations)
        # share one parse; only the commit named in the declarations differs.
        located = find_blobs(commit, _FILES)
        key = (tuple(located), blob_sha(commit, ARTIFACTS_YAML))
        shared = self._shared.get(key)
        if shared is None:
            shared = self._shared[key] = self._parse_view(commit, located)
            if len(self._shared) > self._max:
                self._shared.pop(next(iter(self._shared)))
        return _CommitView(
            Declarations(commit, shared.declarations.artifacts, shared.declarations.problems),
            shared.dvc_files, shared.locks, shared.stages, shared.artifacts_yaml, shared.file_problems,
            shared.shared,
        )

    def _parse_view(self, commit: str, located: list[tuple[str, str | None]]) -> _CommitView:
        dvc_files: dict[str, DvcYaml] = {}
        locks: dict[str, LockFile] = {}
        file_problems: dict[str, list[MetadataProblem]] = {}
        for path, sha in located:
            doc = self.docs.load_blob(commit, path, sha) if sha else self.docs.load(commit, path)
            if doc is None:
                continue
            key = (path, doc.blob_sha)
            parsed = self._files.get(key)
            if parsed is None:
                if path.rsplit("/", 1)[-1] == DVC_YAML:
                    parsed = parse_dvc_yaml(doc.data, path, commit, doc.error)
                else:
                    parsed = parse_dvc_lock(doc.data, path, commit, doc.error)
                self._files[key] = parsed
            if isinstance(parsed, DvcYaml):
                dvc_files[parsed.folder] = parsed
            else:
                locks[parsed.folder] = parsed
            if parsed.problems:
                file_problems.setdefault(path, []).extend(parsed.problems)

        artifacts: dict[str, ArtifactDecl] = {}
        problems: list[MetadataProblem] = []
        for folder in sorted(dvc_files):
            problems += dvc_files[folder].problems
            for decl in dvc_files[folder].artifacts:
                artifacts.setdefault(decl.name, decl)

        legacy_names: list[str] = []
        doc = self.docs.load(commit, ARTIFACTS_YAML)
        if doc is not None:
            legacy, legacy_problems = parse_artifacts_yaml(doc.data, commit, doc.error)
            if isinstance(doc.data, dict):
                legacy_names = [str(name) for name in doc.data]
            for decl in legacy:
                if decl.name in artifacts:
                    legacy_problems.append(MetadataProblem(
                        ARTIFACTS_YAML, commit,
                        f"'{decl.name}' is also declared in {artifacts[decl.name].source}; that declaration is used",
                    ))
                else:
                    artifacts[decl.name] = decl
            problems += legacy_problems
            if legacy_problems:
                file_problems.setdefault(ARTIFACTS_YAML, []).extend(legacy_problems)

        stages = tuple(stage for folder in sorted(locks) for stage in locks[folder].stages)
        declarations = Declarations(commit, dict(sorted(artifacts.items())), _dedupe(problems))
        return _CommitView(declarations, dvc_files, locks, stages, legacy_names, file_problems, _Shared())

    def _group(self, commit: str, view: _CommitView, folder: str) -> Group:
        group = view.groups.get(folder)
        if group is None:
            decls = self._group_decls(view, folder)
            artifacts = view.declarations.artifacts
            homes = Homes(decls.by_home, lambda name: self._home(commit, view, artifacts[name]))
            group = view.groups[folder] = Group(decls, homes)
        return group

    def _group_decls(self, view: _CommitView, folder: str) -> GroupDecls:
        """The commit-independent part of a group, built once per set of declaration files."""
        shared = view.shared
        decls = shared.groups.get(folder)
        if decls is not None:
            return decls
        if shared.members is None:
            members: dict[str, list[ArtifactDecl]] = {}
            for decl in view.declarations.artifacts.values():
                members.setdefault(decl.folder, []).append(decl)
            shared.members = {k: tuple(v) for k, v in members.items()}
        group = shared.members.get(folder, ())
        by_home: dict[str, list[str]] = {}
        produced: dict[str, tuple[str, ...]] = {}
        for d in group:
            if d.repo_path:
                by_home.setdefault(d.repo_path, []).append(d.name)
                by_home.setdefault(folder_of(d.repo_path), []).append(d.name)
                stage = producer(view.stages, d.repo_path)
                if stage is not None:
                    produced[d.name] = tuple(out.path for out in stage.outs)
        decls = shared.groups[folder] = GroupDecls(
            folder, view.dvc_files.get(folder), group, produced, {k: tuple(v) for k, v in by_home.items()},
        )
        return decls

    def _home(self, commit: str, view: _CommitView, decl: ArtifactDecl) -> str | None:
        """The folder a model's own files live in: its path if a folder, else the path's folder."""
        path = decl.repo_path
        if not path:
            return None
        if self.docs.info(commit, path) is not None:
            return folder_of(path)  # a file in Git
        if view.shared.dir_outs is None:
            view.shared.dir_outs = frozenset(out.path for stage in view.stages for out in stage.outs if out.is_dir)
        return path if path in view.shared.dir_outs or self.source.is_dir(commit, path) else folder_of(path)

    def _lineage(self, view: _CommitView, target: str | None) -> Lineage:
        if not target or not view.stages:
            return lineage(view.stages, target)
        found = view.shared.lineages.get(target)
        if found is None:
            found = view.shared.lineages[target] = lineage(view.stages, target)
        return found

    # -- public -----------------------------------------------------------
    def prefetch(self, commits: list[str]) -> None:
        """Let the source read what these commits will need in a few batches, if it can."""
        prefetch = getattr(self.source, "prefetch", None)
        if prefetch is not None:
            prefetch(commits, _FILES | {ARTIFACTS_YAML})

    def declarations(self, commit: str) -> Declarations:
        return self._view(commit).declarations

    def listed_metrics(self, commit: str) -> dict[str, tuple[str, ...]]:
        """Each ``dvc.yaml``'s metrics files (repo-relative), by the dvc.yaml's path."""
        return {d.path: d.metrics for _, d in sorted(self._view(commit).dvc_files.items())}

    def version(self, commit: str, name: str) -> VersionMetadata:
        key = (commit, name)
        found = self._versions.get(key)
        if found is None:
            found = self._read_version(commit, name)
            self._versions[key] = found
            if len(self._versions) > self._max * 8:
                self._versions.popitem(last=False)
        return found

    def _read_version(self, commit: str, name: str) -> VersionMetadata:
        view = self._view(commit)
        decl = view.declarations.get(name)
        if decl is None:
            # Not declared here; the reason may be a broken declaration file.
            return VersionMetadata(name, commit, problems=view.declarations.problems)
        problems: list[MetadataProblem] = list(view.file_problems.get(decl.source, ()))
        group = self._group(commit, view, decl.folder)
        lock = view.locks.get(decl.folder)
        group_stages = lock.stages if lock else ()
        trace = self._lineage(view, decl.repo_path)
        for lock_file in sorted({s.lock_file for s in trace.stages} | ({lock.path} if lock else set())):
            problems += view.file_problems.get(lock_file, ())
        metrics = self._values.metrics(commit, decl, group)
        params = self._values.params(commit, decl, group, trace.stages, group_stages)
        storage, storage_problems = read_storage(self.source, self.docs, self._hasher, commit, decl, view.stages)
        card, card_problems = self._cards.read(commit, decl)
        problems += [*metrics.problems, *params.problems, *storage_problems, *card_problems]
        return VersionMetadata(
            name=name,
            commit=commit,
            declaration=decl,
            metrics=metrics.values,
            metric_sources=metrics.sources,
            missing=tuple(dict.fromkeys([*metrics.missing, *params.missing])),
            params=params.values,
            param_sources=params.sources,
            lineage=trace,
            storage=storage,
            card=card,
            problems=_dedupe(problems),
            notices=tuple(dict.fromkeys([*metrics.notices, *params.notices])),
        )


_READERS: "weakref.WeakKeyDictionary[object, MetadataReader]" = weakref.WeakKeyDictionary()


def reader_for(source: BlobSource) -> MetadataReader:
    """The shared memoising reader of a source (one per source object)."""
    try:
        reader = _READERS.get(source)
    except TypeError:  # not weak-referenceable: no sharing
        return MetadataReader(source)
    if reader is None:
        reader = MetadataReader(source)
        _READERS[source] = reader
    return reader


def read_declarations(source: BlobSource, commit: str) -> Declarations:
    return reader_for(source).declarations(commit)


def read_version_metadata(source: BlobSource, commit: str, name: str) -> VersionMetadata:
    return reader_for(source).version(commit, name)
