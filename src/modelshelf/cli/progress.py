"""Download progress for people and for CI logs: a tqdm bar on a terminal, plain lines otherwise.

On a terminal: bytes, rate and time left (tqdm). When stderr is not a
terminal (a CI log), one plain line every ``LINE_EVERY`` seconds and one at
the end, so logs show a long transfer is alive without a line per chunk; a
transfer shorter than that prints nothing (stderr keeps one line per error).
``--quiet`` passes no progress at all.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from ..progress import EVERY_SECONDS as LINE_EVERY  # one policy for index and download lines
from ..progress import terminal_stderr


def _size(count: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if count < 1024 or unit == "GiB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count:.1f} TiB"


class TerminalBar:
    """A tqdm bar on ``stream`` (stderr by default)."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self._label, self._stream, self._bar = label, stream or terminal_stderr(), None

    def begin(self, total: int | None) -> None:
        from tqdm import tqdm

        self._bar = tqdm(total=total, desc=self._label, unit="B", unit_scale=True, unit_divisor=1024,
                         file=self._stream, leave=False, dynamic_ncols=True)

    def advance(self, count: int) -> None:
        if self._bar is not None:
            self._bar.update(count)

    def end(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


class PlainLines:
    """``LABEL: 12.0 MiB of 40.0 MiB (30%), 2.1 MiB/s`` now and then, and once at the end."""

    def __init__(self, label: str, stream: TextIO | None = None, every: float = LINE_EVERY) -> None:
        self._label, self._stream, self._every = label, stream or sys.stderr, every
        self._total: int | None = None
        self._done = 0
        self._start = self._last = 0.0
        self._said = False

    def begin(self, total: int | None) -> None:
        self._total, self._done = total, 0
        self._start = self._last = time.monotonic()

    def advance(self, count: int) -> None:
        self._done += count
        now = time.monotonic()
        if now - self._last >= self._every:
            self._last, self._said = now, True
            self._line(now)

    def end(self) -> None:
        if self._start and self._said:
            self._line(time.monotonic())
        self._start, self._said = 0.0, False

    def _line(self, now: float) -> None:
        of = f" of {_size(self._total)} ({100 * self._done // max(self._total, 1)}%)" if self._total else ""
        rate = self._done / max(now - self._start, 1e-6)
        self._stream.write(f"{self._label}: {_size(self._done)}{of}, {_size(rate)}/s\n")
        self._stream.flush()


def progress_for(label: str, quiet: bool, stream: TextIO | None = None) -> TerminalBar | PlainLines | None:
    """The right reporter for where stderr goes (None with ``--quiet``)."""
    if quiet:
        return None
    stream = stream or sys.stderr
    return TerminalBar(label, stream) if stream.isatty() else PlainLines(label, stream)
