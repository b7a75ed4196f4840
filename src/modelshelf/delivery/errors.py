"""Why a lookup or a download failed, and which exit code that means.

``LookupFailed`` is bad input (a name, version or stage that does not exist,
an unreadable index, a path that is not a Git repository): exit 2, and so are
``DestinationExists`` and ``DestinationUnwritable`` (the output folder).
``TransferFailed`` and ``IntegrityFailed`` are about the bytes (missing,
unreachable, corrupted, unsafe): exit 1; except ``Unverifiable`` (bytes the
index has no checksum for, fetched without ``--allow-unverified``): exit 2,
since retrying cannot help.
"""

from __future__ import annotations

from ..core.errors import EXIT_FAILED, EXIT_USAGE, ModelshelfError


class DownloadError(ModelshelfError):
    """Base class: every failure in ``modelshelf.delivery``."""

    exit_code = EXIT_FAILED


class LookupFailed(DownloadError, LookupError):
    """The spec names nothing the index holds, or the index cannot be read."""

    exit_code = EXIT_USAGE


class TransferFailed(DownloadError):
    """The bytes could not be fetched from any location."""


class IntegrityFailed(DownloadError):
    """Fetched bytes do not match their recorded checksum, or are unsafe to write."""


class Unverifiable(IntegrityFailed):
    """The index records no checksum for the bytes and fetching them unverified was not asked for."""

    exit_code = EXIT_USAGE


class DestinationExists(DownloadError):
    """The output path exists and replacing it was not asked for (usage error)."""

    exit_code = EXIT_USAGE


class DestinationUnwritable(DownloadError):
    """The output folder cannot be created or written to (usage error: retrying will not help)."""

    exit_code = EXIT_USAGE


class UnsafeLocation(IntegrityFailed):
    """An index read over HTTP(S) names a local file or a scheme not allowed (exit 2: the index is wrong)."""

    exit_code = EXIT_USAGE


class NotPublished(DownloadError):
    """The index has no copy of the bytes and names no place to fetch them from (exit 2: retrying will not help)."""

    exit_code = EXIT_USAGE


class RuleViolated(LookupFailed):
    """The stage's holder got there breaking the repository's rules (``--allow-rule-violations``
    takes it anyway): exit 2, retrying will not help."""

    exit_code = EXIT_USAGE
