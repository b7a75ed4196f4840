"""What the compare feature adds to the JSON index: ``plots`` per version, ``candidates`` per model.

``index.build_model`` calls this (when given one), so the site, the CLI and
the download client all read the same records.
"""

from __future__ import annotations

from typing import Any

from ..core.events import iso_utc
from ..index.metadata_json import MetadataJson, lineage_json
from .candidates import Candidate, CandidateFinder, register_command
from .plotdata import PlotReader, VersionPlot

JSON = dict[str, Any]


class CompareExtras:
    """Per-build reader of plots and candidates, sharing the metadata reader's caches."""

    def __init__(self, metadata: MetadataJson, depth: int = 0) -> None:
        self.metadata = metadata
        self.registry = metadata.registry
        self.plots_reader = PlotReader(metadata.reader.docs)
        head = self.registry.head.hexsha if self.registry.head else None
        self.head = head
        self.finder = CandidateFinder(self.registry.repo, head, depth)

    # -- plots ------------------------------------------------------------
    def version_plots(self, name: str, commit: str) -> list[VersionPlot]:
        declarations = self.metadata.reader.declarations(commit)
        decl = declarations.get(name)
        if decl is None:
            return []
        found = []
        for spec in self.plots_reader.owned(commit, decl, declarations.artifacts.values()):
            plot, problems = self.plots_reader.read(commit, spec)
            self.metadata.note(problems)  # the shared problem list of this build
            if plot is not None:
                found.append(plot)
        return found

    def plots(self, name: str, commit: str) -> list[JSON]:
        return [p.to_json() for p in self.version_plots(name, commit)]

    # -- candidates ---------------------------------------------------------
    def watched_paths(self, name: str) -> set[str]:
        """The model's own files at HEAD: artifact, metrics, params, plots, its DVC tracking file."""
        if self.head is None:
            return set()
        meta = self.metadata.reader.version(self.head, name)
        if meta.declaration is None:
            return set()
        paths: set[str] = set()
        if meta.declaration.repo_path:
            paths.add(meta.declaration.repo_path)
        paths.update(s.path for s in meta.metric_sources)
        paths.update(s.path for s in meta.param_sources)
        paths.update(meta.missing)
        if meta.storage.tracked_by:
            paths.add(meta.storage.tracked_by)
        for plot in self.plots_reader.owned(self.head, meta.declaration,
                                            self.metadata.reader.declarations(self.head).artifacts.values()):
            paths.update(source.path for source in plot.sources)
        return paths

    def candidates(self, name: str, known_commits: set[str], first: bool = False) -> list[JSON]:
        """``first``: the model has no registered version yet (its register command takes no bump)."""
        if not self.finder.changes:
            return []
        found = self.finder.find(self.watched_paths(name), known_commits)
        return [record for c in found if (record := self.candidate_json(name, c, first)) is not None]

    def candidate_json(self, name: str, candidate: Candidate, first: bool = False) -> JSON | None:
        meta = self.metadata.metadata(name, candidate.commit)
        if meta.declaration is None:
            return None  # the model is not declared there (yet)
        commit = self.registry.repo.commit(candidate.commit)
        return {
            "commit": candidate.commit,
            "source": candidate.source,
            "ref": candidate.ref,
            "experiment": candidate.experiment,
            "date": iso_utc(commit.timestamp) if commit else None,
            "author": commit.author_name if commit else None,
            "message": commit.message.strip() if commit else None,
            "changed": list(candidate.changed),
            "register": register_command(name, candidate.commit, first),
            "metrics": dict(sorted(meta.metrics.items())),
            "params": dict(sorted(meta.params.items())),
            "lineage": lineage_json(meta.lineage),
            "plots": self.plots(name, candidate.commit),
        }
