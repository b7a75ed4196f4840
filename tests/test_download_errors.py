"""How downloads fail: an output folder that cannot be written is one line and exit 2; a failed
download removes the folders it created; a file larger than the index records stops being read;
every bad input reaches Python callers as a ``modelshelf.DownloadError``."""

from __future__ import annotations

import hashlib
import http.server
import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import modelshelf
from modelshelf.delivery.materialize import fetch_item
from modelshelf.delivery.plan import FileItem
from modelshelf.delivery.verify import Digest

from .churn import ENCODER, V1, build_churn
from .conftest import require_path, start_loopback, stop_all
from .gitutil import GitBuilder, run_cli


def one_error_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


def churn_repo(repo: GitBuilder) -> str:
    build_churn(repo)
    return str(repo.path)


# 1. An output folder that cannot be created or written to


def test_output_folder_under_a_file_is_one_line_exit_2(repo: GitBuilder, tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(b"not a folder")
    out = tmp_path / "file" / "x"
    result = run_cli("download", "churn", "--repo", churn_repo(repo), "-o", f"{out}/")
    assert result.returncode == 2
    assert one_error_line(result.stderr) == f"modelshelf: error: cannot write to {out}: Not a directory"
    assert (tmp_path / "file").read_bytes() == b"not a folder"


@pytest.mark.parametrize("output, reason", [("/dev/null/x/", "Not a directory"),
                                            ("/proc/nope/", "No such file or directory")])
def test_system_paths_that_cannot_hold_a_folder(repo: GitBuilder, output: str, reason: str) -> None:
    require_path("/proc/self", "needs Linux /proc")
    require_path("/dev/null", "needs /dev/null")
    result = run_cli("download", "churn", "--repo", churn_repo(repo), "-o", output)
    assert result.returncode == 2
    assert one_error_line(result.stderr) == f"modelshelf: error: cannot write to {output.rstrip('/')}: {reason}"


def test_existing_folder_where_no_file_can_be_created(repo: GitBuilder) -> None:
    """/proc exists, but the staging folder cannot be made in it (mkdtemp fails)."""
    require_path("/proc/self", "needs Linux /proc")
    result = run_cli("download", "churn", "--repo", churn_repo(repo), "-o", "/proc")
    assert result.returncode == 2
    assert one_error_line(result.stderr) == "modelshelf: error: cannot write to /proc: No such file or directory"


def test_python_api_raises_a_download_error_for_an_unwritable_folder(repo: GitBuilder, tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(modelshelf.DownloadError, match="^cannot write to .*file/x/y: Not a directory$") as caught:
        modelshelf.download("churn", tmp_path / "file" / "x" / "y", repo=churn_repo(repo))
    assert isinstance(caught.value, modelshelf.DestinationUnwritable) and caught.value.exit_code == 2
    assert not isinstance(caught.value, OSError)


# 2. A failed download leaves nothing behind, not even the folders it created


def test_failed_download_removes_the_folders_it_created(churn_site, tmp_path: Path) -> None:
    url, folder, _shas, data = churn_site
    churn = next(m for m in data["models"] if m["name"] == "churn")
    latest = next(v for v in churn["versions"] if v["version"] == churn["latest"])
    (folder / latest["storage"]["download_url"]).write_bytes(b"tampered")
    out = tmp_path / "new" / "a" / "b"
    result = run_cli("download", "churn", "--index", url, "-o", f"{out}/")
    assert result.returncode == 1 and "checksum mismatch" in one_error_line(result.stderr)
    assert not (tmp_path / "new").exists()
    assert tmp_path.is_dir()


def test_failed_download_keeps_folders_that_existed(churn_site, tmp_path: Path) -> None:
    url, folder, _shas, data = churn_site
    churn = next(m for m in data["models"] if m["name"] == "churn")
    latest = next(v for v in churn["versions"] if v["version"] == churn["latest"])
    (folder / latest["storage"]["download_url"]).unlink()  # a 404
    existing = tmp_path / "existing"
    existing.mkdir()
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "keep.txt").write_text("mine")
    for out in (existing, existing / "new", tmp_path / "busy"):
        result = run_cli("download", "churn", "--index", url, "-o", str(out))
        assert result.returncode == 1 and "404" in one_error_line(result.stderr)
    assert existing.is_dir() and list(existing.iterdir()) == []
    assert [p.name for p in (tmp_path / "busy").iterdir()] == ["keep.txt"]


def test_missing_lfs_object_leaves_no_folder(repo: GitBuilder, tmp_path: Path) -> None:
    content = b"weights in LFS"
    oid = hashlib.sha256(content).hexdigest()
    pointer = f"version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {len(content)}\n"
    repo.commit("lfs", {"dvc.yaml": "artifacts:\n  big:\n    path: big.bin\n    type: model\n", "big.bin": pointer})
    repo.tag("big@v1.0.0")
    out = tmp_path / "c1"
    with pytest.raises(modelshelf.TransferFailed, match="big.bin"):
        modelshelf.download("big", out, repo=repo.path)
    assert not out.exists()


# 3. Stop reading once a file is larger than the index records


def test_replaced_artifact_larger_than_recorded_fails_and_leaves_nothing(churn_site, tmp_path: Path) -> None:
    url, folder, _shas, data = churn_site
    churn = next(m for m in data["models"] if m["name"] == "churn")
    prod = next(v for v in churn["versions"] if v["version"] == churn["stages"]["prod"])
    assert prod["storage"]["size"] == len(V1)
    (folder / prod["storage"]["download_url"]).write_bytes(os.urandom(100_000))
    out = tmp_path / "out"
    with pytest.raises(modelshelf.IntegrityFailed, match=f"larger than the {len(V1)} bytes the index records"):
        modelshelf.download("churn#prod", out, index=url)
    assert not out.exists()
    result = run_cli("download", "churn#prod", "--index", url, "-o", str(out))
    assert result.returncode == 1
    assert f"larger than the {len(V1)} bytes the index records" in one_error_line(result.stderr)
    assert not out.exists()


def test_folder_larger_than_its_recorded_total_fails_and_keeps_the_previous_copy(churn_site, tmp_path: Path) -> None:
    url, folder, _shas, _data = churn_site
    out = tmp_path / "out"
    modelshelf.download("encoder", out, index=url)
    before = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    digest = hashlib.sha256(b"a\nb\n").hexdigest()
    (folder / "artifacts" / "sha256" / digest[:2] / digest[2:]).write_bytes(os.urandom(100_000))
    total = sum(map(len, ENCODER.values()))
    with pytest.raises(modelshelf.IntegrityFailed,
                       match=f"vocab.txt.*larger than the {total} bytes the index records for the whole folder"):
        modelshelf.download("encoder", out, index=url, force=True)
    assert {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


@dataclass
class CountingStream(io.RawIOBase):
    """A real byte stream that remembers how much was read from it."""

    data: bytes
    read_so_far: int = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self.data[self.read_so_far:self.read_so_far + len(buffer)]
        buffer[:len(chunk)] = chunk
        self.read_so_far += len(chunk)
        return len(chunk)


@dataclass
class StreamLocation:
    data: bytes
    opened: list[CountingStream] = field(default_factory=list)

    def open(self) -> CountingStream:
        self.opened.append(CountingStream(self.data))
        return self.opened[-1]

    def describe(self) -> str:
        return "test stream"


def test_reading_stops_one_byte_past_the_recorded_size(tmp_path: Path) -> None:
    good = b"nine byte"
    location = StreamLocation(good + os.urandom(10 << 20))
    item = FileItem("", (location,), Digest("sha256", hashlib.sha256(good).hexdigest()), size=len(good))
    with pytest.raises(modelshelf.IntegrityFailed, match="test stream: larger than the 9 bytes the index records"):
        fetch_item(item, tmp_path / "target", "m v1")
    assert location.opened[0].read_so_far == len(good) + 1
    assert location.opened[0].closed
    assert not (tmp_path / "target").exists()


def test_exact_recorded_size_is_accepted(tmp_path: Path) -> None:
    good = b"nine byte"
    item = FileItem("", (StreamLocation(good),), Digest("sha256", hashlib.sha256(good).hexdigest()), size=len(good))
    assert fetch_item(item, tmp_path / "target", "m v1").size == len(good)
    assert (tmp_path / "target").read_bytes() == good


# 4. The Python API: every bad input is a DownloadError, and the classes are exported


def test_error_classes_are_exported_from_the_package() -> None:
    import modelshelf.delivery as fetch

    for name in ("DownloadError", "LookupFailed", "TransferFailed", "IntegrityFailed",
                 "DestinationExists", "DestinationUnwritable"):
        assert name in modelshelf.__all__ and name in dir(modelshelf)
        assert getattr(modelshelf, name) is getattr(fetch, name)
        assert issubclass(getattr(modelshelf, name), modelshelf.DownloadError)
    assert issubclass(modelshelf.LookupFailed, LookupError)
    assert (modelshelf.LookupFailed.exit_code, modelshelf.DestinationExists.exit_code) == (2, 2)


def test_a_folder_that_is_not_a_repo_is_a_lookup_failure(tmp_path: Path) -> None:
    with pytest.raises(modelshelf.DownloadError) as caught:
        modelshelf.resolve("churn", repo=tmp_path)
    assert isinstance(caught.value, modelshelf.LookupFailed) and isinstance(caught.value, LookupError)
    assert str(caught.value) == f"{tmp_path}: not a Git repository (or any parent up to /)"
    with pytest.raises(modelshelf.LookupFailed, match="no such directory"):
        modelshelf.download("churn", tmp_path / "out", repo=tmp_path / "missing")
    assert not (tmp_path / "out").exists()
    result = run_cli("resolve", "churn", "--repo", str(tmp_path))
    assert result.returncode == 2
    assert one_error_line(result.stderr) == f"modelshelf: error: {caught.value}"


@pytest.mark.parametrize("spec", ["Bad Name!", "churn@1.0", "churn#no stage", "../churn"])
def test_bad_spec_is_a_lookup_failure(repo: GitBuilder, tmp_path: Path, spec: str) -> None:
    path = churn_repo(repo)
    with pytest.raises(modelshelf.LookupFailed, match="^invalid "):
        modelshelf.resolve(spec, repo=path)
    with pytest.raises(modelshelf.DownloadError, match="^invalid "):
        modelshelf.download(spec, tmp_path / "out", repo=path)
    assert not (tmp_path / "out").exists()


def test_broken_gto_config_is_a_lookup_failure(repo: GitBuilder) -> None:
    path = churn_repo(repo)
    (repo.path / ".gto").write_text("stages: [prod\n")
    with pytest.raises(modelshelf.LookupFailed, match=r"\.gto"):
        modelshelf.resolve("churn", repo=path)
    result = run_cli("resolve", "churn", "--repo", path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"modelshelf: error: {repo.path / '.gto'}: not valid YAML")
    assert len(result.stderr.strip().splitlines()) == 1 and "(line 2, column 1)" in result.stderr


@pytest.mark.gto
def test_version_on_a_commit_without_the_declaration_says_so(repo: GitBuilder, tmp_path: Path) -> None:
    """A version tagged where dvc.yaml no longer declares the model: the bytes may still be in Git
    (m.bin is), so "neither committed nor tracked" would be wrong; the missing declaration is the cause."""
    repo.commit("declare", {"dvc.yaml": "artifacts:\n  m:\n    path: m.bin\n", "m.bin": "one"})
    repo.gto("register", "m", "--version", "v1.0.0")
    repo.git("rm", "-q", "dvc.yaml")
    sha = repo.commit("drop dvc.yaml")
    repo.gto("register", "m", "--version", "v1.1.0")
    result = run_cli("download", "m@v1.1.0", "--repo", str(repo.path), "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    assert one_error_line(result.stderr) == (
        f"modelshelf: error: m v1.1.0: no bytes recorded: the model has no path at commit {sha[:7]} "
        "(not declared in dvc.yaml or artifacts.yaml there, declared without one, or with an absolute or escaping "
        "path, which is refused: `modelshelf doctor` says why)"
    )
    assert not (tmp_path / "out").exists()
    assert run_cli("download", "m@v1.0.0", "--repo", str(repo.path), "-o", str(tmp_path / "out")).returncode == 0
    assert (tmp_path / "out" / "m.bin").read_text() == "one"


# 4. A connection that ends early is a transfer failure (retry), never "not valid JSON" or a traceback


class _CuttingHandler(http.server.BaseHTTPRequestHandler):
    """Serves ``folder``; the files named in ``cut`` lose their second half: announced with a full
    Content-Length (mode "length") or sent as one chunk that never ends (mode "chunked")."""

    protocol_version = "HTTP/1.1"
    folder: Path
    cut: dict[str, str]

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        rel = self.path.lstrip("/")
        data = (self.folder / rel).read_bytes()
        mode = self.cut.get(rel)
        self.send_response(200)
        if mode == "chunked":
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.write(b"%x\r\n" % len(data) + data[: len(data) // 2])
        else:
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2] if mode == "length" else data)
        self.wfile.flush()
        self.close_connection = True


@pytest.fixture
def cutting_server() -> Iterator[Callable[[Path, dict[str, str]], str]]:
    servers: list[http.server.ThreadingHTTPServer] = []
    yield lambda folder, cut: start_loopback(
        type("Handler", (_CuttingHandler,), {"folder": folder, "cut": cut}), servers)
    stop_all(servers)


@pytest.mark.parametrize("mode, said", [("length", "transfer interrupted after {half} of {full} bytes"),
                                        ("chunked", "transfer interrupted after {half} bytes (IncompleteRead)")])
def test_index_cut_short_is_exit_1_to_retry(churn_site, cutting_server, mode: str, said: str) -> None:
    _url, folder, _shas, _data = churn_site
    full = (folder / "api" / "models" / "churn.json").stat().st_size  # a lookup reads the model's own file
    base = cutting_server(folder, {"api/models/churn.json": mode})
    url = base + "api/registry.json"
    result = run_cli("resolve", "churn#prod", "--index", url)
    assert result.returncode == 1
    assert one_error_line(result.stderr) == (
        f"modelshelf: error: cannot read the index: {base}api/models/churn.json: "
        + said.format(half=full // 2, full=full))
    with pytest.raises(modelshelf.TransferFailed, match="transfer interrupted"):
        modelshelf.resolve("churn#prod", index=url)


@pytest.mark.parametrize("mode", ["length", "chunked"])
def test_artifact_cut_short_is_exit_1_and_leaves_nothing(churn_site, cutting_server, tmp_path: Path, mode: str) -> None:
    _url, folder, _shas, data = churn_site
    churn = next(m for m in data["models"] if m["name"] == "churn")
    prod = next(v for v in churn["versions"] if v["version"] == churn["stages"]["prod"])
    artifact = prod["storage"]["download_url"]
    url = cutting_server(folder, {artifact: mode}) + "api/registry.json"
    out = tmp_path / "out"
    result = run_cli("download", "churn#prod", "--index", url, "-o", str(out))
    assert result.returncode == 1
    line = one_error_line(result.stderr)
    assert line.startswith("modelshelf: error: churn v1.0.0: could not be fetched (") and "transfer interrupted" in line
    assert not out.exists()
    result = run_cli("download", "churn#dev", "--index", url, "-o", str(out))  # the server itself is fine
    assert result.returncode == 0, result.stderr


# 5. Mistakes a deploy script makes first: the site's address for its index, a tag's spelling for a spec


def test_site_address_instead_of_its_index_names_the_index(churn_site, serve, tmp_path: Path) -> None:
    url, *_ = churn_site
    root = url.removesuffix("api/registry.json")
    assert run_cli("resolve", "churn", "--index", root).returncode == 0  # a site's address works (issue 15)
    result = run_cli("resolve", "churn", "--index", serve(tmp_path))  # a server without a catalog
    assert result.returncode == 2
    assert one_error_line(result.stderr).endswith("; a catalog's index is SITE_URL/api/registry.json")


@pytest.mark.gto
def test_tag_spelling_of_a_sub_folder_model_names_the_spec(repo: GitBuilder) -> None:
    repo.commit("vision", {"vision/dvc.yaml": "artifacts:\n  det:\n    path: det.pt\n", "vision/det.pt": "w"})
    repo.gto("register", "vision:det", "--version", "v1.0.0")
    result = run_cli("resolve", "vision=det@v1.0.0", "--repo", str(repo.path))
    assert result.returncode == 2
    assert "written with ':', as in 'vision:det@v1.0.0'" in one_error_line(result.stderr)
    assert run_cli("resolve", "vision:det@v1.0.0", "--repo", str(repo.path)).returncode == 0
