"""Remote repositories read through bare mirrors kept in the user's cache.

``--repo URL`` (and the hub's Git sources) must not clone on every command, as
``gto --repo URL`` does: the first use clones a bare repository with every branch
and tag into ``<cache>/mirrors/<hash of the URL>``, later uses run one
``git fetch --prune`` of its branches and tags that moves the refs and brings
only the new objects (the URL and refspecs come from the command line, not from
the mirror's config: what is fetched, and from where, is decided here). The
registry readers then read the mirror like any bare repository (the default
branch's tip is its ``HEAD``; tags are refs; no work tree).

- Cache: ``$MODELSHELF_CACHE_DIR``, else ``$XDG_CACHE_HOME/modelshelf``, else
  ``~/.cache/modelshelf``; a ``cache_root`` argument overrides both (tests).
- Concurrency: an update holds an exclusive ``flock`` on ``mirrors/<hash>.lock``,
  so two runs never clone or fetch the same mirror at once (the second waits,
  then only fetches). Readers take no lock: Git writes objects before it moves a
  ref, and a fetch deletes no object, so a reader sees a consistent repository.
- Interruptions: a clone goes into a temporary folder beside the mirror and is
  renamed into place only once complete, so a mirror that exists is whole; the
  folders of interrupted clones are removed by the next update (under the lock).
  On Ctrl-C or SIGTERM, git is stopped and waited for before its folder goes.
- Credentials: only from the user's Git setup (credential helper, SSH agent);
  ``urls.parse_git_url`` refuses a URL that carries one, so the URL stored in
  the mirror's config, shown in messages and written to the index has none.
  Every git run gets ``GIT_ALLOW_PROTOCOL`` (no ``ext::``/``fd::``), the URL
  after ``--``, no prompt when stdin is not a terminal, and Git's own messages
  pass through ``urls.redact`` before they reach an error.

Plain ``subprocess`` rather than GitPython (see the README's dependency notes):
this module owns the git process, so an interrupt can stop it before its folder
is removed, and its errors never echo a command line.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .urls import ALLOWED_PROTOCOLS, GitUrl, UnsafeUrl, display_url, is_git_url, parse_git_url, redact

CACHE_ENV = "MODELSHELF_CACHE_DIR"
MIRRORS = "mirrors"
STATE_FILE = "modelshelf-mirror.json"  # in the mirror's Git dir: its URL and when it was last fetched
_CLONING = ".cloning-"  # prefix of a clone's temporary folder: <key>.cloning-XXXX
_REFSPECS = ("+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*")  # branches and tags, not refs/pull/*
# Environment that would point git at another repository than the one it runs in.
_REPO_ENV = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR",
             "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_PREFIX")
_PROGRESS_LINE = re.compile(r"^(?:remote: )?(?P<what>[A-Za-z ]+):\s+\d+% \((?P<done>\d+)/(?P<total>\d+)\)")
_REPORTED = "Receiving objects"  # the stage that takes the time (the transfer)

Progress = Callable[[int, int, str], None]  # the shape of progress.Progress: (done, total, what)
Notify = Callable[[str], None]  # one line for the user (the CLI prints it on stderr)

__all__ = [
    "CACHE_ENV", "LocalRepository", "MirrorError", "UnsafeUrl", "cache_dir", "display_url", "is_git_url",
    "mirror_path", "open_repository", "update_mirror",
]


class MirrorError(Exception):
    """A mirror could not be cloned or updated (network, authentication, not a Git
    repository). Retrying may help: exit code 1. The message holds no credential."""

    exit_code = 1


@dataclass(frozen=True)
class LocalRepository:
    """A repository on this machine, ready for the registry readers: a local path as
    given, or the bare mirror of a Git URL. Usable wherever a path is (``os.fspath``)."""

    path: Path
    location: str  # what to show: the local path, or the URL without credentials
    url: str | None = None  # the Git URL it mirrors; None for a local path
    cloned: bool = False  # this call made the mirror (the first use)
    stale: str | None = None  # why the mirror could not be updated (it holds its last fetch)
    fetched_at: str | None = None  # UTC ISO 8601 time of the mirror's last good fetch

    def __fspath__(self) -> str:
        return str(self.path)


def cache_dir(cache_root: str | os.PathLike[str] | None = None) -> Path:
    """modelshelf's cache folder: ``cache_root``, ``$MODELSHELF_CACHE_DIR``,
    ``$XDG_CACHE_HOME/modelshelf`` or ``~/.cache/modelshelf``, in that order."""
    if cache_root is not None:
        return Path(cache_root)
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"  # XDG: a relative value is ignored
    return base / "modelshelf"


def mirror_key(url: str) -> str:
    """A stable folder name for ``url``: the SHA-256 of its credential-free form."""
    return hashlib.sha256(display_url(url).encode("utf-8")).hexdigest()[:32]


def mirror_path(url: str, cache_root: str | os.PathLike[str] | None = None) -> Path:
    """Where the mirror of ``url`` lives (whether or not it exists yet)."""
    return cache_dir(cache_root) / MIRRORS / mirror_key(url)


@contextlib.contextmanager
def open_repository(location: str | os.PathLike[str], cache_root: str | os.PathLike[str] | None = None,
                    progress: Progress | None = None, notify: Notify | None = None,
                    keep_stale: bool = True) -> Iterator[LocalRepository]:
    """A local, readable repository for ``location``, for the ``with`` block.

    ``location`` is a path (given back as is, unchecked: the readers say what is
    wrong with it) or a Git URL (``https://``, ``ssh://``, ``git@host:org/repo.git``,
    ``file://``): then its bare mirror in the cache, cloned on first use and
    fetched on every later one. ``progress(done, total, what)`` follows the objects
    received; ``notify(line)`` gets the one-time "cloning" line. When a fetch fails
    but an earlier one succeeded, ``keep_stale`` yields the mirror as it was
    (``stale`` says why, ``fetched_at`` since when) instead of raising ``MirrorError``.
    A ``LocalRepository`` (opened earlier) is given back as it is.
    Refused URLs raise ``UnsafeUrl`` (a ``ValueError``). ``display_url(url)``
    gives any URL in the form that may be shown.
    """
    if isinstance(location, LocalRepository):
        yield location
        return
    text = os.fspath(location)
    if not is_git_url(text):
        yield LocalRepository(Path(text), text)
        return
    yield update_mirror(text, cache_root=cache_root, progress=progress, notify=notify, keep_stale=keep_stale)


def update_mirror(url: str, cache_root: str | os.PathLike[str] | None = None, progress: Progress | None = None,
                  notify: Notify | None = None, keep_stale: bool = True) -> LocalRepository:
    """Clone ``url`` into its mirror (first use) or fetch what changed; see ``open_repository``."""
    accepted = parse_git_url(url)
    path = mirror_path(accepted.url, cache_root)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(path.parent / f"{path.name}.lock"):
        _remove_interrupted_clones(path)
        if path.is_dir():
            return _fetch(accepted, path, progress, keep_stale)
        if notify is not None:
            notify(f"cloning {display_url(accepted.url)} into {path} (first use; later runs fetch only what changed)")
        _clone(accepted, path, progress)
        return LocalRepository(path, display_url(accepted.url), accepted.url, cloned=True,
                               fetched_at=_read_state(path).get("fetched_at"))


@contextlib.contextmanager
def _locked(lock_file: Path) -> Iterator[None]:
    fd = os.open(lock_file, os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # released by the kernel if this process dies
        yield
    finally:
        os.close(fd)


def _remove_interrupted_clones(path: Path) -> None:
    """Temporary folders of clones that never finished (killed runs): under the lock, none is live."""
    for leftover in path.parent.glob(f"{path.name}{_CLONING}*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _clone(url: GitUrl, path: Path, progress: Progress | None) -> None:
    temporary = Path(tempfile.mkdtemp(prefix=f"{path.name}{_CLONING}", dir=path.parent))
    try:
        _run_git(["clone", "--bare", "--progress", "--", url.url, str(temporary)], path.parent, progress,
                 f"cannot clone {display_url(url.url)}")
        _write_state(temporary, url)
        os.rename(temporary, path)  # the one step that makes the mirror exist: whole or not at all
    finally:
        shutil.rmtree(temporary, ignore_errors=True)  # gone already after the rename


def _fetch(url: GitUrl, path: Path, progress: Progress | None, keep_stale: bool) -> LocalRepository:
    shown = display_url(url.url)
    try:
        # The URL and refspecs given here, not read from the mirror's config.
        _run_git(["fetch", "--prune", "--progress", "--", url.url, *_REFSPECS], path, progress,
                 f"cannot update the mirror of {shown}")
        _follow_default_branch(path, url)
    except MirrorError as exc:
        last = _read_state(path).get("fetched_at")
        if not keep_stale or last is None:
            raise
        return LocalRepository(path, shown, url.url, stale=str(exc), fetched_at=last)
    _write_state(path, url)
    return LocalRepository(path, shown, url.url, fetched_at=_read_state(path).get("fetched_at"))


def _follow_default_branch(path: Path, url: GitUrl) -> None:
    """Point ``HEAD`` at the remote's default branch again when its branch is gone
    (renamed or deleted upstream): ``fetch`` never moves a bare repository's HEAD."""
    if _run_git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], path, None, "", check=False):
        return
    listing = _run_git(["ls-remote", "--symref", "--", url.url, "HEAD"], path, None, "", check=False) or ""
    match = re.search(r"^ref: (refs/heads/\S+)\tHEAD$", listing, re.M)
    if match:
        _run_git(["symbolic-ref", "HEAD", match.group(1)], path, None, "", check=False)


def _write_state(path: Path, url: GitUrl) -> None:
    state = {"url": display_url(url.url),
             "fetched_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    target = path / STATE_FILE
    partial = target.with_name(target.name + ".partial")
    partial.write_text(json.dumps(state, indent=2) + "\n")
    os.replace(partial, target)


def _read_state(path: Path) -> dict[str, str]:
    try:
        data = json.loads((path / STATE_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, str)} if isinstance(data, dict) else {}


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _REPO_ENV}
    env["GIT_ALLOW_PROTOCOL"] = ALLOWED_PROTOCOLS
    if not _interactive():
        env.setdefault("GIT_TERMINAL_PROMPT", "0")  # fail, never wait for a password nobody types
    return env


def _interactive() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _run_git(args: list[str], cwd: Path, progress: Progress | None, failure: str, check: bool = True) -> str | None:
    """Run git, following its progress lines; its stdout, or None when it failed and not ``check``.

    On any exception (Ctrl-C, SIGTERM as ``Terminated``) git is stopped and
    waited for, so nothing writes into a folder the caller is about to remove.
    """
    proc = subprocess.Popen(["git", *args], cwd=cwd, env=_environment(), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        output, messages = _follow(proc, progress)
        returncode = proc.wait()
    except BaseException:
        _stop(proc)
        raise
    if returncode == 0:
        return output
    if not check:
        return None
    raise MirrorError(f"{failure}: {_reason(messages, returncode)}")


def _follow(proc: subprocess.Popen[bytes], progress: Progress | None) -> tuple[str, list[str]]:
    """Read git's output: stderr, whose progress updates (``\\r``-separated) go to
    ``progress`` and whose other lines are kept, then stdout (short for the commands
    run here: the pipe's buffer holds it meanwhile)."""
    assert proc.stderr is not None
    messages: list[str] = []
    pending = b""
    while True:
        chunk = os.read(proc.stderr.fileno(), 65536)
        if not chunk:
            break
        pending += chunk
        *lines, pending = re.split(rb"[\r\n]", pending)
        for raw in lines:
            _take_line(raw.decode("utf-8", "replace").strip(), progress, messages)
    _take_line(pending.decode("utf-8", "replace").strip(), progress, messages)
    assert proc.stdout is not None
    output = proc.stdout.read().decode("utf-8", "replace")
    return output, messages


def _take_line(line: str, progress: Progress | None, messages: list[str]) -> None:
    if not line:
        return
    found = _PROGRESS_LINE.match(line)
    if found is None:
        messages.append(line)
        del messages[:-20]  # the last lines say why it failed
    elif progress is not None and found.group("what") == _REPORTED:
        progress(int(found.group("done")), int(found.group("total")), "objects")


def _reason(messages: list[str], returncode: int) -> str:
    """Git's own reason (its first ``fatal:``/``error:`` line, the specific one), without credentials."""
    errors = [m for m in messages if m.startswith(("fatal:", "error:"))]
    line = (errors or messages[-1:] or [f"git exited with {returncode}"])[0]
    return redact(line.removeprefix("fatal: ").removeprefix("error: "))


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()  # git removes its own lock files on SIGTERM
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
