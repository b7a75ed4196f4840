"""Typed registry events, built from tags as Git reports them.

A ``TagRecord`` is what the Git layer reads for one tag; an ``Event`` is what
that tag means to the registry. Times are Unix seconds (Git's resolution),
rendered as UTC ISO 8601 only at the edges.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum

from .grammar import Action, TagName, parse_tag_name


@dataclass(frozen=True)
class TagRecord:
    """One tag as read from Git, annotated or not."""

    name: str
    target: str  # commit the tag (peeled) points to
    annotated: bool
    tagger_name: str = ""
    tagger_email: str = ""
    timestamp: int = 0  # tagger date, Unix seconds
    message: str = ""
    commit_timestamp: int = 0  # committer date of the target commit
    object_type: str = "commit"  # type of the peeled target
    object_id: str = ""  # the tag object's id (annotated tags): what a signature verdict is cached by
    signature: str = ""  # the signature's kind, "ssh", "gpg" or "x509"; "" when unsigned


@dataclass(frozen=True)
class CommitRecord:
    """A commit's identity as GTO records it for versions ("enrichments")."""

    hexsha: str
    timestamp: int
    author_name: str = ""
    author_email: str = ""
    committer_name: str = ""
    committer_email: str = ""
    message: str = ""
    parents: tuple[str, ...] = ()


class EventKind(str, Enum):
    """Names and priorities match GTO's event classes."""

    COMMIT = "commit"
    DEPRECATION = "deprecation"
    REGISTRATION = "registration"
    DEREGISTRATION = "deregistration"
    ASSIGNMENT = "assignment"
    UNASSIGNMENT = "unassignment"

    @property
    def priority(self) -> int:
        return _PRIORITY[self]

    @property
    def addition(self) -> bool:
        return self in (EventKind.COMMIT, EventKind.REGISTRATION, EventKind.ASSIGNMENT)


_PRIORITY = {
    EventKind.COMMIT: 0,
    EventKind.DEPRECATION: 2,
    EventKind.REGISTRATION: 3,
    EventKind.DEREGISTRATION: 4,
    EventKind.ASSIGNMENT: 5,
    EventKind.UNASSIGNMENT: 6,
}

ACTION_TO_KIND = {
    Action.REGISTER: EventKind.REGISTRATION,
    Action.DEREGISTER: EventKind.DEREGISTRATION,
    Action.ASSIGN: EventKind.ASSIGNMENT,
    Action.UNASSIGN: EventKind.UNASSIGNMENT,
    Action.DEPRECATE: EventKind.DEPRECATION,
}


@dataclass(frozen=True)
class Event:
    kind: EventKind
    artifact: str
    commit: str
    timestamp: int
    author: str
    author_email: str
    message: str
    version: str | None = None  # SemVer, or the commit hexsha for unregistered commits
    stage: str | None = None
    tag: str | None = None  # None for commit ("enrichment") events
    counter: int | None = None

    @property
    def ref(self) -> str:
        return self.tag or self.commit


@dataclass(frozen=True)
class RegistryTag:
    """An annotated tag within the grammar: a tag record and its parsed name."""

    record: TagRecord
    name: TagName


@dataclass(frozen=True)
class IgnoredTag:
    """A tag that does not count, and why (reported by ``doctor``)."""

    name: str
    reason: str


def classify_tags(records: list[TagRecord]) -> tuple[list[RegistryTag], list[IgnoredTag]]:
    """Split tags into registry tags and ignored ones, as GTO filters them."""
    kept: list[RegistryTag] = []
    ignored: list[IgnoredTag] = []
    for record in records:
        parsed = parse_tag_name(record.name)
        if parsed is None:
            ignored.append(IgnoredTag(record.name, "outside the registry tag grammar"))
        elif not record.annotated:
            ignored.append(IgnoredTag(record.name, "lightweight tag (only annotated tags count)"))
        elif record.object_type != "commit":
            ignored.append(IgnoredTag(record.name, f"points to a {record.object_type}, not a commit"))
        else:
            kept.append(RegistryTag(record, parsed))
    return kept, ignored


def order_tags(tags: list[RegistryTag]) -> list[RegistryTag]:
    """GTO's event order: tagger time, ties kept in tag-name order.

    GTO sorts by time with a stable sort over Git's alphabetical tag listing;
    the same rule here keeps every repo reading exactly as it does in GTO.
    """
    return sorted(tags, key=lambda t: (t.record.timestamp, t.record.name))


def counter_ties(tags: list[RegistryTag]) -> list[str]:
    """Same-second tags of one model that GTO reads against their counters' order,
    where that order changes what the registry says.

    Ties are broken by tag name, as GTO does, so ``m#prod#10`` reads before
    ``m#prod#9`` when both carry the same second: the tag meant to come last
    may not win. Only tags about the same stage (assign, unassign) or the same
    version (register, deregister) are reported: ``m#prod#3`` read before
    ``m#staging#2`` (two ``gto assign`` runs in one second) changes nothing.
    """
    found: list[str] = []
    ordered = order_tags(tags)
    for position, first in enumerate(ordered):
        a = first.name
        if a.counter is None:
            continue
        for second in ordered[position + 1:]:
            if second.record.timestamp != first.record.timestamp:
                break
            b = second.name
            if (b.artifact == a.artifact and b.counter is not None and a.counter > b.counter
                    and _subject(a) is not None and _subject(a) == _subject(b)):
                found.append(
                    f"tags {first.record.name} and {second.record.name} share one second "
                    f"({iso_utc(first.record.timestamp)}): GTO reads them in name order, so #{a.counter} counts "
                    f"as earlier than #{b.counter}; re-create one a second apart if #{a.counter} was meant to win"
                )
    return found


def _subject(name: TagName) -> tuple[str, str] | None:
    """What a tag changes, for ordering purposes: a stage, or a version; None for deprecation."""
    if name.action in (Action.ASSIGN, Action.UNASSIGN) and name.stage is not None:
        return ("stage", name.stage)
    if name.action in (Action.REGISTER, Action.DEREGISTER) and name.version is not None:
        return ("version", name.version)
    return None


def iso_utc(timestamp: int) -> str:
    """UTC ISO 8601 with an explicit offset, as GTO prints times."""
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).isoformat()
