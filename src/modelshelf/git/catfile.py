"""One persistent ``git cat-file --batch-command`` process for every object read.

``--batch-command`` serves both ``info`` (type and size) and ``contents``
requests over one pipe, so a whole index build costs one process instead of
one per blob. Objects are named by sha or ``rev:path``; names with a newline
cannot be sent over the protocol and are treated as missing.

The process runs with ``--buffer``: git queues commands until ``flush``. A
single request pays one pipe round trip (~50 us, far more than git's own
work), so ``many`` sends thousands of requests before one ``flush`` and reads
the answers in one stream. Git reads every queued command before it writes,
so writing the whole batch first cannot deadlock.
"""

from __future__ import annotations

import subprocess
import sys
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
                ["git", "cat-file", "--batch-command", "--buffer"],
                cwd=self._cwd,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        return self._proc

    def _ask(self, command: str, name: str) -> tuple[ObjectInfo | None, subprocess.Popen[bytes]]:
        proc = self._process()
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(f"{command} {name}\nflush\n".encode())
        proc.stdin.flush()
        return _header(proc.stdout.readline()), proc

    def many(self, command: str, names: list[str]) -> list[tuple[str, ObjectInfo | None, bytes | None]]:
        """``(name, info, contents)`` for each name from one pipelined batch.

        ``command`` is ``info`` (contents always None) or ``contents``. Names
        that cannot be sent (empty, with a newline) come back as missing. The
        answers are read in full before returning (a half-read stream would
        corrupt the next request), so callers bound the batch's total size.
        """
        sendable = [name for name in names if name and "\n" not in name]
        found: list[tuple[str, ObjectInfo | None, bytes | None]] = [
            (name, None, None) for name in names if not name or "\n" in name
        ]
        if not sendable:
            return found
        proc = self._process()
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write("".join(f"{command} {name}\n" for name in sendable).encode() + b"flush\n")
        proc.stdin.flush()
        read, readline = proc.stdout.read, proc.stdout.readline
        for name in sendable:
            info = _header(readline())
            data = None
            if info is not None and command == "contents":
                data = read(info.size)
                read(1)  # the newline after the contents
            found.append((name, info, data))
        return found

    def info(self, name: str) -> ObjectInfo | None:
        if "\n" in name or not name:
            return None
        info, _ = self._ask("info", name)
        return info

    def contents(self, name: str) -> tuple[ObjectInfo, bytes] | None:
        found = self.contents_capped(name, sys.maxsize)
        if found is None:
            return None
        info, data = found
        assert data is not None  # no object is over the cap
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
            proc.stdout.read(1)  # the newline after the contents
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


def _header(line: bytes) -> ObjectInfo | None:
    parts = line.split()
    if len(parts) != 3 or parts[1] in (b"missing", b"ambiguous"):
        return None
    return ObjectInfo(parts[0].decode(), parts[1].decode(), int(parts[2]))
