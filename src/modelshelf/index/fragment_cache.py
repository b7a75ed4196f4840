"""A persistent cache of index fragments, kept in the repository's Git dir (``site_cache``).

A commit never changes, so neither does what the repository says at it: the
metadata of model M at commit C can be computed once and reused by every later
build. Rebuilding the catalog after one new tag then reads only the new
version's files. Entries are keyed by commit and model name; the whole cache is
dropped when modelshelf's version or the cache format changes. Writes are
atomic, so an interrupted build leaves the previous cache intact. The file is
JSON, read as data: a cache restored from elsewhere can at worst make the catalog
show wrong values (text that is escaped like any repository text), never run code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .. import __version__
from ..atomic import atomic_write
from ..git.build_cache import git_cache_dir

FORMAT = 4  # 2: commit_info in each version fragment; 3: LFS pointers are storage kind "lfs" (2 hashed the pointer);
            # 4: entries keep their notices (NaN metrics), which older entries lack
CACHE_FILE = "index-fragments.json"

JSON = dict[str, Any]


class FragmentCache:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.stamp = f"modelshelf {__version__} / format {FORMAT}"
        self._entries: dict[str, JSON] = {}
        self._used: set[str] = set()  # only these are saved: stale entries (old HEADs) drop out
        self._dirty = False
        if path is not None and path.is_file():
            try:
                data = json.loads(path.read_bytes())
            except (OSError, ValueError):
                data = None  # a damaged cache is only a slower build
            if isinstance(data, dict) and data.get("stamp") == self.stamp and isinstance(data.get("entries"), dict):
                self._entries = data["entries"]

    @classmethod
    def in_git_dir(cls, common_dir: Path) -> "FragmentCache":
        return cls(git_cache_dir(common_dir) / CACHE_FILE)

    def get(self, key: str) -> JSON | None:
        found = self._entries.get(key)
        if found is not None:
            self._used.add(key)
        return found

    def put(self, key: str, value: JSON) -> None:
        self._entries[key] = value
        self._used.add(key)
        self._dirty = True

    def save(self) -> None:
        if self.path is None or not (self._dirty or len(self._used) < len(self._entries)):
            return
        payload = {"stamp": self.stamp, "entries": {k: self._entries[k] for k in sorted(self._used)}}
        try:
            atomic_write(self.path, json.dumps(payload, separators=(",", ":"), ensure_ascii=False))
        except OSError:
            return  # a read-only repository still builds, just without the cache
        self._dirty = False
