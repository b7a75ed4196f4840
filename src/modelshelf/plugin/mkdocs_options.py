"""The plugin's typed options (``plugins: - modelshelf: {...}`` in mkdocs.yml)."""

from __future__ import annotations

import dataclasses

from mkdocs.config import config_options as c
from mkdocs.config.base import Config, ValidationError

from ..delivery.publish import DEFAULT_MAX_SIZE as PUBLISH_MAX_SIZE
from ..render.githost import commit_url_template
from ..compare.candidates import DEFAULT_CANDIDATES
from ..render.site_options import OptionsError, SiteOptions
from ..sources.spec import SourceError, SourceSpec, sources_from_options

_SITE = SiteOptions()  # the catalog options' defaults: one source (render/site_options.py)


class SourcesOption(c.BaseConfigOption[list[SourceSpec]]):
    """``sources:``: a list of ``{name, location}`` (plus per-source ``stages``, ``stage_colors``,
    ``lower_is_better``), checked when mkdocs.yml is loaded: one error naming the source."""

    def __init__(self) -> None:
        super().__init__()
        self.default = []

    def run_validation(self, value: object) -> list[SourceSpec]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise ValidationError("expected a list of sources ({name: ..., location: ...})")
        try:
            return sources_from_options(value)
        except SourceError as exc:
            raise ValidationError(str(exc)) from None


class ModelshelfConfig(Config):
    enabled = c.Type(bool, default=True)
    repo = c.Optional(c.Type(str))  # default: the folder of mkdocs.yml
    demo = c.Type(bool, default=False)  # catalog the embedded demo registry (made once under cache_dir)
    catalog_dir = c.Type(str, default=_SITE.catalog_dir)  # URL prefix of the catalog pages; "" = site root
    stages_page = c.Type(bool, default=_SITE.stages_page)
    activity_page = c.Type(bool, default=_SITE.activity_page)
    feed = c.Type(bool, default=_SITE.feed)
    metrics = c.ListOfItems(c.Type(str), default=list(_SITE.metrics))  # empty: every numeric metric, up to max_metrics
    # metrics where a decrease is an improvement (glob patterns; setting it replaces the defaults)
    lower_is_better = c.ListOfItems(c.Type(str), default=list(_SITE.lower_is_better))
    max_metrics = c.Type(int, default=_SITE.max_metrics)
    table_metrics = c.Type(int, default=_SITE.table_metrics)
    stages = c.ListOfItems(c.Type(str), default=list(_SITE.stage_order))  # display order; empty: .gto's, else alphabetical
    stage_colors = c.DictOfItems(c.Type(str), default=dict(_SITE.stage_colors))
    git_url = c.Optional(c.Type(str))  # repo web URL or "{sha}" template for commit links
    # plot cache, relative to mkdocs.yml; default: in the Git dir ($GIT_COMMON_DIR/modelshelf/cache)
    cache_dir = c.Optional(c.Type(str))
    activity_entries = c.Type(int, default=_SITE.activity_entries)
    feed_entries = c.Type(int, default=_SITE.feed_entries)
    # bytes in the site (artifacts/): "current" = Git-stored, latest or stage-held, <= publish_max_size each;
    # true = every version (Git, LFS, DVC); false = none (see delivery/publish.py)
    publish_artifacts = c.Choice((True, False, "current"), default="current")
    publish_max_size = c.Type(int, default=PUBLISH_MAX_SIZE)  # bytes per artifact for "current" (0: no cap)
    dvc_remotes = c.ListOfItems(c.Type(str), default=[])  # extra DVC remotes for publish_artifacts
    offline = c.Type(bool, default=False)  # the site also works opened from disk (file://): see the README
    candidates = c.Type(int, default=DEFAULT_CANDIDATES)  # recent HEAD commits searched for unregistered candidates (0: off)
    allow_shallow = c.Type(bool, default=False)  # build from a shallow clone anyway (serve always may)
    # how a build reports reading versions and rendering models: MkDocs log lines (about ten per phase),
    # "stderr" (a tqdm bar on a terminal, plain periodic lines otherwise: `modelshelf build`), or "none"
    progress = c.Choice(("log", "stderr", "none"), default="log")
    # a hub: the catalog of several sources (local paths, Git URLs, other catalogs' api/registry.json);
    # every model is then named SOURCE::NAME (see the README, "Many repositories")
    sources = SourcesOption()


def site_options(config: ModelshelfConfig, *, remote: str | None, site_url: str | None, site_name: str,
                 use_directory_urls: bool) -> SiteOptions:
    """The renderer's options from the plugin's (shared by the plugin and ``modelshelf generate``).

    Raises ``OptionsError`` on a bad value (an unknown stage colour, ...)."""
    shared = {name: _frozen(config[name]) for name in SHARED_OPTIONS}
    return SiteOptions(
        **shared, stage_order=tuple(config.stages),  # mkdocs.yml's names for the two others
        commit_url=commit_url_template(remote, config.git_url),
        site_url=site_url or None, site_name=site_name,
        use_directory_urls=use_directory_urls,
    )


def source_site_options(options: SiteOptions, sources: list[SourceSpec]) -> dict[str, SiteOptions]:
    """Each hub source's own stage order, stage colours and lower_is_better, over the hub's options
    (from the hub's mkdocs.yml: a hub never loads a source's). Raises ``OptionsError`` naming the source."""
    found: dict[str, SiteOptions] = {}
    for spec in sources:
        settings = spec.settings
        if not (settings.stages or settings.stage_colors or settings.lower_is_better is not None):
            continue
        try:
            found[spec.name] = dataclasses.replace(
                options, stage_order=settings.stages or options.stage_order,
                stage_colors={**options.stage_colors, **settings.stage_colors},
                lower_is_better=options.lower_is_better if settings.lower_is_better is None else settings.lower_is_better)
        except OptionsError as exc:
            raise OptionsError(f"source '{spec.name}': {exc}") from None
    return found


# The plugin options that are catalog options under the same name (stages and git_url are the
# two under another name: stage_order, and commit_url once the remote fills the template in).
SHARED_OPTIONS = ("catalog_dir", "stages_page", "activity_page", "feed", "metrics", "max_metrics",
                  "lower_is_better", "table_metrics", "stage_colors", "activity_entries", "feed_entries")


def _frozen(value: object) -> object:
    """mkdocs.yml's lists as the catalog options' tuples; dicts copied."""
    if isinstance(value, list):
        return tuple(value)
    return dict(value) if isinstance(value, dict) else value
