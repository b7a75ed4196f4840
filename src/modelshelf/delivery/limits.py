"""Bounds on one download: bytes when the index records no size, and wall time overall.

A per-read socket timeout alone lets a server that sends a byte now and then
keep a download alive forever, and a record without a size lets an endless
body fill the disk. ``Limits`` is given to ``download()`` (CLI: ``--max-size``,
``--deadline``); the deadline it starts is seen by the transport through a
context variable, so every open and every read of this download (HTTP
connect, headers, body, any location) waits at most until then.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

from .errors import DownloadError, TransferFailed

DEFAULT_MAX_SIZE = 10 << 30  # 10 GiB: bytes of a record without a size
DEFAULT_DEADLINE = 2 * 3600.0  # seconds for one whole download

_UNITS = {"": 1, "b": 1, "k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10, "m": 1 << 20, "mb": 1 << 20, "mib": 1 << 20,
          "g": 1 << 30, "gb": 1 << 30, "gib": 1 << 30, "t": 1 << 40, "tb": 1 << 40, "tib": 1 << 40}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")


class SizeLimitExceeded(DownloadError):
    """Bytes of unknown size went past ``--max-size``: raise the limit to fetch them (exit 2)."""

    exit_code = 2


class DeadlineExceeded(TransferFailed):
    """The whole download took longer than ``--deadline`` (exit 1: a faster link may do)."""


@dataclass(frozen=True)
class Limits:
    """``max_size``: bytes allowed when the index records no size (0: no limit);
    ``deadline``: seconds for the whole download (0: none)."""

    max_size: int = DEFAULT_MAX_SIZE
    deadline: float = DEFAULT_DEADLINE

    def __post_init__(self) -> None:
        if self.max_size < 0 or self.deadline < 0:
            raise ValueError("max_size and deadline must be >= 0 (0: no limit)")


class Deadline:
    """A point in monotonic time; ``remaining`` seconds until it, ``check`` raises past it."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._at = time.monotonic() + seconds

    def remaining(self) -> float:
        return self._at - time.monotonic()

    def expired(self) -> bool:
        return self.remaining() <= 0

    def error(self, where: str) -> DeadlineExceeded:
        return DeadlineExceeded(f"{where}: download took longer than its deadline of {self.seconds:g} s "
                                "(--deadline SECONDS / deadline=..., 0: none)")

    def check(self, where: str) -> None:
        if self.expired():
            raise self.error(where)


_current: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar("modelshelf_deadline", default=None)


@contextlib.contextmanager
def deadline_of(limits: Limits) -> Iterator[Deadline | None]:
    """Start the download's deadline (none when ``limits.deadline`` is 0) for this context."""
    deadline = Deadline(limits.deadline) if limits.deadline > 0 else None
    token = _current.set(deadline)
    try:
        yield deadline
    finally:
        _current.reset(token)


def current_deadline() -> Deadline | None:
    return _current.get()


def timeout_within(default: float) -> float:
    """A socket timeout that never reaches past the current deadline (at least 1 ms)."""
    deadline = _current.get()
    if deadline is None:
        return default
    return max(min(default, deadline.remaining()), 0.001)


def parse_size(text: str) -> int:
    """``500M``, ``2G``, ``1.5GiB``, ``1048576`` (binary units) -> bytes; ``ValueError`` otherwise."""
    match = _SIZE.match(text)
    unit = match.group(2).lower() if match else None
    if match is None or unit not in _UNITS:
        raise ValueError(f"not a size: {text!r} (e.g. 500M, 2G, 1048576; 0: no limit)")
    return int(float(match.group(1)) * _UNITS[unit])
