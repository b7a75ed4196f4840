"""Shared pieces of the command line: errors, output and the ``--repo`` option."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Callable

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


class CliError(Exception):
    """A usage or input error: printed as one line, exit code 2."""


class OneLineErrors(argparse.ArgumentParser):
    """Usage errors as one line that points to ``--help``, like every other error here
    (argparse prints the whole usage block first, which buries the line that matters).
    Sub-commands' parsers inherit the class."""

    def error(self, message: str) -> Any:  # argparse's signature says NoReturn
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def add_repo_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-r", "--repo", default=".", help="path to the Git repository (default: .)")


def print_json(data: Any, indent: int = 4) -> None:
    """JSON as GTO prints it (non-ASCII escaped), so output compares byte for byte."""
    sys.stdout.write(json.dumps(data, indent=indent) + "\n")


def warn(message: str) -> None:
    sys.stderr.write(f"modelshelf: warning: {message}\n")


def format_table(rows: list[list[str]], headers: list[str]) -> str:
    """A plain aligned table (no dependency needed for this)."""
    cells = [headers] + [[("-" if c is None else str(c)) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


Handler = Callable[[argparse.Namespace], int]
