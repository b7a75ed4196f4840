"""The README's walkthrough, run top to bottom in a fresh folder, exactly as written.

The blocks are read from README.md (never copied here): the Python block is saved under the
name its first line gives (``# train.py: ...``), the ``bash`` blocks run as one script with
``set -euo pipefail`` (a command that fails fails the test) and the real ``modelshelf`` CLI.
One substitution, the only one: the line ``SITE=https://...`` (the catalog's public address)
gets the address of a loopback HTTP server that serves the folder ``modelshelf build`` writes.
What the downloads must hold is worked out from Git alone (the tags and ``dvc.yaml`` at each
version's commit), never from modelshelf's own output.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

README = Path(__file__).resolve().parent.parent / "README.md"
PINNED = "2024-01-01T00:00:00Z"
SITE_LINE = re.compile(r"^SITE=\S+", re.MULTILINE)
FENCE = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
DOWNLOAD = re.compile(r"^modelshelf download (\S+) -o (\S+) --index \$SITE/api/registry\.json\s*$", re.MULTILINE)


def walkthrough_blocks() -> list[tuple[str, str]]:
    """(language, text) of each fenced block of the README's "Walkthrough" section, in order."""
    text = README.read_text(encoding="utf-8")
    start = text.index("\n## Walkthrough\n")
    end = text.index("\n## ", start + 1)
    return FENCE.findall(text[start:end])


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


def _semver_key(tag: str) -> tuple[int, ...]:
    return tuple(int(part) for part in tag.split("@v", 1)[1].split("."))


def _expected_commit(repo: Path, spec: str) -> str:
    """The commit ``spec`` names, read from the tags with Git (NAME@latest, NAME#STAGE: one assignment)."""
    if spec.endswith("@latest"):
        name = spec[: -len("@latest")]
        versions = [t for t in _git(repo, "tag", "-l", f"{name}@v*").split() if not t.endswith("!")]
        tag = max(versions, key=_semver_key)
    else:
        name, stage = spec.split("#", 1)
        assignments = _git(repo, "tag", "-l", f"{name}#{stage}#*").split()
        assert len(assignments) == 1, assignments  # the walkthrough assigns each stage once
        tag = assignments[0]
    return _git(repo, "rev-parse", f"{tag}^{{commit}}").strip()


def test_the_walkthrough_blocks_cover_the_six_workflows() -> None:
    blocks = walkthrough_blocks()
    python = [body for lang, body in blocks if lang == "python"]
    script = "\n".join(body for lang, body in blocks if lang == "bash")
    assert len(python) == 1 and "modelshelf.log_model(" in python[0]
    for step in ("git init", "modelshelf compare ", "modelshelf register ", "modelshelf assign ",
                 "modelshelf show", "modelshelf doctor", "modelshelf init", "modelshelf build"):
        assert step in script, step
    assert len(SITE_LINE.findall(script)) == 1, "one SITE=... line, which the test points at its server"
    assert DOWNLOAD.findall(script), "a download from the served catalog"
    assert "--publish-artifacts" not in script  # downloads must work with the default build


def test_the_readme_walkthrough_downloads_from_the_served_catalog(tmp_path: Path, serve) -> None:
    blocks = walkthrough_blocks()
    work = tmp_path / "shelf"
    work.mkdir()
    for lang, body in blocks:
        if lang == "python":
            name = re.match(r"# ([\w.-]+\.py):", body)
            assert name, "the Python block's first line names its file: '# train.py: ...'"
            (work / name.group(1)).write_text(body, encoding="utf-8")
    url = serve(work / "site").rstrip("/")  # the folder `modelshelf build` writes (served once it exists)
    script = "\n".join(body for lang, body in blocks if lang == "bash")
    script, count = SITE_LINE.subn(f"SITE={url}", script)
    assert count == 1

    bindir = Path(sys.executable).parent  # the `python` and `modelshelf` this test suite runs with
    if shutil.which("modelshelf", path=str(bindir)) is None:
        pytest.fail(f"no modelshelf console script beside {sys.executable}")
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}", "HOME": str(home),
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "Walker", "GIT_AUTHOR_EMAIL": "walker@example.com",
           "GIT_COMMITTER_NAME": "Walker", "GIT_COMMITTER_EMAIL": "walker@example.com",
           "GIT_AUTHOR_DATE": PINNED, "GIT_COMMITTER_DATE": PINNED}
    run = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=work, env=env,
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, f"the walkthrough failed (exit {run.returncode}):\n{run.stdout}\n{run.stderr}"

    # Downloads came from the site (the repo has no remote) and hold the committed bytes.
    assert _git(work, "remote").strip() == ""
    assert any((work / "site" / "artifacts" / "sha256").rglob("*")), "the default build published bytes"
    downloads = DOWNLOAD.findall(script)
    for spec, out in downloads:
        commit = _expected_commit(work, spec)
        name = re.split(r"[@#]", spec, maxsplit=1)[0]
        path = yaml.safe_load(_git(work, "show", f"{commit}:dvc.yaml"))["artifacts"][name]["path"]
        committed = subprocess.run(["git", "show", f"{commit}:{path}"], cwd=work, capture_output=True,
                                   check=True).stdout
        assert (work / out / Path(path).name).read_bytes() == committed, spec
    assert len({_expected_commit(work, spec) for spec, _ in downloads}) == len(downloads) > 1  # distinct versions

    # The registry the walkthrough made: tags at the pinned time, and show/doctor agree with Git.
    tagger_dates = _git(work, "for-each-ref", "refs/tags", "--format=%(taggerdate:iso-strict)").split()
    assert tagger_dates and set(tagger_dates) == {"2024-01-01T00:00:00+00:00"}
    doctor = subprocess.run(["modelshelf", "doctor"], cwd=work, env=env, capture_output=True, text=True)
    assert doctor.returncode == 0 and "no problems found" in doctor.stdout, doctor.stdout + doctor.stderr
    show = subprocess.run(["modelshelf", "show"], cwd=work, env=env, capture_output=True, text=True, check=True)
    latest = max(_git(work, "tag", "-l", "churn@v*").split(), key=_semver_key).split("@", 1)[1]
    prod = _git(work, "describe", "--tags", "--exact-match", "--match", "churn@v*",
                _expected_commit(work, "churn#prod")).strip().split("@", 1)[1]
    row = next(line for line in show.stdout.splitlines() if line.startswith("churn "))
    assert row.split()[1] == latest and prod in row.split()[2:], show.stdout
    assert "churn" in run.stdout and latest in run.stdout  # the script's own `show` printed the model
