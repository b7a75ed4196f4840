"""One persistent ``git cat-file --batch-command`` process for every object read.

``--batch-command`` serves both ``info`` (type and size) and ``contents``
requests over one pipe, so a whole index build costs one process instead of
one per blob. Objects are named by sha or ``rev:path``; names with a newline
cannot be sent over the protocol and are treated as missing.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ObjectInfo:
    sha: str
    type: str
    size: int


class CatFile:
    def __init__(self, cwd: Path) -> None:
        self._cwd = cwd
        self._proc: subprocess.Popen[bytes] | None = None

    def _process(self) -> subprocess.Popen[bytes]:
        if self._proc is None or self._proc.poll() is not None:
            self._proc = subprocess.Popen(
                ["git", "cat-file", "--batch-command"],
                cwd=self._cwd,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        return self._proc

    def _ask(self, command: str, name: str) -> tuple[ObjectInfo | None, subprocess.Popen[bytes]]:
        proc = self._process()
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(f"{command} {name}\n".encode())
        proc.stdin.flush()
        header = proc.stdout.readline()
        parts = header.split()
        if len(parts) != 3 or parts[1] in (b"missing", b"ambiguous"):
            return None, proc
        return ObjectInfo(parts[0].decode(), parts[1].decode(), int(parts[2])), proc

    def info(self, name: str) -> ObjectInfo | None:
        if "\n" in name or not name:
            return None
        info, _ = self._ask("info", name)
        return info

    def contents(self, name: str) -> tuple[ObjectInfo, bytes] | None:
        if "\n" in name or not name:
            return None
        info, proc = self._ask("contents", name)
        if info is None:
            return None
        assert proc.stdout is not None
        data = proc.stdout.read(info.size)
        proc.stdout.read(1)  # the newline after the contents
        return info, data

    def contents_capped(self, name: str, cap: int) -> tuple[ObjectInfo, bytes | None] | None:
        """Like ``contents``, but an object over ``cap`` bytes is drained, not kept (data None)."""
        if "\n" in name or not name:
            return None
        info, proc = self._ask("contents", name)
        if info is None:
            return None
        assert proc.stdout is not None
        if info.size <= cap:
            data = proc.stdout.read(info.size)
            proc.stdout.read(1)
            return info, data
        left = info.size + 1  # and the newline after the contents
        while left:
            left -= len(proc.stdout.read(min(left, 1 << 20)))
        return info, None

    def close(self) -> None:
        if self._proc is not None:
            if self._proc.stdin:
                self._proc.stdin.close()
            self._proc.wait()
            if self._proc.stdout:
                self._proc.stdout.close()
            self._proc = None
