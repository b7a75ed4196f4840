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
    remote: str = "origin"  # where --push sends (or would send) the tag
    warnings: tuple[str, ...] = ()  # written anyway, as GTO would, but likely a mistake (a typo)

    @property
    def tags(self) -> list[str]:
        """Every tag this write created, oldest first."""
        return (self.registration.tags if self.registration else []) + [self.tag]


@dataclass(frozen=True)
class DeleteResult:
    """What a ``delete=True`` write removed instead of writing a tag (GTO's ``--delete``).

    ``tags`` are in GTO's order: the events' tags, oldest event first, each once.
    Empty when nothing matched (possible only with ``force``). ``pushed`` says the
    deletions were also pushed to ``remote``; otherwise only the local tags are gone.
    """

    artifact: str
    tags: tuple[str, ...]
    version: str | None = None  # the version whose tags went (None: the whole model)
    stage: str | None = None  # the stage whose tags went (None: every event's)
    pushed: bool = False
    remote: str = "origin"
