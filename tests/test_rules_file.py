"""The rules file: its grammar (errors name the file and line), which copy counts (the
default branch's tip, never the tagged commit's) and the verdict of each rule on real repos."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelshelf.gtocompat.gto_config import RegistryConfig
from modelshelf.core.rules import RulesError
from modelshelf.governance import Assessor, load_governance
from modelshelf.governance.source import read_rules
from modelshelf.registry import load_registry
from tests.gitutil import GitBuilder
from tests.rulesutil import make_key, model_commit, signed_tag

EXAMPLE = """\
allowed_signers: .github/allowed_signers
registration:
  signers: ["*"]
stages:
  staging:
    branches: [main]
  prod:
    after: [staging]
    branches: [main]
    signers: [alice@example.com, "gpg:0123ABCD"]
    require: ["auc >= 0.85", "latency_ms <= 50"]
    not_worse: {auc: higher, latency_ms: lower}
"""


def parse(text: str, stages: tuple[str, ...] | None = None):
    return read_rules(text.encode(), ".modelshelf.yaml", stages)


def test_the_readme_example_parses_into_every_rule() -> None:
    rules = parse(EXAMPLE)
    prod = rules.stages["prod"]
    assert rules.allowed_signers == ".github/allowed_signers"
    assert prod.after == ("staging",) and prod.branches == ("main",)
    assert prod.signers == ("alice@example.com", "gpg:0123ABCD")
    assert [str(g) for g in prod.require] == ["auc >= 0.85", "latency_ms <= 50"]
    assert [(n.metric, n.higher_is_better) for n in prod.not_worse] == [("auc", True), ("latency_ms", False)]
    assert rules.registration is not None and rules.registration.signers == ("*",)
    assert rules.needs_signatures


def test_the_readme_shows_this_example() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    assert EXAMPLE in readme


@pytest.mark.parametrize(("text", "line", "words"), [
    ("stages:\n  prod:\n    afterr: [staging]\n", 3, "unknown key 'afterr'"),
    ("stage:\n  prod: {}\n", 1, "unknown key 'stage'"),
    ("stages:\n  prod:\n    require:\n      - auc >= 0.85\n      - auc is high\n", 5, "'auc is high' is not a metric gate"),
    ("stages:\n  prod:\n    not_worse: {auc: up}\n", 3, "needs a direction"),
    ("stages:\n  prod:\n    signers: [\"gpg:xyz\"]\n", 3, "GPG key id"),
    ("allowed_signers: /etc/passwd\n", 1, "relative path"),
    ("stages:\n  prod:\n    after: staging: x\n", 3, "not valid YAML"),
    ("stages:\n  prod: {}\n  prod: {}\n", 3, "duplicate key 'prod'"),
    ("stages:\n  prod:\n    branches: []\n", 3, "non-empty list"),
])
def test_a_malformed_file_is_one_error_naming_file_and_line(text: str, line: int, words: str) -> None:
    with pytest.raises(RulesError) as caught:
        parse(text)
    message = str(caught.value)
    assert message.startswith(".modelshelf.yaml") and f"line {line}" in message and words in message, message
    assert "\n" not in message


def test_rules_naming_a_stage_gto_does_not_allow_are_an_error() -> None:
    with pytest.raises(RulesError, match=r"line 4: stage 'stagin' is not allowed by .gto \(allowed: dev, staging, prod\)"):
        parse("stages:\n  prod:\n    after:\n      - stagin\n", ("dev", "staging", "prod"))
    with pytest.raises(RulesError, match="line 2: stage 'qa' is not allowed"):
        parse("stages:\n  qa: {}\n", ("dev", "staging", "prod"))
    assert parse("stages:\n  qa: {}\n").stages["qa"].after == ()


def _rules_repo(tmp_path: Path, rules: str) -> GitBuilder:
    repo = GitBuilder(tmp_path / "repo")
    repo.commit("rules", {".modelshelf.yaml": rules})
    return repo


def test_the_rules_at_the_default_branch_tip_count_never_those_at_the_tagged_commit(tmp_path: Path) -> None:
    repo = _rules_repo(tmp_path, "stages:\n  prod:\n    after: [staging]\n")
    model_commit(repo, 0.9)
    repo.git("checkout", "-q", "-b", "feature")
    permissive = repo.commit("no rules", {".modelshelf.yaml": "stages: {}\n"})
    repo.tag("churn@v1.0.0", permissive)
    repo.tag("churn#prod#1", permissive)
    with load_registry(repo.path) as registry, Assessor(registry) as assessor:
        assert assessor.governance.branch is not None and assessor.governance.branch.ref == "refs/heads/main"
        event = next(e for e in registry.state.history() if e.tag == "churn#prod#1")
        assert [v.rule for v in assessor.violations(event) or []] == ["stages.prod.after"]


def test_the_remote_tracking_default_branch_wins_over_the_local_one(tmp_path: Path) -> None:
    origin = _rules_repo(tmp_path, "stages:\n  prod:\n    after: [staging]\n")
    clone = tmp_path / "clone"
    origin.git("clone", "-q", str(origin.path), str(clone))
    local = GitBuilder.__new__(GitBuilder)
    local.path, local.clock, local.env = clone, origin.clock + 100, {}
    local.git("config", "user.email", "t@example.com")
    local.git("config", "user.name", "T")
    local.commit("relax locally", {".modelshelf.yaml": "stages: {}\n"})
    with load_registry(clone) as registry:
        governance = load_governance(registry.repo, registry.config)
        assert governance.branch is not None and governance.branch.ref == "refs/remotes/origin/HEAD"
        assert governance.rules is not None and "prod" in governance.rules.stages


def test_each_rule_is_judged_and_a_missing_metric_is_a_violation_not_a_crash(tmp_path: Path) -> None:
    repo = _rules_repo(tmp_path, "stages:\n  staging: {}\n  prod:\n    after: [staging]\n    branches: [main]\n"
                                 "    require: ['auc >= 0.85', 'f1 >= 0.5']\n    not_worse: {auc: higher}\n")
    good = model_commit(repo, 0.95)
    repo.tag("churn@v1.0.0", good)
    repo.tag("churn#staging#1", good)
    repo.tag("churn#prod#2", good)
    repo.git("checkout", "-q", "-b", "side")
    worse = model_commit(repo, 0.90)
    repo.tag("churn@v1.1.0", worse)
    repo.tag("churn#prod#3", worse)
    with load_registry(repo.path) as registry, Assessor(registry) as assessor:
        events = {e.tag: e for e in registry.state.history()}
        first = assessor.violations(events["churn#prod#2"]) or []
        assert [v.reason for v in first] == ["churn v1.0.0 records no numeric metric 'f1' (gate: f1 >= 0.5)"]
        rules = sorted(v.rule for v in assessor.violations(events["churn#prod#3"]) or [])
        assert rules == ["stages.prod.after", "stages.prod.branches", "stages.prod.not_worse", "stages.prod.require"]
        assert assessor.violations(events["churn#staging#1"]) == []
        assert assessor.violations(events["churn@v1.0.0"]) is None  # no registration rules
        verdict = assessor.stage_verdict("churn", "prod")
        assert verdict is not None and verdict.holder == "v1.1.0" and not verdict.compliant
        assert verdict.last_compliant is None  # v1.0.0 lacked f1 too


def test_signer_rules_need_a_valid_signature_by_a_listed_identity(tmp_path: Path) -> None:
    alice, mallory = make_key(tmp_path / "keys", "alice@example.com"), make_key(tmp_path / "keys", "mallory@example.com")
    repo = _rules_repo(tmp_path, "allowed_signers: signers\nstages:\n  prod:\n    signers: [alice@example.com]\n")
    repo.commit("signers", {"signers": alice.line() + mallory.line()})
    commit = model_commit(repo, 0.9)
    repo.tag("churn@v1.0.0", commit)
    signed_tag(repo, alice, "churn#prod#1", commit)
    signed_tag(repo, mallory, "churn#prod#2", commit)
    repo.tag("churn#prod#3", commit)
    with load_registry(repo.path) as registry, Assessor(registry) as assessor:
        events = {e.tag: e for e in registry.state.history()}
        assert assessor.violations(events["churn#prod#1"]) == []
        assert assessor.signature("churn#prod#1").identity == "alice@example.com"
        assert [v.reason for v in assessor.violations(events["churn#prod#2"]) or []] == [
            "signed by mallory@example.com, who is not one of the signers"]
        assert [v.reason for v in assessor.violations(events["churn#prod#3"]) or []] == ["the tag is not signed"]


def test_no_rules_file_means_no_rules(tmp_path: Path) -> None:
    repo = GitBuilder(tmp_path / "repo")
    model_commit(repo, 0.9)
    with load_registry(repo.path) as registry:
        governance = load_governance(registry.repo, RegistryConfig())
        assert governance.rules is None and governance.allowed_signers is None
