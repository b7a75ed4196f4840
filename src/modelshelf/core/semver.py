"""SemVer 2.0 with GTO's mandatory ``v`` prefix.

Build metadata is kept but ignored in ordering, as the SemVer spec (and the
``semver`` package GTO uses) require; callers that need a total order break
ties themselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import total_ordering

from .errors import ModelshelfError

_NUM = r"0|[1-9]\d*"
_PRE_ID = r"(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)"
SEMVER_PATTERN = (
    rf"(?P<major>{_NUM})\.(?P<minor>{_NUM})\.(?P<patch>{_NUM})"
    rf"(?:-(?P<prerelease>{_PRE_ID}(?:\.{_PRE_ID})*))?"
    r"(?:\+(?P<build>[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?"
)
_SEMVER_RE = re.compile(rf"^v{SEMVER_PATTERN}$")


class InvalidVersion(ModelshelfError, ValueError):
    """A string that is not ``vMAJOR.MINOR.PATCH[-pre][+build]``."""


@total_ordering
@dataclass(frozen=True, eq=False)
class SemVer:
    major: int
    minor: int
    patch: int
    prerelease: tuple[str, ...] = ()
    build: tuple[str, ...] = field(default=())

    @classmethod
    def parse(cls, text: str) -> "SemVer":
        match = _SEMVER_RE.match(text) if isinstance(text, str) else None
        if not match:
            raise InvalidVersion(
                f"'{text}' is not a version: expected vMAJOR.MINOR.PATCH[-prerelease][+build]"
            )
        pre = match["prerelease"]
        build = match["build"]
        return cls(
            int(match["major"]),
            int(match["minor"]),
            int(match["patch"]),
            tuple(pre.split(".")) if pre else (),
            tuple(build.split(".")) if build else (),
        )

    @staticmethod
    def is_valid(text: str) -> bool:
        return isinstance(text, str) and bool(_SEMVER_RE.match(text))

    def __str__(self) -> str:
        text = f"v{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += "-" + ".".join(self.prerelease)
        if self.build:
            text += "+" + ".".join(self.build)
        return text

    def _precedence_key(self) -> tuple:
        # A release sorts after all of its prereleases: (1,) > (0, ...).
        if not self.prerelease:
            pre: tuple = ((1,),)
        else:
            pre = (
                (0,),
                *(
                    (0, int(part), "") if part.isdigit() else (1, 0, part)
                    for part in self.prerelease
                ),
            )
        return (self.major, self.minor, self.patch, pre)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SemVer):
            return NotImplemented
        return self._precedence_key() == other._precedence_key()

    def __lt__(self, other: "SemVer") -> bool:
        if not isinstance(other, SemVer):
            return NotImplemented
        return self._precedence_key() < other._precedence_key()

    def __hash__(self) -> int:
        return hash(self._precedence_key())

    def bump(self, part: str) -> "SemVer":
        """Next release; GTO drops prerelease and build parts when bumping."""
        if part == "major":
            return SemVer(self.major + 1, 0, 0)
        if part == "minor":
            return SemVer(self.major, self.minor + 1, 0)
        if part == "patch":
            return SemVer(self.major, self.minor, self.patch + 1)
        raise ValueError(f"unknown version part '{part}': use major, minor or patch")


MINIMAL_VERSION = SemVer(0, 0, 1)
