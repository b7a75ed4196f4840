"""Registry reading hardened: signed tag messages, dangling tags, capped metrics."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from modelshelf.git.tagrefs import _unsigned
from modelshelf.index.build import build_index
from modelshelf.registry import load_registry

from .gitutil import GitBuilder, run_cli

FAKE_PGP = (
    "-----BEGIN PGP SIGNATURE-----\n\niQEzBAABCAAdFiEEAAAAAAAAAAAAAAAAAAAAAAAAAAAFAmAAAAA=\n=AAAA\n"
    "-----END PGP SIGNATURE-----\n"
)


def _declare(repo: GitBuilder) -> str:
    return repo.commit("model", {"dvc.yaml": "artifacts:\n  churn:\n    path: model.bin\n", "model.bin": "w"})


def _ssh_signing(repo: GitBuilder, tmp_path: Path) -> None:
    key = tmp_path / "signing-key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "tester", "-f", str(key)], check=True)
    repo.git("config", "gpg.format", "ssh")
    repo.git("config", "user.signingkey", str(key))


def _pgp_signed_tag(repo: GitBuilder, name: str, commit: str, message: str) -> None:
    """A tag object whose message carries a PGP block, written with ``git mktag`` (no GPG needed)."""
    body = (f"object {commit}\ntype commit\ntag {name}\ntagger T <t@example.com> 1700000000 +0000\n\n"
            f"{message}\n{FAKE_PGP}")
    sha = subprocess.run(["git", "mktag"], cwd=repo.path, input=body, capture_output=True, text=True,
                         check=True).stdout.strip()
    repo.git("update-ref", f"refs/tags/{name}", sha)


@pytest.mark.gto
def test_ssh_signed_tag_message_has_no_signature_as_gto(repo: GitBuilder, tmp_path: Path) -> None:
    _ssh_signing(repo, tmp_path)
    sha = _declare(repo)
    repo.git("tag", "-s", "-a", "churn@v0.0.1", sha, "-m", "Registering artifact churn version v0.0.1")
    repo.git("tag", "-s", "-a", "churn#prod#1", sha, "-m", "Assigning stage prod to artifact churn version v0.0.1")
    assert "BEGIN SSH SIGNATURE" in repo.git("cat-file", "-p", "churn@v0.0.1")  # really signed
    ours = json.loads(run_cli("history", "--json", "--repo", str(repo.path), check=True).stdout)
    assert ours == repo.gto_json("history", "--json")
    assert all("SIGNATURE" not in event["message"] for event in ours)
    index = build_index(load_registry(repo.path), use_cache=False).data
    messages = [e["message"] for e in index["events"]] + [v["message"] for v in index["models"][0]["versions"]]
    assert messages and all("SIGNATURE" not in m for m in messages)


@pytest.mark.gto
def test_pgp_signed_tag_message_has_no_signature_as_gto(repo: GitBuilder) -> None:
    sha = _declare(repo)
    _pgp_signed_tag(repo, "churn@v0.0.1", sha, "Registering artifact churn version v0.0.1")
    ours = json.loads(run_cli("history", "--json", "--repo", str(repo.path), check=True).stdout)
    assert ours == repo.gto_json("history", "--json")
    assert ours[0]["message"] == "Registering artifact churn version v0.0.1"


def test_unsigned_keeps_a_message_that_only_quotes_a_signature() -> None:
    quoted = b"see the block below\n-----BEGIN SSH SIGNATURE-----\nnot really\n"
    assert _unsigned(quoted, b"") == quoted  # Git found no signature: nothing is cut
    assert _unsigned(b"msg\n" + FAKE_PGP.encode(), FAKE_PGP.encode()) == b"msg\n"


def _dangling_repo(repo: GitBuilder) -> None:
    """churn@v0.0.1 fine; churn@v0.0.2 (annotated) and 'lost' (lightweight) on a commit whose object is gone."""
    first = _declare(repo)
    repo.tag("churn@v0.0.1", first, "Registering artifact churn version v0.0.1")
    repo.git("checkout", "-q", "--orphan", "rewritten")
    lost = repo.commit("rewritten history", {"model.bin": "other weights"})
    repo.tag("churn@v0.0.2", lost, "Registering artifact churn version v0.0.2")
    repo.lightweight_tag("lost", lost)
    repo.git("checkout", "-q", first)
    repo.git("branch", "-D", "rewritten")
    (repo.path / ".git" / "objects" / lost[:2] / lost[2:]).unlink()  # the object pruned
    assert repo.git("for-each-ref", "--format=%(*objectname)", "refs/tags", check=False) == ""  # git itself fails


def test_dangling_tag_is_skipped_with_a_warning_naming_it(repo: GitBuilder) -> None:
    _dangling_repo(repo)
    show = run_cli("show", "--json", "--repo", str(repo.path))
    assert show.returncode == 0, show.stderr
    assert json.loads(show.stdout)["churn"]["version"] == "v0.0.1"
    assert "tag 'churn@v0.0.2' points at a missing object" in show.stderr and "tag 'lost'" in show.stderr
    history = run_cli("history", "--json", "--repo", str(repo.path))
    assert history.returncode == 0 and [e["ref"] for e in json.loads(history.stdout)] == ["churn@v0.0.1"]
    doctor = run_cli("doctor", "--repo", str(repo.path))
    assert doctor.returncode == 1 and "tag 'churn@v0.0.2' points at a missing object" in doctor.stdout + doctor.stderr
    index = run_cli("index", "--repo", str(repo.path))
    assert index.returncode == 0, index.stderr
    data = json.loads(index.stdout)
    assert [v["version"] for v in data["models"][0]["versions"]] == ["v0.0.1"]
    assert "tag 'lost' points at a missing object" in index.stderr


def test_dangling_tag_does_not_stop_the_build(repo: GitBuilder, tmp_path: Path) -> None:
    _dangling_repo(repo)
    site = tmp_path / "site"
    build = run_cli("build", "-q", "--candidates", "0", "--repo", str(repo.path), "-o", str(site))
    assert build.returncode == 0, build.stderr
    assert "tag 'churn@v0.0.2' points at a missing object" in build.stderr
    assert json.loads((site / "api" / "registry.json").read_text())["models"][0]["latest"] == "v0.0.1"


def test_metrics_past_the_cap_are_a_doctor_finding_and_a_build_warning(repo: GitBuilder, tmp_path: Path) -> None:
    from modelshelf.metadata.parse import MAX_NODES

    many = {f"m{i}": i / 7 for i in range(MAX_NODES + 50)}
    sha = repo.commit("model", {
        "dvc.yaml": "artifacts:\n  churn:\n    path: model.bin\nmetrics:\n- metrics.json\n",
        "model.bin": "w", "metrics.json": json.dumps(many),
    })
    repo.tag("churn@v0.0.1", sha, "Registering artifact churn version v0.0.1")
    index = build_index(load_registry(repo.path), use_cache=False)
    capped = [p for p in index.problems if p.startswith("metrics.json at ") and f"{MAX_NODES:,} entries" in p]
    assert len(capped) == 1, index.problems
    assert 0 < len(index.data["models"][0]["versions"][0]["metrics"]) < MAX_NODES
    doctor = run_cli("doctor", "--repo", str(repo.path))
    assert doctor.returncode == 1 and f"the cap is {MAX_NODES:,} entries" in doctor.stdout + doctor.stderr
    site = tmp_path / "site"
    build = run_cli("build", "--candidates", "0", "--repo", str(repo.path), "-o", str(site))
    assert build.returncode == 0 and "WARNING" in build.stderr and "metrics.json" in build.stderr \
        and f"the cap is {MAX_NODES:,} entries" in build.stderr, build.stderr


def test_metrics_within_the_cap_raise_nothing(repo: GitBuilder) -> None:
    sha = repo.commit("model", {
        "dvc.yaml": "artifacts:\n  churn:\n    path: model.bin\nmetrics:\n- metrics.json\n",
        "model.bin": "w", "metrics.json": json.dumps({f"m{i}": i for i in range(100)}),
    })
    repo.tag("churn@v0.0.1", sha, "Registering artifact churn version v0.0.1")
    assert build_index(load_registry(repo.path), use_cache=False).problems == []
