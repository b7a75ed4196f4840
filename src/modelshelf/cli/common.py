"""Shared pieces of the command line: errors, output and the ``--repo`` option.

Every byte the CLI prints goes through ``TerminalSafe`` streams (installed by
``cli.main``), so text from a repository or an index (tag messages,
descriptions, paths) cannot move the cursor, recolour the terminal or reorder
a line: control characters are printed as ``\\uXXXX`` escapes. JSON output is
unchanged by it (``json.dumps`` escapes C0 controls already, and a ``\\uXXXX``
escape inside a JSON string is the same string).
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from typing import Any, Callable, TextIO

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_CRASH = 1  # an unexpected exception: what Python exits with for an uncaught one


class CliError(Exception):
    """A usage or input error: printed as one line, exit code 2."""


class OneLineErrors(argparse.ArgumentParser):
    """Usage errors as one line that points to ``--help``, like every other error here
    (argparse prints the whole usage block first, which buries the line that matters).
    Sub-commands' parsers inherit the class."""

    def error(self, message: str) -> Any:  # argparse's signature says NoReturn
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def parse_arguments(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """``parse_args``, but an unknown argument is reported by the sub-command's parser
    (so the line points to ``modelshelf COMMAND --help``) with the closest option."""
    args, extras = parser.parse_known_args(argv)
    if extras:
        target = _subcommand_parser(parser, getattr(args, "command", None)) or parser
        message = f"unrecognized arguments: {' '.join(extras)}"
        flag = next((e for e in extras if e.startswith("-")), None)
        if flag is not None:
            options = [o for action in target._actions for o in action.option_strings if o.startswith("--")]
            close = difflib.get_close_matches(flag.split("=", 1)[0], options, n=1, cutoff=0.6)
            if close:
                message += f"; did you mean {close[0]}?"
        target.error(message)
    return args


def _subcommand_parser(parser: argparse.ArgumentParser, command: str | None) -> argparse.ArgumentParser | None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and command in action.choices:
            return action.choices[command]
    return None


def add_repo_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-r", "--repo", default=".", help="path to the Git repository (default: .)")


def print_json(data: Any, indent: int = 4) -> None:
    """JSON as GTO prints it (non-ASCII escaped), so output compares byte for byte."""
    sys.stdout.write(json.dumps(data, indent=indent) + "\n")


# C0 (but tab and newline), DEL, C1, and the Unicode format characters that reorder
# or break a line on a terminal (bidi embeddings, overrides and isolates; LS/PS).
CONTROL_CHARACTERS = (
    [c for c in range(0x20) if c not in (0x09, 0x0A)] + [0x7F] + list(range(0x80, 0xA0))
    + [0x061C, 0x200E, 0x200F, 0x2028, 0x2029] + list(range(0x202A, 0x202F)) + list(range(0x2066, 0x206A))
)
_CONTROL_RE = re.compile("[" + "".join(re.escape(chr(code)) for code in CONTROL_CHARACTERS) + "]")


def escape_controls(text: str) -> str:
    """``text`` with every terminal control character written as a ``\\uXXXX`` escape
    (one regex scan: a multi-megabyte index on stdout costs next to nothing)."""
    return _CONTROL_RE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


class TerminalSafe:
    """A text stream that escapes control characters on the way out (the CLI's one
    output layer: ``print``, ``warn``, argparse and logging all write through it)."""

    def __init__(self, stream: TextIO) -> None:
        self.raw = stream  # for output the CLI draws itself (progress bars), never repo text

    def write(self, text: str) -> int:
        return self.raw.write(escape_controls(text))

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:  # flush, fileno, isatty, encoding, buffer, ...
        return getattr(self.raw, name)


def warn(message: str) -> None:
    sys.stderr.write(f"modelshelf: warning: {message}\n")


def format_table(rows: list[list[str]], headers: list[str]) -> str:
    """A plain aligned table (no dependency needed for this)."""
    cells = [headers] + [[("-" if c is None else escape_controls(str(c))) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


Handler = Callable[[argparse.Namespace], int]
