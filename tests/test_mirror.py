"""``--repo URL``: remote repositories read through a bare mirror in the cache (issue 16).

Real repositories (pinned dates), the real CLI, gto as the oracle on a ``file://``
URL, real loopback HTTP servers (Git's dumb HTTP protocol over a folder) and real
signals. Every test gets its own cache folder through ``MODELSHELF_CACHE_DIR``.
"""

from __future__ import annotations

import base64
import functools
import http.server
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from modelshelf.git.mirror import LocalRepository, MirrorError, mirror_path, open_repository, update_mirror
from modelshelf.git.urls import UnsafeUrl, display_url, is_git_url, is_scp_like, parse_git_url

from .conftest import require_path, start_loopback, stop_all
from .gitutil import GitBuilder, run_cli, run_gto
from .ptyutil import stderr_on_a_terminal


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def ms(cache: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return run_cli(*args, cwd=cwd, env={"MODELSHELF_CACHE_DIR": str(cache)})


def registry_repo(repo: GitBuilder) -> None:
    """Two models, versions and stages, written as tags by git (annotated, pinned dates)."""
    repo.commit("v1", {"dvc.yaml": "metrics:\n  - metrics.json\nartifacts:\n  churn:\n    path: churn.pkl\n"
                                   "    type: model\n  encoder:\n    path: enc.bin\n    type: model\n",
                       "churn.pkl": "churn 1", "enc.bin": "enc 1", "metrics.json": {"auc": 0.91},
                       "params.yaml": "depth: 4\n"})
    repo.tag("churn@v1.0.0")
    repo.tag("encoder@v0.1.0")
    repo.tag("churn#prod#1")
    repo.commit("v2", {"churn.pkl": "churn 2", "metrics.json": {"auc": 0.93}})
    repo.tag("churn@v1.1.0")
    repo.tag("churn#staging#2")


def bare_origin(repo: GitBuilder, tmp_path: Path) -> tuple[Path, str]:
    """A bare clone of ``repo`` (the "server"), and its ``file://`` URL."""
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo.path), str(origin)], check=True)
    return origin, origin.as_uri()


def push(repo: GitBuilder, origin: Path) -> None:
    repo.git("push", "-q", "--prune", str(origin), "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*")


def cloning_lines(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("modelshelf: cloning ")]


@pytest.mark.gto
def test_show_and_history_by_file_url_print_what_gto_prints(repo: GitBuilder, tmp_path: Path, cache: Path) -> None:
    c1 = repo.commit("c1", {"model.pkl": "1"})
    c2 = repo.commit("c2", {"model.pkl": "2"})
    repo.gto("register", "churn", c1, "--version", "v1.0.0")
    repo.gto("register", "churn", c2, "--version", "v1.1.0")
    repo.gto("assign", "churn", "--version", "v1.0.0", "--stage", "prod")
    repo.gto("assign", "churn", "--version", "v1.1.0", "--stage", "staging")
    repo.gto("register", "models/vision:detector", c2, "--version", "v0.1.0")
    repo.gto("deprecate", "churn", "v1.1.0", "staging")
    _, url = bare_origin(repo, tmp_path)
    elsewhere = tmp_path / "elsewhere"  # neither command runs inside a repository
    elsewhere.mkdir()
    for args in (["show"], ["show", "churn"], ["history"]):
        ours = ms(cache, *args, "--json", "--repo", url, cwd=elsewhere)
        theirs = run_gto(elsewhere, *args, "--json", "--repo", url)
        assert ours.returncode == 0 and theirs.returncode == 0, ours.stderr + theirs.stderr
        assert ours.stdout == theirs.stdout, args
        assert json.loads(ours.stdout)


def test_the_second_call_fetches_what_changed_and_never_clones_again(repo: GitBuilder, tmp_path: Path,
                                                                     cache: Path) -> None:
    registry_repo(repo)
    origin, url = bare_origin(repo, tmp_path)
    first = ms(cache, "show", "--json", "--repo", url)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["churn"]["version"] == "v1.1.0"
    assert len(cloning_lines(first)) == 1
    mirror = mirror_path(url, cache)
    assert (mirror / "HEAD").is_file() and not (mirror / ".git").exists()  # bare
    marker = mirror / "marker-left-by-the-test"  # a new clone would not have it
    marker.write_text("")
    inode = mirror.stat().st_ino

    repo.commit("v3", {"churn.pkl": "churn 3"})
    repo.tag("churn@v1.2.0")
    repo.tag("churn#prod#3")
    push(repo, origin)
    second = ms(cache, "show", "--json", "--repo", url)
    assert second.returncode == 0, second.stderr
    assert cloning_lines(second) == []
    assert marker.exists() and mirror.stat().st_ino == inode
    state = json.loads(second.stdout)
    assert state["churn"]["version"] == "v1.2.0"
    assert state["churn"]["stage"]["prod"] == "v1.2.0"

    repo.git("tag", "-d", "churn#prod#3")  # a tag deleted upstream is deleted in the mirror
    repo.git("tag", "-d", "churn@v1.2.0")
    push(repo, origin)
    third = ms(cache, "show", "--json", "--repo", url)
    assert cloning_lines(third) == [] and marker.exists()
    assert json.loads(third.stdout)["churn"]["version"] == "v1.1.0"


def test_index_by_url_is_the_index_of_a_clone_byte_for_byte(repo: GitBuilder, tmp_path: Path, cache: Path) -> None:
    registry_repo(repo)
    _, url = bare_origin(repo, tmp_path)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", url, str(clone)], check=True)  # its origin is the URL too
    by_url = ms(cache, "index", "--repo", url)
    by_clone = ms(cache, "index", "--repo", str(clone))
    assert by_url.returncode == 0 and by_clone.returncode == 0, by_url.stderr + by_clone.stderr
    assert by_url.stdout == by_clone.stdout
    index = json.loads(by_url.stdout)
    assert index["repository"]["remote"] == url
    churn = next(m for m in index["models"] if m["name"] == "churn")
    assert {v["version"]: v["metrics"] for v in churn["versions"]} == {"v1.0.0": {"auc": 0.91},
                                                                        "v1.1.0": {"auc": 0.93}}
    again = ms(cache, "index", "--repo", url)  # the fragment cache lives in the mirror's Git dir
    assert again.stdout == by_url.stdout and cloning_lines(again) == []


def test_doctor_and_download_read_the_mirror(repo: GitBuilder, tmp_path: Path, cache: Path) -> None:
    registry_repo(repo)
    _, url = bare_origin(repo, tmp_path)
    doctor = ms(cache, "doctor", "--repo", url)
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert "note: not checked without a work tree" in doctor.stdout
    assert "ok: 5 registry tags, 2 models" in doctor.stdout
    out = tmp_path / "out"
    download = ms(cache, "download", "churn#prod", "--repo", url, "-o", str(out))
    assert download.returncode == 0, download.stderr
    assert (out / "churn.pkl").read_text() == "churn 1"
    resolve = ms(cache, "resolve", "churn@latest", "--repo", url)
    assert json.loads(resolve.stdout)["version"] == "v1.1.0"
    assert cloning_lines(download) == [] and cloning_lines(resolve) == []  # doctor cloned it


def test_an_unreachable_remote_reads_the_last_fetch_with_a_warning(repo: GitBuilder, tmp_path: Path,
                                                                  cache: Path) -> None:
    registry_repo(repo)
    origin, url = bare_origin(repo, tmp_path)
    first = ms(cache, "show", "--json", "--repo", url)
    fetched_at = json.loads((mirror_path(url, cache) / "modelshelf-mirror.json").read_text())["fetched_at"]
    origin.rename(tmp_path / "moved.git")  # the server is gone
    offline = ms(cache, "show", "--json", "--repo", url)
    assert offline.returncode == 0 and offline.stdout == first.stdout
    (warning,) = offline.stderr.splitlines()
    assert warning.startswith(f"modelshelf: warning: cannot update the mirror of {url}: ")
    assert f"as last fetched ({fetched_at})" in warning
    with pytest.raises(MirrorError, match="cannot update the mirror"):
        update_mirror(url, cache_root=cache, keep_stale=False)
    assert update_mirror(url, cache_root=cache).stale is not None


def test_the_mirror_follows_a_renamed_default_branch(repo: GitBuilder, tmp_path: Path, cache: Path) -> None:
    registry_repo(repo)
    origin, url = bare_origin(repo, tmp_path)
    assert ms(cache, "show", "--repo", url).returncode == 0
    tip = repo.commit("on trunk", {"churn.pkl": "churn 3"})
    repo.git("branch", "-m", "main", "trunk")
    repo.git("push", "-q", str(origin), "trunk")
    subprocess.run(["git", "symbolic-ref", "HEAD", "refs/heads/trunk"], cwd=origin, check=True)
    subprocess.run(["git", "branch", "-D", "main"], cwd=origin, check=True, capture_output=True)
    index = ms(cache, "index", "--repo", url)
    assert index.returncode == 0, index.stderr
    assert json.loads(index.stdout)["repository"]["head"] == tip


def test_open_repository_gives_paths_back_and_urls_as_their_mirror(repo: GitBuilder, tmp_path: Path,
                                                                   cache: Path) -> None:
    registry_repo(repo)
    _, url = bare_origin(repo, tmp_path)
    with open_repository(str(repo.path), cache_root=cache) as local:
        assert local.path == repo.path and local.url is None and os.fspath(local) == str(repo.path)
    lines: list[str] = []
    received: list[tuple[int, int, str]] = []
    with open_repository(url, cache_root=cache, notify=lines.append,
                         progress=lambda done, total, what: received.append((done, total, what))) as local:
        assert isinstance(local, LocalRepository) and local.cloned and local.url == url
        assert local.path == mirror_path(url, cache) and local.stale is None
        assert len(lines) == 1 and url in lines[0]
        assert received and received[-1][0] == received[-1][1] and received[-1][2] == "objects"
        with open_repository(local) as same:  # an opened repository passes through
            assert same is local
    again = update_mirror(url, cache_root=cache, notify=lines.append)
    assert not again.cloned and len(lines) == 1 and again.fetched_at is not None


# -- refused locations and credentials --------------------------------------------------------

SECRET = "s3cr3t-token-do-not-print"


class _Recording(http.server.BaseHTTPRequestHandler):
    """A loopback server that records every request and answers 401 (asks for credentials)."""

    seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        type(self).seen.append(f"{self.path} {self.headers.get('Authorization', '')}")
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="test"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def recording_server() -> Iterator[tuple[str, list[str]]]:
    servers: list[http.server.ThreadingHTTPServer] = []
    handler = type("Handler", (_Recording,), {"seen": []})
    base = start_loopback(handler, servers)
    yield base, handler.seen
    stop_all(servers)


@pytest.mark.parametrize("command", [["show", "--json"], ["history"], ["index"], ["doctor"],
                                     ["download", "churn"], ["resolve", "churn"]])
def test_a_url_with_credentials_is_refused_and_never_printed(recording_server, command: list[str],
                                                             tmp_path: Path, cache: Path) -> None:
    base, seen = recording_server
    netloc = base.removeprefix("http://").rstrip("/")
    for url in (f"http://user:{SECRET}@{netloc}/x.git", f"http://{SECRET}@{netloc}/x.git",
                f"ssh://git:{SECRET}@{netloc}/x.git"):
        result = ms(cache, *command, "--repo", url, cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert SECRET not in result.stdout + result.stderr
        (line,) = result.stderr.splitlines()
        assert line.startswith("modelshelf: error: refusing repository location") and "credential helper" in line
    assert seen == []  # refused before Git ran: nothing was sent anywhere
    assert not (cache / "mirrors").exists() or not any((cache / "mirrors").iterdir())


def test_a_server_that_refuses_is_one_line_without_a_prompt(recording_server, tmp_path: Path, cache: Path) -> None:
    base, seen = recording_server
    url = base + "private/x.git"
    result = ms(cache, "show", "--repo", url, cwd=tmp_path)  # stdin is not a terminal: Git must not wait
    assert result.returncode == 1, result.stderr
    error = [line for line in result.stderr.splitlines() if line.startswith("modelshelf: error:")]
    assert error == [line for line in result.stderr.splitlines() if not line.startswith("modelshelf: cloning")]
    assert f"cannot clone {url}" in error[0]
    assert seen and not any(SECRET in request for request in seen)
    assert not mirror_path(url, cache).exists()


def test_the_index_never_records_a_remote_with_credentials(repo: GitBuilder, tmp_path: Path, cache: Path) -> None:
    """The user's own Git setup (here a credential helper) supplies them; the mirror's config,
    its state file and the index hold the URL without."""
    registry_repo(repo)
    _, url = bare_origin(repo, tmp_path)
    result = ms(cache, "index", "--repo", url)
    mirror = mirror_path(url, cache)
    stored = (mirror / "config").read_text() + (mirror / "modelshelf-mirror.json").read_text()
    assert url in stored and "@" not in stored
    assert json.loads(result.stdout)["repository"]["remote"] == url


@pytest.mark.parametrize("location", [
    "ext::sh -c touch% {canary}",
    "fd::17",
    "--upload-pack=touch {canary}",
    "-oProxyCommand=touch {canary}",
    "ssh://-oProxyCommand=touch%20{canary}/x.git",
    "gopher://example.org/x.git",
])
def test_dangerous_transports_and_options_are_refused_in_one_line(location: str, tmp_path: Path, cache: Path) -> None:
    canary = tmp_path / "canary"
    result = ms(cache, "show", f"--repo={location.format(canary=canary)}", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("modelshelf: error: refusing repository location")
    assert not canary.exists() and not (cache / "mirrors").exists()


@pytest.mark.parametrize(("url", "shown"), [
    ("https://user:tok@github.com/org/repo.git", "https://github.com/org/repo.git"),
    ("https://tok@github.com/org/repo.git", "https://github.com/org/repo.git"),
    ("http://u:p@[::1]:8080/x.git", "http://[::1]:8080/x.git"),
    ("ssh://git:pw@host:2222/org/repo.git", "ssh://git@host:2222/org/repo.git"),
    ("ssh://git@host/org/repo.git", "ssh://git@host/org/repo.git"),
    ("git@github.com:org/repo.git", "git@github.com:org/repo.git"),
    ("git:pw@github.com:org/repo.git", "git@github.com:org/repo.git"),
    ("file:///srv/git/repo.git", "file:///srv/git/repo.git"),
    ("fatal: unable to access 'https://u:p@h/x/': 403", "fatal: unable to access 'https://h/x/': 403"),
])
def test_display_url_strips_credentials(url: str, shown: str) -> None:
    assert display_url(url) == shown


@pytest.mark.parametrize(("location", "accepted"), [
    ("https://github.com/org/repo.git", True),
    ("ssh://git@github.com/org/repo.git", True),
    ("git@github.com:org/repo.git", True),
    ("file:///srv/repo.git", True),
    ("https://user@github.com/org/repo.git", False),  # a user part over HTTP is often a token
    ("ext::sh -c id", False),
    ("-u", False),
    ("ftp://host/x.git", False),
    ("https://host/x\n.git", False),
])
def test_parse_git_url_accepts_only_plain_urls(location: str, accepted: bool) -> None:
    if accepted:
        assert parse_git_url(location).url == location
    else:
        with pytest.raises(UnsafeUrl):
            parse_git_url(location)


def test_local_paths_win_over_url_lookalikes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert is_git_url("host:org/repo.git") and is_git_url("https://h/x.git")
    Path("host:org").mkdir()
    (Path("host:org") / "repo.git").mkdir()
    assert not is_git_url("host:org/repo.git")  # an existing folder is a path, as for gto
    assert not is_git_url(".") and not is_git_url(str(tmp_path))


# -- a real HTTP remote: credentials from a helper, interrupted and concurrent clones -----------

class _DumbGit(http.server.SimpleHTTPRequestHandler):
    """Git's dumb HTTP protocol: a bare repository's files, after ``git update-server-info``.
    ``password``: Basic auth required; ``release``: object requests wait until it is set."""

    password: str | None = None
    release: threading.Event | None = None
    objects_asked = threading.Event()
    seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        type(self).seen.append(self.path)
        if self.password is not None:
            expected = "Basic " + base64.b64encode(f"u:{self.password}".encode()).decode()
            if self.headers.get("Authorization") != expected:
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="git"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        if "/objects/" in self.path and self.release is not None:
            type(self).objects_asked.set()
            self.release.wait(120)  # stalls the clone mid-transfer
        super().do_GET()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def dumb_http(repo: GitBuilder, tmp_path: Path) -> Iterator[Callable[..., tuple[str, type[_DumbGit]]]]:
    """dumb_http(password=None, stall=False) -> (URL of the registry repo over HTTP, its handler class)."""
    registry_repo(repo)
    origin, _ = bare_origin(repo, tmp_path)
    subprocess.run(["git", "update-server-info"], cwd=origin, check=True)
    servers: list[http.server.ThreadingHTTPServer] = []
    handlers: list[type[_DumbGit]] = []

    def start(password: str | None = None, stall: bool = False) -> tuple[str, type[_DumbGit]]:
        handler = type("Handler", (_DumbGit,), {"password": password, "seen": [], "objects_asked": threading.Event(),
                                                "release": threading.Event() if stall else None})
        handlers.append(handler)
        base = start_loopback(functools.partial(handler, directory=str(origin.parent)), servers)
        return base + origin.name, handler

    yield start
    for handler in handlers:
        if handler.release is not None:
            handler.release.set()
    stop_all(servers)


def test_credentials_come_from_the_users_credential_helper_and_land_nowhere(dumb_http, tmp_path: Path,
                                                                           cache: Path) -> None:
    url, handler = dumb_http(password=SECRET)
    refused = ms(cache, "show", "--json", "--repo", url, cwd=tmp_path)
    assert refused.returncode == 1 and "cannot clone" in refused.stderr  # no helper: the server says no
    helper = f"!f() {{ test \"$1\" = get && echo username=u && echo password={SECRET}; }}; f"
    env = {"MODELSHELF_CACHE_DIR": str(cache), "GIT_CONFIG_COUNT": "1",
           "GIT_CONFIG_KEY_0": "credential.helper", "GIT_CONFIG_VALUE_0": helper}
    shown = run_cli("show", "--json", "--repo", url, cwd=tmp_path, env=env)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["churn"]["version"] == "v1.1.0"
    index = run_cli("index", "--repo", url, cwd=tmp_path, env=env)
    assert index.returncode == 0 and json.loads(index.stdout)["repository"]["remote"] == url
    for result in (refused, shown, index):
        assert SECRET not in result.stdout + result.stderr
    for path in cache.rglob("*"):  # the mirror's config, refs, state file and fragment cache
        assert not path.is_file() or SECRET.encode() not in path.read_bytes(), path


def start_cli(cache: Path, *args: str, cwd: Path) -> subprocess.Popen:
    """The CLI in its own process group, as a terminal runs a foreground job (Ctrl-C reaches the group)."""
    return subprocess.Popen([sys.executable, "-m", "modelshelf", *args], cwd=cwd, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                            env={**os.environ, "MODELSHELF_CACHE_DIR": str(cache)})


@pytest.mark.parametrize(("signum", "to_group", "code", "said"), [
    (signal.SIGINT, True, 130, "modelshelf: interrupted"),  # Ctrl-C: the whole foreground job, git included
    (signal.SIGTERM, False, 143, "modelshelf: terminated"),  # timeout, CI: modelshelf alone, which stops git
])
def test_a_signal_during_the_clone_leaves_no_mirror_and_the_next_run_clones(
        dumb_http, tmp_path: Path, cache: Path, signum: int, to_group: bool, code: int, said: str) -> None:
    url, handler = dumb_http(stall=True)
    proc = start_cli(cache, "show", "--json", "--repo", url, cwd=tmp_path)
    try:
        assert handler.objects_asked.wait(120), "the clone never asked for an object"
        clones = list((cache / "mirrors").glob("*.cloning-*"))
        assert clones and any(clone.iterdir() for clone in clones)  # mid-clone: its folder is filling
        (os.killpg if to_group else os.kill)(proc.pid, signum)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == code, err
    assert err.splitlines()[-1] == said and out == ""
    mirrors = cache / "mirrors"
    assert not mirror_path(url, cache).exists()
    assert sorted(p.name for p in mirrors.iterdir()) == [mirror_path(url, cache).name + ".lock"]

    handler.release.set()
    again = ms(cache, "show", "--json", "--repo", url, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert len(cloning_lines(again)) == 1
    assert json.loads(again.stdout)["churn"]["stage"] == {"prod": "v1.0.0", "staging": "v1.1.0"}


def test_a_killed_clones_folder_is_never_trusted_and_is_removed(repo: GitBuilder, tmp_path: Path,
                                                                cache: Path) -> None:
    """What SIGKILL leaves (no clean-up ran): a half-filled temporary folder beside the mirror."""
    registry_repo(repo)
    _, url = bare_origin(repo, tmp_path)
    target = mirror_path(url, cache)
    leftover = target.parent / f"{target.name}.cloning-killed"
    leftover.mkdir(parents=True)
    (leftover / "HEAD").write_text("ref: refs/heads/main\n")  # looks like a repository, holds nothing
    result = ms(cache, "show", "--json", "--repo", url)
    assert result.returncode == 0 and len(cloning_lines(result)) == 1
    assert json.loads(result.stdout)["churn"]["version"] == "v1.1.0"
    assert not leftover.exists()


def _waiting_for_flock(path: Path) -> bool:
    """Whether a process waits for an flock on ``path`` (``/proc/locks`` marks waiters with ``->``)."""
    inode = f":{path.stat().st_ino} "
    return any("->" in line and "FLOCK" in line and inode in line for line in Path("/proc/locks").read_text().splitlines())


def test_concurrent_runs_clone_once(dumb_http, tmp_path: Path, cache: Path) -> None:
    require_path("/proc/locks", "shows which process waits for a lock")
    url, handler = dumb_http(stall=True)
    first = start_cli(cache, "show", "--json", "--repo", url, cwd=tmp_path)
    second = None
    try:
        assert handler.objects_asked.wait(120), "the first clone never asked for an object"
        second = start_cli(cache, "show", "--json", "--repo", url, cwd=tmp_path)
        lock = mirror_path(url, cache).with_name(mirror_path(url, cache).name + ".lock")
        for _ in range(1200):  # the second run reaches the lock and waits there (never sleeps in a test: polls)
            if _waiting_for_flock(lock) or second.poll() is not None:
                break
            threading.Event().wait(0.1)
        assert _waiting_for_flock(lock), "the second run is not waiting for the mirror's lock"
        handler.release.set()
        results = [(proc, *proc.communicate(timeout=120)) for proc in (first, second)]
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
    for proc, out, err in results:
        assert proc.returncode == 0, err
        assert json.loads(out)["churn"]["version"] == "v1.1.0"
    assert sum(err.count("modelshelf: cloning ") for _, _, err in results) == 1


def test_a_clone_on_a_terminal_draws_the_objects_received(repo: GitBuilder, tmp_path: Path, cache: Path) -> None:
    registry_repo(repo)
    _, url = bare_origin(repo, tmp_path)
    env = {**os.environ, "MODELSHELF_CACHE_DIR": str(cache), "COLUMNS": "100"}
    code, drawn = stderr_on_a_terminal([sys.executable, "-m", "modelshelf", "show", "--repo", url], env)
    assert code == 0, drawn
    assert "modelshelf: fetching origin.git:" in drawn and " objects" in drawn  # progress.bar_progress's bar
    quiet = ms(cache, "index", "--quiet", "--repo", url)  # --quiet: nothing on stderr, not even the fetch
    assert quiet.returncode == 0 and quiet.stderr == ""


@pytest.mark.parametrize(("location", "scp"), [
    ("git@github.com:org/repo.git", True), ("host.example:repo", True), ("[::1]:repo.git", False),
    ("C:\\models", False), ("./a:b", False), ("https://h/x", False), ("ext::sh", False), ("u@h::x", False),
])
def test_scp_like_is_read_one_way(location: str, scp: bool) -> None:
    assert is_scp_like(location) is scp
