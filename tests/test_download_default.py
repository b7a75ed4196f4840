"""Issue 13 item 1: downloading from the hosted catalog works with the defaults.

The walk a new user takes: a repo with a remote, `modelshelf build` with no flags, the site served on
loopback, `modelshelf download NAME@latest -o models/ --index SITE/api/registry.json`. The default build
publishes the Git-stored bytes of the versions that are latest or held by a stage (up to a size cap);
other versions come from the repository's remote (a real smart-HTTP Git server over HTTPS on loopback,
one blob through a partial fetch, the user's own Git settings: here the CA file)."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from .githttp import GitHttpsServer, publish_bare, self_signed
from .gitutil import GitBuilder, run_cli
from .churn import V1, V2, V3, build_churn
from .test_download_dvc import CLF, dvc_repo, dvc_template  # noqa: F401 (fixtures)

BIG = b"\x07" * (3 << 10)  # 3 KiB: over the 2K cap one test builds with


@pytest.fixture(scope="module")
def hosted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """churn (v1.0.0 prod, v1.1.0 latest, v1.2.0 deregistered) + big (v1 older, v2 latest of 3 KiB), pushed
    to an HTTPS Git server on loopback (the index's repository.remote), and sites built by the real CLI."""
    root = tmp_path_factory.mktemp("hosted")
    repo = GitBuilder(root / "repo")
    shas = build_churn(repo)
    repo.commit("big", {"dvc.yaml": (repo.path / "dvc.yaml").read_text()
                        + "  big:\n    path: models/big.bin\n    type: model\n", "models/big.bin": b"old big"})
    repo.tag("big@v1.0.0")
    repo.commit("big 2", {"models/big.bin": BIG})
    repo.tag("big@v2.0.0")
    cert, key = self_signed(root)
    (root / "git").mkdir()
    server = GitHttpsServer(root / "git", cert).start(key)
    try:
        remote = server.url + "churn.git"
        repo.git("remote", "add", "origin", remote)
        publish_bare(repo.path, root / "git", "churn.git")
        sites = {}
        for label, flags in {"default": [], "capped": ["--publish-max-size", "2K"], "none": ["--no-publish-artifacts"]}.items():
            built = run_cli("build", "--repo", str(repo.path), "-o", str(root / f"site-{label}"), "-q", *flags)
            assert built.returncode == 0, built.stderr
            sites[label] = root / f"site-{label}"
        yield {"repo": repo, "shas": shas, "server": server, "remote": remote, "cert": cert, "sites": sites}
    finally:
        server.stop()


def with_ca(hosted: dict) -> dict[str, str]:
    """The user's own Git setting that trusts the server (as a company CA would be configured)."""
    return {"GIT_SSL_CAINFO": str(hosted["cert"])}


def storage(site: Path, name: str, version: str) -> dict:
    data = json.loads((site / "api" / "registry.json").read_text())
    model = next(m for m in data["models"] if m["name"] == name)
    return next(v for v in model["versions"] if v["version"] == version)["storage"]


def test_default_build_publishes_latest_and_stage_held_git_bytes_only(hosted: dict) -> None:
    site = hosted["sites"]["default"]
    assert storage(site, "churn", "v1.1.0")["download_url"]  # latest (and dev)
    assert storage(site, "churn", "v1.0.0")["download_url"]  # held by prod
    assert storage(site, "churn", "v1.2.0")["download_url"] is None  # deregistered: neither
    assert storage(site, "big", "v2.0.0")["download_url"]
    assert storage(site, "big", "v1.0.0")["download_url"] is None  # an older version
    published = {p.parent.name + p.name for p in (site / "artifacts").rglob("*") if p.is_file()}
    sha = {data: hashlib.sha256(data).hexdigest() for data in (V1, V2, V3, BIG, b"old big")}
    assert {sha[V1], sha[V2], sha[BIG]} <= published
    assert sha[V3] not in published and sha[b"old big"] not in published
    data = json.loads((site / "api" / "registry.json").read_text())
    assert data["repository"]["remote"] == hosted["remote"]


@pytest.mark.parametrize("spec, version, data", [("churn@latest", "v1.1.0", V2), ("churn#prod", "v1.0.0", V1)])
def test_download_from_the_default_site_needs_no_flag(hosted: dict, serve, tmp_path: Path, spec: str,  # noqa: F811
                                                       version: str, data: bytes) -> None:
    url = serve(hosted["sites"]["default"]) + "api/registry.json"
    before = len(hosted["server"].requests)
    result = run_cli("download", spec, "-o", str(tmp_path / "models"), "--index", url)  # no Git setting needed
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "models" / "churn.pkl").read_bytes() == data
    assert len(hosted["server"].requests) == before  # the site alone served it


def test_unpublished_version_comes_from_the_repositorys_remote(hosted: dict, serve, tmp_path: Path) -> None:  # noqa: F811
    url = serve(hosted["sites"]["default"]) + "api/registry.json"
    before = len(hosted["server"].requests)
    result = run_cli("download", "churn@v1.2.0", "-o", str(tmp_path), "--index", url, env=with_ca(hosted))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "churn.pkl").read_bytes() == V3
    assert len(hosted["server"].requests) > before  # fetched from the Git server, not the site


def test_over_the_cap_is_left_to_the_remote(hosted: dict, serve, tmp_path: Path) -> None:  # noqa: F811
    site = hosted["sites"]["capped"]
    assert storage(site, "big", "v2.0.0")["download_url"] is None  # 3 KiB > 2K
    assert storage(site, "churn", "v1.0.0")["download_url"]  # small enough
    assert storage(site, "churn", "v1.1.0")["download_url"] is None  # 9,000 bytes > 2K
    result = run_cli("download", "big", "-o", str(tmp_path), "--index", serve(site), env=with_ca(hosted))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "big.bin").read_bytes() == BIG


def test_no_published_bytes_and_no_way_to_the_remote_is_exit_2(hosted: dict, serve, tmp_path: Path) -> None:  # noqa: F811
    site = tmp_path / "site"
    shutil.copytree(hosted["sites"]["none"], site)
    assert "download_url" not in json.dumps(storage(site, "churn", "v1.1.0"))  # --no-publish-artifacts: as before
    for path in [site / "api" / "registry.json"]:
        data = json.loads(path.read_text())
        data["repository"]["remote"] = None
        path.write_text(json.dumps(data))
    (site / "api" / "models" / "churn.json").unlink()  # make the lookup read registry.json
    result = run_cli("download", "churn", "-o", str(tmp_path / "o"), "--index", serve(site) + "api/registry.json")
    assert result.returncode == 2  # permanent: retrying will not help
    assert "not published" in result.stderr and "names no Git remote" in result.stderr
    assert "--publish-artifacts" in result.stderr and "--repo" in result.stderr


@pytest.mark.parametrize("remote", ["/srv/git/churn.git", "file:///srv/git/churn.git", "ext::sh -c touch% /tmp/pwned",
                                    "http://127.0.0.1:9/churn.git", "--upload-pack=touch /tmp/pwned"])
def test_an_http_index_may_name_only_https_or_ssh_remotes(hosted: dict, serve, tmp_path: Path, remote: str) -> None:  # noqa: F811
    site = tmp_path / "site"
    shutil.copytree(hosted["sites"]["none"], site)
    path = site / "api" / "registry.json"
    data = json.loads(path.read_text())
    data["repository"]["remote"] = remote
    path.write_text(json.dumps(data))
    result = run_cli("download", "churn", "-o", str(tmp_path / "o"), "--index", serve(site) + "api/registry.json")
    assert result.returncode == 2, result.stderr
    assert "refusing Git remote" in result.stderr
    assert not (tmp_path / "o").exists() and not Path("/tmp/pwned").exists()


def test_a_local_index_may_name_a_local_remote(hosted: dict, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(hosted["sites"]["none"], site)
    path = site / "api" / "registry.json"
    data = json.loads(path.read_text())
    data["repository"]["remote"] = str(hosted["repo"].path)
    path.write_text(json.dumps(data))
    result = run_cli("download", "churn#prod", "-o", str(tmp_path / "o"), "--index", str(path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "o" / "churn.pkl").read_bytes() == V1
    assert hashlib.sha256(V1).hexdigest() == storage(site, "churn", "v1.0.0")["sha256"]


def test_dvc_bytes_keep_their_own_storage_and_build_takes_dvc_remote(dvc_repo, tmp_path: Path, serve) -> None:  # noqa: F811
    repo, remote = dvc_repo
    moved = tmp_path / "moved-remote"
    remote.rename(moved)  # the configured remote is gone: only --dvc-remote finds the objects
    default = tmp_path / "site-default"
    built = run_cli("build", "--repo", str(repo.path), "-o", str(default), "-q")
    assert built.returncode == 0, built.stderr
    assert storage(default, "clf", "v1.0.0")["download_url"] is None  # DVC: not published by default
    got = run_cli("download", "clf#prod", "-o", str(tmp_path / "a"), "--index", serve(default), "--dvc-remote", str(moved))
    assert got.returncode == 0, got.stderr
    assert (tmp_path / "a" / "clf.pkl").read_bytes() == CLF
    everything = tmp_path / "site-all"
    built = run_cli("build", "--repo", str(repo.path), "-o", str(everything), "-q", "--publish-artifacts",
                    "--dvc-remote", str(moved))
    assert built.returncode == 0, built.stderr
    assert storage(everything, "clf", "v1.0.0")["download_url"]
    got = run_cli("download", "clf#prod", "-o", str(tmp_path / "b"), "--index", serve(everything))
    assert got.returncode == 0, got.stderr
    assert (tmp_path / "b" / "clf.pkl").read_bytes() == CLF
