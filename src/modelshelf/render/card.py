"""Model cards: Markdown from the repo -> sanitized HTML, front matter -> facts.

A model card is repository content, so whatever it holds (raw HTML, script,
event handlers, ``javascript:`` links) must come out inert: Python-Markdown
renders it, then nh3 (the Rust ammonia sanitizer) keeps an allow-list of
formatting tags and attributes only.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import markdown as _markdown
import nh3

_TAGS = frozenset({
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote", "div", "span",
    "strong", "em", "b", "i", "u", "s", "del", "ins", "sub", "sup", "small", "mark", "abbr",
    "ul", "ol", "li", "dl", "dt", "dd",
    "code", "pre", "kbd", "samp", "var",
    "a", "img", "figure", "figcaption", "details", "summary",
    "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td",
})
# Dropped with everything inside them (other unknown tags are unwrapped, keeping their text).
_DROP_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "template", "noscript",
                                "textarea", "select", "svg", "math", "title"})
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "code": {"class"},
    "ol": {"start"},
    "th": {"align", "colspan", "rowspan"},
    "td": {"align", "colspan", "rowspan"},
    "col": {"span"},
    "colgroup": {"span"},
}
_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_IMAGE_SCHEMES = frozenset({"http", "https"})
_CODE_CLASS = re.compile(r"^language-[A-Za-z0-9_+-]{1,40}$")
_ALIGN = frozenset({"left", "right", "center"})
_NUMBER = re.compile(r"^\d{1,4}$")


def _scheme(url: str) -> str | None:
    """The URL's scheme (lower case), '' for a relative URL, None if unparseable."""
    try:
        return urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Second gate after the allow-list: URL schemes per tag, and well-formed values."""
    if tag == "a" and attribute == "href":
        return value if _scheme(value) in _LINK_SCHEMES else None
    if tag == "img" and attribute == "src":
        scheme = _scheme(value)
        return value if scheme in _IMAGE_SCHEMES or (scheme == "" and not value.strip().startswith("//")) else None
    if attribute == "class":
        return value if _CODE_CLASS.match(value) else None
    if attribute == "align":
        return value if value.lower() in _ALIGN else None
    if attribute in ("start", "span", "colspan", "rowspan", "width", "height"):
        return value if _NUMBER.match(value.strip()) else None
    return value


def sanitize_html(html: str) -> str:
    """Allow-listed formatting HTML only; links get rel="noopener noreferrer"."""
    return nh3.clean(
        html,
        tags=set(_TAGS),
        clean_content_tags=set(_DROP_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in _ATTRIBUTES.items()},
        attribute_filter=_filter_attribute,
        url_schemes=set(_LINK_SCHEMES),
        strip_comments=True,
        link_rel="noopener noreferrer",
    )


def render_card(markdown: str) -> str:
    """A model card's Markdown as sanitized HTML (tables and fenced code supported)."""
    html = _markdown.markdown(
        markdown,
        extensions=["tables", "fenced_code"],
        extension_configs={"tables": {"use_align_attribute": True}},
        output_format="html",
    )
    return sanitize_html(html)


# -- front matter -------------------------------------------------------------
_FACTS = (
    ("license", "License"),
    ("license_name", "License name"),
    ("base_model", "Base model"),
    ("datasets", "Datasets"),
    ("language", "Languages"),
    ("pipeline_tag", "Task"),
    ("library_name", "Library"),
    ("tags", "Tags"),
    ("metrics", "Metrics"),
)
_MAX_TEXT = 400
_MAX_RESULTS = 6


def _text(value: Any) -> str:
    """A front-matter value as one plain line: lists joined with ", "."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(t for t in (_text(v) for v in value) if t)
    if isinstance(value, dict):
        return ", ".join(f"{_text(k)}: {_text(v)}" for k, v in value.items() if _text(v))
    return " ".join(str(value).split())


def _bounded(text: str) -> str:
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "\u2026"


def _model_index_summary(model_index: Any) -> str:
    """``model-index`` results as "metric value (dataset, task)", a few at most."""
    results: list[str] = []
    entries = model_index if isinstance(model_index, list) else [model_index]
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        for result in entry.get("results") or []:
            if not isinstance(result, dict):
                continue
            task = result.get("task") if isinstance(result.get("task"), dict) else {}
            dataset = result.get("dataset") if isinstance(result.get("dataset"), dict) else {}
            where = ", ".join(t for t in (_text(dataset.get("name") or dataset.get("type")),
                                          _text(task.get("name") or task.get("type"))) if t)
            for metric in result.get("metrics") or []:
                if not isinstance(metric, dict):
                    continue
                name = _text(metric.get("name") or metric.get("type")) or "metric"
                value = _text(metric.get("value"))
                results.append(f"{name} {value}".strip() + (f" ({where})" if where else ""))
    if len(results) > _MAX_RESULTS:
        more = len(results) - _MAX_RESULTS
        results = results[:_MAX_RESULTS] + [f"and {more} more"]
    return "; ".join(results)


def card_facts(front_matter: dict) -> list[tuple[str, str]]:
    """Hugging Face card front matter as (label, text) pairs, in a fixed order."""
    if not isinstance(front_matter, dict):
        return []
    facts = []
    for key, label in _FACTS:
        text = _text(front_matter.get(key))
        if text:
            facts.append((label, _bounded(text)))
    summary = _model_index_summary(front_matter.get("model-index"))
    if summary:
        facts.append(("Evaluation results", _bounded(summary)))
    return facts
