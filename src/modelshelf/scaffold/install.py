"""How the scaffolded CI should install modelshelf: the way it is installed here, pinned.

A bare ``pip install modelshelf`` gets whatever is newest (or nothing, where the package
is not published), so CI could build the catalog with another version than the one
``init`` was run with. The distribution's ``direct_url.json`` (PEP 610) says where this
copy came from: a Git URL and commit, or an archive URL, is reused as is; an install
from a package index becomes ``modelshelf==VERSION``. A local folder or file cannot be
reached from CI: the pinned name is used, and ``reachable`` says it may need editing.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from importlib import metadata

DIST = "modelshelf"


@dataclass(frozen=True)
class InstallSource:
    requirement: str  # a pip requirement: "modelshelf==0.1.0", "modelshelf @ git+https://...@<sha>"
    reachable: bool  # False: installed here from a local path CI cannot see
    origin: str  # where this copy came from, for the note ``init`` prints

    @property
    def shell(self) -> str:
        """The requirement as one shell word (it goes after ``pip install``)."""
        return shlex.quote(self.requirement)


def install_source(direct_url: str | None, version: str) -> InstallSource:
    """Pure: the requirement for a ``direct_url.json`` text (None: installed from an index)."""
    pinned = f"{DIST}=={version}"
    if not direct_url:
        return InstallSource(pinned, True, "a package index")
    try:
        info = json.loads(direct_url)
        url = str(info["url"])
    except (ValueError, KeyError, TypeError):
        return InstallSource(pinned, True, "an unknown source")
    vcs = info.get("vcs_info")
    if isinstance(vcs, dict) and not url.startswith("file:"):
        revision = vcs.get("commit_id") or vcs.get("requested_revision")
        at = f"@{revision}" if revision else ""
        return InstallSource(f"{DIST} @ {vcs.get('vcs', 'git')}+{url}{at}", True, url)
    if "archive_info" in info and url.startswith(("https://", "http://")):
        return InstallSource(f"{DIST} @ {url}", True, url)
    return InstallSource(pinned, False, url)


def current_install() -> InstallSource:
    """The requirement for the modelshelf running now."""
    from .. import __version__

    try:
        direct_url = metadata.distribution(DIST).read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return InstallSource(f"{DIST}=={__version__}", False, "a source tree that is not installed")
    return install_source(direct_url, __version__)
