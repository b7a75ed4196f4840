"""``check-ref --enforce`` (the CI step): exit 1 for each kind of broken rule or bad
signature, 0 for a compliant tag; the reasons on stderr and in --json, --github-output
and --dotenv. Without --enforce, GTO's keys stay as they were and the verdict is added."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.gitutil import GitBuilder, ms
from tests.rulesutil import Key, make_key, model_commit, signed_tag

RULES = """\
allowed_signers: allowed_signers
stages:
  staging: {}
  prod:
    after: [staging]
    branches: [main]
    signers: ["*"]
    require: ["auc >= 0.85"]
"""


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, Key]:
    return {name: make_key(tmp_path / "keys", f"{name}@example.com") for name in ("alice", "retired", "stranger")}


def _repo(tmp_path: Path, keys: dict[str, Key], rules: str = RULES) -> GitBuilder:
    repo = GitBuilder(tmp_path / "repo")
    signers = keys["alice"].line() + keys["retired"].line('valid-before="20240101003000Z"')  # retired half an hour in
    repo.commit("rules", {".modelshelf.yaml": rules, "allowed_signers": signers})
    return repo


def _compliant_prod(repo: GitBuilder, key: Key, auc: float = 0.9, tag: str = "churn#prod#2") -> str:
    commit = model_commit(repo, auc)
    repo.tag("churn@v1.0.0", commit)
    repo.tag("churn#staging#1", commit)
    signed_tag(repo, key, tag, commit)
    return commit


def _enforce(repo: GitBuilder, tag: str, *extra: str) -> subprocess.CompletedProcess:
    return ms(repo, "check-ref", f"refs/tags/{tag}", "--enforce", *extra, check=False)


def test_a_compliant_signed_tag_passes(tmp_path: Path, keys: dict[str, Key]) -> None:
    repo = _repo(tmp_path, keys)
    _compliant_prod(repo, keys["alice"])
    result = _enforce(repo, "churn#prod#2", "--json")
    assert result.returncode == 0, result.stderr
    verdict = json.loads(result.stdout)["verdict"]
    assert verdict["passes"] and verdict["violations"] == [] and verdict["reasons"] == []
    assert verdict["signature"] == {"signed": True, "identity": "alice@example.com", "valid": True,
                                    "reason": verdict["signature"]["reason"]}


def _kinds(repo: GitBuilder, keys: dict[str, Key]) -> dict[str, tuple[str, str]]:
    """tag -> (what is wrong, words the reason says), each made in ``repo``."""
    made: dict[str, tuple[str, str]] = {}
    good = model_commit(repo, 0.9)
    repo.tag("churn@v1.0.0", good)
    signed_tag(repo, keys["alice"], "churn#prod#1", good)  # never staging
    made["churn#prod#1"] = ("after", "never held stage 'staging' before")
    repo.tag("churn#staging#2", good)
    repo.tag("churn#prod#3", good)
    made["churn#prod#3"] = ("unsigned", "the tag is not signed")
    signed_tag(repo, keys["stranger"], "churn#prod#4", good)
    made["churn#prod#4"] = ("unknown key", "No principal matched")
    repo.tick(3600)
    signed_tag(repo, keys["retired"], "churn#prod#5", good)  # signed after its valid-before
    made["churn#prod#5"] = ("retired key", "key has expired")
    low = model_commit(repo, 0.5)
    repo.tag("churn@v1.1.0", low)
    repo.tag("churn#staging#6", low)
    signed_tag(repo, keys["alice"], "churn#prod#7", low)
    made["churn#prod#7"] = ("gate", "auc is 0.5, the gate is auc >= 0.85")
    repo.git("checkout", "-q", "-b", "side")
    side = repo.commit("no metrics", {"metrics.json": {"latency_ms": 3}})
    repo.tag("churn@v1.2.0", side)
    repo.tag("churn#staging#8", side)
    signed_tag(repo, keys["alice"], "churn#prod#9", side)
    made["churn#prod#9"] = ("branch and missing metric", "records no numeric metric 'auc'")
    repo.git("checkout", "-q", "main")
    signed_tag(repo, keys["alice"], "churn#prod#10", good)
    raw = repo.git("cat-file", "tag", "churn#prod#10").split("\n")
    at = next(i for i, line in enumerate(raw) if line.startswith("-----BEGIN SSH SIGNATURE")) + 3
    raw[at] = raw[at][:10] + ("A" if raw[at][10] != "A" else "B") + raw[at][11:]
    forged = subprocess.run(["git", "hash-object", "-t", "tag", "-w", "--stdin"], cwd=repo.path, check=True,
                            input="\n".join(raw) + "\n", capture_output=True, text=True).stdout.strip()
    repo.git("update-ref", "refs/tags/churn#prod#10", forged)
    made["churn#prod#10"] = ("corrupt signature", "the signature does not verify")
    return made


def test_each_kind_of_violation_exits_1_with_its_reason_everywhere(tmp_path: Path, keys: dict[str, Key]) -> None:
    repo = _repo(tmp_path, keys)
    kinds = _kinds(repo, keys)
    out = tmp_path / "github_output"
    for tag, (kind, words) in kinds.items():
        result = _enforce(repo, tag, "--json")
        assert result.returncode == 1, (kind, result.stdout, result.stderr)
        assert words in result.stderr and "modelshelf: error:" in result.stderr, (kind, result.stderr)
        verdict = json.loads(result.stdout)["verdict"]
        assert not verdict["passes"] and any(words in r for r in verdict["reasons"]), (kind, verdict)
        out.write_text("")
        repo.env["GITHUB_OUTPUT"] = str(out)
        assert _enforce(repo, tag, "--github-output").returncode == 1
        assert "verdict=fail" in out.read_text().splitlines()
    branch = json.loads(_enforce(repo, "churn#prod#9", "--json").stdout)["verdict"]
    assert {v["rule"] for v in branch["violations"]} == {"stages.prod.branches", "stages.prod.require"}
    env = tmp_path / "event.env"
    assert _enforce(repo, "churn#prod#9", "--dotenv", str(env)).returncode == 1
    lines = env.read_text().splitlines()
    assert "MODELSHELF_VERDICT=fail" in lines and "MODELSHELF_SIGNATURE=valid" in lines
    assert "MODELSHELF_VIOLATIONS=stages.prod.branches,stages.prod.require" in lines


def test_a_missing_allowed_signers_file_fails_every_signature_naming_it(tmp_path: Path, keys: dict[str, Key]) -> None:
    repo = _repo(tmp_path, keys, RULES.replace("allowed_signers: allowed_signers", "allowed_signers: keys/none"))
    _compliant_prod(repo, keys["alice"])
    result = _enforce(repo, "churn#prod#2")
    assert result.returncode == 1
    assert "allowed-signers file keys/none (named by .modelshelf.yaml) is missing at main" in result.stderr


def test_without_enforce_gtos_keys_stay_and_the_verdict_is_added(tmp_path: Path, keys: dict[str, Key]) -> None:
    repo = _repo(tmp_path, keys)
    commit = model_commit(repo, 0.9)
    repo.tag("churn@v1.0.0", commit)
    repo.tag("churn#prod#1", commit)
    result = ms(repo, "check-ref", "churn#prod#1", "--json", check=False)
    assert result.returncode == 0 and "modelshelf: warning: churn#prod#1: stages.prod.after" in result.stderr
    data = json.loads(result.stdout)
    assert list(data)[:12] == ["artifact", "created_at", "author", "author_email", "message", "commit_hexsha",
                               "tag", "version", "stage", "event", "type", "path"]
    assert list(data)[-1] == "verdict" and data["verdict"]["signature"] is None


def test_a_repo_without_rules_or_signatures_prints_what_it_did_before(tmp_path: Path) -> None:
    repo = GitBuilder(tmp_path / "repo")
    commit = model_commit(repo, 0.9)
    repo.tag("churn@v1.0.0", commit)
    result = ms(repo, "check-ref", "churn@v1.0.0", "--json", "--enforce")
    assert result.returncode == 0 and "verdict" not in json.loads(result.stdout) and result.stderr == ""
