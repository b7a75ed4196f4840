"""The last good read of each source, kept in the hub's build cache (``site_cache``).

One JSON file per source (``<cache>/hub/<source>.json``): what the source
contributed to the hub index, the fingerprint it had then (its refs, or its
index's sha256) and when it was read. A rebuild reuses it when the fingerprint
is unchanged (incremental), and falls back to it, marked stale, when the
source cannot be read. It is data, read as JSON and checked like any index;
writes are atomic, so an interrupted build keeps the previous read.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from .. import __version__
from ..atomic import atomic_write
from ..git import GitRepo, NotAGitRepo
from ..git.mirror import cache_dir
from ..git.build_cache import git_cache_dir

FORMAT = 2  # 2: a federated source's verdicts are marked as its claim
JSON = dict[str, Any]


def stamp() -> str:
    """Reads by another modelshelf version are kept for stale fallbacks, never reused as fresh."""
    return f"modelshelf {__version__} / hub format {FORMAT}"


def hub_cache_dir(base: Path) -> Path:
    """Where a hub at ``base`` keeps its cache: its Git dir's cache, else modelshelf's cache folder
    (``$MODELSHELF_CACHE_DIR``, ``$XDG_CACHE_HOME/modelshelf``, ``~/.cache/modelshelf``)."""
    try:
        with GitRepo(base) as repo:
            return git_cache_dir(repo.common_dir) / "hub"
    except NotAGitRepo:  # modelshelf's own cache folder (the mirrors' too), one folder per hub
        key = hashlib.sha256(str(Path(base).absolute()).encode()).hexdigest()[:16]
        return cache_dir() / "hub" / key


class SourceStore:
    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def _path(self, name: str) -> Path | None:
        return self.folder / f"{name}.json" if self.folder is not None else None

    def load(self, name: str) -> JSON | None:
        path = self._path(name)
        if path is None or not path.is_file():
            return None
        try:
            data = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return None  # a damaged cache only costs a full read
        if not isinstance(data, dict) or not isinstance(data.get("part"), dict):
            return None
        part = data["part"]
        if not isinstance(part.get("models"), list) or not isinstance(part.get("events"), list):
            return None
        return data

    def save(self, name: str, fingerprint: str, part: JSON) -> None:
        path = self._path(name)
        if path is None:
            return
        payload = {"stamp": stamp(), "fingerprint": fingerprint, "part": part}
        try:
            atomic_write(path, json.dumps(payload, ensure_ascii=False, separators=(",", ":")))
        except OSError:
            return  # a read-only cache: the next build reads the source again
