"""The bytes of a Git-stored version the site did not publish, from the repository's own remote.

The index names the remote (``repository.remote``); the version's commit and
path are in its record. One file costs one commit's trees and that one blob:
a fresh bare repository, ``git fetch --depth=1 --filter=blob:none`` of the
commit, then ``git cat-file`` of the path, which lazily fetches only that blob
(a partial clone). It runs the user's own ``git``, so their credential
helpers, SSH keys and ``http.*`` settings apply; nothing is cached.

What an index may name: read over HTTP(S), only ``https://`` or SSH
(``ssh://``, ``user@host:path``) remotes, never a local path, ``file://``,
``ext::`` or anything Git would run; ``GIT_ALLOW_PROTOCOL`` enforces the same
inside Git (redirects, lazy fetches). A local index may name a local path too.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from typing import BinaryIO

from .errors import NotPublished, TransferFailed, UnsafeLocation
from .limits import current_deadline
from .transport import ObjectAbsent, scheme_of

_SCP_LIKE = re.compile(r"^(?:[A-Za-z0-9._-]+@)?[A-Za-z0-9.-]+:(?!//)[^\s]+$")
_REMOTE_PROTOCOLS = "https:ssh"
_LOCAL_PROTOCOLS = "https:ssh:file:http:git"


def remote_protocols(url: str, from_remote_index: bool, what: str) -> str:
    """The ``GIT_ALLOW_PROTOCOL`` list for fetching from ``url``, or ``UnsafeLocation``."""
    if url.startswith("-") or any(c in url for c in "\0\n\r"):
        raise UnsafeLocation(f"{what}: refusing Git remote {url!r}")
    scheme = scheme_of(url)
    scp_like = not scheme and "::" not in url and _SCP_LIKE.match(url) and len(url.split(":", 1)[0]) > 1
    if scheme in ("https", "ssh", "git+ssh", "ssh+git") or scp_like:
        return _REMOTE_PROTOCOLS
    if from_remote_index:
        raise UnsafeLocation(
            f"{what}: refusing Git remote {url!r}: an index read over HTTP(S) may name only an https:// or SSH "
            "remote (never a local path, file://, ext:: or another transport)")
    if "::" in url or scheme not in ("", "file", "http", "git"):
        raise UnsafeLocation(f"{what}: refusing Git remote {url!r}: unsupported transport")
    return _LOCAL_PROTOCOLS


@dataclass(frozen=True)
class RemoteGitBlob:
    """One file at ``commit:path`` of a remote repository (a ``Location`` for ``fetch``)."""

    remote: str
    commit: str
    path: str
    protocols: str  # GIT_ALLOW_PROTOCOL for every transport Git uses here

    def describe(self) -> str:
        return f"git {self.remote} {self.commit[:7]}:{self.path}"

    def open(self) -> BinaryIO:
        work = tempfile.mkdtemp(prefix="modelshelf-git-")
        try:
            self._git(work, "init", "--bare", "-q", ".")
            self._git(work, "remote", "add", "origin", self.remote)
            self._git(work, "config", "remote.origin.promisor", "true")
            self._git(work, "config", "remote.origin.partialclonefilter", "blob:none")
            self._git(work, "fetch", "-q", "--no-tags", "--depth=1", "--filter=blob:none", "origin", self.commit)
            kind = self._git(work, "cat-file", "-t", f"{self.commit}:{self.path}", missing_ok=True)
            if kind is None:
                raise ObjectAbsent(f"{self.describe()}: not in the commit")
            if kind.strip() != b"blob":
                raise TransferFailed(f"{self.describe()}: a {kind.decode().strip()}, not a file")
            data = self._git(work, "cat-file", "blob", f"{self.commit}:{self.path}")
            assert data is not None
            return io.BytesIO(data)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _git(self, work: str, *args: str, missing_ok: bool = False) -> bytes | None:
        deadline = current_deadline()
        env = {**os.environ, "GIT_ALLOW_PROTOCOL": self.protocols, "GIT_DIR": work}
        env.pop("GIT_WORK_TREE", None)
        try:
            result = subprocess.run(["git", *args], cwd=work, env=env, capture_output=True,
                                    timeout=None if deadline is None else max(deadline.remaining(), 0.001))
        except subprocess.TimeoutExpired:
            assert deadline is not None
            raise deadline.error(self.describe()) from None
        except OSError as exc:
            raise TransferFailed(f"{self.describe()}: cannot run git: {exc}") from None
        if result.returncode != 0:
            if missing_ok:
                return None
            detail = result.stderr.decode("utf-8", "replace").strip().splitlines()
            raise TransferFailed(f"{self.describe()}: git {args[0]} failed: {detail[-1] if detail else result.returncode}")
        return result.stdout


def unpublished_message(what: str, kind: str, path: str, source: str) -> NotPublished:
    return NotPublished(
        f"{what}: its bytes ({kind}: {path}) are not published in {source} and the index names no Git remote "
        "to fetch them from; rebuild the site with --publish-artifacts, or download with --repo PATH"
        + (" or --dvc-remote URL" if kind == "dvc" else "")
    )
