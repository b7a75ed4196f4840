"""Typed views of the JSON index: exactly what the templates show.

The index is JSON (the published contract); templates get these small
dataclasses instead, so formatting rules (numbers, dates, deltas, stage
order) live in one tested place rather than in template expressions.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from typing import Any

from ..number_format import fmt_value
from .contrast import opaque, text_color_on
from ..core.naming import api_file, page_stem
from .pages import is_external
from .site_options import SiteOptions

JSON = dict[str, Any]


# -- formatting -------------------------------------------------------------
def fmt_time(stamp: str | None) -> str:
    """``2024-03-01T09:00:00+00:00`` -> ``2024-03-01 09:00 UTC``."""
    if not stamp:
        return "—"
    return f"{stamp[:10]} {stamp[11:16]} UTC"


def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def short(version: str | None) -> str:
    """Commit-sha versions shown as 7 characters, SemVer ones unchanged."""
    if version and len(version) == 40 and all(c in "0123456789abcdef" for c in version):
        return version[:7]
    return version or "—"


MESSAGE_LIMIT = 1000  # characters of a tag message shown on a page or in the feed


def shown_message(text: str | None, limit: int = MESSAGE_LIMIT) -> str | None:
    """A tag message as pages show it: Git and GTO accept megabytes, a page should not.

    The JSON index keeps the whole text; pages and the feed say how much they left out.
    """
    if text is None or len(text) <= limit:
        return text
    return f"{text[:limit].rstrip()}… ({len(text) - limit:,} more characters in the JSON index)"


@dataclass(frozen=True)
class FoldedText:
    """A long text as the lead a page shows and the rest it folds away (``rest`` empty: show it whole)."""

    lead: str
    rest: str


FOLD_AT = 700  # characters (or FOLD_LINES lines) above which a description is folded
FOLD_LINES = 8
LEAD_CHARS = 400  # at most this much of a folded description shows, in at most LEAD_LINES lines
LEAD_LINES = 5


def fold_text(text: str) -> FoldedText:
    """Split a long description into a lead and the rest, at the best break in the lead's window.

    A paragraph break, else a line break, else a sentence end, else a space in the second
    half of the window; a hard cut only for text without any. Only whitespace at the cut is
    dropped. Short text (under ``FOLD_AT`` characters and ``FOLD_LINES`` lines) stays whole.
    """
    if len(text) <= FOLD_AT and text.count("\n") < FOLD_LINES:
        return FoldedText(text, "")
    end = LEAD_CHARS
    line_ends = [i for i, c in enumerate(text[:end]) if c == "\n"]
    if len(line_ends) >= LEAD_LINES:
        end = line_ends[LEAD_LINES - 1]
    window = text[: end + 1]
    floor = end // 2
    for mark, keep in (("\n\n", 0), ("\n", 0), (". ", 1), (" ", 0)):
        at = window.rfind(mark, floor)
        if at > 0:
            cut = at + keep
            break
    else:
        cut = end
    return FoldedText(text[:cut].rstrip(), text[cut:].lstrip())


def meta_facts(meta: object, limit: int = 200) -> list[tuple[str, str]]:
    """A model's free-form ``meta:`` as ``(dotted key, text)`` pairs for its page, in key order.

    Nested mappings become dotted keys, lists are joined; long values are cut (the
    JSON keeps them whole). No meta (or an empty mapping) gives no row; an empty
    nested mapping or list shows as "—".
    """
    found: list[tuple[str, str]] = []

    def walk(value: object, key: str) -> None:
        if isinstance(value, dict) and value:
            for sub in sorted(value, key=str):
                walk(value[sub], f"{key}.{sub}" if key else str(sub))
        else:
            if isinstance(value, list):
                text = ", ".join(str(v) for v in value) or "—"
            else:
                text = "—" if value is None or value == {} else str(value)
            found.append((key, text if len(text) <= limit else text[: limit - 1] + "…"))

    if isinstance(meta, dict) and meta:
        walk(meta, "")
    return found


def compare_src(catalog_dir: str) -> str:
    """Where the compare page lives (src path relative to docs_dir)."""
    return f"{catalog_dir}compare.md"


# -- views ------------------------------------------------------------------
@dataclass(frozen=True)
class NavLink:
    """One entry of the catalog's own links row (every catalog page shows it: model pages hide
    Material's sidebar, and a user's nav may not list the catalog pages)."""

    title: str
    src: str
    current: bool


@dataclass(frozen=True)
class StageBadge:
    stage: str
    version: str | None
    color: str
    broken_rules: tuple[str, ...] = ()  # the holder got there breaking these rules (shown as text, not colour)
    claimed_by: str | None = None  # a hub's federated model: the verdict is this source's claim

    @property
    def background(self) -> str:
        """The stage colour, made opaque (as it shows on white) when it is translucent."""
        return opaque(self.color)

    @property
    def text_color(self) -> str:
        """White or black, whichever keeps 4.5:1 on the background (``stage_colors`` are the user's)."""
        return text_color_on(self.color)

    @property
    def label(self) -> str:
        """``prod: v1.2.0``, with a no-break space: a badge may wrap inside a long stage name only."""
        return f"{self.stage}:\u00a0{short(self.version)}" if self.version else self.stage


@dataclass(frozen=True)
class MetricCell:
    name: str
    value: str
    delta: str | None = None
    direction: str = ""  # the numeric change: "up", "down", "same" or ""
    verdict: str = ""  # what the change means for this metric: "better", "worse", "same" or ""
    lower_is_better: bool = False

    @property
    def hint(self) -> str:
        """Tooltip of the delta: why it is coloured as it is."""
        if not self.delta:
            return ""
        rule = "lower is better" if self.lower_is_better else "higher is better"
        return f"{self.verdict} ({rule})" if self.verdict != "same" else f"unchanged ({rule})"


def metric_cell(name: str, value: object, base: object, lower_is_better: bool) -> MetricCell:
    """A metric value and its change from ``base``: the sign shows the numeric change, the
    verdict whether it is an improvement for this metric (compare.js follows the same rule)."""
    if value is None:
        return MetricCell(name, "—")
    if not (is_number(value) and is_number(base)):
        return MetricCell(name, fmt_value(value))
    diff = value - base  # type: ignore[operator]
    if diff == 0:
        return MetricCell(name, fmt_value(value), "±0", "same", "same", lower_is_better)
    sign = "+" if diff > 0 else "−"
    better = (diff < 0) if lower_is_better else (diff > 0)
    return MetricCell(name, fmt_value(value), f"{sign}{fmt_value(abs(diff))}", "up" if diff > 0 else "down",
                      "better" if better else "worse", lower_is_better)


@dataclass(frozen=True)
class MetricChoice:
    """Which metrics a model page shows, and which the ``max_metrics`` cap left out."""

    shown: list[str]  # plotted, in this order; the first ``tabulated`` are versions table columns
    left_out: list[str]  # numeric metrics past the cap (still on the compare page and in the JSON)
    configured: bool  # chosen by the plugin's ``metrics`` option
    cap: int  # max_metrics
    tabulated: int


@dataclass(frozen=True)
class VersionRow:
    version: str
    display: str
    status: str
    date: str | None
    author: str | None
    commit: str
    commit_url: str | None
    message: str | None
    tag: str | None
    stages: list[StageBadge]
    metrics: list[MetricCell]
    is_latest: bool


@dataclass(frozen=True)
class ParamChange:
    key: str
    before: str
    after: str
    kind: str  # "changed", "added", "removed"


@dataclass(frozen=True)
class ParamDiff:
    version: str
    previous: str
    changes: list[ParamChange]


@dataclass(frozen=True)
class EventRow:
    timestamp: str
    model: str
    model_page: str | None
    kind: str
    version: str | None
    stage: str | None
    tag: str
    author: str
    message: str
    commit: str
    commit_url: str | None
    signer: str | None = None  # the verified identity of a signed tag
    bad_signature: str | None = None  # why a signed tag's signature does not verify
    broken_rules: tuple[str, ...] = ()
    claimed_by: str | None = None  # a hub's federated event: its signature and violations are this source's claim

    @property
    def summary(self) -> str:
        target = short(self.version) if self.version else ""
        if self.kind == "registration":
            return f"registered {target}"
        if self.kind == "deregistration":
            return f"deregistered {target}"
        if self.kind == "assignment":
            return f"{target} promoted to {self.stage}"
        if self.kind == "unassignment":
            return f"{target} removed from {self.stage}"
        if self.kind == "deprecation":
            return "deprecated"
        return self.kind


@dataclass(frozen=True)
class UseCommand:
    title: str
    code: str


@dataclass(frozen=True)
class UseTab:
    title: str
    language: str
    commands: list[UseCommand]


@dataclass(frozen=True)
class ModelRow:
    name: str
    page: str
    type: str | None
    labels: list[str]
    description: str
    latest: str | None
    badges: list[StageBadge]
    last_activity: str | None
    registered: bool
    deprecated: bool
    versions: int
    source: str | None = None  # a hub's model: its source


@dataclass(frozen=True)
class SourceRow:
    """One source of a hub, as its home page lists it."""

    name: str
    kind: str
    location: str
    commit: str | None
    index_sha256: str | None
    read_at: str | None
    stale: bool
    reason: str | None
    models: int
    site: str | None


@dataclass(frozen=True)
class StageHolding:
    model: str
    page: str
    version: str
    assigned_at: str | None
    author: str | None
    broken_rules: tuple[str, ...] = ()
    claimed_by: str | None = None  # a hub's federated model: the verdict is this source's claim


@dataclass(frozen=True)
class StageColumn:
    stage: str
    color: str
    holdings: list[StageHolding] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)  # the stage's rules (.modelshelf.yaml), as sentences

    @property
    def badge(self) -> StageBadge:
        return StageBadge(self.stage, None, self.color)


def broken_rules(model: JSON, stage: str) -> tuple[str, ...]:
    """The rules the stage's holder broke getting there, from the index's ``stage_verdicts``."""
    verdict = (model.get("stage_verdicts") or {}).get(stage)
    if not isinstance(verdict, dict) or verdict.get("compliant") is not False:
        return ()
    return tuple(f"{v.get('rule')}: {v.get('reason')}" for v in verdict.get("violations") or [] if isinstance(v, dict))


def event_trust(event: JSON) -> dict[str, Any]:
    """What an event row shows of its tag's signature and the rules it broke (index fields)."""
    signature = event.get("signature")
    found: dict[str, Any] = {}
    if isinstance(signature, dict) and signature.get("signed"):
        if signature.get("valid"):
            found["signer"] = str(signature.get("identity") or "")
        else:
            found["bad_signature"] = str(signature.get("reason") or "does not verify")
    violations = event.get("violations")
    if isinstance(violations, list):
        found["broken_rules"] = tuple(f"{v.get('rule')}: {v.get('reason')}" for v in violations if isinstance(v, dict))
    if found:
        found["claimed_by"] = claimed_by(event)
    return found


def claimed_by(record: JSON) -> str | None:
    """The source whose claim a hub's verdicts are (``verdicts_claimed_by``); None: verified here."""
    claimant = record.get("verdicts_claimed_by")
    return claimant if isinstance(claimant, str) else None


def rule_sentences(rules: object) -> list[str]:
    """One stage's rules, as the stages page lists them."""
    if not isinstance(rules, dict):
        return []
    said = []
    if rules.get("after"):
        said.append("held before: " + ", ".join(rules["after"]))
    if rules.get("branches"):
        said.append("commit on branch: " + " or ".join(rules["branches"]))
    if rules.get("signers"):
        said.append("tag signed by: " + ", ".join("anyone in the allowed-signers file" if s == "*" else s
                                                  for s in rules["signers"]))
    if rules.get("require"):
        said.append("metrics: " + ", ".join(rules["require"]))
    if rules.get("not_worse"):
        said.append("not worse than the holder: " + ", ".join(f"{m} ({d} is better)" for m, d in rules["not_worse"].items()))
    return said


HOME_ROWS = 100  # model rows in the home page's HTML; past it, modelshelf.js renders from a compact list
SEARCH_CHARS = 1000  # of a long description that the home page's filter searches
DESCRIPTION_CHARS = 160  # of a description shown in the home page's table


def home_list_row(row: ModelRow, url: str) -> list[Any]:
    """One model of the home page's compact list (modelshelf.js ``listRow`` reads it by position):
    name, page URL, type, labels, description (as the table shows it), latest, stage badges as
    ``[stage, version as shown]`` (plus, when the holder broke rules, ``[rule: reason, ...]`` and,
    for a hub's federated model, the source claiming it), last activity, registered (1/0), and, only
    when the table cuts the description, the text the filter searches instead (the first ``SEARCH_CHARS``)."""
    shown = truncate_text(row.description, DESCRIPTION_CHARS)
    searched = "" if shown == " ".join(row.description.split()) else row.description[:SEARCH_CHARS]
    badges = [compact_badge(b) for b in row.badges]
    listed = [row.name, url, row.type or "", row.labels, shown, row.latest or "", badges, row.last_activity or "",
              int(row.registered), searched]
    return listed + [row.source] if row.source else listed  # a hub's rows: the source filter reads it


def compact_badge(badge: StageBadge) -> list[Any]:
    """A stage badge in the compact list: the rule warning only where there is one (same bytes otherwise)."""
    compact: list[Any] = [badge.stage, short(badge.version) if badge.version else ""]
    if badge.broken_rules:
        compact.append(list(badge.broken_rules))
        if badge.claimed_by:
            compact.append(badge.claimed_by)
    return compact


def truncate_text(text: str, length: int) -> str:
    """Whitespace collapsed, cut at ``length`` characters with an ellipsis (table cells)."""
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


# -- builders ---------------------------------------------------------------

def _unverifiable(version: JSON | None) -> bool:
    """Bytes a download cannot check: an external URL the index records no checksum for."""
    storage = (version or {}).get("storage") or {}
    return storage.get("kind") == "url" and not storage.get("sha256") and not storage.get("md5")


class CatalogView:
    """The index plus options: builds every view the templates need."""

    def __init__(self, index: JSON, options: SiteOptions) -> None:
        self.index = index
        self.options = options
        self.models: list[JSON] = index["models"]
        used = [s for m in self.models for s in m["stages"]]
        order = list(options.stage_order) or list(index.get("stages") or [])
        self.stage_order = order + sorted({s for s in used if s not in order})
        # A federated model has no page here: it links to its page on its own site (or the home page).
        self.pages = {m["name"]: (m.get("source_page") or self.home_src) if self.is_federated(m) else self.page_src(m["name"])
                      for m in self.models}

    @staticmethod
    def is_federated(model: JSON) -> bool:
        """A model a hub read from another catalog's index (``source_page`` is set, maybe to null)."""
        return "source_page" in model

    def source_rows(self) -> list[SourceRow]:
        """A hub's sources (empty for a one-repository catalog)."""
        return [
            SourceRow(name=str(s.get("name")), kind=str(s.get("kind")), location=str(s.get("location")),
                      commit=s.get("commit"), index_sha256=s.get("index_sha256"), read_at=s.get("read_at"),
                      stale=bool(s.get("stale")), reason=s.get("reason"), models=int(s.get("models") or 0),
                      site=s.get("site") if is_external(s.get("site")) else None)
            for s in self.index.get("sources") or [] if isinstance(s, dict)
        ]

    # where things live (src paths relative to docs_dir / site root)
    def page_src(self, name: str) -> str:
        return f"{self.options.catalog_dir}{page_stem(name)}.md"

    @property
    def home_src(self) -> str:
        return f"{self.options.catalog_dir}index.md"

    @property
    def stages_src(self) -> str:
        return f"{self.options.catalog_dir}stages.md"

    @property
    def activity_src(self) -> str:
        return f"{self.options.catalog_dir}activity.md"

    @property
    def compare_src(self) -> str:
        return compare_src(self.options.catalog_dir)

    def nav_links(self, current_src: str) -> list[NavLink]:
        """Models, Stages, Activity (when built) and Compare, ``current_src`` marked."""
        pages = [("Models", self.home_src), ("Stages", self.stages_src if self.options.stages_page else None),
                 ("Activity", self.activity_src if self.options.activity_page else None),
                 ("Compare", self.compare_src)]
        return [NavLink(title, src, src == current_src) for title, src in pages if src]

    def commit_url(self, sha: str | None) -> str | None:
        if not sha or not self.options.commit_url:
            return None
        return self.options.commit_url.replace("{sha}", sha)

    def badge(self, stage: str, version: str | None) -> StageBadge:
        return StageBadge(stage, version, self.options.stage_color(stage, self.stage_order))

    def badges(self, model: JSON) -> list[StageBadge]:
        held: dict[str, str] = model["stages"]
        return [replace(self.badge(s, held[s]), broken_rules=broken_rules(model, s), claimed_by=claimed_by(model))
                for s in self.stage_order if s in held]

    def metric_names(self, model: JSON) -> list[str]:
        """The metrics a model page plots (and the first ``table_metrics`` of them, tabulates)."""
        return self.metric_choice(model).shown

    def metric_choice(self, model: JSON) -> MetricChoice:
        """Configured metrics present in the model, else every numeric one; capped at ``max_metrics``.

        Unconfigured, metrics with a trend (numeric in two versions or more) come first:
        the cap must not be spent on metrics that cannot be plotted. What the cap leaves
        out is kept, so the page can say so.
        """
        counts: dict[str, int] = {}
        for version in model["versions"]:
            for key, value in version.get("metrics", {}).items():
                if is_number(value):
                    counts[key] = counts.get(key, 0) + 1
        if self.options.metrics:
            chosen = [m for m in dict.fromkeys(self.options.metrics) if m in counts]
        else:
            chosen = sorted(counts, key=lambda k: (counts[k] < 2, k))
        cap = self.options.max_metrics
        return MetricChoice(chosen[:cap], chosen[cap:], bool(self.options.metrics), cap,
                            min(self.options.table_metrics, len(chosen[:cap])))

    # -- home / stages / activity
    def model_rows(self) -> list[ModelRow]:
        rows = []
        for model in self.models:
            events = model["events"]
            rows.append(
                ModelRow(
                    name=model["name"],
                    page=self.pages[model["name"]],
                    type=model["type"],
                    labels=list(model["labels"]),
                    description=model["description"],
                    latest=model["latest"],
                    badges=self.badges(model),
                    last_activity=max((e["timestamp"] for e in events), default=None),
                    registered=model["registered"],
                    deprecated=model["deprecated"],
                    versions=sum(1 for v in model["versions"] if v["status"] == "active"),
                    source=model.get("source"),
                )
            )
        return rows

    def stage_columns(self) -> list[StageColumn]:
        columns = []
        for stage in self.stage_order:
            holdings = []
            for model in self.models:
                version = model["stages"].get(stage)
                if version is None or model["deprecated"]:
                    continue
                assigned = [
                    e for e in model["events"]
                    if e["event"] == "assignment" and e["stage"] == stage and e["version"] == version
                ]
                last = max(assigned, key=lambda e: e["timestamp"], default=None)
                holdings.append(
                    StageHolding(model["name"], self.pages[model["name"]], version,
                                 last["timestamp"] if last else None, last["author"] if last else None,
                                 broken_rules(model, stage), claimed_by(model))
                )
            rules = (self.index.get("rules") or {}).get("stages", {}).get(stage)
            columns.append(StageColumn(stage, self.options.stage_color(stage, self.stage_order), holdings,
                                       rule_sentences(rules)))
        return columns

    def event_rows(self, events: list[JSON], limit: int | None = None) -> list[EventRow]:
        chosen = events[:limit] if limit is not None else events
        return [
            EventRow(
                timestamp=e["timestamp"], model=e["model"], model_page=self.pages.get(e["model"]),
                kind=e["event"], version=e["version"], stage=e["stage"], tag=e["tag"],
                author=e["author"], message=shown_message(e["message"]), commit=e["commit"],
                commit_url=self.commit_url(e["commit"]), **event_trust(e),
            )
            for e in chosen
        ]

    # -- model page
    def version_rows(self, model: JSON, metrics: list[str]) -> list[VersionRow]:
        by_name = {v["version"]: v for v in model["versions"]}
        rows = []
        for version in model["versions"]:
            previous = by_name.get(version["previous"]) if version["previous"] else None
            cells = [self._metric_cell(name, version, previous) for name in metrics[: self.options.table_metrics]]
            info = version.get("commit_info") or {}
            rows.append(
                VersionRow(
                    version=version["version"], display=short(version["version"]), status=version["status"],
                    date=version["created_at"] or info.get("date"),
                    author=version["author"] or info.get("author"),
                    commit=version["commit"], commit_url=self.commit_url(version["commit"]),
                    message=shown_message(version["message"]), tag=version["tag"],
                    stages=[self.badge(s, None) for s in self._ordered(version["stages"])],
                    metrics=cells, is_latest=version["version"] == model["latest"],
                )
            )
        return rows

    def _ordered(self, stages: list[str]) -> list[str]:
        return [s for s in self.stage_order if s in stages] + sorted(s for s in stages if s not in self.stage_order)

    def _metric_cell(self, name: str, version: JSON, previous: JSON | None) -> MetricCell:
        before = previous.get("metrics", {}).get(name) if previous else None
        return metric_cell(name, version.get("metrics", {}).get(name), before, self.options.is_lower_better(name))

    def lower_is_better(self, model: JSON) -> list[str]:
        """The model's metrics (versions and candidates) where smaller is better, for compare.js."""
        names = {k for item in [*model["versions"], *model.get("candidates", [])] for k in item.get("metrics", {})}
        return sorted(n for n in names if self.options.is_lower_better(n))

    def param_diffs(self, model: JSON) -> list[ParamDiff]:
        by_name = {v["version"]: v for v in model["versions"]}
        diffs = []
        for version in model["versions"]:
            previous = by_name.get(version["previous"]) if version["previous"] else None
            if previous is None:
                continue
            after, before = version.get("params", {}), previous.get("params", {})
            changes = []
            for key in sorted(set(after) | set(before)):
                if key not in before:
                    changes.append(ParamChange(key, "—", fmt_value(after[key]), "added"))
                elif key not in after:
                    changes.append(ParamChange(key, fmt_value(before[key]), "—", "removed"))
                elif after[key] != before[key]:
                    changes.append(ParamChange(key, fmt_value(before[key]), fmt_value(after[key]), "changed"))
            if changes:
                diffs.append(ParamDiff(version["version"], previous["version"], changes))
        return diffs

    @property
    def use_reads_clone(self) -> bool:
        """Without ``site_url`` the use box cannot name the published index: its commands read a clone."""
        return not self.options.site_url

    def use_tabs(self, model: JSON) -> list[UseTab]:
        """Copy-paste commands for the latest version and each stage.

        With ``site_url`` known, commands read this site's published index;
        otherwise they run in a clone of the registry repository (the page
        says so) and write to ``downloads/``, not to the clone's own files.
        A version whose bytes the index has no checksum for (an external URL)
        gets ``--allow-unverified``, said in its title: without it the
        command could only fail.
        """
        name = model["name"]
        site = (self.options.site_url or "").rstrip("/")
        index_url = f"{site}/api/registry.json" if site else None
        model_url = f"{site}/{api_file(name)}" if site else f"SITE_URL/{api_file(name)}"
        source = f" --index {index_url}" if index_url else " -o downloads/"
        py_source = f', index="{index_url}"' if index_url else ""
        out = "models/" if index_url else "downloads/"
        by_version = {v["version"]: v for v in model["versions"]}
        specs: list[tuple[str, str, bool]] = []
        if model["latest"]:
            specs.append((f"Latest version ({model['latest']})", f"{name}@{model['latest']}",
                          _unverifiable(by_version.get(model["latest"]))))
        for badge in self.badges(model):
            specs.append((f"What {badge.stage} holds ({short(badge.version)})", f"{name}#{badge.stage}",
                          _unverifiable(by_version.get(badge.version))))
        if not specs:
            return []
        unverified = " (external URL with no checksum: not verified)"
        cli = [UseCommand(title + (unverified if bare else ""),
                          f"modelshelf download {spec}{source}" + (" --allow-unverified" if bare else ""))
               for title, spec, bare in specs]
        py = [
            UseCommand(title + (unverified if bare else ""),
                       "import modelshelf\n\n"
                       f'found = modelshelf.resolve("{spec}"{py_source})\n'
                       "print(found.version.version, found.version.commit, found.url)\n"
                       f'path = modelshelf.download("{spec}", "{out}"{py_source}'
                       + (", allow_unverified=True)" if bare else ")"))
            for title, spec, bare in specs
        ]
        # curl -f: an HTTP error is an error, not a page piped to jq; jq -n 'input': no input (server
        # down) is an error, not an empty answer with exit 0; '// error(...)': a stage emptied since
        # this page was built fails, instead of printing "null" for a deploy script to use.
        def query(filter_: str, raw: bool = True) -> str:
            return f"curl -fsSL {model_url} | jq -n{'r' if raw else ''} 'input | {filter_}'"

        http = []
        if model["latest"]:
            http.append(UseCommand("Latest version", query('.latest // error("no latest version")')))
        for badge in self.badges(model):
            stage = json.dumps(badge.stage)
            http.append(UseCommand(f"What {badge.stage} holds",
                                   query(f'.stages[{stage}] // error("stage {badge.stage} holds no version")')))
        version = model["latest"] or "v1.0.0"
        http.append(UseCommand(
            "Where a version's bytes are",
            query(f'(first(.versions[] | select(.version == "{version}")) // error("no version {version}")) | .storage', raw=False),
        ))
        return [UseTab("CLI", "bash", cli), UseTab("Python", "python", py), UseTab("JSON index", "bash", http)]
