"""``assign``/``register`` apply the rules (refuse, name each broken rule and its fix;
``--force`` writes anyway), and ``--sign`` writes signed tags that Git verifies and GTO reads."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.gitutil import GitBuilder, ms
from tests.rulesutil import Key, make_key, model_commit

RULES = ("allowed_signers: allowed_signers\n"
         "stages:\n  staging: {}\n  prod:\n    after: [staging]\n    require: ['auc >= 0.85']\n")


def _repo(tmp_path: Path, rules: str = RULES, signers: str = "") -> GitBuilder:
    repo = GitBuilder(tmp_path / "repo")
    repo.commit("rules", {".modelshelf.yaml": rules, "allowed_signers": signers or "# nobody yet\n"})
    return repo


def _as(repo: GitBuilder, key: Key, *args: str, check: bool = False) -> subprocess.CompletedProcess:
    saved = dict(repo.env)
    repo.env.update(key.signing_env())
    try:
        return ms(repo, *args, check=check)
    finally:
        repo.env.clear()
        repo.env.update(saved)


def _tags(repo: GitBuilder) -> list[str]:
    return repo.git("tag", "-l").split()


def test_out_of_order_assign_is_refused_then_allowed_in_order(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    model_commit(repo, 0.9)
    ms(repo, "register", "churn", "--version", "v1.0.0")
    refused = ms(repo, "assign", "churn", "--version", "v1.0.0", "--stage", "prod", check=False)
    assert refused.returncode == 2, refused.stderr
    assert "stages.prod.after: churn v1.0.0 never held stage 'staging' before" in refused.stderr
    assert "to satisfy it: assign staging to v1.0.0 first" in refused.stderr
    assert "nothing was written" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    assert _tags(repo) == ["churn@v1.0.0"]
    ms(repo, "assign", "churn", "--version", "v1.0.0", "--stage", "staging")
    ms(repo, "assign", "churn", "--version", "v1.0.0", "--stage", "prod")
    assert sorted(_tags(repo)) == ["churn#prod#2", "churn#staging#1", "churn@v1.0.0"]


def test_force_writes_a_violating_assignment_and_says_it_breaks_the_rules(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    model_commit(repo, 0.5)
    ms(repo, "register", "churn", "--version", "v1.0.0")
    forced = ms(repo, "assign", "churn", "--version", "v1.0.0", "--stage", "prod", "--force")
    assert forced.returncode == 0
    assert "breaks 2 rule(s) of .modelshelf.yaml" in forced.stderr and "written anyway (--force)" in forced.stderr
    assert "stages.prod.require: auc is 0.5, the gate is auc >= 0.85" in forced.stderr
    assert "churn#prod#1" in _tags(repo)


def test_a_malformed_rules_file_stops_writes_naming_the_line(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "stages:\n  prod:\n    after: [staging]\n    gate: x\n")
    model_commit(repo, 0.9)
    result = ms(repo, "register", "churn", check=False)
    assert result.returncode == 2
    assert result.stderr.strip() == ("modelshelf: error: .modelshelf.yaml at main (" + repo.git("rev-parse", "--short=7", "main")
                                     + "), line 4: unknown key 'gate' in stage 'prod'; known keys: after, branches, "
                                     "signers, require, not_worse")


def test_signed_assignment_by_an_allowed_signer_verifies_with_its_identity(tmp_path: Path) -> None:
    alice = make_key(tmp_path / "keys", "alice@example.com")
    repo = _repo(tmp_path, RULES.replace("after: [staging]", "signers: [alice@example.com]"), alice.line())
    model_commit(repo, 0.9)
    _as(repo, alice, "register", "churn", "--version", "v1.0.0", "--sign", check=True)
    refused = ms(repo, "assign", "churn", "--version", "v1.0.0", "--stage", "prod", check=False)
    assert refused.returncode == 2 and "stages.prod.signers: the tag is not signed" in refused.stderr
    assert "a tag signed (--sign) by one of: alice@example.com" in refused.stderr
    _as(repo, alice, "assign", "churn", "--version", "v1.0.0", "--stage", "prod", "--sign", check=True)
    verified = subprocess.run(["git", "-c", f"gpg.ssh.allowedSignersFile={repo.path / 'allowed_signers'}",
                               "verify-tag", "churn#prod#1"], cwd=repo.path, capture_output=True, text=True)
    assert verified.returncode == 0 and 'Good "git" signature for alice@example.com' in verified.stderr


def test_a_signature_by_someone_else_is_refused_and_the_tag_deleted(tmp_path: Path) -> None:
    alice, mallory = make_key(tmp_path / "keys", "alice@example.com"), make_key(tmp_path / "keys", "mallory@example.com")
    repo = _repo(tmp_path, "allowed_signers: allowed_signers\nstages:\n  prod:\n    signers: [alice@example.com]\n",
                 alice.line() + mallory.line())
    model_commit(repo, 0.9)
    ms(repo, "register", "churn", "--version", "v1.0.0")
    refused = _as(repo, mallory, "assign", "churn", "--version", "v1.0.0", "--stage", "prod", "--sign")
    assert refused.returncode == 2
    assert "signed by mallory@example.com, who is not one of the signers" in refused.stderr
    assert "the tag was deleted again" in refused.stderr
    assert _tags(repo) == ["churn@v1.0.0"]
    kept = _as(repo, mallory, "assign", "churn", "--version", "v1.0.0", "--stage", "prod", "--sign", "--force")
    assert kept.returncode == 0 and "kept (--force)" in kept.stderr


def test_registration_rules_apply_to_register(tmp_path: Path) -> None:
    alice = make_key(tmp_path / "keys", "alice@example.com")
    repo = _repo(tmp_path, "allowed_signers: allowed_signers\nregistration:\n  signers: ['*']\n", alice.line())
    model_commit(repo, 0.9)
    refused = ms(repo, "register", "churn", check=False)
    assert refused.returncode == 2 and "registration.signers: the tag is not signed" in refused.stderr
    _as(repo, alice, "register", "churn", "--sign", check=True)
    assert _tags(repo) == ["churn@v0.0.1"]


@pytest.mark.parametrize("command", [
    ("unassign", "churn", "prod"), ("deregister", "churn", "v1.0.0"), ("deprecate", "churn"),
])
def test_every_write_command_signs_with_sign(tmp_path: Path, command: tuple[str, ...]) -> None:
    alice = make_key(tmp_path / "keys", "alice@example.com")
    repo = GitBuilder(tmp_path / "repo")
    model_commit(repo, 0.9)
    ms(repo, "register", "churn", "--version", "v1.0.0")
    ms(repo, "assign", "churn", "--version", "v1.0.0", "--stage", "prod")
    before = set(_tags(repo))
    _as(repo, alice, *command, "--sign", check=True)
    (new,) = set(_tags(repo)) - before
    raw = repo.git("cat-file", "tag", new)
    assert "-----BEGIN SSH SIGNATURE-----" in raw


@pytest.mark.gto
def test_gto_reads_signed_tags_as_modelshelf_does(tmp_path: Path) -> None:
    alice = make_key(tmp_path / "keys", "alice@example.com")
    repo = _repo(tmp_path)
    model_commit(repo, 0.9)
    _as(repo, alice, "register", "churn", "--version", "v1.0.0", "--sign", check=True)
    _as(repo, alice, "assign", "churn", "--version", "v1.0.0", "--stage", "staging", "--sign", check=True)
    _as(repo, alice, "assign", "churn", "--version", "v1.0.0", "--stage", "prod", "--sign", check=True)
    _as(repo, alice, "unassign", "churn", "staging", "--sign", check=True)
    for args in (("show", "--json"), ("show", "churn", "--json"), ("history", "--json")):
        assert json.loads(ms(repo, *args).stdout) == repo.gto_json(*args), args
    messages = {e["message"] for e in repo.gto_json("history", "--json")}
    assert "Registering artifact churn version v1.0.0" in messages
