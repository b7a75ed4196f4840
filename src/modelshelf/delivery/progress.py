"""What a download reports while bytes move: the CLI draws it (tqdm), the API stays silent.

``fetch`` needs only this protocol, so deploy scripts using ``modelshelf.download``
keep needing nothing beyond the standard library.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def begin(self, total: int | None) -> None:
        """Bytes expected in all (None: unknown)."""

    def advance(self, count: int) -> None:
        """``count`` more bytes were written."""

    def end(self) -> None:
        """The transfer finished or failed: stop drawing."""
