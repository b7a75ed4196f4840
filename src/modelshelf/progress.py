"""Progress of a long read on stderr: a tqdm bar on a terminal, plain lines elsewhere.

A cold ``index`` of a big registry reads every version's metadata for minutes;
``build_index`` reports each version read through a ``Progress`` callback and
this module turns the calls into something a person (a terminal) or a CI log
(plain lines, never carriage returns) can follow. Short runs print nothing.
"""

from __future__ import annotations

import shutil
import sys
import time
from typing import Callable, TextIO

from tqdm import tqdm

Progress = Callable[[int, int, str], None]

QUIET_SECONDS = 5.0  # plain lines start only when a run lasts longer than this
EVERY_SECONDS = 10.0  # then one line at most this often (and one at the end)


def plain_progress(what: str, stream: TextIO, clock: Callable[[], float] = time.monotonic) -> Progress:
    """``modelshelf: WHAT: N of M`` lines, for logs: the first after ``QUIET_SECONDS``."""
    started = clock()
    state = {"last": started, "printed": False}

    def report(done: int, total: int, name: str) -> None:
        now = clock()
        finished = done >= total
        due = now - started >= QUIET_SECONDS and now - state["last"] >= EVERY_SECONDS
        if due or (finished and state["printed"]):
            stream.write(f"modelshelf: {what}: {done} of {total}\n")
            stream.flush()
            state["last"], state["printed"] = now, True

    return report


def bar_progress(what: str, stream: TextIO, unit: str = "versions") -> Progress:
    """A tqdm bar counting ``what`` in ``unit``s; closed when the count reaches the total."""
    holder: dict[str, tqdm] = {}

    def report(done: int, total: int, name: str) -> None:
        bar = holder.get("bar")
        if bar is None:
            size = shutil.get_terminal_size()  # a terminal of unknown size says 0 x 0: tqdm would draw nothing
            bar = holder["bar"] = tqdm(total=total, desc=f"modelshelf: {what}", unit=f" {unit}", file=stream,
                                       leave=False, ncols=size.columns or 80, nrows=size.lines or 24,
                                       mininterval=0.5)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return report


def terminal_stderr() -> TextIO:
    """stderr for what modelshelf draws itself (bars): past the CLI's control-character
    escaping (``TerminalSafe.raw``), which would print a bar's carriage returns as text."""
    return getattr(sys.stderr, "raw", sys.stderr)


def stderr_progress(what: str, quiet: bool = False, stream: TextIO | None = None,
                    unit: str = "versions") -> Progress | None:
    """The progress reporter for a command: none when ``quiet``, a bar on a terminal, else lines."""
    if quiet:
        return None
    out = stream if stream is not None else terminal_stderr()
    isatty = getattr(out, "isatty", None)
    return bar_progress(what, out, unit) if isatty is not None and isatty() else plain_progress(what, out)
