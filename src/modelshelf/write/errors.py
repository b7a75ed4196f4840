"""Why a write was refused: one exception class per rule, one-line messages.

The wording follows GTO's where GTO has the rule, so users switching tools
recognise the errors; each message names the model, version, commit or tag.
"""

from __future__ import annotations

from ..core.errors import ModelshelfError


class WriteError(ModelshelfError, ValueError):
    """A write that was refused; nothing was written."""


class InvalidArgs(WriteError):
    """Arguments that contradict each other or name nothing."""


class NotInRegistry(WriteError):
    """A ref, model or version that does not exist."""


class VersionExists(WriteError):
    """The version name was registered already (possibly since deregistered)."""


class CommitHasVersion(WriteError):
    """The commit already carries a live registered version."""


class StageAlreadyAssigned(WriteError):
    """The version already holds the stage (use --force for a new tag anyway)."""


class AlreadyDone(WriteError):
    """Deregistering a deregistered version, deprecating a deprecated model..."""


class TagExists(WriteError):
    """The tag to write exists already."""


class PushFailed(WriteError):
    """The push failed; the tag this command created was deleted again (a deletion: none was made)."""


class RuleViolation(WriteError):
    """The event would break the repository's rules (``.modelshelf.yaml``); ``--force`` writes it anyway."""
