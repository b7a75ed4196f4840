"""Signature verdicts cached in the Git dir, for the index and the catalog only.

Keyed by the tag object's id and the allowed-signers file's content hash: a
tag object never changes, and a new allowed-signers file (a key added or
retired) invalidates every verdict. The cache sits beside the build cache
(``$GIT_COMMON_DIR/modelshelf/cache``), which a repository cannot ship; it may
still come from another CI run, so enforcement points (``assign``,
``check-ref --enforce``, ``resolve``/``download``) never read it: they verify live.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..atomic import atomic_write
from ..core.compliance import Signature
from ..git.build_cache import git_cache_dir

CACHE_FILE = "signature-verdicts.json"
FORMAT = 1


def signers_key(allowed_signers: bytes | None, missing: str = "") -> str:
    """What the verdicts depend on besides the tag: the allowed-signers bytes (or Git's config)."""
    if allowed_signers is None:
        return "git-config|" + missing
    return "sha256:" + hashlib.sha256(allowed_signers).hexdigest()


class VerdictCache:
    def __init__(self, path: Path | None, signers: str) -> None:
        self.path = path
        self.signers = signers
        self._entries: dict[str, dict[str, object]] = {}
        self._dirty = False
        if path is not None and path.is_file():
            try:
                data = json.loads(path.read_bytes())
            except (OSError, ValueError):
                data = None
            if (isinstance(data, dict) and data.get("format") == FORMAT and data.get("signers") == signers
                    and isinstance(data.get("verdicts"), dict)):
                self._entries = data["verdicts"]

    @classmethod
    def in_git_dir(cls, common_dir: Path, signers: str) -> "VerdictCache":
        return cls(git_cache_dir(common_dir) / CACHE_FILE, signers)

    def get(self, object_id: str, kind: str) -> Signature | None:
        found = self._entries.get(object_id)
        return Signature.from_json(found, kind) if isinstance(found, dict) else None

    def put(self, object_id: str, verdict: Signature) -> None:
        self._entries[object_id] = verdict.to_json()
        self._dirty = True

    def save(self) -> None:
        if self.path is None or not self._dirty:
            return
        payload = {"format": FORMAT, "signers": self.signers,
                   "verdicts": dict(sorted(self._entries.items()))}
        try:
            atomic_write(self.path, json.dumps(payload, separators=(",", ":"), ensure_ascii=False))
        except OSError:
            return
        self._dirty = False
