"""GPG-signed tags (``gpg.format=openpgp``), with a key made in a temporary GNUPGHOME: verified
by ``git verify-tag``, identified by the key's fingerprint, matched by ``gpg:KEYID`` signers."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import require_tool
from tests.gitutil import GitBuilder, ms
from tests.rulesutil import model_commit


@pytest.fixture
def gnupg(tmp_path: Path) -> Iterator[dict[str, str]]:
    require_tool("gpg")  # gpgconf comes with it (GnuPG)
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    env = {**os.environ, "GNUPGHOME": str(home)}
    for who in ("Alice <alice@example.com>", "Mallory <mallory@example.com>"):
        subprocess.run(["gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key",
                        who, "ed25519", "sign", "never"], env=env, check=True, capture_output=True)
    listing = subprocess.run(["gpg", "--with-colons", "--list-secret-keys"], env=env, check=True,
                             capture_output=True, text=True).stdout
    fingerprints = [line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr:")]
    try:
        yield {"GNUPGHOME": str(home), "ALICE": fingerprints[0], "MALLORY": fingerprints[1]}
    finally:
        subprocess.run(["gpgconf", "--kill", "all"], env=env, check=False, capture_output=True)


def test_gpg_signed_assignments_are_judged_by_key_id(tmp_path: Path, gnupg: dict[str, str]) -> None:
    alice = gnupg["ALICE"]
    repo = GitBuilder(tmp_path / "repo")
    repo.env["GNUPGHOME"] = gnupg["GNUPGHOME"]
    repo.commit("rules", {".modelshelf.yaml": f"stages:\n  prod:\n    signers: ['gpg:{alice[-16:]}']\n"})
    model_commit(repo, 0.9)
    ms(repo, "register", "churn", "--version", "v1.0.0")
    for key in (gnupg["MALLORY"], alice):
        repo.env.update({"GIT_CONFIG_COUNT": "2", "GIT_CONFIG_KEY_0": "gpg.format", "GIT_CONFIG_VALUE_0": "openpgp",
                         "GIT_CONFIG_KEY_1": "user.signingkey", "GIT_CONFIG_VALUE_1": key})
        result = ms(repo, "assign", "churn", "--version", "v1.0.0", "--stage", "prod", "--sign", "--force", check=False)
        assert result.returncode == 0, result.stderr
    for key in ("GIT_CONFIG_COUNT", "GIT_CONFIG_KEY_0", "GIT_CONFIG_VALUE_0", "GIT_CONFIG_KEY_1", "GIT_CONFIG_VALUE_1"):
        repo.env.pop(key)
    by_mallory = ms(repo, "check-ref", "churn#prod#1", "--enforce", "--json", check=False)
    assert by_mallory.returncode == 1
    verdict = json.loads(by_mallory.stdout)["verdict"]
    assert verdict["signature"]["valid"] is True and verdict["signature"]["identity"] == gnupg["MALLORY"]
    assert "who is not one of the signers" in verdict["reasons"][0]
    by_alice = ms(repo, "check-ref", "churn#prod#2", "--enforce", "--json", check=False)
    assert by_alice.returncode == 0, by_alice.stderr
    assert json.loads(by_alice.stdout)["verdict"]["signature"]["identity"] == alice
    index = json.loads(ms(repo, "index", "-o", "-").stdout)
    assert {e["tag"]: e["signature"]["identity"] for e in index["events"] if "signature" in e} == {
        "churn#prod#1": gnupg["MALLORY"], "churn#prod#2": alice}
