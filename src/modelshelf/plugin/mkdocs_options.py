"""The plugin's typed options (``plugins: - modelshelf: {...}`` in mkdocs.yml)."""

from __future__ import annotations

from mkdocs.config import config_options as c
from mkdocs.config.base import Config

from ..delivery.publish import DEFAULT_MAX_SIZE as PUBLISH_MAX_SIZE
from ..render.githost import commit_url_template
from ..render.site_options import DEFAULT_LOWER_IS_BETTER, SiteOptions


class ModelshelfConfig(Config):
    enabled = c.Type(bool, default=True)
    repo = c.Optional(c.Type(str))  # default: the folder of mkdocs.yml
    demo = c.Type(bool, default=False)  # catalog the embedded demo registry (made once under cache_dir)
    catalog_dir = c.Type(str, default="models/")  # URL prefix of the catalog pages; "" = site root
    stages_page = c.Type(bool, default=True)
    activity_page = c.Type(bool, default=True)
    feed = c.Type(bool, default=True)
    metrics = c.ListOfItems(c.Type(str), default=[])  # empty: every numeric metric, up to max_metrics
    # metrics where a decrease is an improvement (glob patterns; setting it replaces the defaults)
    lower_is_better = c.ListOfItems(c.Type(str), default=list(DEFAULT_LOWER_IS_BETTER))
    max_metrics = c.Type(int, default=6)
    table_metrics = c.Type(int, default=4)
    stages = c.ListOfItems(c.Type(str), default=[])  # display order; empty: .gto's, else alphabetical
    stage_colors = c.DictOfItems(c.Type(str), default={})
    git_url = c.Optional(c.Type(str))  # repo web URL or "{sha}" template for commit links
    # plot cache, relative to mkdocs.yml; default: in the Git dir ($GIT_COMMON_DIR/modelshelf/cache)
    cache_dir = c.Optional(c.Type(str))
    activity_entries = c.Type(int, default=100)
    feed_entries = c.Type(int, default=50)
    # bytes in the site (artifacts/): "current" = Git-stored, latest or stage-held, <= publish_max_size each;
    # true = every version (Git, LFS, DVC); false = none (see delivery/publish.py)
    publish_artifacts = c.Choice((True, False, "current"), default="current")
    publish_max_size = c.Type(int, default=PUBLISH_MAX_SIZE)  # bytes per artifact for "current" (0: no cap)
    dvc_remotes = c.ListOfItems(c.Type(str), default=[])  # extra DVC remotes for publish_artifacts
    offline = c.Type(bool, default=False)  # the site also works opened from disk (file://): see the README
    candidates = c.Type(int, default=20)  # recent HEAD commits searched for unregistered candidates (0: off)
    allow_shallow = c.Type(bool, default=False)  # build from a shallow clone anyway (serve always may)
    # how a build reports reading versions and rendering models: MkDocs log lines (about ten per phase),
    # "stderr" (a tqdm bar on a terminal, plain periodic lines otherwise: `modelshelf build`), or "none"
    progress = c.Choice(("log", "stderr", "none"), default="log")


def site_options(config: ModelshelfConfig, *, remote: str | None, site_url: str | None, site_name: str,
                 use_directory_urls: bool) -> SiteOptions:
    """The renderer's options from the plugin's (shared by the plugin and ``modelshelf generate``).

    Raises ``OptionsError`` on a bad value (an unknown stage colour, ...)."""
    return SiteOptions(
        catalog_dir=config.catalog_dir, stages_page=config.stages_page,
        activity_page=config.activity_page, feed=config.feed,
        metrics=tuple(config.metrics), max_metrics=config.max_metrics,
        lower_is_better=tuple(config.lower_is_better),
        table_metrics=config.table_metrics, stage_order=tuple(config.stages),
        stage_colors=dict(config.stage_colors),
        commit_url=commit_url_template(remote, config.git_url),
        site_url=site_url or None, site_name=site_name,
        use_directory_urls=use_directory_urls,
        activity_entries=config.activity_entries, feed_entries=config.feed_entries,
    )
