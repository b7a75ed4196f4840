"""The GitHub Actions the scaffolded workflow uses, pinned to the commit of a release.

A tag like ``@v7`` can be moved to other code by whoever controls the action's
repository; a full commit SHA cannot. Each pin was read from the action's own
repository (the commit its release tag points at); the version goes in a comment after
the SHA, where Dependabot and Renovate read and update it. All run on node24 (or are
composite): GitHub removes the node20 runtime in September 2026.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Pin:
    commit: str  # the full SHA the release tag points at
    version: str  # the release tag, for the comment

    def uses(self, action: str) -> str:
        return f"{action}@{self.commit}  # {self.version}"


# actions/cache/restore and actions/cache/save are sub-actions of actions/cache: one pin.
ACTIONS: dict[str, Pin] = {
    "actions/checkout": Pin("3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1"),
    "actions/setup-python": Pin("5fda3b95a4ea91299a34e894583c3862153e4b97", "v7.0.0"),
    "actions/cache": Pin("27d5ce7f107fe9357f9df03efb73ab90386fccae", "v5.0.5"),
    "actions/upload-pages-artifact": Pin("fc324d3547104276b827a68afc52ff2a11cc49c9", "v5.0.0"),
    "actions/deploy-pages": Pin("cd2ce8fcbc39b97be8ca5fce6e763baed58fa128", "v5.0.0"),
}

_PLACEHOLDER = re.compile(r"@@uses:([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)((?:/[A-Za-z0-9_.-]+)*)@@")


def pin_actions(text: str) -> str:
    """Replace every ``@@uses:OWNER/REPO[/SUB]@@`` with the pinned reference and its version comment."""

    def pinned(match: re.Match[str]) -> str:
        repo, sub = match.group(1), match.group(2)
        if repo not in ACTIONS:
            raise KeyError(f"no pin for the action {repo}")
        return ACTIONS[repo].uses(repo + sub)

    return _PLACEHOLDER.sub(pinned, text)
