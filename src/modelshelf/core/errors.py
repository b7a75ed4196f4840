"""The root of every error modelshelf raises on purpose, and the exit code each means.

One base, so a front end has one ``except`` (``cli/app.py`` ``main``) and an API
user one class to catch. It lives in ``core/`` (pure, the bottom layer) so that
the grammar's and SemVer's errors derive from it too. Exit codes: 2 for bad input
or usage (retrying will not help), 1 for an operation that was refused or failed.
"""

from __future__ import annotations

EXIT_FAILED = 1
EXIT_USAGE = 2


class ModelshelfError(Exception):
    """Base class of modelshelf's errors; ``exit_code`` is what the CLI exits with."""

    exit_code: int = EXIT_USAGE
