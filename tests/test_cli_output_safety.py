"""Text from a repository or an index reaches the terminal with its control characters
escaped (C0, DEL, C1, bidi overrides): it cannot recolour, clear or reorder what the user
reads. JSON output stays JSON that decodes to the original text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modelshelf.cli.common import CONTROL_CHARACTERS

from .gitutil import GitBuilder, run_cli
from .test_write import ms

pytestmark = pytest.mark.gto  # every test writes its tags with the real gto CLI

HOSTILE = "red\x1b[31m clear\x1b[2J back\r bell\x07 csi\x9b1m bidi\u202egnp.exe del\x7f"
ESCAPED = "red\\u001b[31m clear\\u001b[2J back\\u000d bell\\u0007 csi\\u009b1m bidi\\u202egnp.exe del\\u007f"


def assert_terminal_safe(text: str) -> None:
    found = sorted({hex(ord(ch)) for ch in text if ord(ch) in CONTROL_CHARACTERS})
    assert not found, f"control characters printed raw: {found}\n{text!r}"


def hostile_repo(repo: GitBuilder) -> None:
    desc = json.dumps(HOSTILE)  # a YAML double-quoted scalar: escapes as JSON writes them
    path = json.dumps(f"models/{HOSTILE}.pkl")
    repo.commit("one", {"dvc.yaml": f"artifacts:\n  churn:\n    path: {path}\n    type: model\n    desc: {desc}\n",
                        "models/churn.pkl": "w"})
    repo.gto("register", "churn", "--message", HOSTILE)


def test_repository_text_is_escaped_in_every_output(repo: GitBuilder) -> None:
    hostile_repo(repo)
    text = ms(repo, "check-ref", "churn@v0.0.1")
    assert_terminal_safe(text.stdout + text.stderr)
    assert f"description: {ESCAPED}" in text.stdout and f"path: models/{ESCAPED}.pkl" in text.stdout
    as_json = ms(repo, "check-ref", "churn@v0.0.1", "--json")
    assert_terminal_safe(as_json.stdout)
    data = json.loads(as_json.stdout)  # still JSON, and the same text once decoded
    assert data["description"] == HOSTILE and data["message"] == HOSTILE
    for args in (["history", "churn"], ["show", "churn"], ["show"], ["doctor"], ["history", "--json"], ["show", "churn", "--json"]):
        result = run_cli(*args, "--repo", str(repo.path))
        assert_terminal_safe(result.stdout + result.stderr)
    history = json.loads(run_cli("history", "--json", "--repo", str(repo.path)).stdout)
    assert history[0]["message"] == HOSTILE


def test_arguments_echoed_in_errors_are_escaped(repo: GitBuilder) -> None:
    hostile_repo(repo)
    for args in (["show", f"churn{HOSTILE}"], ["show", "churn", f"--x{HOSTILE}"], ["assign", "churn", "--stage", HOSTILE]):
        result = run_cli(*args, "--repo", str(repo.path))
        assert result.returncode == 2 and len(result.stderr.splitlines()) == 1, result.stderr
        assert_terminal_safe(result.stderr)


def test_index_text_is_escaped(repo: GitBuilder, tmp_path: Path) -> None:
    """An index from elsewhere (a path and a model name holding escapes) printed in errors."""
    repo.commit("one", {"dvc.yaml": "artifacts:\n  churn:\n    path: models/churn.pkl\n    type: model\n",
                        "models/churn.pkl": "w"})
    repo.gto("register", "churn")
    index = tmp_path / "registry.json"
    assert run_cli("index", "-o", str(index), "--repo", str(repo.path)).returncode == 0
    data = json.loads(index.read_text())
    churn = data["models"][0]
    churn["versions"][0]["storage"]["path"] = f"models/{HOSTILE}.pkl"
    data["models"].append({**churn, "name": f"evil{HOSTILE}"})
    index.write_text(json.dumps(data))
    unknown = run_cli("resolve", "nosuch", "--index", str(index))
    assert unknown.returncode != 0 and f"evil{ESCAPED}" in unknown.stderr
    download = run_cli("download", "churn", "--index", str(index), "-o", str(tmp_path / "out"))
    assert download.returncode != 0
    for result in (unknown, download):
        assert_terminal_safe(result.stdout + result.stderr)
