"""The registry write path: GTO-identical tags for register, assign, unassign,
deregister and deprecate, with GTO's validation, counters and messages, and
GTO's ``delete`` (remove the events' tags instead of writing one)."""

from .actions import assign, deprecate, deregister, register, unassign
from .errors import (
    AlreadyDone,
    CommitHasVersion,
    InvalidArgs,
    NotInRegistry,
    PushFailed,
    RuleViolation,
    StageAlreadyAssigned,
    TagExists,
    VersionExists,
    WriteError,
)
from .result import DeleteResult, WriteResult

__all__ = [
    "AlreadyDone",
    "CommitHasVersion",
    "DeleteResult",
    "InvalidArgs",
    "NotInRegistry",
    "PushFailed",
    "RuleViolation",
    "StageAlreadyAssigned",
    "TagExists",
    "VersionExists",
    "WriteError",
    "WriteResult",
    "assign",
    "deprecate",
    "deregister",
    "register",
    "unassign",
]
