"""The index's signature and rules fields: additive (schema 1), absent from repos with no
signed tag and no rules file, verdicts cached in the Git dir but never trusted by enforcement."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema

from modelshelf.index.build import load_schema
from tests.gitutil import GitBuilder, ms
from tests.rulesutil import Key, make_key, model_commit, signed_tag

RULES = "allowed_signers: allowed_signers\nstages:\n  staging: {}\n  prod:\n    after: [staging]\n    signers: ['*']\n"
NEW_KEYS = ('"signature"', '"violations"', '"rules"', '"stage_verdicts"')


def _index(repo: GitBuilder, *extra: str) -> dict:
    result = ms(repo, "index", "-o", "-", *extra)
    return json.loads(result.stdout)


def _events(data: dict) -> dict[str, dict]:
    return {e["tag"]: e for e in data["events"]}


def test_a_repo_without_signed_tags_or_rules_gets_none_of_the_new_fields(tmp_path: Path) -> None:
    repo = GitBuilder(tmp_path / "repo")
    commit = model_commit(repo, 0.9)
    repo.tag("churn@v1.0.0", commit)
    repo.tag("churn#prod#1", commit)
    raw = ms(repo, "index", "-o", "-").stdout
    assert not any(key in raw for key in NEW_KEYS)
    assert raw == ms(repo, "index", "-o", "-").stdout


def _governed(tmp_path: Path) -> tuple[GitBuilder, dict[str, Key]]:
    keys = {n: make_key(tmp_path / "keys", f"{n}@example.com") for n in ("alice", "stranger")}
    repo = GitBuilder(tmp_path / "repo")
    repo.commit("rules", {".modelshelf.yaml": RULES, "allowed_signers": keys["alice"].line()})
    commit = model_commit(repo, 0.9)
    repo.tag("churn@v1.0.0", commit)
    signed_tag(repo, keys["alice"], "churn#staging#1", commit)
    signed_tag(repo, keys["alice"], "churn#prod#2", commit)
    newer = model_commit(repo, 0.95)
    repo.tag("churn@v1.1.0", newer)
    ms(repo, "assign", "churn", "--version", "v1.1.0", "--stage", "prod", "--force")  # unsigned, never staging
    signed_tag(repo, keys["stranger"], "churn#staging#4", newer)
    return repo, keys


def test_signatures_and_violations_are_recorded_per_event_and_validate(tmp_path: Path) -> None:
    repo, _ = _governed(tmp_path)
    data = _index(repo)
    jsonschema.validate(data, load_schema())
    events = _events(data)
    assert events["churn#prod#2"]["signature"]["identity"] == "alice@example.com"
    assert events["churn#prod#2"]["signature"]["valid"] is True and events["churn#prod#2"]["violations"] == []
    forced = events["churn#prod#3"]
    assert "signature" not in forced
    assert {v["rule"] for v in forced["violations"]} == {"stages.prod.after", "stages.prod.signers"}
    stranger = events["churn#staging#4"]["signature"]
    assert stranger["valid"] is False and stranger["identity"] is None and "No principal matched" in stranger["reason"]
    assert "violations" not in events["churn@v1.0.0"]  # no registration rules
    model = data["models"][0]
    assert model["events"] == data["events"]
    assert model["stage_verdicts"]["prod"] == {
        "holder": "v1.1.0", "compliant": False, "violations": forced["violations"], "last_compliant": "v1.0.0"}
    assert data["rules"]["stages"]["prod"] == {"after": ["staging"], "signers": ["*"]}


def test_the_index_is_deterministic_and_the_warm_build_reads_cached_verdicts(tmp_path: Path) -> None:
    repo, _ = _governed(tmp_path)
    cold = ms(repo, "index", "-o", "-").stdout
    cache = Path(repo.git("rev-parse", "--git-common-dir"))
    cache = (repo.path / cache if not cache.is_absolute() else cache) / "modelshelf" / "cache" / "signature-verdicts.json"
    stored = json.loads(cache.read_text())
    assert stored["signers"].startswith("sha256:") and len(stored["verdicts"]) == 3
    assert ms(repo, "index", "-o", "-").stdout == cold
    assert ms(repo, "index", "-o", "-", "--no-cache").stdout == cold


def test_a_poisoned_verdict_cache_reaches_the_index_but_never_enforcement(tmp_path: Path) -> None:
    repo, _ = _governed(tmp_path)
    ms(repo, "index", "-o", "-")
    cache = repo.path / ".git" / "modelshelf" / "cache" / "signature-verdicts.json"
    stored = json.loads(cache.read_text())
    forged = repo.git("rev-parse", "churn#staging#4")
    stored["verdicts"][forged] = {"signed": True, "identity": "alice@example.com", "valid": True, "reason": "forged"}
    cache.write_text(json.dumps(stored))
    assert _events(_index(repo))["churn#staging#4"]["signature"]["reason"] == "forged"  # the index's claim only
    enforced = ms(repo, "check-ref", "churn#staging#4", "--enforce", "--json", check=False)
    assert enforced.returncode == 1
    assert json.loads(enforced.stdout)["verdict"]["signature"]["valid"] is False


def test_a_new_allowed_signers_file_drops_every_cached_verdict(tmp_path: Path) -> None:
    repo, keys = _governed(tmp_path)
    before = _events(_index(repo))
    assert before["churn#staging#4"]["signature"]["valid"] is False
    repo.commit("trust stranger", {"allowed_signers": keys["alice"].line() + keys["stranger"].line()})
    after = _events(_index(repo))
    assert after["churn#staging#4"]["signature"] == {
        "signed": True, "identity": "stranger@example.com", "valid": True, "reason": after["churn#staging#4"]["signature"]["reason"]}


def test_signed_tags_are_shown_in_a_repo_without_rules_through_gits_setting(tmp_path: Path) -> None:
    alice = make_key(tmp_path / "keys", "alice@example.com")
    repo = GitBuilder(tmp_path / "repo")
    signers = tmp_path / "allowed"
    signers.write_text(alice.line())
    repo.git("config", "gpg.ssh.allowedSignersFile", str(signers))
    commit = model_commit(repo, 0.9)
    signed_tag(repo, alice, "churn@v1.0.0", commit)
    data = _index(repo)
    assert "rules" not in data and "violations" not in data["events"][0]
    assert data["events"][0]["signature"]["identity"] == "alice@example.com"
    subprocess.run(["git", "config", "--unset", "gpg.ssh.allowedSignersFile"], cwd=repo.path, check=True)
