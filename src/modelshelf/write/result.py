"""What a write did, for the CLI to report and for scripts to use."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.events import EventKind


@dataclass(frozen=True)
class WriteResult:
    tag: str
    kind: EventKind
    artifact: str
    commit: str
    message: str
    version: str | None = None
    stage: str | None = None
    pushed: bool = False
    registration: "WriteResult | None" = None  # the version `assign` registered first

    @property
    def tags(self) -> list[str]:
        """Every tag this write created, oldest first."""
        return (self.registration.tags if self.registration else []) + [self.tag]
