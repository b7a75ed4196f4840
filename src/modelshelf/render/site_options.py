"""What the catalog shows and where: one typed value shared by the plugin, the CLI and the tests."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field

from .contrast import ColorError, parse_color

_COLOR = re.compile(r"^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,30}|(rgb|hsl)a?\([0-9.,% ]{5,40}\))$")

# Familiar stage names get familiar colours; any other stage takes the palette in order.
KNOWN_STAGE_COLORS = {
    "prod": "#2e7d32", "production": "#2e7d32", "live": "#2e7d32",
    "staging": "#ef6c00", "stage": "#ef6c00", "canary": "#f9a825", "qa": "#8e24aa",
    "dev": "#1565c0", "development": "#1565c0", "test": "#00838f", "experiment": "#6d4c41",
}
# Metrics whose smaller values are better (glob patterns, matched case-insensitively against the
# whole name and its last part after "." "/" or ":"); every other metric: higher is better.
DEFAULT_LOWER_IS_BETTER = (
    "*loss*", "*error*", "*err", "mae", "*_mae", "mse", "*_mse", "rmse", "*_rmse", "mape", "*_mape",
    "*perplexity*", "ppl", "wer", "cer", "eer", "fpr", "fnr", "*latency*", "time", "*_time", "*duration*",
    "*_ms", "*_sec", "*_seconds", "*_bytes", "*_mb",
)
PALETTE = ("#5e35b1", "#00897b", "#c62828", "#3949ab", "#7cb342", "#d81b60", "#546e7a", "#fb8c00")


class OptionsError(ValueError):
    """An invalid catalog option (names the option)."""


@dataclass(frozen=True)
class SiteOptions:
    catalog_dir: str = "models/"  # URL prefix of the catalog pages ("" = site root)
    stages_page: bool = True
    activity_page: bool = True
    feed: bool = True
    metrics: tuple[str, ...] = ()  # empty: every numeric metric, up to max_metrics
    max_metrics: int = 6
    table_metrics: int = 4  # metric columns in the versions table
    stage_order: tuple[str, ...] = ()  # empty: the index's order
    stage_colors: dict[str, str] = field(default_factory=dict)
    commit_url: str | None = None  # "{sha}" template
    site_url: str | None = None
    site_name: str = "Model registry"
    use_directory_urls: bool = True
    activity_entries: int = 100
    feed_entries: int = 50
    lower_is_better: tuple[str, ...] = DEFAULT_LOWER_IS_BETTER  # replaces the defaults when set
    _lower: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        prefix = self.catalog_dir.strip("/")
        if prefix.startswith(".") or "\\" in prefix or ".." in prefix.split("/"):
            raise OptionsError(f"catalog_dir: '{self.catalog_dir}' must be a plain relative folder like 'models/'")
        object.__setattr__(self, "catalog_dir", f"{prefix}/" if prefix else "")
        for stage, color in self.stage_colors.items():
            if not isinstance(color, str) or not _COLOR.match(color):
                raise OptionsError(f"stage_colors: '{color}' for stage '{stage}' is not a CSS colour (#hex, name, rgb())")
            try:
                parse_color(color)  # its text colour is computed from it
            except ColorError as error:
                raise OptionsError(f"stage_colors: stage '{stage}': {error}") from None
        if self.max_metrics < 0 or self.table_metrics < 0:
            raise OptionsError("max_metrics and table_metrics must be >= 0")
        for pattern in self.lower_is_better:
            if not isinstance(pattern, str) or not pattern.strip():
                raise OptionsError(f"lower_is_better: {pattern!r} is not a metric name or glob pattern")
        patterns = [fnmatch.translate(p.strip().lower()) for p in self.lower_is_better]
        object.__setattr__(self, "_lower", re.compile("|".join(patterns) if patterns else r"(?!)"))

    def is_lower_better(self, metric: str) -> bool:
        """Whether a smaller value of ``metric`` is an improvement (``lower_is_better`` patterns)."""
        name = metric.lower()
        leaf = re.split(r"[./:]", name)[-1]
        return bool(self._lower.match(name) or self._lower.match(leaf))

    def stage_color(self, stage: str, order: list[str]) -> str:
        if stage in self.stage_colors:
            return self.stage_colors[stage]
        if stage.lower() in KNOWN_STAGE_COLORS:
            return KNOWN_STAGE_COLORS[stage.lower()]
        position = order.index(stage) if stage in order else len(order)
        return PALETTE[position % len(PALETTE)]
