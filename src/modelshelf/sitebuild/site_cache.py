"""Where the catalog's build cache lives, and what a build accepts from it.

The cache (index fragments as JSON, plot SVGs) lives in the Git dir,
``$GIT_COMMON_DIR/modelshelf/cache``: Git never commits or clones it, every
worktree of a repository shares it, and it goes when the clone goes. Nothing
in it is code (no pickles, no compiled templates), and cached plots are
checked before a build uses them (``sweep_plots``), because a cache may still
come from elsewhere: CI restores it from another run.

Before, the plugin kept it in ``.cache/modelshelf/`` in the work tree, where
``git add -A`` committed it; ``committed_cache`` finds such a commit for
``doctor``, and builds never read that folder.
"""

from __future__ import annotations

from pathlib import Path

from ..git import GitRepo
from ..git.build_cache import git_cache_dir
from ..render.svgcheck import UnsafeSvg, check_svg

WORK_TREE_CACHE = ".cache/modelshelf"  # where modelshelf's plugin used to keep its cache
_CACHE_FILE_NAMES = ("index-fragments.json",)
_JINJA_PREFIX = "__jinja2_"
__all__ = ["plot_cache_dir", "committed_cache", "sweep_plots", "tracked_files", "WORK_TREE_CACHE"]


def plot_cache_dir(repo: GitRepo, own: Path | None) -> tuple[Path, list[str]]:
    """The plot cache a build uses, and its warnings: the ``cache_dir`` option's folder
    (``own``) unless the repository commits files there (never read), else the Git dir's.
    Cached plots that are not ones modelshelf draws are removed first (``sweep_plots``)."""
    warnings: list[str] = []
    if own is not None and tracked_files(repo, own):
        warnings.append(f"cache_dir {own} holds files committed to Git; they are never read: "
                        "using the cache in the Git dir instead")
        own = None
    folder = own if own is not None else git_cache_dir(repo.common_dir)
    return folder, warnings + sweep_plots(folder)


def committed_cache(repo: GitRepo) -> list[str]:
    """``doctor`` findings: cache files that HEAD commits (compiled templates above all)."""
    head = repo.head()
    if head is None:
        return []
    listing = repo.run("ls-tree", "-r", "-z", "--name-only", head)
    found = [p for p in listing.split("\0") if p and _is_cache_file(p)]
    if not found:
        return []
    templates = [p for p in found if Path(p).name.startswith(_JINJA_PREFIX)]
    what = f"{len(found)} build cache file(s) are committed (e.g. {found[0]})"
    if templates:
        what += f", {len(templates)} of them compiled templates, which older modelshelf versions loaded as code"
    return [f"cache: {what}; modelshelf never reads a committed cache (it keeps its own in the Git dir): "
            f"remove it with `git rm -r --cached {WORK_TREE_CACHE}` and ignore `.cache/` in .gitignore"]


def _is_cache_file(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return (path.startswith(WORK_TREE_CACHE + "/") or name in _CACHE_FILE_NAMES
            or (name.startswith(_JINJA_PREFIX) and name.endswith(".cache")))


def tracked_files(repo: GitRepo, folder: Path) -> bool:
    """Whether Git tracks files under ``folder`` (a cache folder a repository committed)."""
    if repo.is_bare:
        return False
    try:
        relative = folder.resolve().relative_to(repo.root.resolve())
    except ValueError:
        return False  # outside the work tree
    return bool(repo.run("ls-files", "-z", "--", str(relative) or ".").strip("\0"))


def sweep_plots(folder: Path) -> list[str]:
    """Remove the cached plots that are not SVGs modelshelf draws (they are redrawn);
    returns one line per file removed."""
    removed: list[str] = []
    if not folder.is_dir():
        return removed
    for path in sorted(folder.glob("*.svg")):
        try:
            check_svg(path.read_bytes())
        except UnsafeSvg as exc:
            path.unlink(missing_ok=True)
            removed.append(f"cached plot {path.name} is not one modelshelf draws ({exc}): removed, redrawn")
        except OSError:
            continue
    return removed
