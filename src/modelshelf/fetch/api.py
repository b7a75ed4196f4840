"""``modelshelf.resolve`` and ``modelshelf.download``: a spec in, a record or verified bytes out.

    >>> import modelshelf
    >>> modelshelf.resolve("churn#prod", index="https://models.example.com/api/registry.json").version
    >>> modelshelf.download("churn#prod", "models/", index="https://models.example.com/api/registry.json")

With ``index`` only the standard library is used; with ``repo`` the lookup
and the bytes come from a local Git repository (no site needed).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from .catalog import Catalog, load_index, load_repo
from .errors import LookupFailed
from .fetch import materialize
from .locate import plan_for
from .lookup import Resolution, parse, resolve_in

PathLike = str | os.PathLike[str]


def _catalog(spec: str, index: PathLike | None, repo: PathLike | None) -> Catalog:
    if index is not None and repo is not None:
        raise LookupFailed("give either an index or a repo, not both")
    if index is not None:
        return load_index(index)
    return load_repo(repo if repo is not None else ".", parse(spec).name)


def resolve(spec: str, *, index: PathLike | None = None, repo: PathLike | None = None) -> Resolution:
    """The version a spec names (``NAME``, ``NAME@latest``, ``NAME@vX.Y.Z``, ``NAME#STAGE``).

    ``index``: a published ``registry.json`` (URL or path); ``repo``: a local
    Git repository (default: the current directory when neither is given).
    Raises ``LookupFailed`` for an unknown name, version or stage.
    """
    return resolve_in(_catalog(spec, index, repo), spec)


def download(
    spec: str,
    output: PathLike = ".",
    *,
    index: PathLike | None = None,
    repo: PathLike | None = None,
    force: bool = False,
    allow_unverified: bool = False,
    dvc_remotes: tuple[str, ...] = (),
    on_resolved: Callable[[Resolution], None] | None = None,
) -> Path:
    """Fetch the bytes a spec names into folder ``output``; returns the written file or folder.

    Every file is checked against its sha256 or md5 before it is renamed into
    place; on failure nothing is left at the destination. ``on_resolved`` sees
    the resolution before any byte moves (the CLI warns there about a deprecated
    model or a deregistered version).
    """
    catalog = _catalog(spec, index, repo)
    resolution = resolve_in(catalog, spec)
    if on_resolved is not None:
        on_resolved(resolution)
    plan = plan_for(resolution, catalog, tuple(dvc_remotes))
    what = f"{resolution.model} {resolution.version.version}"
    return materialize(plan, Path(output), what, force=force, allow_unverified=allow_unverified)
