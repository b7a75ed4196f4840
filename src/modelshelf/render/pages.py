"""What the renderer hands to a site builder: pages and files as plain data, and the URLs
MkDocs gives them. A leaf of render/ (standard library only), so the page modules share it
without importing each other."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path

PLOTS_DIR = "assets/plots"


@dataclass(frozen=True)
class PageSpec:
    """A generated Markdown page (``src_uri`` relative to docs_dir)."""

    src_uri: str
    title: str
    content: str
    in_nav: bool


@dataclass(frozen=True)
class SiteFile:
    """A generated file copied into the site as is (``path`` relative to the site root).

    Plots have a ``source`` in the plot cache instead of ``content``: they may still be
    drawing while the pages are built (``SiteContent.pending``).
    """

    path: str
    content: bytes = b""
    source: Path | None = None


# -- URLs -------------------------------------------------------------------
def page_url(src_uri: str, use_directory_urls: bool) -> str:
    """The site-relative URL MkDocs gives a Markdown page (mirrors ``File.url``)."""
    stem = src_uri[: -len(".md")]
    dirname, name = posixpath.split(stem)
    if not use_directory_urls:
        return f"{stem}.html"
    if name == "index":
        return f"{dirname}/" if dirname else "./"
    return f"{stem}/"


def relative_url(target: str, page: str) -> str:
    """``target`` (site-relative) as seen from the page at site-relative URL ``page``."""
    base = page if page.endswith("/") else posixpath.dirname(page) + "/"
    base = "" if base in ("./", "/") else base
    rel = posixpath.relpath(target or ".", base or ".")
    if target.endswith("/") and not rel.endswith("/"):
        rel += "/"
    return "./" if rel in (".", "./") else rel


# -- escaping ---------------------------------------------------------------
