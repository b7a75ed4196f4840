"""``modelshelf doctor`` reports the rules file: malformed YAML or rules (file and line), and an
allowed-signers file the rules name that is missing, for the committed file and the work tree's."""

from __future__ import annotations

from pathlib import Path

from tests.gitutil import GitBuilder, ms
from tests.rulesutil import model_commit


def _repo(tmp_path: Path, rules: str) -> GitBuilder:
    repo = GitBuilder(tmp_path / "repo")
    repo.commit("rules", {".modelshelf.yaml": rules})
    commit = model_commit(repo, 0.9)
    repo.tag("churn@v1.0.0", commit)
    return repo


def test_malformed_yaml_is_reported_with_its_line_even_with_tags_only(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "stages:\n  prod:\n    after: [staging\n")
    for extra in ((), ("--tags-only",)):
        result = ms(repo, "doctor", *extra, check=False)
        assert result.returncode == 1, result.stdout
        lines = [line for line in result.stdout.splitlines() if "not valid YAML" in line]
        assert len(lines) == 1, result.stdout  # listed once, though the index build says it too
        assert lines[0].startswith(".modelshelf.yaml at main (") and "line 4" in lines[0]


def test_rules_that_break_the_grammar_name_the_key_line(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "stages:\n  prod:\n    after: [staging]\n    colour: red\n")
    result = ms(repo, "doctor", "--tags-only", check=False)
    assert result.returncode == 1
    assert ", line 4: unknown key 'colour'" in result.stdout


def test_a_missing_allowed_signers_file_is_reported_with_the_line_naming_it(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "# governance\nallowed_signers: keys/allowed\nstages:\n  prod:\n    signers: ['*']\n")
    result = ms(repo, "doctor", check=False)
    assert result.returncode == 1
    found = [line for line in result.stdout.splitlines() if "keys/allowed" in line]
    assert len(found) == 1, result.stdout
    assert found[0].startswith(".modelshelf.yaml at main (") and ", line 2: allowed-signers file keys/allowed" in found[0]
    repo.commit("keys", {"keys/allowed": "alice@example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEx\n"})
    fixed = ms(repo, "doctor", check=False)
    assert "keys/allowed" not in fixed.stdout and fixed.returncode == 0, fixed.stdout


def test_an_uncommitted_edit_of_the_rules_file_is_checked_too(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "stages:\n  prod: {}\n")
    assert ms(repo, "doctor", "--tags-only", check=False).returncode == 0
    repo.write(".modelshelf.yaml", "stages:\n  prod: {}\nallowed_signers: nowhere/keys\n")
    result = ms(repo, "doctor", "--tags-only", check=False)
    assert result.returncode == 1
    assert ".modelshelf.yaml (work tree), line 3: allowed-signers file nowhere/keys is missing in the work tree" \
        in result.stdout
    repo.write(".modelshelf.yaml", "stages:\n  prod: {after: [\n")
    broken = ms(repo, "doctor", "--tags-only", check=False)
    assert ".modelshelf.yaml (work tree): not valid YAML" in broken.stdout and broken.returncode == 1
