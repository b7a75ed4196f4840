"""Download over HTTP from a published site: exact bytes by @latest, @vX.Y.Z and #stage;
corrupted bytes give an error and no file. A real http.server on 127.0.0.1 serves the site."""

from __future__ import annotations

import hashlib
import json
import re
import shlex
import subprocess
from pathlib import Path

import jsonschema
import pytest

import modelshelf.delivery as dl
from modelshelf.index.build import build_index, dumps, load_schema
from modelshelf.registry import load_registry

from .churn import DVC_YAML, ENCODER, V1, V2, build_churn
from .conftest import require_tool
from .gitutil import GitBuilder, git_bytes, run_cli


@pytest.mark.parametrize(
    "spec, version",
    [("churn", "v1.1.0"), ("churn@latest", "v1.1.0"), ("churn@v1.0.0", "v1.0.0"),
     ("churn#dev", "v1.1.0"), ("churn#prod", "v1.0.0")],
)
def test_cli_download_over_http_gives_the_exact_bytes_at_the_versions_commit(
    churn_site, repo: GitBuilder, tmp_path: Path, spec: str, version: str
) -> None:
    url, _folder, shas, _data = churn_site
    out = tmp_path / "out"
    result = run_cli("download", spec, "--index", url, "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(out / "churn.pkl")
    assert (out / "churn.pkl").read_bytes() == git_bytes(repo, shas[version], "models/churn.pkl")
    assert sorted(p.name for p in out.iterdir()) == ["churn.pkl"]  # no temporary files left behind


def test_published_index_validates_and_points_into_the_site(churn_site) -> None:
    _url, folder, shas, data = churn_site
    jsonschema.validate(data, load_schema())
    churn = next(m for m in data["models"] if m["name"] == "churn")
    for version in churn["versions"]:
        storage = version["storage"]
        published = folder / storage["download_url"]
        assert hashlib.sha256(published.read_bytes()).hexdigest() == storage["sha256"]
        assert storage["download_url"] == f"artifacts/sha256/{storage['sha256'][:2]}/{storage['sha256'][2:]}"


def test_python_api_resolves_and_downloads_a_folder_model_over_http(churn_site, repo: GitBuilder, tmp_path: Path) -> None:
    url, _folder, shas, _data = churn_site
    resolution = dl.resolve("encoder@v0.1.0", index=url)
    assert (resolution.version.version, resolution.version.commit) == ("v0.1.0", shas["v1.0.0"])
    assert resolution.storage.is_dir and resolution.url and resolution.url.endswith(".dir")
    path = dl.download("encoder", tmp_path / "out", index=url)
    assert path == tmp_path / "out" / "encoder"
    written = {p.relative_to(path).as_posix(): p.read_bytes() for p in path.rglob("*") if p.is_file()}
    assert written == {k.removeprefix("models/encoder/"): v for k, v in ENCODER.items()}


def test_per_model_file_works_as_the_index_too(churn_site, tmp_path: Path) -> None:
    url, *_ = churn_site
    path = dl.download("churn#prod", tmp_path, index=url.replace("registry.json", "models/churn.json"))
    assert path.read_bytes() == V1


def test_corrupted_file_on_the_server_fails_and_leaves_nothing(churn_site, tmp_path: Path) -> None:
    url, folder, _shas, data = churn_site
    churn = next(m for m in data["models"] if m["name"] == "churn")
    latest = next(v for v in churn["versions"] if v["version"] == churn["latest"])
    (folder / latest["storage"]["download_url"]).write_bytes(b"tampered")
    out = tmp_path / "out"
    result = run_cli("download", "churn@latest", "--index", url, "-o", str(out))
    assert result.returncode == 1
    assert "checksum mismatch" in result.stderr and latest["storage"]["sha256"] in result.stderr
    assert not out.exists()  # not even the folder the download created


def test_corrupted_file_in_a_folder_model_fails_and_keeps_the_previous_copy(churn_site, tmp_path: Path) -> None:
    url, folder, _shas, _data = churn_site
    out = tmp_path / "out"
    dl.download("encoder", out, index=url)
    before = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    digest = hashlib.sha256(b"a\nb\n").hexdigest()
    (folder / "artifacts" / "sha256" / digest[:2] / digest[2:]).write_bytes(b"evil\n")
    with pytest.raises(dl.IntegrityFailed, match="vocab.txt"):
        dl.download("encoder", out, index=url, force=True)
    after = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before


def test_existing_destination_needs_force(churn_site, tmp_path: Path) -> None:
    url, *_ = churn_site
    (tmp_path / "churn.pkl").write_bytes(b"old")
    result = run_cli("download", "churn#dev", "--index", url, "-o", str(tmp_path))
    assert result.returncode == 2 and "already exists" in result.stderr
    assert (tmp_path / "churn.pkl").read_bytes() == b"old"
    assert run_cli("download", "churn#dev", "--index", url, "-o", str(tmp_path), "--force").returncode == 0
    assert (tmp_path / "churn.pkl").read_bytes() == V2


def test_resolve_prints_the_record_as_json(churn_site) -> None:
    url, _folder, shas, _data = churn_site
    result = run_cli("resolve", "churn#prod", "--index", url)
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["version"] == "v1.0.0" and record["commit"] == shas["v1.0.0"]
    assert record["tag"] == "churn@v1.0.0" and record["selected_by"] == "stage prod"
    assert record["checksums"]["sha256"] == hashlib.sha256(V1).hexdigest()
    assert record["url"] == url.replace("api/registry.json", record["storage"]["download_url"])
    assert record["path"] == "models/churn.pkl" and record["storage"]["kind"] == "git"


def test_unpublished_bytes_name_the_fix(repo: GitBuilder, tmp_path: Path, serve) -> None:
    build_churn(repo)
    folder = tmp_path / "site"
    (folder / "api").mkdir(parents=True)
    (folder / "api" / "registry.json").write_text(dumps(build_index(load_registry(repo.path)).data))
    result = run_cli("download", "churn", "--index", serve(folder) + "api/registry.json", "-o", str(tmp_path / "o"))
    assert result.returncode == 2  # permanent: no copy, and no remote to fetch it from
    assert "--publish-artifacts" in result.stderr and "--repo" in result.stderr


def test_unreachable_or_missing_index_is_an_error(tmp_path: Path, serve) -> None:
    url = serve(tmp_path) + "api/registry.json"
    result = run_cli("resolve", "churn", "--index", url)
    assert result.returncode == 2 and "404" in result.stderr
    (tmp_path / "bad.json").write_text("{not json")
    result = run_cli("resolve", "churn", "--index", str(tmp_path / "bad.json"))
    assert result.returncode == 2 and "not valid JSON" in result.stderr


def readme_snippet() -> str:
    """The README's no-Python download script, exactly as published."""
    text = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = text[text.index("## Downloading a model"):]
    return section[section.index("```sh\n") + 6: section.index("```", section.index("```sh\n") + 6)]


def run_readme_snippet(site_root: str, cwd: Path, **values: str) -> subprocess.CompletedProcess:
    """Run it with POSIX sh (dash where /bin/sh is dash), changing only its first line's values."""
    first, rest = readme_snippet().split("\n", 1)
    for key, value in {"SITE": site_root, **values}.items():
        first = re.sub(rf"\b{key}=\S*", f"{key}={shlex.quote(value)}" if value else f"{key}=", first)
    return subprocess.run(["sh", "-c", f"{first}\n{rest}"], cwd=cwd, capture_output=True, text=True)


def test_readme_curl_and_jq_script_needs_no_python_and_fails_loudly(churn_site, tmp_path: Path, serve) -> None:
    require_tool("sh", "curl", "jq", "sha256sum")
    url, folder, shas, data = churn_site
    root = url.removesuffix("api/registry.json").rstrip("/")
    got = run_readme_snippet(root, tmp_path, NAME="churn", STAGE="prod", OUT="prod.pkl")
    assert got.returncode == 0, got.stderr
    assert (tmp_path / "prod.pkl").read_bytes() == V1
    got = run_readme_snippet(root, tmp_path, NAME="churn", STAGE="", OUT="latest.pkl")
    assert got.returncode == 0, got.stderr
    assert (tmp_path / "latest.pkl").read_bytes() == V2
    failures = {  # each: a non-zero exit, the reason on stderr, no file
        ("encoder", "", "not published as one file"), ("churn", "staging", "stage staging holds no version"),
        ("nope", "prod", "no model nope"),
    }
    for name, stage, reason in failures:
        got = run_readme_snippet(root, tmp_path, NAME=name, STAGE=stage, OUT="out.bin")
        assert got.returncode != 0 and reason in got.stderr, (name, stage, got.stderr)
    (tmp_path / "empty-site").mkdir()
    dead = serve(tmp_path / "empty-site")  # answers 404 for everything
    got = run_readme_snippet(dead.rstrip("/"), tmp_path, OUT="out.bin")
    assert got.returncode != 0 and "404" in got.stderr
    churn = next(m for m in data["models"] if m["name"] == "churn")
    prod = next(v for v in churn["versions"] if v["version"] == churn["stages"]["prod"])
    (folder / prod["storage"]["download_url"]).write_bytes(b"tampered")
    got = run_readme_snippet(root, tmp_path, OUT="out.bin")
    assert got.returncode != 0 and "FAILED" in got.stdout + got.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["latest.pkl", "prod.pkl"]


def test_symlink_in_a_git_folder_model_is_refused(repo: GitBuilder, tmp_path: Path) -> None:
    repo.write("models/encoder/weights.bin", b"w")
    (repo.path / "models" / "encoder" / "link").symlink_to("/etc/passwd")
    repo.commit("link", {"dvc.yaml": DVC_YAML})
    repo.tag("encoder@v0.1.0")
    result = run_cli("download", "encoder", "--repo", str(repo.path), "-o", str(tmp_path / "out"))
    assert result.returncode == 1 and "refusing symlink 'models/encoder/link'" in result.stderr
    assert not (tmp_path / "out" / "encoder").exists()


def test_download_from_the_repo_needs_no_site(repo: GitBuilder, tmp_path: Path) -> None:
    shas = build_churn(repo)
    result = run_cli("download", "churn#dev", "-o", str(tmp_path), cwd=repo.path)  # --repo defaults to .
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "churn.pkl").read_bytes() == git_bytes(repo, shas["v1.1.0"], "models/churn.pkl")


def test_download_warns_like_resolve_about_deregistered_and_deprecated(repo: GitBuilder, tmp_path: Path) -> None:
    shas = build_churn(repo)
    got = run_cli("download", "churn@v1.2.0", "-o", str(tmp_path / "a"), "--repo", str(repo.path))
    assert got.returncode == 0, got.stderr
    assert "churn v1.2.0 is deregistered" in got.stderr
    assert (tmp_path / "a" / "churn.pkl").read_bytes() == git_bytes(repo, shas["v1.2.0"], "models/churn.pkl")
    repo.tag("churn@deprecated#5")
    got = run_cli("download", "churn@v1.1.0", "-o", str(tmp_path / "b"), "--repo", str(repo.path))
    assert got.returncode == 0, got.stderr
    assert "model 'churn' is deprecated" in got.stderr and "deregistered" not in got.stderr
    resolved = run_cli("resolve", "churn@v1.1.0", "--repo", str(repo.path))
    assert "model 'churn' is deprecated" in resolved.stderr
