"""Issue 12 item 7, the last path: an unexpected exception's traceback is escaped too.

``cli.main`` installs ``TerminalSafe`` on stdout and stderr; a traceback used to be
printed by Python after ``main`` had put the raw streams back, so the text it quotes (here
a page a MkDocs hook fails on, as a hook that quotes what it could not parse does) reached
the terminal with its control characters.
"""

from __future__ import annotations

from pathlib import Path

from .gitutil import GitBuilder, ms
from .test_cli_output_safety import assert_terminal_safe

# A page is read with universal newlines (a carriage return arrives as a newline): the rest.
HOSTILE = "red\x1b[31m clear\x1b[2J bell\x07 csi\x9b1m bidi\u202egnp.exe del\x7f"
ESCAPED = "red\\u001b[31m clear\\u001b[2J bell\\u0007 csi\\u009b1m bidi\\u202egnp.exe del\\u007f"

HOOK = '''
def on_page_markdown(markdown, page, config, files):
    raise ValueError(f"cannot parse {page.file.src_path}: {markdown}")
'''


def test_a_crash_traceback_is_printed_escaped_with_exit_1(tmp_path: Path) -> None:
    g = GitBuilder(tmp_path / "repo")
    g.commit("model", {"dvc.yaml": "artifacts:\n  nlp:\n    path: m.bin\n    type: model\n", "m.bin": "w",
                       "mkdocs.yml": "site_name: t\ntheme: {name: material}\nplugins: [modelshelf]\nhooks: [hooks.py]\n",
                       "hooks.py": HOOK, "docs/notes.md": HOSTILE + "\n"})
    result = ms(g, "build", "-o", str(tmp_path / "site"), "-q", check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback (most recent call last):" in result.stderr
    assert f"ValueError: cannot parse notes.md: {ESCAPED}" in result.stderr, result.stderr
    assert_terminal_safe(result.stdout + result.stderr)
    assert not (tmp_path / "site").exists()
