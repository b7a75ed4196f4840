"""``resolve``/``download NAME#STAGE`` refuse a holder that broke the rules, naming the rule and
the last version that held the stage within them (``--allow-rule-violations`` takes it anyway):
live from a repo, from the recorded verdicts of an index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.gitutil import GitBuilder, ms
from tests.rulesutil import model_commit

RULES = "stages:\n  staging: {}\n  prod:\n    after: [staging]\n"


@pytest.fixture
def forced(tmp_path: Path) -> GitBuilder:
    """v1.0.0 reached prod in order; v1.1.0 was forced into prod without staging."""
    repo = GitBuilder(tmp_path / "repo")
    repo.commit("rules", {".modelshelf.yaml": RULES})
    model_commit(repo, 0.9)
    ms(repo, "register", "churn", "--version", "v1.0.0")
    ms(repo, "assign", "churn", "--version", "v1.0.0", "--stage", "staging")
    ms(repo, "assign", "churn", "--version", "v1.0.0", "--stage", "prod")
    model_commit(repo, 0.95)
    ms(repo, "register", "churn", "--version", "v1.1.0")
    ms(repo, "assign", "churn", "--version", "v1.1.0", "--stage", "prod", "--force")
    return repo


def _says_why(stderr: str) -> None:
    assert "churn#prod: its holder v1.1.0 breaks" in stderr
    assert "stages.prod.after: churn v1.1.0 never held stage 'staging' before" in stderr
    assert "the last version that held prod within the rules is v1.0.0 (`download churn@v1.0.0`)" in stderr


def test_download_from_the_repo_refuses_the_violating_holder_and_names_the_last_compliant(forced: GitBuilder, tmp_path: Path) -> None:
    refused = ms(forced, "download", "churn#prod", "-o", str(tmp_path / "out"), check=False)
    assert refused.returncode == 2, refused.stderr
    _says_why(refused.stderr)
    assert "verified now" in refused.stderr and not (tmp_path / "out").exists()
    taken = ms(forced, "download", "churn#prod", "-o", str(tmp_path / "out"), "--allow-rule-violations")
    assert (tmp_path / "out" / "model.pkl").read_text() == "weights 0.95", taken.stderr
    ms(forced, "download", "churn@v1.0.0", "-o", str(tmp_path / "v1"))  # a version spec is never refused
    assert json.loads(ms(forced, "resolve", "churn#staging").stdout)["version"] == "v1.0.0"


def test_resolve_from_an_index_uses_its_recorded_verdicts(forced: GitBuilder, tmp_path: Path) -> None:
    index = tmp_path / "registry.json"
    ms(forced, "index", "-o", str(index))
    refused = ms(forced, "resolve", "churn#prod", "--index", str(index), check=False)
    assert refused.returncode == 2
    _says_why(refused.stderr)
    assert "as the index records" in refused.stderr
    allowed = ms(forced, "resolve", "churn#prod", "--index", str(index), "--allow-rule-violations")
    assert json.loads(allowed.stdout)["version"] == "v1.1.0"


def test_the_python_api_refuses_too(forced: GitBuilder) -> None:
    import modelshelf
    from modelshelf.delivery import RuleViolated

    with pytest.raises(RuleViolated, match="last version that held prod within the rules is v1.0.0"):
        modelshelf.resolve("churn#prod", repo=forced.path)
    assert modelshelf.resolve("churn#prod", repo=forced.path, allow_rule_violations=True).version.version == "v1.1.0"
