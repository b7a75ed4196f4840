"""Signature verdicts: the direct ``ssh-keygen -Y verify`` path agrees with ``git verify-tag``
on every kind of tag (valid, unknown key, retired key before and after, corrupt, several
principals), and verification in parallel gives the same verdicts as one at a time."""

from __future__ import annotations

import subprocess
from pathlib import Path

from modelshelf.git import GitRepo
from modelshelf.git.signatures import TagVerifier, plain_principals, signing_key
from tests.gitutil import GitBuilder
from tests.rulesutil import make_key, model_commit, signed_tag


def _repo(tmp_path: Path) -> tuple[GitBuilder, bytes]:
    keys = {n: make_key(tmp_path / "keys", f"{n}@example.com") for n in ("alice", "retired", "stranger", "team")}
    repo = GitBuilder(tmp_path / "repo")
    commit = model_commit(repo, 0.9)
    signed_tag(repo, keys["retired"], "m@v0.0.1", commit)  # before its retirement: still verifies
    repo.tick(3600)
    signers = (keys["alice"].line() + keys["retired"].line('valid-before="20240101003000Z"')
               + f"team@example.com,ops@example.com {keys['team'].public}\n").encode()
    signed_tag(repo, keys["alice"], "m@v1.0.0", commit)
    signed_tag(repo, keys["retired"], "m@v1.0.1", commit)
    signed_tag(repo, keys["stranger"], "m@v1.0.2", commit)
    signed_tag(repo, keys["team"], "m@v1.0.3", commit)
    repo.tag("m@v1.0.4", commit)
    signed_tag(repo, keys["alice"], "m@v1.0.5", commit)
    raw = repo.git("cat-file", "tag", "m@v1.0.5").split("\n")
    at = next(i for i, line in enumerate(raw) if line.startswith("-----BEGIN SSH SIGNATURE")) + 2
    raw[at] = raw[at][:20] + ("A" if raw[at][20] != "A" else "B") + raw[at][21:]
    forged = subprocess.run(["git", "hash-object", "-t", "tag", "-w", "--stdin"], cwd=repo.path, check=True,
                            input="\n".join(raw) + "\n", capture_output=True, text=True).stdout.strip()
    repo.git("update-ref", "refs/tags/m@v1.0.5", forged)
    return repo, signers


def test_the_direct_path_agrees_with_git_verify_tag_and_parallel_with_serial(tmp_path: Path) -> None:
    repo, signers = _repo(tmp_path)
    with GitRepo(repo.path) as git, TagVerifier(git.root, signers, "allowed_signers") as verifier:
        records = [r for r in git.tags() if r.annotated]
        by_git = {r.name: verifier.verify(r) for r in records}  # no tag object given: git verify-tag
        direct = verifier.verify_many(records, jobs=1)
        parallel = verifier.verify_many(records, jobs=4)
    assert direct == parallel
    summary = {name: (v.signed, v.valid, v.identity) for name, v in by_git.items()}
    assert summary == {
        "m@v0.0.1": (True, True, "retired@example.com"),
        "m@v1.0.0": (True, True, "alice@example.com"),
        "m@v1.0.1": (True, False, None),
        "m@v1.0.2": (True, False, None),
        "m@v1.0.3": (True, True, "team@example.com"),  # git names the first principal
        "m@v1.0.4": (False, False, None),
        "m@v1.0.5": (True, False, None),
    }
    assert {name: (v.signed, v.valid, v.identity) for name, v in direct.items()} == summary
    assert "key has expired" in direct["m@v1.0.1"].reason and "allowed_signers:2" in direct["m@v1.0.1"].reason
    assert direct["m@v1.0.2"].reason == by_git["m@v1.0.2"].reason == "No principal matched."
    assert direct["m@v1.0.0"].reason == by_git["m@v1.0.0"].reason


def test_the_key_in_a_signature_is_read_and_lines_with_several_principals_go_to_git(tmp_path: Path) -> None:
    repo, signers = _repo(tmp_path)
    principals = plain_principals(signers)
    assert sorted(p for p in principals.values() if p) == ["alice@example.com", "retired@example.com"]
    assert None in principals.values()  # the team line: git verify-tag judges it
    raw = subprocess.run(["git", "cat-file", "tag", "m@v1.0.0"], cwd=repo.path, capture_output=True, check=True).stdout
    key = signing_key(raw[raw.index(b"-----BEGIN SSH SIGNATURE-----"):])
    assert principals[key] == "alice@example.com"
    assert signing_key(b"-----BEGIN SSH SIGNATURE-----\nnot base64!\n-----END SSH SIGNATURE-----\n") is None
