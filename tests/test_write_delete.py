"""GTO's ``--delete`` on unassign / deregister / deprecate, with the real gto CLI as the oracle.

One history is built with gto (tagger times pinned), then cloned twice: gto deletes in
one clone, modelshelf in the other, and both must be left with the same tags, read the
same (``modelshelf show --json`` == ``gto show --json``) and name the same deleted tags
in the same order.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from modelshelf import write

from .gitutil import GitBuilder, ms, run_gto

pytestmark = pytest.mark.gto


def tags_of(path: Path) -> list[str]:
    """Every tag (annotated or lightweight) with the object it names."""
    out = subprocess.run(
        ["git", "for-each-ref", "--format=%(refname:strip=2) %(objectname)", "refs/tags"],
        cwd=path, capture_output=True, text=True, check=True,
    ).stdout
    return out.splitlines()


def deleted_lines(stdout: str) -> list[str]:
    return re.findall(r"^Deleted git tag '([^']+)'$", stdout, flags=re.M)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> GitBuilder:
    """Registrations, stages (with a tie, a rollback, an unassignment and a stage on an
    unregistered commit), a deregistration, a deprecated model and unrelated tags."""
    repo = GitBuilder(tmp_path_factory.mktemp("delete") / "src")
    repo.commit("first", {"model.pkl": "1"})
    repo.gto("register", "m")  # m@v0.0.1
    repo.gto("assign", "m", "--version", "v0.0.1", "--stage", "prod")  # m#prod#1
    repo.gto("assign", "m", "--version", "v0.0.1", "--stage", "dev")  # m#dev#2
    repo.commit("second", {"model.pkl": "2"})
    repo.gto("assign", "m", "HEAD", "--stage", "staging")  # m@v0.0.2 + m#staging#3, same second
    repo.gto("deprecate", "m", "v0.0.1", "prod")  # m#prod!#4
    repo.gto("assign", "m", "--version", "v0.0.1", "--stage", "prod", "--force")  # m#prod#5
    repo.gto("assign", "m", "--version", "v0.0.2", "--stage", "prod")  # m#prod#6
    repo.gto("deprecate", "m", "v0.0.2")  # m@v0.0.2!
    repo.commit("third", {"model.pkl": "3"})
    repo.gto("register", "m", "--version", "v0.1.0")
    repo.gto("assign", "m", "HEAD", "--stage", "dev", "--force")  # m#dev#7 on v0.1.0
    repo.gto("register", "n", "HEAD~1", "--version", "v1.0.0")
    repo.gto("assign", "n", "--version", "v1.0.0", "--stage", "prod")  # n#prod#1
    repo.gto("register", "old")
    repo.gto("deprecate", "old")  # old@deprecated
    repo.tag("release-1")  # outside the grammar
    repo.lightweight_tag("m#prod#99", "HEAD~2")  # lightweight: ignored, never deleted
    return repo


def clone(source: GitBuilder, target: Path, bare_from: Path | None = None) -> GitBuilder:
    """A clone of ``source`` (or of the bare ``bare_from``) with every tag, as a GitBuilder."""
    subprocess.run(["git", "clone", "-q", str(bare_from or source.path), str(target)], check=True)
    return GitBuilder(target, clock=source.clock)


def assert_same_outcome(by_gto: GitBuilder, by_ms: GitBuilder, gto_out: str, ms_out: str) -> None:
    assert tags_of(by_ms.path) == tags_of(by_gto.path)
    assert deleted_lines(ms_out) == deleted_lines(gto_out)
    ours = json.loads(ms(by_ms, "show", "--json").stdout)
    assert ours == by_gto.gto_json("show", "--json")
    assert by_ms.gto_json("history", "--json") == by_gto.gto_json("history", "--json")


CASES = [
    # (id, gto args, modelshelf args, the tags that go, in GTO's order)
    ("unassign", ("deprecate", "m", "v0.0.1", "prod", "--delete"),
     ("deprecate", "m", "v0.0.1", "prod", "--delete"), ["m#prod#1", "m#prod!#4", "m#prod#5"]),
    ("unassign-command", ("deprecate", "m", "v0.0.1", "prod", "-d"),
     ("unassign", "m", "--version", "v0.0.1", "--stage", "prod", "-d"), ["m#prod#1", "m#prod!#4", "m#prod#5"]),
    ("deregister", ("deprecate", "m", "v0.0.1", "--delete"),
     ("deregister", "m", "v0.0.1", "--delete"), ["m@v0.0.1", "m#prod#1", "m#dev#2", "m#prod!#4", "m#prod#5"]),
    ("deregister-via-deprecate", ("deprecate", "m", "v0.1.0", "--delete"),
     ("deprecate", "m", "v0.1.0", "--delete"), ["m@v0.1.0", "m#dev#7"]),
    ("deregister-deregistered-force", ("deprecate", "m", "v0.0.2", "--delete", "--force"),
     ("deregister", "m", "v0.0.2", "--delete", "--force"), ["m@v0.0.2", "m#staging#3", "m#prod#6", "m@v0.0.2!"]),
    # the whole model; the assignment tied with its registration goes first, as in GTO
    # (each version's events newest first, then one stable sort by time)
    ("deprecate", ("deprecate", "m", "--delete"), ("deprecate", "m", "--delete"),
     ["m@v0.0.1", "m#prod#1", "m#dev#2", "m#staging#3", "m@v0.0.2", "m#prod!#4", "m#prod#5", "m#prod#6",
      "m@v0.0.2!", "m@v0.1.0", "m#dev#7"]),
    ("deprecate-deprecated-force", ("deprecate", "old", "--delete", "--force"),
     ("deprecate", "old", "--delete", "--force"), ["old@v0.0.1", "old@deprecated"]),
    ("nothing-to-delete-force", ("deprecate", "n", "v1.0.0", "dev", "--delete", "--force"),
     ("deprecate", "n", "v1.0.0", "dev", "--delete", "--force"), []),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_delete_leaves_the_same_tags_as_gto(history: GitBuilder, tmp_path: Path, case: tuple) -> None:
    _id, gto_args, ms_args, expected = case
    by_gto = clone(history, tmp_path / "gto")
    by_ms = clone(history, tmp_path / "ms")
    before = tags_of(by_gto.path)
    assert tags_of(by_ms.path) == before

    gto_out = by_gto.gto(*gto_args)
    result = ms(by_ms, *ms_args)
    assert result.returncode == 0, result.stderr

    assert_same_outcome(by_gto, by_ms, gto_out, result.stdout)
    gone = deleted_lines(result.stdout)
    assert gone == expected
    assert [t for t in before if t.split()[0] not in gone] == tags_of(by_ms.path)  # lightweight m#prod#99 kept
    if gone:
        quoted = " ".join(shlex.quote(t) for t in gone)
        assert f"To push the deletion: git push --delete origin {quoted}" in result.stdout
    else:
        assert result.stdout.strip() == "No git tag to delete" and gto_out.strip() == ""


def test_unassign_stage_holder_deletes_that_versions_stage_tags(history: GitBuilder, tmp_path: Path) -> None:
    """`unassign NAME STAGE` (no version: the one the stage holds) is modelshelf's own
    form; with --delete it equals GTO's `deprecate NAME VERSION STAGE --delete`."""
    by_gto = clone(history, tmp_path / "gto")
    by_ms = clone(history, tmp_path / "ms")
    gto_out = by_gto.gto("deprecate", "n", "v1.0.0", "prod", "--delete")
    result = ms(by_ms, "unassign", "n", "prod", "--delete")
    assert result.returncode == 0, result.stderr
    assert deleted_lines(result.stdout) == ["n#prod#1"]
    assert_same_outcome(by_gto, by_ms, gto_out, result.stdout)


def test_push_delete_removes_the_tags_on_the_remote(history: GitBuilder, tmp_path: Path) -> None:
    remotes = {}
    work = {}
    for tool in ("gto", "ms"):
        remotes[tool] = tmp_path / f"{tool}.git"
        subprocess.run(["git", "clone", "-q", "--bare", str(history.path), str(remotes[tool])], check=True)
        work[tool] = clone(history, tmp_path / tool, bare_from=remotes[tool])
    before = tags_of(remotes["ms"])
    assert "m@v0.0.1" in " ".join(before)

    gto_out = work["gto"].gto("deprecate", "m", "v0.0.1", "--delete", "--push")
    result = ms(work["ms"], "deregister", "m", "v0.0.1", "--delete", "--push")
    assert result.returncode == 0, result.stderr

    assert tags_of(remotes["ms"]) == tags_of(remotes["gto"])
    assert tags_of(work["ms"].path) == tags_of(work["gto"].path)
    gone = deleted_lines(result.stdout)
    assert gone == deleted_lines(gto_out) == ["m@v0.0.1", "m#prod#1", "m#dev#2", "m#prod!#4", "m#prod#5"]
    remaining = {line.split()[0] for line in tags_of(remotes["ms"])}
    assert not remaining & set(gone) and "m@v0.0.2" in remaining
    assert "Pushed the deletion to remote 'origin'" in result.stdout


def test_push_failure_deletes_nothing_locally(history: GitBuilder, tmp_path: Path) -> None:
    by_ms = clone(history, tmp_path / "ms")
    by_ms.git("remote", "set-url", "origin", str(tmp_path / "missing.git"))
    before = tags_of(by_ms.path)
    result = ms(by_ms, "deprecate", "m", "--delete", "--push", check=False)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("modelshelf: error: the command `git push --delete origin ")
    assert "no local tag was deleted" in lines[0]
    assert tags_of(by_ms.path) == before  # GTO would have deleted the first tag already


VALIDATION = [
    # (id, args valid for both tools, words in modelshelf's one-line error)
    ("stage-never-assigned", ("deprecate", "n", "v1.0.0", "dev", "--delete"), "stage 'dev' is not assigned"),
    ("version-deregistered", ("deprecate", "m", "v0.0.2", "--delete"), "deregistered already (use --force"),
    ("model-deprecated", ("deprecate", "old", "--delete"), "deprecated already (use --force to delete"),
    ("unknown-model", ("deprecate", "nobody", "--delete"), "cannot find model 'nobody'"),
    ("unknown-model-force", ("deprecate", "nobody", "--delete", "--force"), "cannot find model 'nobody'"),
    ("unknown-version", ("deprecate", "m", "v9.9.9", "--delete"), "no version 'v9.9.9'"),
    ("force-simple", ("deprecate", "old", "--delete", "--force", "--simple", "true"), "--simple true"),
]


@pytest.mark.parametrize("case", VALIDATION, ids=[c[0] for c in VALIDATION])
def test_validation_refuses_like_gto_and_deletes_nothing(history: GitBuilder, tmp_path: Path, case: tuple) -> None:
    _id, args, words = case
    repo = clone(history, tmp_path / "repo")
    before = tags_of(repo.path)
    result = ms(repo, *args, check=False)
    assert result.returncode == 2, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("modelshelf: error:") and words in lines[0], result.stderr
    assert result.stdout == "" and tags_of(repo.path) == before
    gto = run_gto(repo.path, *args)
    assert gto.returncode != 0 and tags_of(repo.path) == before, "GTO accepted what modelshelf refused"


def test_api_returns_the_deleted_tags(history: GitBuilder, tmp_path: Path) -> None:
    repo = clone(history, tmp_path / "repo")
    result = write.unassign("m", "prod", version="v0.0.1", repo=repo.path, delete=True)
    assert isinstance(result, write.DeleteResult)
    assert result == write.DeleteResult("m", ("m#prod#1", "m#prod!#4", "m#prod#5"), version="v0.0.1", stage="prod")
    assert write.deprecate("n", repo=repo.path, delete=True).tags == ("n@v1.0.0", "n#prod#1")
    written = write.deregister("m", version="v0.1.0", repo=repo.path)  # delete=False: a tag, as before
    assert isinstance(written, write.WriteResult) and written.tag == "m@v0.1.0!"
