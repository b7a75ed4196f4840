"""``init --hub``: scaffold a hub repository, the organisation's catalog over many sources.

It writes ``mkdocs.yml`` (the packaged catalog configuration with the plugin's
``sources:``), ``catalog/`` and a GitHub workflow that rebuilds the hub on a
schedule, by hand and on a ``repository_dispatch`` that each model repository's
own workflow sends after a registry event (the one step to add is in the
workflow's header and the README, "Many repositories").
"""

from __future__ import annotations

import json
import os
import shlex
from pathlib import Path

from ..atomic import atomic_write
from ..sources.spec import SourceSpec
from . import ScaffoldError, template_text
from .actions import pin_actions
from .catalog import DOCS_DIR, DOCS_KEEP, DOCS_KEEP_TEXT, scaffold_config
from .gitignore import add_to_gitignore
from .install import current_install

HUB_WORKFLOW = ".github/workflows/modelshelf-hub.yml"
EVENT_TYPE = "modelshelf-registry-event"  # the repository_dispatch type model repositories send
DEFAULT_CRON = "17 */6 * * *"  # every six hours, off the hour: a safety net for missed dispatches
CACHE_PATH = ".git/modelshelf/cache"  # the hub's cache: each source's last good read, mirrors, plots
_PLUGIN_BLOCK = '  - modelshelf:\n      catalog_dir: ""\n'


class HubScaffoldError(ScaffoldError):
    """Files that would be overwritten, or no source given."""


def hub_config(site_name: str, sources: list[SourceSpec]) -> str:
    """The packaged configuration, its plugin given the hub's sources (a YAML list of mappings)."""
    text = scaffold_config(site_name)
    if _PLUGIN_BLOCK not in text:  # the packaged file is ours: a changed block is a packaging bug
        raise RuntimeError("the packaged mkdocs.yml's modelshelf block changed: update scaffold/hub.py")
    listed = "".join(f"        - name: {json.dumps(s.name)}\n          location: {json.dumps(s.location)}\n"
                     for s in sources)
    block = (_PLUGIN_BLOCK
             + "      # The hub's sources: a local path, a Git URL, or another catalog's api/registry.json.\n"
             "      # Models are named SOURCE::NAME. Per source: stages, stage_colors, lower_is_better.\n"
             + "      sources:\n" + listed)
    return text.replace(_PLUGIN_BLOCK, block)


def hub_workflow(requirement: str, cron: str = DEFAULT_CRON) -> str:
    text = template_text("hub-workflow.yml")
    for placeholder, value in (("@@INSTALL@@", requirement), ("@@CRON@@", cron), ("@@EVENT_TYPE@@", EVENT_TYPE),
                               ("@@CACHE_PATH@@", CACHE_PATH)):
        text = text.replace(placeholder, value)
    return pin_actions(text)


def init_hub(folder: str | os.PathLike[str], sources: list[SourceSpec], *, force: bool = False,
             site_name: str | None = None, install: str | None = None, github: bool = True) -> list[Path]:
    """Write the hub's mkdocs.yml, catalog/ and workflow; return the paths written (nothing on a conflict)."""
    if not sources:
        raise HubScaffoldError("init --hub needs at least one --source NAME=LOCATION (a path, a Git URL or "
                               "another catalog's api/registry.json)")
    root = Path(folder).absolute()
    name = site_name or f"{root.resolve().name} model hub"
    files = {"mkdocs.yml": hub_config(name, sources)}
    docs = root / DOCS_DIR
    if not docs.is_dir() or not any(docs.iterdir()):
        files[DOCS_KEEP] = DOCS_KEEP_TEXT
    if github:
        requirement = shlex.quote(install) if install else current_install().shell
        files[HUB_WORKFLOW] = hub_workflow(requirement)
    existing = [t for t in files if (root / t).exists() and t != DOCS_KEEP]
    if existing and not force:
        raise HubScaffoldError(f"{root}: would overwrite {', '.join(existing)}; nothing was written "
                               "(use --force to overwrite)")
    written = []
    for target, text in files.items():
        atomic_write(root / target, text)
        written.append(root / target)
    ignore = add_to_gitignore(root)
    return written + ([ignore] if ignore else [])
