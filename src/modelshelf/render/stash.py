"""Keep the catalog's pre-rendered HTML away from the Markdown parser.

Generated pages are Markdown headings (so MkDocs builds the table of contents)
around large blocks of HTML that Jinja already rendered and escaped. Feeding
that HTML through Python-Markdown's raw-HTML parser costs more than the rest of
the build; instead each block is swapped for a placeholder comment before
Markdown runs and put back into the page's HTML afterwards (``on_page_content``).
The output is the same; repo text cannot forge a placeholder because every `<`
from a repository is escaped as ``&lt;``.
"""

from __future__ import annotations

import re

_PLACEHOLDER = "<!-- modelshelf-block {} -->"
_PLACEHOLDER_RE = re.compile(r"<!-- modelshelf-block (\d+) -->")
_FENCE_RE = re.compile(r"^\s*(```|~~~)")
_HEADING_RE = re.compile(r"^#{1,6}\s")


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


def restore_html(html: str, blocks: list[str]) -> str:
    """Put the stashed blocks back into the page's HTML."""
    if not blocks:
        return html
    return _PLACEHOLDER_RE.sub(lambda m: blocks[int(m.group(1))], html)
