"""check-ref agrees with `gto check-ref --json` for every event type, plus CI outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modelshelf.gtocompat.checkref import check_ref, github_output_lines

from .gitutil import GitBuilder, ms

pytestmark = pytest.mark.gto  # events_repo is written with the real gto CLI

DVC_YAML = """\
artifacts:
  churn:  # the main model
    path: models/churn.pkl
    type: model
    desc: Predicts churn
"""


@pytest.fixture
def events_repo(repo: GitBuilder) -> GitBuilder:
    repo.commit("one", {"dvc.yaml": DVC_YAML, "models/churn.pkl": "x"})
    repo.gto("register", "churn")
    repo.gto("assign", "churn", "--version", "v0.0.1", "--stage", "prod")
    repo.commit("two", {"models/churn.pkl": "y"})
    repo.gto("register", "churn", "--version", "v1.0.0", "-m", "multi\nline message")
    repo.gto("deprecate", "churn", "v0.0.1", "prod")
    repo.gto("deprecate", "churn", "v0.0.1")
    repo.gto("deprecate", "churn")
    return repo


TAGS = {
    "churn@v0.0.1": "registration",
    "churn#prod#1": "assignment",
    "churn@v1.0.0": "registration",
    "churn#prod!#2": "unassignment",
    "churn@v0.0.1!": "deregistration",
    "churn@deprecated": "deprecation",
}


@pytest.mark.gto
@pytest.mark.parametrize("tag", list(TAGS))
def test_json_agrees_with_gto(events_repo: GitBuilder, tag: str) -> None:
    expected = events_repo.gto_json("check-ref", "--json", tag)
    result = ms(events_repo, "check-ref", "--json", f"refs/tags/{tag}")
    ours = json.loads(result.stdout)
    assert {k: ours[k] for k in expected} == expected
    assert ours["event"] == TAGS[tag]
    assert list(ours)[: len(expected)] == list(expected)  # same keys, same order
    assert (ours["type"], ours["path"], ours["description"]) == ("model", "models/churn.pkl", "Predicts churn")


@pytest.mark.gto
def test_non_events_print_nothing_like_gto(events_repo: GitBuilder) -> None:
    events_repo.lightweight_tag("churn@v9.0.0")
    events_repo.tag("release-1")
    for ref in ("churn@v9.0.0", "release-1", "no-such-tag"):
        assert events_repo.gto("check-ref", "--json", ref) == ""
        ours = ms(events_repo, "check-ref", "--json", ref).stdout
        if ref == "no-such-tag":  # GTO prints nothing; a tag that does not exist is said in JSON (#13)
            assert json.loads(ours) == {"tag": ref, "found": False, "error": f"no tag '{ref}' in the repository"}
        else:
            assert ours == ""
        assert check_ref(ref, repo=events_repo.path) == []


def test_github_output_lines(events_repo: GitBuilder, tmp_path: Path) -> None:
    out = tmp_path / "github_output"
    out.write_text("earlier=1\n")
    events_repo.env["GITHUB_OUTPUT"] = str(out)
    ms(events_repo, "check-ref", "refs/tags/churn#prod#1", "--github-output", "--repo", str(events_repo.path))
    lines = out.read_text().splitlines()
    assert lines[0] == "earlier=1"
    assert "event=assignment" in lines and "name=churn" in lines and "version=v0.0.1" in lines
    assert "stage=prod" in lines and "type=model" in lines and "path=models/churn.pkl" in lines


def test_github_output_multiline_values_cannot_inject_keys() -> None:
    hostile = "line one\nevent=registration\nEOF"
    text = github_output_lines({"description": hostile, "event": "assignment"})
    head, rest = text.split("\n", 1)
    key, delimiter = head.split("<<")
    assert key == "description" and delimiter not in hostile
    assert rest.startswith(hostile + "\n" + delimiter + "\n")
    assert rest.endswith("event=assignment\n")


def test_github_output_needs_the_variable(events_repo: GitBuilder) -> None:
    result = ms(events_repo, "check-ref", "churn#prod#1", "--github-output", check=False)
    assert result.returncode == 2 and "GITHUB_OUTPUT" in result.stderr


def test_dotenv_for_gitlab(events_repo: GitBuilder) -> None:
    ms(events_repo, "check-ref", "churn@v1.0.0", "--dotenv", "event.env")
    text = (events_repo.path / "event.env").read_text()
    assert "MODELSHELF_EVENT=registration\n" in text and "MODELSHELF_VERSION=v1.0.0\n" in text
    assert all("=" in line for line in text.splitlines())


@pytest.mark.gto
@pytest.mark.parametrize("tag", [*TAGS, "release-1", "churn@v9.0.0"])
def test_one_value_flags_print_what_gto_prints(events_repo: GitBuilder, tag: str) -> None:
    """`gto check-ref --event` and co. are what GTO-based CI scripts call: same stdout."""
    events_repo.tag("release-1")
    events_repo.lightweight_tag("churn@v9.0.0")
    for flag in ("--name", "--version", "--event", "--stage"):
        expected = events_repo.gto("check-ref", tag, flag)
        result = ms(events_repo, "check-ref", f"refs/tags/{tag}", flag)
        assert (result.stdout, result.stderr) == (expected, ""), flag
    assert ms(events_repo, "check-ref", "churn#prod#1", "--stage").stdout == "prod\n"


def test_one_value_flags_exclude_each_other(events_repo: GitBuilder) -> None:
    for flags in (("--name", "--version"), ("--json", "--event")):
        result = ms(events_repo, "check-ref", "churn#prod#1", *flags, check=False)
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr.count("\n") == 1 and "only one of" in result.stderr


def test_dotenv_report_exists_even_for_a_non_event(events_repo: GitBuilder) -> None:
    events_repo.tag("release-1")
    result = ms(events_repo, "check-ref", "release-1", "--dotenv", "event.env")
    assert result.returncode == 0 and result.stdout == ""
    assert (events_repo.path / "event.env").read_text() == ""  # GitLab's report finds its file
