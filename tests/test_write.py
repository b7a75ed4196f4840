"""The write path against the real GTO CLI: identical tags, shared counters, validation."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from modelshelf import write
from modelshelf.gtocompat.gto_config import ConfigError
from modelshelf.core.grammar import InvalidName

from .gitutil import GitBuilder, ms, run_cli


def tag_objects(repo: GitBuilder) -> dict[str, str]:
    """Every tag's raw object (tagger, date, message bytes): what must be identical."""
    names = repo.git("tag", "--list").split("\n")
    return {name: repo.git("cat-file", "-p", f"refs/tags/{name}") for name in names if name}


# One scenario, written as CLI args valid for both tools (gto and modelshelf).
SCENARIO: list[tuple[str, ...]] = [
    ("commit", "first"),
    ("register", "m"),
    ("commit", "second"),
    ("register", "m", "--bump-minor"),
    ("assign", "m", "--version", "v0.0.1", "--stage", "dev"),
    ("assign", "m", "--version", "v0.1.0", "--stage", "prod"),
    ("commit", "third"),
    ("assign", "m", "HEAD", "--stage", "staging"),  # registers v0.1.1 first
    ("commit", "fourth"),
    ("assign", "m", "HEAD", "--version", "v1.0.0", "--stage", "prod", "-m", "ship it: 1.0"),
    ("deprecate", "m", "v0.1.1", "staging"),
    ("deprecate", "m", "v0.0.1"),
    ("register", "n", "HEAD~1", "--version", "v1.2.3-rc.1+build.5"),
    ("register", "sub/dir:n2", "--version", "v0.0.1"),
    ("assign", "sub/dir:n2", "--version", "v0.0.1", "--stage", "prod"),
    ("commit", "fifth"),
    ("assign", "m", "HEAD", "--stage", "dev", "--sr"),  # stage on an unregistered commit
    ("assign", "m", "--version", "v1.0.0", "--stage", "prod", "--force"),
    ("register", "m", "--bump-major"),
    ("deprecate", "n"),
    ("commit", "sixth"),
    ("register", "m", "--version", "v0.9.0", "--simple", "false"),
]


def play(repo: GitBuilder, tool: str, steps: list[tuple[str, ...]]) -> None:
    for step in steps:
        if step[0] == "commit":
            repo.commit(step[1], {"log.txt": step[1]})
        elif tool == "gto":
            repo.gto(*step)
        else:
            ms(repo, *step)


@pytest.mark.gto
def test_tags_are_byte_identical_to_gto_and_read_the_same(tmp_path: Path) -> None:
    by_gto = GitBuilder(tmp_path / "gto")
    by_ms = GitBuilder(tmp_path / "ms")
    play(by_gto, "gto", SCENARIO)
    play(by_ms, "ms", SCENARIO)

    expected = tag_objects(by_gto)
    assert "m#prod#7" in expected and "m@v0.9.0#8" in expected and "m@v0.1.1" in expected and "sub/dir=n2@v0.0.1" in expected
    assert tag_objects(by_ms) == expected
    for args in (("show", "--json"), ("history", "--json"), ("show", "m", "--json")):
        assert by_ms.gto_json(*args) == by_gto.gto_json(*args)


@pytest.mark.gto
def test_mixing_both_tools_keeps_counters_consistent(repo: GitBuilder) -> None:
    repo.commit("one", {"a.txt": "1"})
    repo.gto("register", "m")
    ms(repo, "assign", "m", "--version", "v0.0.1", "--stage", "dev")  # #1
    repo.gto("assign", "m", "--version", "v0.0.1", "--stage", "prod")  # #2
    repo.commit("two", {"a.txt": "2"})
    ms(repo, "assign", "m", "HEAD", "--stage", "prod")  # registers v0.0.2, #3
    repo.gto("deprecate", "m", "v0.0.2", "prod")  # #4
    ms(repo, "unassign", "m", "dev")  # #5
    repo.gto("assign", "m", "--version", "v0.0.2", "--stage", "dev")  # #6
    ms(repo, "deprecate", "m", "--force")  # m@deprecated#7

    tags = set(tag_objects(repo))
    assert tags == {
        "m@v0.0.1", "m#dev#1", "m#prod#2", "m@v0.0.2", "m#prod#3", "m#prod!#4",
        "m#dev!#5", "m#dev#6", "m@deprecated#7",
    }
    history = repo.gto_json("history", "m", "--json")
    assert {e["ref"] for e in history} == tags  # GTO reads every tag, whichever tool wrote it
    assert history[0]["event"] == "deprecation"


def test_api_returns_what_it_wrote(repo: GitBuilder) -> None:
    head = repo.commit("one", {"a.txt": "1"})
    result = write.assign("m", "prod", repo=repo.path)
    assert result.tags == ["m@v0.0.1", "m#prod#1"]
    assert (result.commit, result.version, result.stage) == (head, "v0.0.1", "prod")
    assert result.registration is not None and result.registration.tag == "m@v0.0.1"


def test_push_hint_names_the_remote_given(repo: GitBuilder) -> None:
    """Without --push the tag stays local; the hint names --remote's remote, not always origin."""
    repo.commit("one", {"a.txt": "1"})
    out = ms(repo, "register", "vision:det", "--remote", "upstream").stdout
    assert "To push it: git push upstream vision=det@v0.0.1\n" in out
    out = ms(repo, "assign", "vision:det", "--stage", "prod").stdout
    assert "To push it: git push origin 'vision=det#prod#1'\n" in out


def test_usage_errors_are_one_line_with_exit_2(repo: GitBuilder) -> None:
    for args, says in [(["register"], "modelshelf register: error: the following arguments are required: name"),
                       (["register", "m", "-m"], "argument -m/--message: expected one argument"),
                       (["show", "--bogus"], "unrecognized arguments: --bogus"),
                       (["nosuch"], "invalid choice: 'nosuch'")]:
        result = run_cli(*args, "--repo", str(repo.path)) if args[0] != "nosuch" else run_cli(*args)
        assert result.returncode == 2, (args, result.stderr)
        (line,) = result.stderr.splitlines()
        assert says in line and line.endswith("--help`)"), line
    assert repo.git("tag") == ""


def test_push_sends_the_new_tags_to_the_remote(tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    repo = GitBuilder(tmp_path / "work")
    repo.commit("one", {"a.txt": "1"})
    repo.git("remote", "add", "origin", str(remote))
    ms(repo, "assign", "m", "--stage", "prod", "--push")
    pushed = subprocess.run(["git", "tag", "--list"], cwd=remote, capture_output=True, text=True).stdout.split()
    assert sorted(pushed) == ["m#prod#1", "m@v0.0.1"]
    kind = subprocess.run(["git", "cat-file", "-t", "refs/tags/m#prod#1"], cwd=remote, capture_output=True, text=True)
    assert kind.stdout.strip() == "tag"


def test_push_to_a_missing_remote_writes_nothing(repo: GitBuilder) -> None:
    repo.commit("one", {"a.txt": "1"})
    repo.git("remote", "add", "origin", str(repo.path / "missing.git"))
    result = ms(repo, "register", "m", "--push", check=False)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "`git push origin m@v0.0.1` failed (fatal: " in lines[0], lines
    assert "does not appear to be a git repository" in lines[0] and "deleted locally too" in lines[0]
    assert tag_objects(repo) == {}  # the same command can be run again once the remote is back
    repo.git("remote", "set-url", "origin", str(repo.path.parent / "back.git"))
    subprocess.run(["git", "init", "-q", "--bare", str(repo.path.parent / "back.git")], check=True)
    assert ms(repo, "register", "m", "--push").returncode == 0
    assert list(tag_objects(repo)) == ["m@v0.0.1"]


def test_rejected_push_leaves_no_tag_that_disagrees_with_the_remote(tmp_path: Path) -> None:
    """Someone else registered the same version first: the local tag must not linger."""
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    alice, bob = GitBuilder(tmp_path / "alice"), GitBuilder(tmp_path / "bob")
    alice.commit("one", {"a.txt": "1"})
    alice.git("remote", "add", "origin", str(remote))
    alice.git("push", "-q", "origin", "main")
    bob.git("remote", "add", "origin", str(remote))
    bob.git("pull", "-q", "origin", "main")
    bob.commit("bob's", {"a.txt": "2"})
    alice.commit("alice's", {"b.txt": "1"})
    ms(alice, "register", "m", "--version", "v0.1.0", "--push")
    before = tag_objects(bob)
    result = ms(bob, "register", "m", "--version", "v0.1.0", "--push", check=False)
    assert result.returncode == 2
    line = result.stderr.strip()
    assert "\n" not in line and "([rejected] m@v0.1.0 -> m@v0.1.0 (already exists))" in line
    assert "git fetch --tags origin" in line
    assert tag_objects(bob) == before  # no local m@v0.1.0 pointing elsewhere than the remote's
    bob.git("fetch", "-q", "--tags", "origin")
    assert bob.git("rev-parse", "m@v0.1.0^{commit}") == alice.git("rev-parse", "HEAD")


def test_assign_keeps_the_pushed_registration_when_the_assignment_push_is_refused(tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    (remote / "hooks" / "pre-receive").write_text(
        "#!/bin/sh\nwhile read old new ref; do case $ref in *'#prod'*) echo 'no prod today'; exit 1;; esac; done\n"
    )
    (remote / "hooks" / "pre-receive").chmod(0o755)
    repo = GitBuilder(tmp_path / "work")
    repo.commit("one", {"a.txt": "1"})
    repo.git("remote", "add", "origin", str(remote))
    result = ms(repo, "assign", "m", "--stage", "prod", "--push", check=False)
    assert result.returncode == 2
    assert "[remote rejected] m#prod#1 -> m#prod#1 (pre-receive hook declined)" in result.stderr
    assert "tag 'm@v0.0.1', registering v0.0.1 first, was pushed and stays" in result.stderr
    assert list(tag_objects(repo)) == ["m@v0.0.1"]  # pushed, so kept: local and remote agree
    remote_tags = subprocess.run(["git", "tag", "--list"], cwd=remote, capture_output=True, text=True).stdout.split()
    assert remote_tags == ["m@v0.0.1"]


# -- validation: one case per rule, checked through the CLI (exit 2, one line) and,
# -- where GTO has the same rule, against GTO refusing too.

def _base(repo: GitBuilder) -> None:
    repo.commit("one", {"a.txt": "1", ".gto": "stages: [dev, prod]\ntypes: [model]\n"})
    repo.gto("register", "m")  # v0.0.1 at HEAD~1
    repo.gto("assign", "m", "--version", "v0.0.1", "--stage", "prod")
    repo.commit("two", {"a.txt": "2"})
    repo.gto("register", "m", "--version", "v0.2.0")  # at HEAD
    repo.gto("deprecate", "m", "v0.2.0")
    repo.commit("three", {"a.txt": "3"})


VALIDATION = [
    # (id, args, words in the error, GTO refuses too)
    ("register-bad-name", ("register", "bad_"), "invalid model name", True),
    ("register-bad-version", ("register", "m", "--version", "1.0"), "not valid", True),
    ("register-version-and-bump", ("register", "m", "--version", "v1.0.0", "--bump-minor"), "either", True),
    ("register-two-bumps", ("register", "m", "--bump-minor", "--bump-major"), "single", True),
    ("register-bump-first", ("register", "fresh", "--bump-minor"), "no registered version", True),
    ("register-version-exists", ("register", "m", "--version", "v0.0.1"), "registered already", True),
    ("register-deregistered-version", ("register", "m", "--version", "v0.2.0"), "registered already", True),
    ("register-commit-has-version", ("register", "m", "HEAD~2"), "already registered at commit", True),
    ("register-commit-other-version", ("register", "m", "HEAD~1", "--version", "v5.0.0"), "only register v0.2.0", True),
    ("register-bad-ref", ("register", "m", "nosuchref"), "'nosuchref' was not found", True),
    ("assign-stage-not-allowed", ("assign", "m", "--version", "v0.0.1", "--stage", "qa"), "not allowed by .gto", True),
    ("assign-bad-stage", ("assign", "m", "--version", "v0.0.1", "--stage", "pr od"), "invalid stage", True),
    ("assign-unknown-version", ("assign", "m", "--version", "v9.9.9", "--stage", "dev"), "not registered", True),
    ("assign-already-in-stage", ("assign", "m", "--version", "v0.0.1", "--stage", "prod"), "--force", True),
    ("assign-name-and-skip", ("assign", "m", "HEAD", "--version", "v3.0.0", "--stage", "dev", "--sr"), "skip-registration", True),
    ("assign-name-on-registered", ("assign", "m", "HEAD~2", "--version", "v3.0.0", "--stage", "dev"), "registered already", True),
    ("assign-bad-version", ("assign", "m", "--version", "latest", "--stage", "dev"), "not valid", True),
    ("unassign-not-assigned", ("deprecate", "m", "v0.2.0", "dev"), "not assigned", True),
    ("unassign-unknown-version", ("deprecate", "m", "v7.0.0", "prod"), "no registered version", True),
    ("unassign-stage-not-allowed", ("deprecate", "m", "v0.0.1", "qa"), "not allowed by .gto", True),
    ("unassign-empty-stage", ("unassign", "m", "dev"), "holds no version", False),
    ("unassign-no-stage", ("unassign", "m"), "give the stage", False),
    ("deregister-unknown", ("deprecate", "m", "v4.0.0"), "no version 'v4.0.0'", True),
    ("deregister-twice", ("deprecate", "m", "v0.2.0"), "deregistered already", True),
    ("deregister-bad-version", ("deregister", "m", "4.0"), "not valid", False),
    ("deregister-no-version", ("deregister", "m"), "VERSION", False),
    ("deprecate-unknown-model", ("deprecate", "nobody"), "cannot find model", True),
    ("deprecate-force-simple", ("deprecate", "m", "--force", "--simple", "true"), "--simple true", True),
]


@pytest.mark.gto
@pytest.mark.parametrize("case", VALIDATION, ids=[c[0] for c in VALIDATION])
def test_each_validation_error(repo: GitBuilder, case: tuple) -> None:
    _id, args, words, gto_refuses = case
    _base(repo)
    before = tag_objects(repo)
    result = ms(repo, *args, check=False)
    assert result.returncode == 2, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("modelshelf: error:") and words in lines[0], result.stderr
    assert tag_objects(repo) == before  # nothing written
    if gto_refuses:
        repo.gto(*args, check=False)
        assert tag_objects(repo) == before, "GTO accepted what modelshelf refused"


def test_deprecating_twice_and_force(repo: GitBuilder, monkeypatch: pytest.MonkeyPatch) -> None:
    repo.commit("one", {"a.txt": "1"})
    monkeypatch.setenv("GIT_COMMITTER_DATE", repo.tick())
    write.register("m", repo=repo.path)
    monkeypatch.setenv("GIT_COMMITTER_DATE", repo.tick())  # the tag time orders events
    assert write.deprecate("m", repo=repo.path).tag == "m@deprecated"
    with pytest.raises(write.AlreadyDone, match="deprecated already"):
        write.deprecate("m", repo=repo.path)
    assert write.deprecate("m", force=True, repo=repo.path).tag == "m@deprecated#1"


def test_force_assign_writes_a_new_counted_tag(repo: GitBuilder) -> None:
    repo.commit("one", {"a.txt": "1"})
    write.assign("m", "prod", repo=repo.path)
    with pytest.raises(write.StageAlreadyAssigned):
        write.assign("m", "prod", version="v0.0.1", repo=repo.path)
    assert write.assign("m", "prod", version="v0.0.1", force=True, repo=repo.path).tag == "m#prod#2"


@pytest.mark.gto
def test_api_raises_typed_errors(repo: GitBuilder) -> None:
    repo.commit("one", {"a.txt": "1", ".gto": "stages: [prod]\n"})
    with pytest.raises(InvalidName):
        write.register("bad name", repo=repo.path)
    with pytest.raises(ConfigError):
        write.assign("m", "dev", repo=repo.path)
    with pytest.raises(write.NotInRegistry):
        write.deregister("m", version="v1.0.0", repo=repo.path)
    with pytest.raises(write.InvalidArgs):
        write.register("m", bump="huge", repo=repo.path)
    with pytest.raises(write.TagExists):
        write.register("m", repo=repo.path)
        write.deregister("m", version="v0.0.1", repo=repo.path)
        write.register("m", repo=repo.path)  # the commit's version is v0.0.1, whose tag exists
    assert json.loads(repo.gto("show", "--json"))["m"]["version"] is None
