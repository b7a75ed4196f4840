"""URL-safe, reversible file names for model names.

Model names use letters, digits, ``-``, ``_``, ``/`` and (for models declared
in a sub-folder's ``dvc.yaml``) one ``:``. In file names and URLs:

- ``/`` becomes ``~`` and ``:`` becomes ``.`` (neither ever occurs in a name,
  both are RFC 3986 unreserved characters, so no percent-encoding is needed);
- everything else stays as is.

So ``models/vision:detector`` is published as ``api/models/models~vision.detector.json``
and ``model_name("models~vision.detector")`` gives the name back.

Model *pages* use the same stem, plus a trailing ``~`` when the stem is one of
the catalog's own page names (``index``, ``stages``, ...), so a model called
``stages`` cannot shadow the stages page.

A source-qualified name (``SOURCE::NAME``, see ``core/qualified.py``) lives in
its source's folder: ``api/models/<source>/<stem>.json`` and pages under
``<catalog_dir><source>/<stem>/``.
"""

from __future__ import annotations

from typing import Iterable

from .qualified import split_qualified

RESERVED_STEMS = frozenset({"index", "stages", "activity", "feed", "api", "assets", "search", "404", "compare"})


def file_stem(name: str) -> str:
    """The reversible, URL-safe stem for a model name."""
    return name.replace("/", "~").replace(":", ".")


def model_name(stem: str) -> str:
    """Inverse of ``file_stem``."""
    return stem.replace("~", "/").replace(".", ":")


def api_file(name: str) -> str:
    """Site-relative path of a model's JSON file."""
    source, local = split_qualified(name)
    folder = f"{source}/" if source is not None else ""
    return f"api/models/{folder}{file_stem(local)}.json"


def page_stem(name: str) -> str:
    """A model page's path below the catalog folder (``<source>/<stem>`` for a qualified name)."""
    source, local = split_qualified(name)
    stem = file_stem(local)
    stem = f"{stem}~" if stem.lower() in RESERVED_STEMS else stem
    return f"{source}/{stem}" if source is not None else stem


def case_collisions(names: Iterable[str]) -> list[str]:
    """Models whose file names differ only in case: on macOS and Windows file systems their
    pages and ``api/models`` files overwrite each other (``doctor`` reports them)."""
    groups: dict[str, list[str]] = {}
    for name in sorted(names):
        groups.setdefault(page_stem(name).lower(), []).append(name)
    return [
        f"models {', '.join(repr(n) for n in group)} differ only in case: their catalog pages and "
        "api/models files overwrite each other on case-insensitive file systems (macOS, Windows)"
        for group in groups.values() if len(group) > 1
    ]
