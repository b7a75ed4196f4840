"""`check-ref --dotenv`: the file reads the same to GitLab (``KEY=VALUE`` per line, the
value as is) and to a POSIX shell that sources it (dash), and sourcing it runs nothing."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from modelshelf.gtocompat.checkref import DOTENV_MAX_BYTES, DOTENV_MAX_VARIABLES

from .gitutil import GitBuilder
from .gitutil import ms

pytestmark = pytest.mark.gto  # their repos are made with the real gto (the oracle)

SH = shutil.which("dash") or "/bin/sh"


def gitlab_reads(text: str) -> dict[str, str]:
    """GitLab's dotenv rule: one ``KEY=VALUE`` per line, split at the first ``=``, value kept as is."""
    variables = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        assert sep and key.replace("_", "").isalnum(), f"GitLab refuses the line {line!r}"
        variables[key] = value
    return variables


def sh_reads(path: Path, keys: list[str], cwd: Path) -> dict[str, str]:
    """What ``. ./FILE`` leaves in a POSIX shell, each variable printed NUL-terminated."""
    script = f". ./{path.name}\n" + "".join(f'printf "%s\\0" "${key}"\n' for key in keys)
    result = subprocess.run([SH, "-c", script], cwd=cwd, capture_output=True, text=True, check=True)
    return dict(zip(keys, result.stdout.split("\0")[:-1]))


HOSTILE = {
    "dvc.yaml": (
        "artifacts:\n"
        "  churn:\n"
        "    path: \"models/my model $(touch PATH_RAN).pkl\"\n"
        "    type: model\n"
        "    desc: \"Predicts `touch TICKS_RAN` churn $(touch DESC_RAN) 'q' \\\"d\\\" a\\\\b ~/x; touch SEMI_RAN\"\n"
    ),
    "models/my model $(touch PATH_RAN).pkl": "w",
}


def test_sourcing_the_report_runs_nothing_and_reads_as_gitlab_does(repo: GitBuilder) -> None:
    repo.commit("one", HOSTILE)
    repo.gto("register", "churn")
    result = ms(repo, "check-ref", "churn@v0.0.1", "--dotenv", "event.env")
    assert "left out MODELSHELF_PATH, MODELSHELF_DESCRIPTION" in result.stderr
    report = repo.path / "event.env"
    gitlab = gitlab_reads(report.read_text())
    assert gitlab["MODELSHELF_EVENT"] == "registration" and gitlab["MODELSHELF_TAG"] == "churn@v0.0.1"
    assert "MODELSHELF_DESCRIPTION" not in gitlab and "MODELSHELF_PATH" not in gitlab
    assert sh_reads(report, list(gitlab), repo.path) == gitlab  # the same values, in sh and in GitLab
    assert not [p.name for p in repo.path.iterdir() if p.name.endswith("_RAN")]  # nothing ran
    full = ms(repo, "check-ref", "churn@v0.0.1", "--json").stdout
    assert "$(touch DESC_RAN)" in full and "my model" in full  # the full text stays in --json


def test_safe_values_are_kept_including_stage_tags(repo: GitBuilder) -> None:
    repo.commit("one", {"dvc.yaml": "artifacts:\n  churn:\n    path: models/churn.pkl\n    desc: Predicts-churn\n",
                        "models/churn.pkl": "w"})
    repo.gto("register", "churn", "--version", "v1.0.0+build.7")
    repo.gto("assign", "churn", "--version", "v1.0.0+build.7", "--stage", "prod")
    result = ms(repo, "check-ref", "churn#prod#1", "--dotenv", "event.env")
    assert result.stderr == ""
    report = repo.path / "event.env"
    gitlab = gitlab_reads(report.read_text())
    assert gitlab["MODELSHELF_TAG"] == "churn#prod#1" and gitlab["MODELSHELF_VERSION"] == "v1.0.0+build.7"
    assert gitlab["MODELSHELF_DESCRIPTION"] == "Predicts-churn" and gitlab["MODELSHELF_STAGE"] == "prod"
    assert sh_reads(report, list(gitlab), repo.path) == gitlab


@pytest.mark.parametrize("before", [
    "".join(f"EARLIER_{i}=x\n" for i in range(DOTENV_MAX_VARIABLES - 3)),  # room for 3 more variables
    "BIG=" + "x" * (DOTENV_MAX_BYTES - 100) + "\n",  # room for about 100 bytes
])
def test_the_report_stays_within_gitlabs_limits(repo: GitBuilder, before: str) -> None:
    repo.commit("one", {"dvc.yaml": "artifacts:\n  churn:\n    path: models/churn.pkl\n", "models/churn.pkl": "w"})
    repo.gto("register", "churn")
    report = repo.path / "event.env"
    report.write_text(before)
    result = ms(repo, "check-ref", "churn@v0.0.1", "--dotenv", "event.env")
    assert "left out" in result.stderr and "GitLab's dotenv limits" in result.stderr
    text = report.read_text()
    assert text.startswith(before)
    assert len(text.encode()) <= DOTENV_MAX_BYTES and len(gitlab_reads(text)) <= DOTENV_MAX_VARIABLES
    assert gitlab_reads(text)["MODELSHELF_EVENT"] == "registration"  # the first values are what fits
