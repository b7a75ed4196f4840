"""Building and serving the catalog with MkDocs, for ``modelshelf build/serve/demo``.

A repository with its own ``mkdocs.yml`` is built with it (the plugin does
the work); one without gets the packaged ``defaults/mkdocs.yml`` with an empty
temporary docs_dir, so the site is the catalog alone. A build goes to a
temporary sibling of the output folder that is renamed into place only when
it succeeded: an interrupted or failed build never leaves a half site. SIGTERM
cleans up as Ctrl-C does, and what a killed run left is removed by the next
(``workdir``: each working folder is locked while its run lives).
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.utils.yaml import yaml_load

from ..atomic import current_umask
from ..interrupt import sigterm_as_interrupt
from ..packaged import PACKAGED_CONFIG
from .workdir import locked_folder
from ..git import GitRepo

CONFIG_NAMES = ("mkdocs.yml", "mkdocs.yaml")


@dataclass
class CatalogConfig:
    """Which MkDocs config a build uses and what it overrides."""

    config_file: Path
    overrides: dict[str, Any] = field(default_factory=dict)


def find_config(repo: Path, config_file: str | os.PathLike[str] | None) -> Path | None:
    if config_file is not None:
        path = Path(config_file)
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such MkDocs config file")
        return path
    for name in CONFIG_NAMES:
        if (repo / name).is_file():
            return repo / name
    return None


def catalog_config(repo: Path, config_file: str | os.PathLike[str] | None, work: Path,
                   extra: dict[str, Any] | None = None) -> CatalogConfig:
    """The repo's own config, or the packaged one pointed at ``repo`` (docs_dir: an empty temp folder)."""
    found = find_config(repo, config_file)
    if found is not None:
        return CatalogConfig(found, dict(extra or {}))
    docs = work / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    with open(PACKAGED_CONFIG, "rb") as handle:
        raw = yaml_load(handle)
    plugins: list[Any] = []
    for item in raw.get("plugins", []):
        if isinstance(item, dict) and "modelshelf" in item:
            options = {**(item["modelshelf"] or {}), "repo": str(repo.absolute())}
            item = {"modelshelf": options}
        plugins.append(item)
    overrides = {"docs_dir": str(docs), "plugins": plugins, **(extra or {})}
    return CatalogConfig(PACKAGED_CONFIG, overrides)


@contextlib.contextmanager
def mkdocs_logging(verbose: bool = True) -> Iterator[None]:
    """MkDocs' messages (and the plugin's progress) on stderr while a build runs."""
    logger = logging.getLogger("mkdocs")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    handler.setLevel(logging.INFO if verbose else logging.WARNING)
    saved = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved)


def default_output(repo: Path, config_file: str | os.PathLike[str] | None) -> Path:
    """Where the site goes without ``-o``: the config's site_dir, else ``REPO/site``."""
    found = find_config(repo, config_file)
    if found is None:
        return repo / "site"
    with open(found, "rb") as handle:
        raw = yaml_load(handle) or {}
    return (found.parent / str(raw.get("site_dir") or "site")).absolute()


class NoCatalogPlugin(Exception):
    """The MkDocs config does not enable the modelshelf plugin."""


class SiteOutputError(Exception):
    """The output folder cannot be written (a file in the way, no permission, ...)."""


def load(catalog: CatalogConfig, site_dir: Path, strict: bool,
         plugin_options: dict[str, Any] | None = None) -> MkDocsConfig:
    """The loaded config; ``plugin_options`` override the modelshelf plugin's own options."""
    config = load_config(str(catalog.config_file), site_dir=str(site_dir), strict=strict, **catalog.overrides)
    plugin = config.plugins.get("modelshelf")
    if plugin is None:
        raise NoCatalogPlugin(f"{catalog.config_file}: the modelshelf plugin is not enabled; "
                              "add '- modelshelf' under 'plugins:'")
    for key, value in (plugin_options or {}).items():
        plugin.config[key] = value
    return config


def build_site(repo: str | os.PathLike[str], output: str | os.PathLike[str] | None = None, *, strict: bool = False,
               config_file: str | os.PathLike[str] | None = None, extra: dict[str, Any] | None = None,
               plugin_options: dict[str, Any] | None = None, verbose: bool = True) -> Path:
    """Build the catalog of ``repo`` into ``output`` (replaced only on success); returns it."""
    from mkdocs.commands.build import build

    repo_path = Path(repo).absolute()
    target = Path(output).absolute() if output is not None else default_output(repo_path, config_file)
    with contextlib.ExitStack() as stack:
        stack.enter_context(sigterm_as_interrupt())  # first: a SIGTERM from here on cleans up as Ctrl-C does
        try:
            if target.exists() and not target.is_dir():
                raise FileExistsError(errno.EEXIST, "a file is in the way")
            target.parent.mkdir(parents=True, exist_ok=True)
            # The site is staged in a subfolder: the lock file beside it stays out of the site.
            staging = stack.enter_context(locked_folder(f".{target.name}.build-", target.parent)) / "site"
            staging.mkdir()
        except OSError as exc:  # before any work: say which folder, not which temp name
            raise SiteOutputError(f"cannot write the site to {target}: {exc.strerror or exc}") from None
        work = stack.enter_context(locked_folder("modelshelf-build-"))
        catalog = catalog_config(repo_path, config_file, work, dict(extra or {}))
        with mkdocs_logging(verbose):
            config = load(catalog, staging, strict, plugin_options)
            stack.callback(_release_plugin, config)  # MkDocs tells plugins of errors, not of Ctrl-C/SIGTERM
            build(config)
        staging.chmod(0o777 & ~current_umask())
        try:
            _swap_into_place(staging, target)
        except OSError as exc:
            raise SiteOutputError(f"cannot put the site in place at {target}: {exc.strerror or exc}") from None
    return target


def _release_plugin(config: MkDocsConfig) -> None:
    plugin = config.plugins.get("modelshelf")
    release = getattr(plugin, "release", None)
    if release is not None:
        release()


def _swap_into_place(new: Path, target: Path) -> None:
    """Rename the finished build over ``target`` (the old site is removed only afterwards)."""
    if target.exists() and not target.is_dir():
        raise FileExistsError(f"{target}: exists and is not a folder")
    if not target.exists():
        os.rename(new, target)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    old.rmdir()
    os.rename(target, old)
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def serve_site(repo: str | os.PathLike[str], *, config_file: str | os.PathLike[str] | None = None,
               dev_addr: str | None = None, open_in_browser: bool = False, strict: bool = False) -> None:
    """``mkdocs serve`` with the same config as ``build``; rebuilds when tags or declarations change."""
    from mkdocs.commands.serve import serve

    repo_path = Path(repo).absolute()
    with sigterm_as_interrupt(), locked_folder("modelshelf-serve-") as work:
        catalog = catalog_config(repo_path, config_file, work)
        with GitRepo(repo_path) as git_repo:
            watch = watch_paths(git_repo)
        kwargs: dict[str, Any] = dict(strict=strict)
        if dev_addr:
            kwargs["dev_addr"] = dev_addr
        with mkdocs_logging():
            serve(str(_serve_config(catalog, work)), livereload=True, watch=watch,
                  open_in_browser=open_in_browser, **kwargs)


def _serve_config(catalog: CatalogConfig, work: Path) -> Path:
    """The config file ``serve`` loads: the overrides in a file that INHERITs the packaged config.

    ``mkdocs serve`` loads the config again for every rebuild, from the same arguments, and
    loading pops each plugin's options out of the ``plugins`` list it is given: passed as
    overrides, the second load found ``{}`` and every rebuild failed. A file is read afresh.
    """
    if not catalog.overrides:
        return catalog.config_file
    target = work / "mkdocs.yml"
    target.write_text(json.dumps({"INHERIT": str(catalog.config_file), **catalog.overrides}), encoding="utf-8")
    return target


def watch_paths(repo: GitRepo) -> list[str]:
    """What ``serve`` watches: every ref (a new tag; a commit, which moves what declared-only
    models are read at) where Git keeps them for this checkout (a worktree's and a bare
    repo's are not in ``<repo>/.git``), and the root declaration files."""
    paths = [repo.common_dir / "refs", repo.common_dir / "packed-refs"]
    if not repo.is_bare:
        paths += [repo.root / name for name in ("dvc.yaml", "artifacts.yaml", ".gto")]
    return [str(p) for p in paths if p.exists()]

