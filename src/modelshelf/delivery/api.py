"""``modelshelf.resolve`` and ``modelshelf.download``: a spec in, a record or verified bytes out.

    >>> import modelshelf
    >>> modelshelf.resolve("churn#prod", index="https://models.example.com/api/registry.json").version
    >>> modelshelf.download("churn#prod", "models/", index="https://models.example.com/api/registry.json")

With ``index`` only the standard library is used; with ``repo`` the lookup
and the bytes come from a Git repository (no site needed): a local path, or a
Git URL read through its cached mirror (``git.mirror``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from .catalog import DownloadSource, load_index, load_repo
from .errors import LookupFailed
from .materialize import materialize
from .limits import Limits, deadline_of
from .locate import plan_for
from .lookup import Resolution, parse, resolve_in
from .progress import Progress

PathLike = str | os.PathLike[str]


def _catalog(spec: str, index: PathLike | None, repo: PathLike | None,
             allowed_schemes: tuple[str, ...] = ()) -> DownloadSource:
    if index is not None and repo is not None:
        raise LookupFailed("give either an index or a repo, not both")
    name = parse(spec).name
    if index is not None:
        return load_index(index, name, frozenset(s.lower().removesuffix("://") for s in allowed_schemes))
    return load_repo(repo if repo is not None else ".", name)


def resolve(spec: str, *, index: PathLike | None = None, repo: PathLike | None = None,
            allowed_schemes: tuple[str, ...] = (), allow_rule_violations: bool = False) -> Resolution:
    """The version a spec names (``NAME``, ``NAME@latest``, ``NAME@vX.Y.Z``, ``NAME#STAGE``).

    ``index``: a published site's address, its ``api/registry.json`` or one
    model's ``api/models/<name>.json`` (URL or path; the model's own file is
    read when the site has one); ``repo``: a Git repository, a path or a Git URL (default:
    the current directory when neither is given). ``allowed_schemes``: storage
    schemes (``s3``, ...) an index read over HTTP(S) may point at besides
    http(s). Raises ``LookupFailed`` for an unknown name, version or stage, and
    ``RuleViolated`` for a stage whose holder broke the repository's rules
    (``.modelshelf.yaml``; from an index: its recorded verdict), unless
    ``allow_rule_violations``.
    """
    with _catalog(spec, index, repo, allowed_schemes) as catalog:
        return resolve_in(catalog, spec, allow_rule_violations)


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
    limits: Limits = Limits(),
    progress: Progress | None = None,
    allowed_schemes: tuple[str, ...] = (),
    allow_rule_violations: bool = False,
) -> Path:
    """Fetch the bytes a spec names into folder ``output``; returns the written file or folder.

    Every file is checked against its sha256 or md5 before it is renamed into
    place; on failure nothing is left at the destination. ``on_resolved`` sees
    the resolution before any byte moves (the CLI warns there about a deprecated
    model or a deregistered version). ``limits``: bytes allowed when the index
    records no size, and seconds for the whole call (``Limits()``: 10 GiB, 2 h);
    ``SizeLimitExceeded`` / ``DeadlineExceeded`` past them. ``progress`` sees
    the bytes as they are written.
    """
    with deadline_of(limits), _catalog(spec, index, repo, allowed_schemes) as catalog:  # closed after the bytes
        resolution = resolve_in(catalog, spec, allow_rule_violations)
        if on_resolved is not None:
            on_resolved(resolution)
        plan = plan_for(resolution, catalog, tuple(dvc_remotes))
        what = f"{resolution.model} {resolution.version.version}"
        return materialize(plan, Path(output), what, force=force, allow_unverified=allow_unverified,
                           limits=limits, progress=progress)
