"""modelshelf reads every GTO repo exactly as GTO does: the real gto CLI is the oracle.

Repos are built with `gto` itself (tagger time pinned), then `modelshelf show --json`,
`show NAME --json` and `history --json` must print what GTO prints.
"""

from __future__ import annotations

import json

import pytest

from .gitutil import GitBuilder, run_cli

pytestmark = pytest.mark.gto


def modelshelf_json(repo: GitBuilder, *args: str):
    result = run_cli(*args, "--json", "--repo", str(repo.path))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def assert_same_as_gto(repo: GitBuilder, *args: str) -> None:
    ours = modelshelf_json(repo, *args)
    theirs = repo.gto_json(*args, "--json")
    assert ours == theirs, f"{args}: modelshelf and gto disagree"


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> GitBuilder:
    """One repo holding every case of the grammar section, each in its own model."""
    repo = GitBuilder(tmp_path_factory.mktemp("oracle") / "repo")
    c1 = repo.commit("c1", {"model.pkl": "1"})
    c2 = repo.commit("c2", {"model.pkl": "2"})
    c3 = repo.commit("c3", {"model.pkl": "3"})
    c4 = repo.commit("c4", {"model.pkl": "4"})

    # out-of-order registration: the newer commit gets the smaller version later
    repo.gto("register", "ooo", c3, "--version", "v1.0.0")
    repo.gto("register", "ooo", c1, "--version", "v0.5.0")
    # deregistration of a staged version empties the stage
    repo.gto("register", "dereg", c1, "--version", "v1.0.0")
    repo.gto("register", "dereg", c2, "--version", "v1.1.0")
    repo.gto("assign", "dereg", "--version", "v1.1.0", "--stage", "prod")
    repo.gto("assign", "dereg", "--version", "v1.0.0", "--stage", "staging")
    repo.gto("deprecate", "dereg", "v1.1.0")
    # unassignment
    repo.gto("register", "unas", c1, "--version", "v0.1.0")
    repo.gto("assign", "unas", "--version", "v0.1.0", "--stage", "staging")
    repo.gto("assign", "unas", "--version", "v0.1.0", "--stage", "dev")
    repo.gto("deprecate", "unas", "v0.1.0", "staging")
    # rollback with --force
    repo.gto("register", "roll", c1, "--version", "v1.0.0")
    repo.gto("register", "roll", c2, "--version", "v2.0.0")
    repo.gto("assign", "roll", "--version", "v1.0.0", "--stage", "prod")
    repo.gto("assign", "roll", "--version", "v2.0.0", "--stage", "prod")
    repo.gto("assign", "roll", "--version", "v1.0.0", "--stage", "prod", "--force")
    # a deprecated model next to a live one
    repo.gto("register", "old", c1, "--version", "v0.0.1")
    repo.gto("assign", "old", "--version", "v0.0.1", "--stage", "prod")
    repo.gto("deprecate", "old")
    # monorepo names: folder:name, written folder=name in tags
    repo.gto("register", "models/vision:detector", c2, "--version", "v1.0.0")
    repo.gto("assign", "models/vision:detector", "--version", "v1.0.0", "--stage", "prod")
    # prereleases and build metadata
    repo.gto("register", "pre", c1, "--version", "v1.0.0-rc.1")
    repo.gto("register", "pre", c2, "--version", "v1.0.0-rc.2")
    repo.gto("register", "pre", c3, "--version", "v0.9.0+build.7")
    repo.gto("register", "pre2", c1, "--version", "v1.0.0")
    repo.gto("register", "pre2", c2, "--version", "v1.1.0-alpha.1")
    # a stage on a commit that has no registered version
    repo.gto("register", "unreg", c1, "--version", "v0.1.0")
    repo.gto("assign", "unreg", c4, "--stage", "dev", "--skip-registration")
    # several stages moving over many versions
    for i, commit in enumerate([c1, c2, c3, c4], start=1):
        repo.gto("register", "moving", commit, "--version", f"v1.{i}.0")
        repo.gto("assign", "moving", "--version", f"v1.{i}.0", "--stage", "dev")
        if i % 2 == 0:
            repo.gto("assign", "moving", "--version", f"v1.{i - 1}.0", "--stage", "staging")
        if i == 3:
            repo.gto("assign", "moving", "--version", "v1.2.0", "--stage", "prod")
    # bump flags
    repo.gto("register", "bump", c1)
    repo.gto("register", "bump", c2, "--bump-minor")
    repo.gto("register", "bump", c3, "--bump-major")
    # tags that do not count: lightweight, foreign, and a typo
    repo.lightweight_tag("ooo@v9.9.9", c4)
    repo.tag("release-2024", c4)
    repo.tag("ooo@1.0.0", c4, message="no v prefix")
    repo.tag("v1.0.0", c4)
    return repo


def test_show_registry_matches_gto(scenario: GitBuilder) -> None:
    assert_same_as_gto(scenario, "show")


def test_show_registry_with_deprecated_matches_gto(scenario: GitBuilder) -> None:
    assert_same_as_gto(scenario, "show", "--deprecated")


@pytest.mark.parametrize(
    "options",
    [["--vs", "-1"], ["--av", "1"], ["--sort", "semver"], ["--ro"], ["--vs", "-1", "--sort", "semver"]],
    ids=["all-versions-per-stage", "kanban", "semver-sort", "registered-only", "all-semver"],
)
def test_show_views_match_gto(scenario: GitBuilder, options: list[str]) -> None:
    assert_same_as_gto(scenario, "show", *options)


@pytest.mark.parametrize(
    "name",
    ["ooo", "dereg", "unas", "roll", "models/vision:detector", "pre", "pre2", "unreg", "moving", "bump"],
)
def test_show_model_matches_gto(scenario: GitBuilder, name: str) -> None:
    assert_same_as_gto(scenario, "show", name)


@pytest.mark.parametrize("spec", ["roll#prod", "moving@latest", "pre@v1.0.0-rc.2", "moving#staging"])
def test_show_spec_matches_gto(scenario: GitBuilder, spec: str) -> None:
    assert_same_as_gto(scenario, "show", spec)


def test_history_matches_gto(scenario: GitBuilder) -> None:
    assert_same_as_gto(scenario, "history")


def test_history_of_one_model_matches_gto(scenario: GitBuilder) -> None:
    assert_same_as_gto(scenario, "history", "moving")


def test_expected_semantics(scenario: GitBuilder) -> None:
    """The headline rules, spelled out (GTO agrees, per the tests above)."""
    state = modelshelf_json(scenario, "show")
    assert state["ooo"]["version"] == "v1.0.0"
    assert state["dereg"]["version"] == "v1.0.0" and state["dereg"]["stage"]["prod"] is None
    assert state["unas"]["stage"]["staging"] is None and state["unas"]["stage"]["dev"] == "v0.1.0"
    assert state["roll"]["stage"]["prod"] == "v1.0.0"
    assert "old" not in state
    assert state["models/vision:detector"]["stage"]["prod"] == "v1.0.0"
    assert state["pre"]["version"] == "v1.0.0-rc.2"
    assert state["pre2"]["version"] == "v1.1.0-alpha.1"
    assert len(state["unreg"]["stage"]["dev"]) == 40  # the commit's hexsha
    assert state["moving"]["stage"] == {"dev": "v1.4.0", "prod": "v1.2.0", "staging": "v1.3.0"}
    assert state["bump"]["version"] == "v1.0.0"


def test_doctor_reports_ignored_tags(scenario: GitBuilder) -> None:
    result = run_cli("doctor", "--tags-only", "--repo", str(scenario.path))
    assert result.returncode == 1
    for tag in ["ooo@v9.9.9", "release-2024", "ooo@1.0.0", "v1.0.0"]:
        assert f"tag {tag}: ignored" in result.stdout
    assert "lightweight" in result.stdout


def test_same_second_tags_follow_gto_order(repo: GitBuilder) -> None:
    """Tags in one second: GTO keeps tag-name order; so do we."""
    c1 = repo.commit("c1")
    c2 = repo.commit("c2")
    repo.gto("register", "m", c1, "--version", "v1.0.0")
    repo.gto("register", "m", c2, "--version", "v2.0.0")
    stamp = repo.clock + 10
    env = {"GIT_COMMITTER_DATE": f"{stamp} +0000"}
    repo.env.update(env)
    repo.git("tag", "-a", "m#prod#1", c1, "-m", "a")
    repo.git("tag", "-a", "m#prod#2", c2, "-m", "b")
    repo.git("tag", "-a", "m#staging#3", c2, "-m", "c")
    repo.git("tag", "-a", "m#staging!#4", c2, "-m", "d")
    repo.env.clear()
    assert_same_as_gto(repo, "show")
    assert_same_as_gto(repo, "history")
    # '!' sorts before '#': the unassignment #4 is read before the assignment #3 it undoes.
    flagged = [l for l in run_cli("doctor", "--tags-only", "--repo", str(repo.path)).stdout.splitlines()
               if "share one second" in l]
    assert [l.split(" share")[0] for l in flagged] == ["tags m#staging!#4 and m#staging#3"]  # prod #1, #2 agree


def test_doctor_flags_same_second_tags_read_against_their_counters(repo: GitBuilder) -> None:
    """`#10` sorts before `#9` by name: in one second GTO reads #10 first, so #9 wins."""
    c1 = repo.commit("c1")
    c2 = repo.commit("c2")
    repo.gto("register", "m", c1, "--version", "v1.0.0")
    repo.gto("register", "m", c2, "--version", "v2.0.0")
    repo.env.update({"GIT_COMMITTER_DATE": f"{repo.clock + 10} +0000"})
    repo.git("tag", "-a", "m#prod#9", c1, "-m", "a")
    repo.git("tag", "-a", "m#prod#10", c2, "-m", "b")
    repo.env.clear()
    assert_same_as_gto(repo, "show")  # read exactly as GTO reads it: prod holds v1.0.0 (#9)
    assert modelshelf_json(repo, "show")["m"]["stage"] == {"prod": "v1.0.0"}
    doctor = run_cli("doctor", "--tags-only", "--repo", str(repo.path))
    assert doctor.returncode == 1
    (line,) = [l for l in doctor.stdout.splitlines() if "share one second" in l]
    assert line.startswith("tags m#prod#10 and m#prod#9 share one second") and "#10 was meant to win" in line


def test_doctor_leaves_same_second_tags_of_different_stages_alone(repo: GitBuilder) -> None:
    """Two `gto assign` runs in one second: `m#prod#3` reads before `m#staging#2`, which
    changes nothing. Every contradicting same-stage pair is found, not only neighbours."""
    c1 = repo.commit("c1")
    c2 = repo.commit("c2")
    repo.gto("register", "m", c1, "--version", "v1.0.0")
    repo.env.update({"GIT_COMMITTER_DATE": f"{repo.clock + 10} +0000"})
    repo.git("tag", "-a", "m#prod#3", c1, "-m", "a")
    repo.git("tag", "-a", "m#staging#2", c1, "-m", "b")
    repo.env.clear()
    assert_same_as_gto(repo, "show")
    doctor = run_cli("doctor", "--tags-only", "--repo", str(repo.path))
    assert "share one second" not in doctor.stdout
    assert doctor.returncode == 0, doctor.stdout
    repo.gto("register", "m", c2, "--version", "v2.0.0")
    repo.env.update({"GIT_COMMITTER_DATE": f"{repo.clock + 10} +0000"})
    repo.git("tag", "-a", "m#dev#11", c1, "-m", "c")  # read order: #10, #11, #9
    repo.git("tag", "-a", "m#dev#10", c2, "-m", "d")
    repo.git("tag", "-a", "m#dev#9", c1, "-m", "e")
    repo.env.clear()
    assert_same_as_gto(repo, "show")
    flagged = [l.split(" share")[0] for l in run_cli("doctor", "--tags-only", "--repo", str(repo.path)).stdout.splitlines()
               if "share one second" in l]
    assert flagged == ["tags m#dev#10 and m#dev#9", "tags m#dev#11 and m#dev#9"]


def test_artifacts_yaml_declared_models_match_gto(repo: GitBuilder) -> None:
    """GTO lists models declared in artifacts.yaml at HEAD, unregistered ones included."""
    repo.commit("declare", {"artifacts.yaml": "churn:\n  type: model\n  path: models/churn.pkl\nseg:\n  type: model\n"})
    repo.gto("register", "churn")
    repo.commit("more", {"x.txt": "x"})
    assert_same_as_gto(repo, "show")
    assert_same_as_gto(repo, "show", "seg")


def test_empty_repository(repo: GitBuilder) -> None:
    assert modelshelf_json(repo, "show") == {}
    repo.commit("c1")
    assert_same_as_gto(repo, "show")


def _stages(repo: GitBuilder, *args: str) -> tuple[str, str]:
    ours = run_cli("stages", *args, "--repo", str(repo.path))
    assert ours.returncode == 0, ours.stderr
    return ours.stdout, repo.gto("stages", *args)


@pytest.mark.parametrize("args", [[], ["--json"], ["--used"], ["--used", "--json"], ["--allowed", "--json"], ["--allowed"]])
def test_stages_match_gto(scenario: GitBuilder, args: list[str]) -> None:
    ours, theirs = _stages(scenario, *args)
    assert ours == theirs
    if args[:1] == ["--used"]:  # stages that hold a version now; 'unas' had staging taken away
        assert "prod" in ours and "dev" in ours


def test_stages_from_the_gto_config_match_gto(repo: GitBuilder) -> None:
    repo.commit("config", {".gto": "stages: [dev, prod, canary]\n", "model.pkl": "1"})
    repo.gto("register", "m")
    repo.gto("assign", "m", "--version", "v0.0.1", "--stage", "dev")
    for args in ([], ["--json"], ["--allowed"], ["--used", "--json"]):
        ours, theirs = _stages(repo, *args)
        assert ours == theirs, args
    assert _stages(repo)[0] == "dev\nprod\ncanary\n"
    both = run_cli("stages", "--allowed", "--used", "--repo", str(repo.path))
    assert both.returncode == 2 and "either --allowed or --used" in both.stderr


def test_json_output_is_byte_identical_with_non_ascii_text(repo: GitBuilder) -> None:
    """Scripts that diff our output against gto's as text: escaping must match too."""
    repo.git("config", "user.name", "Tëst Üser")
    repo.commit("modèle ✓", {"dvc.yaml": 'artifacts:\n  m:\n    path: m.bin\n    type: model\n    desc: "Modèle ✓"\n',
                             "m.bin": "w"})
    repo.gto("register", "m", "--message", "première ✓")
    repo.gto("assign", "m", "--stage", "prod", "--message", "en prod ✓")
    for args in (["show"], ["show", "m"], ["history"], ["history", "m"], ["stages"]):
        ours = run_cli(*args, "--json", "--repo", str(repo.path))
        assert ours.returncode == 0, ours.stderr
        assert ours.stdout == repo.gto(*args, "--json"), args


def test_doctor_flags_model_names_that_differ_only_in_case(repo: GitBuilder) -> None:
    """GTO allows them; their catalog pages and API files collide on macOS and Windows file systems."""
    repo.commit("c1", {"m.bin": "1"})
    for name in ("Churn", "churn", "other"):
        repo.gto("register", name, "--version", "v1.0.0")
    assert_same_as_gto(repo, "show")
    doctor = run_cli("doctor", "--tags-only", "--repo", str(repo.path))
    assert doctor.returncode == 1
    (line,) = [l for l in doctor.stdout.splitlines() if "differ only in case" in l]
    assert line.startswith("models 'Churn', 'churn' differ only in case")
