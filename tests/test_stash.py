"""Pre-rendered HTML kept out of Python-Markdown renders exactly as if it went through."""

from __future__ import annotations

import markdown

from modelshelf.render.stash import restore_html, stash_html

PAGE = """\
<h1 class="t">churn &lt;script&gt;</h1>
<p>desc</p>

## Versions

<table>
<tr><td>[x](javascript:alert(1))</td></tr>
</table>
## Right after a block

<div class="a">
<pre class="mermaid"><code>flowchart LR
n0["#quot;a#quot;"] --> n1</code></pre>
</div>

Plain *markdown* stays Markdown.

```
<not html, a fence>
```
"""


def _render(text: str) -> str:
    return markdown.markdown(text, extensions=["toc", "md_in_html", "fenced_code"])


def test_output_matches_markdown_on_the_whole_page_modulo_whitespace() -> None:
    skeleton, blocks = stash_html(PAGE)
    assert "javascript" not in skeleton and "<table>" not in skeleton
    ours = restore_html(_render(skeleton), blocks)
    assert "".join(ours.split()) == "".join(_render(PAGE).split())


def test_headings_stay_markdown_even_right_after_a_block() -> None:
    skeleton, _ = stash_html(PAGE)
    assert "## Versions" in skeleton and "## Right after a block" in skeleton
    assert 'id="right-after-a-block"' in _render(skeleton)


def test_fenced_code_is_not_stashed() -> None:
    skeleton, blocks = stash_html(PAGE)
    assert "<not html, a fence>" in skeleton
    assert all("<not html" not in b for b in blocks)


def test_repo_text_cannot_forge_a_placeholder() -> None:
    # Repo text reaches pages escaped: a fake marker arrives as &lt;!-- ... --&gt;
    skeleton, blocks = stash_html("<p>&lt;!-- modelshelf-block 0 --&gt;</p>\n")
    html = restore_html(_render(skeleton), blocks)
    assert html.count("&lt;!-- modelshelf-block 0 --&gt;") == 1


def test_search_excluded_blocks_can_be_restored_after_search() -> None:
    page = ("## Versions\n\n<table data-search-exclude>\n<tr><td>v1</td></tr>\n</table>\n\n"
            "## About\n\n<p class=\"d\">data-search-exclude in repo text</p>\n")
    skeleton, blocks = stash_html(page)
    first = restore_html(_render(skeleton), blocks, search_excluded=False)
    assert "<td>v1</td>" not in first and "repo text</p>" in first  # what search reads
    assert "modelshelf-block 0" in first
    final = restore_html(first, blocks)
    assert "".join(final.split()) == "".join(restore_html(_render(skeleton), blocks).split())
    assert "modelshelf-block" not in final
