"""A catalog of many repositories: named sources, read (or reused) and merged into one hub index.

A source is a local path, a Git URL (through the mirror in ``git/``), or another
catalog's published ``api/registry.json`` (federation). See ``spec`` (naming and
validation), ``read`` (one source -> its part of the index), ``store`` (the last
good read of each source, for stale sources and incremental rebuilds) and
``hub`` (the merged index).
"""

from .spec import SourceError, SourceSpec, check_sources, parse_source_argument

__all__ = ["SourceError", "SourceSpec", "check_sources", "parse_source_argument"]
