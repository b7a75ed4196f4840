"""Progress of a long operation on stderr: a tqdm bar on a terminal, plain lines elsewhere.

A cold ``index`` of a big registry reads every version's metadata for minutes, a
build renders every model, a download moves gigabytes. One ``Reporter`` turns
either kind of report into something a person (a terminal) or a CI log (plain
lines, never carriage returns) can follow: the index build and the plugin call
it as a ``Progress`` callback (versions or models done of a total), a download
feeds it bytes (``begin``/``advance``/``end``, ``delivery/progress.py``'s
protocol). Short runs print nothing.
"""

from __future__ import annotations

import shutil
import sys
import time
from typing import Any, Callable, TextIO

Progress = Callable[[int, int, str], None]

EVERY_SECONDS = 10.0  # plain lines: the first once a run lasts this long, then one at most this often, one at the end
BYTES = "B"  # the unit of a download: sizes in KiB/MiB/GiB and a rate


def _size(count: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if count < 1024 or unit == "GiB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count:.1f} TiB"


class Reporter:
    """One operation's progress: a tqdm bar (``bar``) or plain lines in ``unit``s (``BYTES``: a download)."""

    def __init__(self, label: str, stream: TextIO, *, bar: bool, unit: str = "versions",
                 every: float = EVERY_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.label, self.stream, self.unit, self.every, self.clock = label, stream, unit, every, clock
        self._draws_bar = bar
        self._bar: Any = None
        self._running = self._said = False
        self._total: int | None = None
        self._done = 0
        self._start = self._last = 0.0

    # -- what a download calls ------------------------------------------------
    def begin(self, total: int | None) -> None:
        self._total, self._done, self._running, self._said = total, 0, True, False
        if self._draws_bar:
            from tqdm import tqdm  # only a terminal pays for it

            self._bar = tqdm(total=total, file=self.stream, leave=False, **self._bar_style())
        else:
            self._start = self._last = self.clock()

    def advance(self, count: int) -> None:
        self._done += count
        if self._bar is not None:
            self._bar.update(count)
            return
        now = self.clock()
        if self._running and now - self._last >= self.every:
            self._last, self._said = now, True
            self._line(now)

    def end(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elif self._running and self._said:
            self._line(self.clock())
        self._running = self._said = False

    # -- what the index build and the plugin call (``Progress``) ------------------------
    def __call__(self, done: int, total: int, name: str) -> None:
        if not self._running:
            self.begin(total)
        if done < total:
            self.advance(done - self._done)
            return
        if self._bar is not None:
            self._bar.update(done - self._done)
        elif self.clock() - self._last >= self.every:
            self._said = True  # the last line is due anyway: ``end`` prints it, once
        self._done = done
        self.end()

    def _bar_style(self) -> dict[str, Any]:
        if self.unit == BYTES:
            return {"desc": self.label, "unit": "B", "unit_scale": True, "unit_divisor": 1024, "dynamic_ncols": True}
        size = shutil.get_terminal_size()  # a terminal of unknown size says 0 x 0: tqdm would draw nothing
        return {"desc": f"modelshelf: {self.label}", "unit": f" {self.unit}", "ncols": size.columns or 80,
                "nrows": size.lines or 24, "mininterval": 0.5}

    def _line(self, now: float) -> None:
        if self.unit == BYTES:
            total = self._total
            of = f" of {_size(total)} ({100 * self._done // max(total, 1)}%)" if total else ""
            rate = self._done / max(now - self._start, 1e-6)
            text = f"{self.label}: {_size(self._done)}{of}, {_size(rate)}/s"
        else:
            text = f"modelshelf: {self.label}: {self._done} of {self._total}"
        self.stream.write(text + "\n")
        self.stream.flush()


def plain_progress(what: str, stream: TextIO, clock: Callable[[], float] = time.monotonic) -> Progress:
    """``modelshelf: WHAT: N of M`` lines, for logs: the first after ``EVERY_SECONDS``."""
    return Reporter(what, stream, bar=False, clock=clock)


def bar_progress(what: str, stream: TextIO, unit: str = "versions") -> Progress:
    """A tqdm bar counting ``what`` in ``unit``s; closed when the count reaches the total."""
    return Reporter(what, stream, bar=True, unit=unit)


def terminal_stderr() -> TextIO:
    """stderr for what modelshelf draws itself (bars): past the CLI's control-character
    escaping (``TerminalSafe.raw``), which would print a bar's carriage returns as text."""
    return getattr(sys.stderr, "raw", sys.stderr)


def _is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return isatty is not None and bool(isatty())


def stderr_progress(what: str, quiet: bool = False, stream: TextIO | None = None,
                    unit: str = "versions") -> Progress | None:
    """The progress reporter for a command: none when ``quiet``, a bar on a terminal, else lines."""
    if quiet:
        return None
    out = stream if stream is not None else terminal_stderr()
    return bar_progress(what, out, unit) if _is_terminal(out) else plain_progress(what, out)


def download_progress(label: str, quiet: bool, stream: TextIO | None = None) -> Reporter | None:
    """A download's reporter (None with ``--quiet``): a bar of bytes, rate and time left on a
    terminal (drawn past the CLI's escaping), else ``LABEL: 12.0 MiB of 40.0 MiB (30%), 2.1 MiB/s``
    lines on ``stream`` (stderr: the label is the spec the user typed)."""
    if quiet:
        return None
    stream = stream or sys.stderr
    if _is_terminal(stream):
        return Reporter(label, terminal_stderr() if stream is sys.stderr else stream, bar=True, unit=BYTES)
    return Reporter(label, stream, bar=False, unit=BYTES)
