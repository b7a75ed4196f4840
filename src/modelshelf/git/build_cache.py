"""Where a repository's build cache lives: in its Git dir, which Git never commits or clones.

One fact with one home, read by the index (fragments), the site builders (plots) and
publishing (kept files); ``sitebuild/site_cache.py`` says what a build accepts from it.
"""

from __future__ import annotations

from pathlib import Path


def git_cache_dir(common_dir: Path) -> Path:
    """The build cache of the repository whose (common) Git dir is ``common_dir``."""
    return Path(common_dir) / "modelshelf" / "cache"
