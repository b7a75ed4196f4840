"""Real Git repositories for tests, with pinned dates (never sleep)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

BASE_TIME = 1_704_067_200  # 2024-01-01T00:00:00Z

GTO_SHIM = r"""
import os, sys
from pygit2 import Signature
from scmrepo.git.backend.pygit2 import Pygit2Backend

_orig = Pygit2Backend._get_signature

def _pinned(self, name):
    # GTO refuses GIT_COMMITTER_DATE; pin the tagger time the same way git would.
    stamp = os.environ.pop("MODELSHELF_TEST_TAG_TIME", None)
    saved = {k: os.environ.pop(k) for k in ("GIT_COMMITTER_DATE", "GIT_AUTHOR_DATE") if k in os.environ}
    try:
        sig = _orig(self, name)
    finally:
        os.environ.update(saved)
        if stamp is not None:
            os.environ["MODELSHELF_TEST_TAG_TIME"] = stamp
    if stamp is None:
        return sig
    return Signature(name=sig.name, email=sig.email, time=int(stamp), offset=0)

Pygit2Backend._get_signature = _pinned
from gto.cli import app
sys.argv[0] = "gto"
app()
"""


GTO_RUNS = [0]  # gto runs in this process: conftest fails a test that runs gto without the gto marker


def run_gto(cwd: Path, *args: str, env: dict[str, str] | None = None, check: bool = False) -> subprocess.CompletedProcess:
    """The real GTO CLI in ``cwd`` (tagger time pinned when ``env`` carries MODELSHELF_TEST_TAG_TIME)."""
    GTO_RUNS[0] += 1
    result = subprocess.run([sys.executable, "-c", GTO_SHIM, *args], cwd=cwd, env=env, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"gto {' '.join(args)} failed: {result.stdout}{result.stderr}")
    return result


@dataclass
class GitBuilder:
    """A repo whose every commit and tag gets the next pinned second."""

    path: Path
    clock: int = BASE_TIME
    env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.name", "Test User")
        self.git("config", "user.email", "test@example.com")
        self.git("config", "commit.gpgsign", "false")
        self.git("config", "tag.gpgsign", "false")

    def tick(self, seconds: int = 1) -> str:
        self.clock += seconds
        return f"{self.clock} +0000"

    def _env(self) -> dict[str, str]:
        stamp = self.tick()
        return {
            **os.environ,
            "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_DATE": stamp,
            "MODELSHELF_TEST_TAG_TIME": str(self.clock),
            **self.env,
        }

    def git(self, *args: str, check: bool = True) -> str:
        result = subprocess.run(
            ["git", *args], cwd=self.path, env=self._env(), capture_output=True, text=True
        )
        if check and result.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed: {result.stderr}")
        return result.stdout.strip()

    def write(self, relpath: str, content: str | bytes | dict) -> Path:
        target = self.path / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, dict):
            content = json.dumps(content, indent=2)
        if isinstance(content, str):
            target.write_text(content)
        else:
            target.write_bytes(content)
        return target

    def commit(self, message: str = "change", files: dict[str, str | bytes | dict] | None = None) -> str:
        for relpath, content in (files or {}).items():
            self.write(relpath, content)
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")

    def tag(self, name: str, rev: str = "HEAD", message: str | None = None) -> None:
        """An annotated tag (lightweight when ``message`` is None and ``lightweight``)."""
        self.git("tag", "-a", name, rev, "-m", message or name)

    def lightweight_tag(self, name: str, rev: str = "HEAD") -> None:
        self.git("tag", name, rev)

    def gto(self, *args: str, check: bool = True) -> str:
        """Run the real GTO CLI here, with the tagger time pinned to the next second."""
        result = run_gto(self.path, *args, env=self._env())
        if check and result.returncode != 0:
            raise AssertionError(f"gto {' '.join(args)} failed: {result.stdout}{result.stderr}")
        return result.stdout

    def gto_json(self, *args: str):
        return json.loads(self.gto(*args))


def run_cli(*args: str, cwd: Path | None = None, check: bool = False, env: dict | None = None) -> subprocess.CompletedProcess:
    """The real ``modelshelf`` console script, in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "modelshelf", *args],
        cwd=cwd, capture_output=True, text=True, check=check,
        env={**os.environ, **(env or {})},
    )


def git_bytes(repo: GitBuilder, commit: str, path: str) -> bytes:
    """The bytes Git holds for ``path`` at ``commit``."""
    return subprocess.run(["git", "show", f"{commit}:{path}"], cwd=repo.path, capture_output=True, check=True).stdout


def ms(repo: GitBuilder, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run the real ``modelshelf`` CLI in ``repo`` with the next pinned second (like ``GitBuilder.gto``)."""
    result = subprocess.run([sys.executable, "-m", "modelshelf", *args], cwd=repo.path, env=repo._env(),
                            capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"modelshelf {' '.join(args)} failed: {result.stdout}{result.stderr}")
    return result


def assert_no_warnings(result: subprocess.CompletedProcess) -> None:
    """A build that succeeded without a MkDocs WARNING or ERROR line."""
    assert result.returncode == 0, result.stdout + result.stderr
    assert not re.search(r"^(WARNING|ERROR)\s+-", result.stderr, re.M), result.stderr
