"""A live-reload preview (``modelshelf serve`` / ``mkdocs serve``) in a child process, for tests.

Its log is read on a thread, line by line, so a test waits for what the server says
("Serving on", "Documentation built") instead of sleeping.
"""

from __future__ import annotations

import os
import queue
import socket
import subprocess
import threading
from pathlib import Path


def free_address() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{probe.getsockname()[1]}"


class LiveServer:
    """``command`` is started with ``-a ADDRESS`` appended; use as a context manager (killed at exit)."""

    def __init__(self, command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> None:
        self.address = free_address()
        self.process = subprocess.Popen([*command, "-a", self.address], cwd=cwd, env=env or dict(os.environ),
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self._lines: queue.Queue[str] = queue.Queue()
        assert self.process.stderr is not None
        stream = self.process.stderr
        threading.Thread(target=lambda: [self._lines.put(line) for line in stream], daemon=True).start()

    def until(self, marker: str) -> list[str]:
        """The log lines up to and including the first that contains ``marker``; no ERROR on the way."""
        seen: list[str] = []
        while True:
            line = self._lines.get(timeout=120)  # the timeout only guards against a hang
            seen.append(line)
            if marker in line:
                return seen
            assert "ERROR" not in line, "".join(seen)

    def __enter__(self) -> "LiveServer":
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
