"""Issue 12, download side: bounded downloads (size, time), an HTTP index cannot reach local files,
SIGTERM cleans up like Ctrl-C and the next run removes what a killed one left.

Every attack runs against real HTTP servers on loopback and the real CLI in a subprocess;
the limits are set small so the tests stay short (no timing is asserted)."""

from __future__ import annotations

import hashlib
import http.server
import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import modelshelf
from modelshelf.delivery.staging import remove_stale

from .gitutil import GitBuilder, run_cli
from .ptyutil import stderr_on_a_terminal
from .churn import V1, V2, build_churn
from .conftest import start_loopback, stop_all

ENOUGH = hashlib.sha256(b"never sent in full").hexdigest()


class _Evil(http.server.BaseHTTPRequestHandler):
    """/endless: a body that never ends; /drip: one byte per `drip` seconds of a 1 MB body;
    /redirect-file: a redirect to ftp://; anything else: the JSON in `documents`."""

    protocol_version = "HTTP/1.1"
    documents: dict[str, bytes] = {}
    drip = 0.2
    sent: list[int]  # bytes of body sent, per request
    started: threading.Event

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        path = self.path.split("?")[0]
        try:
            if path == "/endless":
                self.send_response(200)
                self.end_headers()  # no Content-Length: the body ends when the connection does
                self.close_connection = True
                self._send_forever(b"\0" * 65536, pause=0)
            elif path == "/drip":
                self.send_response(200)
                self.send_header("Content-Length", str(1 << 20))
                self.end_headers()
                self._send_forever(b"x", pause=self.drip)
            elif path == "/redirect-file":
                self.send_response(302)
                self.send_header("Location", "ftp://127.0.0.1:9/etc/hostname")  # urllib alone follows ftp
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif path in self.documents:
                body = self.documents[path]
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            else:
                self.send_error(404)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _send_forever(self, chunk: bytes, pause: float) -> None:
        slot = len(self.sent)
        self.sent.append(0)
        while self.sent[slot] < 1 << 34:  # 16 GiB: far more than any limit a test sets
            self.wfile.write(chunk)
            self.wfile.flush()
            self.sent[slot] += len(chunk)
            self.started.set()
            if pause:
                time.sleep(pause)


@pytest.fixture
def evil() -> Iterator:
    """evil(documents) -> (base URL, handler class): a loopback server with the paths above."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(documents: dict[str, object] | None = None, drip: float = 0.2):
        handler = type("Handler", (_Evil,), {
            "documents": {k: v if isinstance(v, bytes) else json.dumps(v).encode() for k, v in (documents or {}).items()},
            "drip": drip, "sent": [], "started": threading.Event(),
        })
        return start_loopback(handler, servers).rstrip("/"), handler

    yield start
    stop_all(servers)


def index_of(storage: dict, name: str = "m") -> dict:
    """A minimal published index: one model, one version, with the given storage record."""
    return {
        "schema_version": 1, "stages": [],
        "models": [{"name": name, "latest": "v1.0.0", "stages": {}, "versions": [
            {"version": "v1.0.0", "status": "active", "commit": "0" * 40, "tag": f"{name}@v1.0.0", "stages": [],
             "storage": storage}]}],
    }


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def one_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


# item 2: downloads without a size bound


@pytest.mark.parametrize("published", [False, True], ids=["url-record", "download_url"])
def test_endless_body_of_unknown_size_stops_at_max_size(evil, tmp_path: Path, published: bool) -> None:
    if published:  # an HTTP index whose published copy has size null
        base, handler = evil({"/api/registry.json": index_of(
            {"kind": "git", "path": "m.bin", "size": None, "sha256": ENOUGH, "download_url": "endless"})})
        index = base + "/api/registry.json"
    else:  # a local index with a url record without a size
        base, handler = evil()
        (tmp_path / "index.json").write_text(json.dumps(index_of(
            {"kind": "url", "url": base + "/endless", "sha256": ENOUGH})))
        index = str(tmp_path / "index.json")
    out = tmp_path / "out"
    result = run_cli("download", "m", "--index", index, "-o", str(out), "--max-size", "1M")
    assert result.returncode == 2  # raising the limit is the fix: retrying as is will not help
    assert "larger than --max-size (1048576 bytes; the index records no size" in one_line(result.stderr)
    assert leftovers(out) == [] and not out.exists()
    assert handler.sent and handler.sent[0] < 64 << 20  # the server was cut off early, not at EOF


def test_default_max_size_applies_through_the_python_api(evil, tmp_path: Path) -> None:
    base, _ = evil()
    (tmp_path / "index.json").write_text(json.dumps(index_of({"kind": "url", "url": base + "/endless", "sha256": ENOUGH})))
    with pytest.raises(modelshelf.delivery.SizeLimitExceeded, match="--max-size"):
        modelshelf.download("m", tmp_path / "out", index=tmp_path / "index.json",
                            limits=modelshelf.delivery.Limits(max_size=256 << 10))
    assert modelshelf.delivery.Limits().max_size == 10 << 30  # the documented default


def test_a_server_sending_a_byte_now_and_then_is_stopped_by_the_deadline(evil, tmp_path: Path) -> None:
    base, handler = evil(drip=0.5)  # each read succeeds well within the 60 s per-read timeout
    (tmp_path / "index.json").write_text(json.dumps(index_of(
        {"kind": "url", "url": base + "/drip", "size": 1 << 20, "sha256": ENOUGH})))
    out = tmp_path / "out"
    result = run_cli("download", "m", "--index", str(tmp_path / "index.json"), "-o", str(out), "--deadline", "2")
    assert result.returncode == 1  # a faster link may do: retry
    assert "download took longer than its deadline of 2 s (--deadline SECONDS" in one_line(result.stderr)
    assert leftovers(out) == []
    assert handler.sent[0] < 1 << 20  # stopped mid-body, long before the end


@pytest.mark.parametrize("value", ["ten", "-1", "5X"])
def test_bad_limits_are_usage_errors(value: str, tmp_path: Path) -> None:
    option = "--deadline" if value != "5X" else "--max-size"
    result = run_cli("download", "m", "--index", str(tmp_path / "i.json"), option, value)
    assert result.returncode == 2 and option in result.stderr


# item 5: an index fetched over HTTP cannot point at local files


@pytest.mark.parametrize("storage", [
    {"kind": "git", "path": "hostname", "sha256": ENOUGH, "download_url": "file:///etc/hostname"},
    {"kind": "url", "url": "file:///etc/hostname", "sha256": ENOUGH},
    {"kind": "url", "url": "/etc/hostname", "sha256": ENOUGH},
], ids=["download_url", "url-record", "bare-path"])
def test_http_index_pointing_at_a_local_file_is_refused(evil, tmp_path: Path, storage: dict) -> None:
    base, _ = evil({"/api/registry.json": index_of(storage)})
    out = tmp_path / "out"
    for command in (["download", "m", "-o", str(out)], ["resolve", "m"]):
        result = run_cli(*command, "--index", base + "/api/registry.json")
        assert result.returncode == 2, result.stderr
        assert "an index read over HTTP(S)" in one_line(result.stderr) and "may point only at http(s)" in result.stderr
    assert not out.exists()


def test_storage_schemes_need_the_users_consent(evil, tmp_path: Path) -> None:
    base, _ = evil({"/api/registry.json": index_of({"kind": "url", "url": "s3://bucket/m.bin", "sha256": ENOUGH})})
    refused = run_cli("resolve", "m", "--index", base + "/api/registry.json")
    assert refused.returncode == 2 and "--allow-scheme s3" in refused.stderr
    allowed = run_cli("resolve", "m", "--index", base + "/api/registry.json", "--allow-scheme", "s3")
    assert allowed.returncode == 0, allowed.stderr
    assert json.loads(allowed.stdout)["url"] == "s3://bucket/m.bin"


def test_a_local_index_may_point_at_local_files(tmp_path: Path) -> None:
    (tmp_path / "model.bin").write_bytes(V1)
    (tmp_path / "index.json").write_text(json.dumps(index_of(
        {"kind": "url", "url": (tmp_path / "model.bin").as_uri(), "sha256": hashlib.sha256(V1).hexdigest()})))
    result = run_cli("download", "m", "--index", str(tmp_path / "index.json"), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "model.bin").read_bytes() == V1


def test_redirect_to_a_non_http_url_is_not_followed(evil, tmp_path: Path) -> None:
    base, _ = evil()
    (tmp_path / "index.json").write_text(json.dumps(index_of(
        {"kind": "url", "url": base + "/redirect-file", "sha256": ENOUGH})))
    result = run_cli("download", "m", "--index", str(tmp_path / "index.json"), "-o", str(tmp_path / "out"))
    assert result.returncode == 1 and "redirect to a non-HTTP(S) URL refused" in one_line(result.stderr)
    assert not (tmp_path / "out").exists()


class _Moved(http.server.SimpleHTTPRequestHandler):
    """/old/... redirects to /new/...; /new/ serves the site folder."""

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        if self.path.startswith("/old/"):
            self.send_response(301)
            self.send_header("Location", "/new/" + self.path.removeprefix("/old/"))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path.startswith("/new/"):
            self.path = "/" + self.path.removeprefix("/new/")
            super().do_GET()
            return
        self.send_error(404)


def test_relative_download_urls_resolve_against_the_url_after_redirects(churn_site, tmp_path: Path) -> None:
    _url, folder, _shas, _data = churn_site
    servers: list[http.server.ThreadingHTTPServer] = []
    try:
        import functools

        base = start_loopback(functools.partial(_Moved, directory=str(folder)), servers)
        for index in (base + "old/api/registry.json", base + "old/"):
            record = json.loads(run_cli("resolve", "churn#prod", "--index", index).stdout)
            assert record["url"].startswith(base + "new/artifacts/sha256/"), record["url"]
            assert record["source"].startswith(base + "new/api/")
        result = run_cli("download", "churn#prod", "--index", base + "old/api/registry.json", "-o", str(tmp_path / "o"))
        assert result.returncode == 0, result.stderr
        assert (tmp_path / "o" / "churn.pkl").read_bytes() == V1
    finally:
        stop_all(servers)


# item 3: SIGTERM cleans up like Ctrl-C; what a killed run left is removed by the next one


def _start_download(index: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "modelshelf", "download", "m", "--index", str(index), "-o", str(out),
                             "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _partials(out: Path) -> list[Path]:
    return [p for p in out.iterdir() if p.name.endswith(".partial")] if out.exists() else []


def _wait_transferring(handler, proc: subprocess.Popen, out: Path, besides: Path | None = None) -> None:
    """Until ``proc`` has its own staging folder (other than ``besides``) and the server sends."""
    assert handler.started.wait(60), "the download never started"
    for _ in range(1200):  # polling a state, not timing anything
        if [p for p in _partials(out) if p != besides] or proc.poll() is not None:
            break
        time.sleep(0.05)
    assert proc.poll() is None, proc.communicate()
    assert [p for p in _partials(out) if p != besides], "no staging folder while transferring"


def _drip_index(base: str, tmp_path: Path) -> Path:
    index = tmp_path / "index.json"
    index.write_text(json.dumps(index_of({"kind": "url", "url": base + "/drip", "size": 1 << 20, "sha256": ENOUGH})))
    return index


def test_sigterm_mid_transfer_leaves_no_partial_folder(evil, tmp_path: Path) -> None:
    base, handler = evil(drip=0.05)
    out = tmp_path / "out"
    out.mkdir()
    proc = _start_download(_drip_index(base, tmp_path), out)
    _wait_transferring(handler, proc, out)
    proc.send_signal(signal.SIGTERM)
    _stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode in (143, 130), stderr
    assert "Traceback" not in stderr and len(stderr.splitlines()) == 1, stderr
    assert leftovers(out) == []  # the folder existed before: kept, and empty


def test_next_run_removes_what_a_killed_download_left_but_not_a_running_ones(evil, tmp_path: Path) -> None:
    base, handler = evil(drip=0.05)
    out = tmp_path / "out"
    out.mkdir()
    index = _drip_index(base, tmp_path)
    killed = _start_download(index, out)
    _wait_transferring(handler, killed, out)
    killed.kill()  # SIGKILL: no clean-up can run
    killed.communicate(timeout=60)
    (stale,) = _partials(out)
    handler.started.clear()
    running = _start_download(index, out)  # the next run: it removes the killed one's folder first
    try:
        _wait_transferring(handler, running, out, besides=stale)
        assert not stale.exists()
        live = _partials(out)
        assert len(live) == 1
        assert remove_stale(out) == []  # a running download's folder is never stale
        assert _partials(out) == live
        (site_file := tmp_path / "model.bin").write_bytes(V2)  # another download into the same folder
        (tmp_path / "other.json").write_text(json.dumps(index_of(
            {"kind": "url", "url": site_file.as_uri(), "sha256": hashlib.sha256(V2).hexdigest()}, name="other")))
        done = run_cli("download", "other", "--index", str(tmp_path / "other.json"), "-o", str(out))
        assert done.returncode == 0, done.stderr
        assert _partials(out) == live  # the running download's folder is untouched
    finally:
        running.send_signal(signal.SIGTERM)
        running.communicate(timeout=60)
    assert leftovers(out) == ["model.bin"]


def test_a_stale_folder_of_a_killed_run_is_removed_by_the_cli(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / ".churn.pkl.999999999-abc123.partial" / "churn.pkl").mkdir(parents=True)  # pid that cannot exist
    (out / ".keep.partial").mkdir()  # not ours (no pid): left alone
    (tmp_path / "model.bin").write_bytes(V1)
    (tmp_path / "index.json").write_text(json.dumps(index_of(
        {"kind": "url", "url": (tmp_path / "model.bin").as_uri(), "sha256": hashlib.sha256(V1).hexdigest()})))
    result = run_cli("download", "m", "--index", str(tmp_path / "index.json"), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert leftovers(out) == [".keep.partial", "model.bin"]


def test_progress_lines_when_stderr_is_not_a_terminal(evil, tmp_path: Path) -> None:
    from modelshelf.cli.progress import PlainLines

    class Log:
        def __init__(self) -> None:
            self.text = ""

        def write(self, text: str) -> None:
            self.text += text

        def flush(self) -> None:
            pass

        def isatty(self) -> bool:
            return False

    log = Log()
    lines = PlainLines("churn", log, every=0)  # every chunk reaches the "time for a line" check
    (tmp_path / "model.bin").write_bytes(V2)
    (tmp_path / "index.json").write_text(json.dumps(index_of(
        {"kind": "url", "url": (tmp_path / "model.bin").as_uri(), "size": len(V2),
         "sha256": hashlib.sha256(V2).hexdigest()})))
    modelshelf.download("m", tmp_path / "out", index=tmp_path / "index.json", progress=lines)
    assert log.text.splitlines()[-1].startswith(f"churn: {len(V2) / 1024:.1f} KiB of {len(V2) / 1024:.1f} KiB (100%)")
    quiet = run_cli("download", "m", "--index", str(tmp_path / "index.json"), "-o", str(tmp_path / "q"), "--quiet")
    assert quiet.returncode == 0 and quiet.stderr == ""


def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    """A real pseudo-terminal as stderr: tqdm draws bytes, rate and size."""
    (tmp_path / "model.bin").write_bytes(V2 * 50)
    (tmp_path / "index.json").write_text(json.dumps(index_of(
        {"kind": "url", "url": (tmp_path / "model.bin").as_uri(), "size": len(V2) * 50,
         "sha256": hashlib.sha256(V2 * 50).hexdigest()})))
    code, drawn = stderr_on_a_terminal([sys.executable, "-m", "modelshelf", "download", "m", "--index",
                                        str(tmp_path / "index.json"), "-o", str(tmp_path / "out")])
    assert code == 0, drawn
    assert "m:" in drawn and "439k" in drawn and "B/s" in drawn, drawn
