"""SIGTERM taken through Ctrl-C's path: one exception type for the CLI and the site build.

By default SIGTERM (``kill``, ``timeout``, a cancelled CI job, a stopping container) ends
the process on the spot: no ``finally`` runs, and staged sites, partial downloads and
working folders stay behind. Raising ``Terminated`` (a ``KeyboardInterrupt``) instead runs
every clean-up that Ctrl-C runs, and lets the CLI exit 143 rather than 130.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    signal.signal(signum, signal.SIG_IGN)  # a second TERM must not interrupt the clean-up
    raise Terminated(signum)


def handle_sigterm() -> None:
    """Turn SIGTERM into ``Terminated`` for the rest of the process (the CLI's ``main``)."""
    try:
        signal.signal(signal.SIGTERM, _raise_terminated)
    except ValueError:  # not the main thread (main() called from a thread): keep the default
        pass


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """The same, for the length of a block (``build_site``/``serve_site`` called as an API)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
