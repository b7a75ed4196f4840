"""Keep the catalog's pre-rendered HTML away from the Markdown parser.

Generated pages are Markdown headings (so MkDocs builds the table of contents)
around large blocks of HTML that Jinja already rendered and escaped. Feeding
that HTML through Python-Markdown's raw-HTML parser costs more than the rest of
the build; instead each block is swapped for a placeholder comment before
Markdown runs and put back into the page's HTML afterwards (``on_page_content``).
The output is the same; repo text cannot forge a placeholder because every `<`
from a repository is escaped as ``&lt;``.

Blocks whose first tag carries ``data-search-exclude`` (history, version and
parameter tables, lineage) can be put back later still, after the search plugin
has read the page (``restore_html(..., search_excluded=False)`` leaves them
out): the search index skips them anyway, and not parsing them is most of
what search costs on a catalog page.
"""

from __future__ import annotations

import re

_PLACEHOLDER = "<!-- modelshelf-block {} -->"
_PLACEHOLDER_RE = re.compile(r"<!-- modelshelf-block (\d+) -->")
_FENCE_RE = re.compile(r"^\s*(```|~~~)")
_HEADING_RE = re.compile(r"^#{1,6}\s")
# The block's first tag is ours (repo text never holds a raw `<` or `>`).
_EXCLUDED_RE = re.compile(r"<[a-zA-Z][^<>]*\sdata-search-exclude[\s=>]")


def stash_html(markdown: str) -> tuple[str, list[str]]:
    """``(skeleton, blocks)``: each raw HTML block (a run of lines that starts with
    ``<`` and ends at a blank line or a Markdown heading) replaced by a placeholder."""
    lines_out: list[str] = []
    blocks: list[str] = []
    current: list[str] = []
    in_fence = False

    def flush() -> None:
        if current:
            lines_out.append(_PLACEHOLDER.format(len(blocks)))
            blocks.append("\n".join(current))
            current.clear()

    for line in markdown.split("\n"):
        if current:
            if line.strip() and not _HEADING_RE.match(line):
                current.append(line)
                continue
            flush()
            if line.strip():
                lines_out.append("")  # a heading right after the block starts a new one
        elif not in_fence and line.lstrip().startswith("<"):
            current.append(line)
            continue
        if _FENCE_RE.match(line):
            in_fence = not in_fence
        lines_out.append(line)
    flush()
    return "\n".join(lines_out), blocks


def is_search_excluded(block: str) -> bool:
    """Whether the block's first tag asks search to skip it (``data-search-exclude``)."""
    return _EXCLUDED_RE.match(block) is not None


def restore_html(html: str, blocks: list[str], *, search_excluded: bool = True) -> str:
    """Put the stashed blocks back into the page's HTML; with ``search_excluded=False``
    the blocks that search skips keep their placeholders (restore them later)."""
    if not blocks:
        return html

    def swap(match: re.Match[str]) -> str:
        block = blocks[int(match.group(1))]
        if not search_excluded and is_search_excluded(block):
            return match.group(0)
        return block

    return _PLACEHOLDER_RE.sub(swap, html)
