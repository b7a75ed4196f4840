"""DVC-tracked models: bytes by md5 from the local cache or a remote folder in DVC's
layouts (DVC 3 ``files/md5/xx/rest``, DVC 2 ``xx/rest``), folders through ``.dir``
manifests; plus external URLs. Real dvc (a test dependency) makes the repo, its hashes, cache
and remote: the expected values are what dvc wrote, never a re-implementation of its hashing."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

import modelshelf.delivery as dl
from modelshelf.delivery import publish_artifacts
from modelshelf.index.build import build_index, dumps
from modelshelf.registry import load_registry

from .conftest import require_tool
from .gitutil import GitBuilder, run_cli

pytestmark = pytest.mark.dvc

CLF = b"\x80\x04clf-weights\x00" * 50
TOK = {"vocab.txt": b"hello\nworld\n", "nested/merges.bin": b"\x00\x01merges"}
DVC_YAML = """\
artifacts:
  clf:
    path: models/clf.pkl
    type: model
  tok:
    path: models/tok
    type: model
"""
CONFIG = """\
[core]
    remote = storage
['remote "storage"']
    url = ../../remote
"""


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def put(store: Path, digest: str, data: bytes, dvc3: bool = True) -> Path:
    target = store / ("files/md5" if dvc3 else "") / digest[:2] / digest[2:]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


def lock(tok_md5: str, files: dict[str, bytes]) -> str:
    """A hand-written dvc.lock, for manifests real dvc would never write (hostile paths)."""
    return (
        "schema: '2.0'\nstages:\n  train:\n    cmd: python train.py\n    outs:\n"
        f"    - path: models/tok\n      hash: md5\n      md5: {tok_md5}\n"
        f"      size: {sum(map(len, files.values()))}\n      nfiles: {len(files)}\n"
    )


def dvc(cwd: Path, *args: str) -> str:
    """The real dvc CLI: the oracle for hashes, ``.dir`` manifests, cache and remote layouts."""
    require_tool("dvc")
    env = {**os.environ, "DVC_NO_ANALYTICS": "1", "DVC_SITE_CACHE_DIR": str(cwd.parent / "dvc-site-cache")}
    result = subprocess.run(["dvc", *args], cwd=cwd, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"dvc {' '.join(args)} failed: {result.stdout}{result.stderr}"
    return result.stdout


MAKE_TOK = "import pathlib, sys\nfor rel, data in {files!r}.items():\n" \
           "    path = pathlib.Path('models/tok') / rel\n    path.parent.mkdir(parents=True, exist_ok=True)\n" \
           "    path.write_bytes(data)\n"


@dataclass(frozen=True)
class DvcProject:
    """What real dvc recorded: clf's md5 (its .dvc file), tok's ``.dir`` md5 (dvc.lock) and manifest."""

    clf_md5: str
    tok_md5: str
    tok_objects: dict[str, str]  # relpath -> md5, from the manifest dvc pushed


@pytest.fixture(scope="module")
def dvc_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DvcProject]:
    """Made once with real dvc: ``dvc add`` (clf, a .dvc file) and a ``dvc repro`` stage (tok, a folder
    in dvc.lock), ``dvc push`` to a local remote (DVC 3 layout). Then, as a fresh clone sees it: no
    workspace copies, no cache (kept aside as ``cache-dvc-made``); tok's objects moved into DVC 2's
    layout (``xx/rest`` at the remote's root, where DVC 2 pushed them)."""
    base = tmp_path_factory.mktemp("dvc-template")
    repo = GitBuilder(base / "repo")
    dvc(repo.path, "init", "-q")
    dvc(repo.path, "remote", "add", "-d", "storage", "../remote")
    repo.write("models/clf.pkl", CLF)
    dvc(repo.path, "add", "-q", "models/clf.pkl")
    repo.write("make_tok.py", MAKE_TOK.format(files=TOK))
    dvc(repo.path, "stage", "add", "-q", "-n", "train", "-d", "make_tok.py", "-o", "models/tok", f"{sys.executable} make_tok.py")
    dvc(repo.path, "repro", "-q")
    dvc(repo.path, "push", "-q")
    with (repo.path / "dvc.yaml").open("a") as dvc_yaml:
        dvc_yaml.write(DVC_YAML)
    repo.commit("dvc models")
    repo.tag("clf@v1.0.0")
    repo.tag("tok@v1.0.0")
    repo.tag("clf#prod#1")
    clf_md5 = yaml.safe_load((repo.path / "models/clf.pkl.dvc").read_text())["outs"][0]["md5"]
    tok_md5 = yaml.safe_load((repo.path / "dvc.lock").read_text())["stages"]["train"]["outs"][0]["md5"]
    remote = base / "remote"
    manifest = json.loads((remote / "files/md5" / tok_md5[:2] / tok_md5[2:]).read_bytes())
    objects = {entry["relpath"]: entry["md5"] for entry in manifest}
    assert set(objects) == set(TOK) and tok_md5.endswith(".dir") and clf_md5 == md5(CLF)
    for digest in (tok_md5, *objects.values()):
        dvc3 = remote / "files/md5" / digest[:2] / digest[2:]
        (remote / digest[:2]).mkdir(exist_ok=True)
        dvc3.rename(remote / digest[:2] / digest[2:])
    shutil.rmtree(repo.path / "models/tok")
    (repo.path / "models/clf.pkl").unlink()
    (repo.path / ".dvc/cache").rename(base / "cache-dvc-made")
    return base, DvcProject(clf_md5, tok_md5, objects)


@pytest.fixture
def dvc_repo(dvc_template: tuple[Path, DvcProject], tmp_path: Path) -> tuple[GitBuilder, Path]:
    """A copy of the template for one test: (the repo, its remote folder)."""
    base, _ = dvc_template
    shutil.copytree(base / "repo", tmp_path / "repo", symlinks=True)
    shutil.copytree(base / "remote", tmp_path / "remote", symlinks=True)
    return GitBuilder(tmp_path / "repo"), tmp_path / "remote"


def test_dvc_file_from_a_remote_folder_in_dvc3_layout(dvc_repo, tmp_path: Path) -> None:
    repo, _remote = dvc_repo
    result = run_cli("download", "clf#prod", "--repo", str(repo.path), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "clf.pkl").read_bytes() == CLF
    record = dl.resolve("clf#prod", repo=repo.path)
    assert (record.storage.kind, record.storage.md5, record.storage.tracked_by) == ("dvc", md5(CLF), "models/clf.pkl.dvc")


def test_dvc_folder_through_its_dir_manifest_in_dvc2_layout(dvc_repo, tmp_path: Path) -> None:
    repo, _remote = dvc_repo
    path = dl.download("tok@v1.0.0", tmp_path / "out", repo=repo.path)
    assert {p.relative_to(path).as_posix(): p.read_bytes() for p in path.rglob("*") if p.is_file()} == TOK


def test_local_cache_is_used_first_and_config_local_overrides_the_remote(dvc_repo, dvc_template, tmp_path: Path) -> None:
    repo, remote = dvc_repo
    other = tmp_path / "other-remote"
    for path in sorted(remote.rglob("*")):
        if path.is_file():
            target = other / path.relative_to(remote)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    # The shared remote is gone; the object is in the cache (clf) or in the config.local remote (tok).
    for path in sorted(remote.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    shutil.copytree(dvc_template[0] / "cache-dvc-made", repo.path / ".dvc" / "cache")  # as `dvc add`/`repro` left it
    for path in sorted((repo.path / ".dvc" / "cache").rglob("*")):
        if path.is_file() and path.read_bytes() != CLF:
            path.unlink()  # only clf stays cached: tok must come from the config.local remote
    (repo.path / ".dvc" / "config.local").write_text(f"['remote \"storage\"']\n    url = {other}\n")
    assert dl.download("clf", tmp_path / "a", repo=repo.path).read_bytes() == CLF
    assert (dl.download("tok", tmp_path / "b", repo=repo.path) / "vocab.txt").read_bytes() == TOK["vocab.txt"]


def test_corrupted_remote_object_fails_and_leaves_nothing(dvc_repo, tmp_path: Path) -> None:
    repo, remote = dvc_repo
    put(remote, md5(TOK["nested/merges.bin"]), b"bit rot", dvc3=False)
    out = tmp_path / "out"
    result = run_cli("download", "tok", "--repo", str(repo.path), "-o", str(out))
    assert result.returncode == 1
    assert "nested/merges.bin" in result.stderr and "checksum mismatch" in result.stderr
    assert not out.exists()  # not even the folder the download created


def test_missing_object_names_where_it_looked(dvc_repo, tmp_path: Path) -> None:
    repo, remote = dvc_repo
    (remote / "files" / "md5" / md5(CLF)[:2] / md5(CLF)[2:]).unlink()
    result = run_cli("download", "clf", "--repo", str(repo.path), "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "not found" in result.stderr and str(remote) in result.stderr
    assert not (tmp_path / "out" / "clf.pkl").exists()


def test_manifest_paths_escaping_the_output_folder_are_refused(repo: GitBuilder, tmp_path: Path) -> None:
    remote = tmp_path / "remote"
    evil = {"../escaped.txt": b"gotcha"}
    raw = json.dumps([{"md5": md5(b"gotcha"), "relpath": "../escaped.txt"}]).encode()  # no dvc writes this
    tok_md5 = md5(raw) + ".dir"
    put(remote, tok_md5, raw)
    put(remote, md5(b"gotcha"), b"gotcha")
    repo.commit("evil", {"dvc.yaml": DVC_YAML, "dvc.lock": lock(tok_md5, evil), ".dvc/config": CONFIG})
    repo.tag("tok@v1.0.0")
    out = tmp_path / "deep" / "out"
    result = run_cli("download", "tok", "--repo", str(repo.path), "-o", str(out))
    assert result.returncode == 1 and "refusing path '../escaped.txt'" in result.stderr
    assert not (tmp_path / "deep").exists()  # nothing escaped, and the folders made for it are gone


def test_dvc2_text_file_hashed_after_crlf_to_lf_verifies(repo: GitBuilder, tmp_path: Path) -> None:
    data = b"label,score\r\nspam,0.9\r\n"
    legacy = md5(data.replace(b"\r\n", b"\n"))  # DVC 2's md5-dos2unix of a text file
    put(tmp_path / "remote", legacy, data, dvc3=False)
    repo.commit("dvc2", {"dvc.yaml": DVC_YAML, "models/clf.pkl.dvc": f"outs:\n- md5: {legacy}\n  path: clf.pkl\n",
                         ".dvc/config": CONFIG})
    repo.tag("clf@v1.0.0")
    assert dl.download("clf", tmp_path / "out", repo=repo.path).read_bytes() == data


def test_published_dvc_models_download_over_http(dvc_repo, dvc_template, tmp_path: Path, serve) -> None:
    repo, _remote = dvc_repo
    registry = load_registry(repo.path)
    data = build_index(registry).data
    problems: list[str] = []
    site = tmp_path / "site"
    publish_artifacts(registry, data, site, problems=problems)
    assert problems == []
    (site / "api").mkdir()
    (site / "api" / "registry.json").write_text(dumps(data))
    url = serve(site) + "api/registry.json"
    assert dl.download("clf#prod", tmp_path / "a", index=url).read_bytes() == CLF
    tok = dl.download("tok", tmp_path / "b", index=url)
    assert {p.relative_to(tok).as_posix(): p.read_bytes() for p in tok.rglob("*") if p.is_file()} == TOK
    record = dl.resolve("tok", index=url)
    assert record.storage.md5 == dvc_template[1].tok_md5 and record.storage.sha256 is not None


def test_publish_reports_a_version_whose_bytes_are_unavailable(dvc_repo, tmp_path: Path) -> None:
    repo, remote = dvc_repo
    (remote / "files" / "md5" / md5(CLF)[:2] / md5(CLF)[2:]).unlink()
    registry = load_registry(repo.path)
    data = build_index(registry).data
    problems: list[str] = []
    publish_artifacts(registry, data, tmp_path / "site", problems=problems)
    assert len(problems) == 1 and "clf v1.0.0" in problems[0]
    clf = next(m for m in data["models"] if m["name"] == "clf")
    assert clf["versions"][0]["storage"]["download_url"] is None
    tok = next(m for m in data["models"] if m["name"] == "tok")
    assert tok["versions"][0]["storage"]["download_url"].endswith(".dir")


def test_external_http_url_is_fetched_directly(repo: GitBuilder, tmp_path: Path, serve) -> None:
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "ext.onnx").write_bytes(b"onnx-bytes")
    base = serve(tmp_path / "files")
    repo.commit("external", {"dvc.yaml": f"artifacts:\n  ext:\n    path: {base}ext.onnx\n    type: model\n"})
    repo.tag("ext@v1.0.0")
    result = run_cli("download", "ext", "--repo", str(repo.path), "-o", str(tmp_path / "out"))
    assert result.returncode == 2 and "--allow-unverified" in result.stderr
    assert not (tmp_path / "out" / "ext.onnx").exists()
    result = run_cli("download", "ext", "--repo", str(repo.path), "-o", str(tmp_path / "out"), "--allow-unverified")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "ext.onnx").read_bytes() == b"onnx-bytes"


def test_cloud_uri_without_fsspec_names_the_uri_and_the_package(
    repo: GitBuilder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "fsspec", None)  # fsspec is optional: behave as if not installed
    repo.commit("s3", {"dvc.yaml": "artifacts:\n  big:\n    path: s3://bucket/models/big.pt\n"})
    repo.tag("big@v1.0.0")
    with pytest.raises(dl.TransferFailed) as info:
        dl.download("big", tmp_path / "out", repo=repo.path, allow_unverified=True)
    assert "s3://bucket/models/big.pt" in str(info.value) and "pip install fsspec s3fs" in str(info.value)
    assert not (tmp_path / "out").exists()  # not even the folder the download created


def test_unpublished_dvc_model_from_an_index_with_an_explicit_remote(dvc_repo, tmp_path: Path) -> None:
    repo, remote = dvc_repo
    index = tmp_path / "registry.json"
    index.write_text(dumps(build_index(load_registry(repo.path)).data))
    result = run_cli("download", "clf", "--index", str(index), "-o", str(tmp_path / "a"))
    assert result.returncode == 2 and "--dvc-remote" in result.stderr  # not published: permanent
    result = run_cli("download", "tok", "--index", str(index), "--dvc-remote", str(remote), "-o", str(tmp_path / "b"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "b" / "tok" / "nested" / "merges.bin").read_bytes() == TOK["nested/merges.bin"]
