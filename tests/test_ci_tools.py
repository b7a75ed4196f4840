"""The tools the tests need: a missing one skips a test locally and fails it under CI=true,
and ``.ci/run`` installs every tool a test asks for (so CI never passes by skipping)."""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

import pytest

from .conftest import require_module, require_path, require_tool

ROOT = Path(__file__).resolve().parents[1]
MISSING = "modelshelf-no-such-tool"


@pytest.mark.parametrize("ci, outcome", [("true", pytest.fail.Exception), ("", pytest.skip.Exception),
                                         ("false", pytest.skip.Exception)])
def test_a_missing_tool_fails_under_ci_and_skips_elsewhere(monkeypatch: pytest.MonkeyPatch, ci: str, outcome) -> None:
    monkeypatch.setenv("CI", ci)
    for ask in (lambda: require_tool("git", MISSING), lambda: require_path(ROOT / MISSING, "a test file"),
                lambda: require_module(MISSING.replace("-", "_"))):
        with pytest.raises(outcome, match=MISSING.replace("-", "[-_]")):
            ask()


def test_a_present_tool_is_found() -> None:
    assert Path(require_tool("git")["git"]).name == "git"
    assert require_module("json").dumps([]) == "[]"


def requested_tools() -> set[str]:
    """Every program name passed to require_tool(...) anywhere in tests/."""
    names = set()
    for path in ROOT.joinpath("tests").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "require_tool":
                names |= {arg.value for arg in node.args if isinstance(arg, ast.Constant)}
    return names


def test_ci_run_installs_every_tool_a_test_asks_for() -> None:
    script = (ROOT / ".ci" / "run").read_text()
    tools = set(re.search(r"^tools=\(([^)]*)\)", script, re.M).group(1).split())
    extras = (ROOT / "pyproject.toml").read_text()
    asked = requested_tools()
    assert {"curl", "jq", "git-lfs", "node", "dvc"} <= asked  # the scan sees the tests that need them
    python_tools = {name for name in asked if re.search(rf'^\s*"{re.escape(name)}==[^"]+",', extras, re.M)}
    assert python_tools == {"dvc"}  # pinned in the test extras, installed by the README's pip command
    system_tools = asked - python_tools - {"sh", "bash", "sha256sum"}  # coreutils and shells: always there
    assert system_tools <= tools, f".ci/run does not install {sorted(system_tools - tools)}"
    assert "chromium" in tools  # the browser tests' require_path("/usr/bin/chromium")


def test_ci_run_runs_the_readme_test_command() -> None:
    """.ci/run reads the command out of README.md: the same extraction, run here, finds it."""
    script = (ROOT / ".ci" / "run").read_text()
    extraction = re.search(r"command=\"\$\(awk '(.*?)' README\.md\)\"", script, re.S)
    assert extraction, "the README extraction in .ci/run changed shape"
    command = subprocess.run(["awk", extraction.group(1), "README.md"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.strip()
    readme = (ROOT / "README.md").read_text()
    assert command.endswith("pytest -q") and f"```bash\n{command}\n```" in readme
    assert 'bash -euo pipefail -c "$command"' in script and 'exit "$status"' in script
