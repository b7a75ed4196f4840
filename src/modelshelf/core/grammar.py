"""GTO's tag grammar: parse and format registry tags.

The regular expressions mirror GTO 1.10 exactly (``gto/constants.py``), so a
tag reads here precisely as it reads in GTO. A model declared in a sub-folder
is named ``folder/path:name``; inside a tag the ``:`` is written ``=``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from .errors import ModelshelfError
from .qualified import QUALIFIER, SOURCE_NAME_PATTERN
from .semver import SEMVER_PATTERN

NAME_PATTERN = r"[a-zA-Z0-9]([a-zA-Z0-9-/_]*[a-zA-Z0-9])?"
_DIRNAME = r"[a-zA-Z0-9-_./]+"
_FULLNAME = rf"(?P<dirname>{_DIRNAME}:)?(?P<name>{NAME_PATTERN})"
_FULLNAME_IN_TAG = _FULLNAME.replace(":", "=")

NAME_RE = re.compile(rf"^{NAME_PATTERN}$")
_SPEC_NAME_RE = re.compile(rf"^(?:{SOURCE_NAME_PATTERN}{QUALIFIER})?{_FULLNAME}$")
FULLNAME_RE = re.compile(rf"^{_FULLNAME}$")
_SEMVER_NO_GROUPS = re.sub(r"\?P<[a-z]+>", "?:", SEMVER_PATTERN)
TAG_RE = re.compile(
    rf"^(?P<artifact>{_FULLNAME_IN_TAG})"
    rf"(((#(?P<stage>{NAME_PATTERN})|@(?P<version>v{_SEMVER_NO_GROUPS}))(?P<cancel>!?))"
    r"|@((?P<deprecated>deprecated)|(?P<created>created)))"
    r"(#(?P<counter>[0-9]+))?$"
)
SPEC_RE = re.compile(  # a spec's name may carry its source: SOURCE::NAME (core/qualified.py)
    rf"^(?P<artifact>(?:{SOURCE_NAME_PATTERN}{QUALIFIER})?{_FULLNAME})"
    rf"(#(?P<stage>{NAME_PATTERN})|@(?P<version>latest|greatest|v{_SEMVER_NO_GROUPS}))$"
)


class Action(str, Enum):
    REGISTER = "register"
    DEREGISTER = "deregister"
    ASSIGN = "assign"
    UNASSIGN = "unassign"
    DEPRECATE = "deprecate"


class InvalidName(ModelshelfError, ValueError):
    """A model, stage or tag name outside GTO's grammar."""


def name_to_tag(name: str) -> str:
    return name.replace(":", "=")


def tag_message(action: Action, artifact: str, version: str | None = None, stage: str | None = None) -> str:
    """GTO's default message of an action's tag: its own wording (gto/registry.py), quotes included."""
    if action is Action.REGISTER:
        return f"Registering artifact {artifact} version {version}"
    if action is Action.DEREGISTER:
        return f"Deregistering artifact {artifact} version {version}"
    if action is Action.ASSIGN:
        return f"Assigning stage {stage} to artifact {artifact} version {version}"
    if action is Action.UNASSIGN:
        return f"Unassigning stage '{stage}' to artifact '{artifact}' version '{version}'"
    return f"Deprecating artifact '{artifact}'"


def tag_to_name(text: str) -> str:
    return text.replace("=", ":")


def is_valid_name(name: str) -> bool:
    """A model name: ``name`` or ``folder/path:name``."""
    return bool(FULLNAME_RE.match(name))


def is_valid_spec_name(name: str) -> bool:
    """A model name as a spec may give it: ``NAME`` or ``SOURCE::NAME``."""
    return bool(_SPEC_NAME_RE.match(name))


def is_valid_stage(stage: str) -> bool:
    return bool(NAME_RE.match(stage))


def check_name(name: str) -> str:
    if not is_valid_name(name):
        raise InvalidName(
            f"invalid model name '{name}': use letters, digits, '-', '_' and '/', "
            "starting and ending with a letter or digit (sub-folder models: 'folder:name')"
        )
    return name


def check_stage(stage: str) -> str:
    if not is_valid_stage(stage):
        raise InvalidName(
            f"invalid stage '{stage}': use letters, digits, '-', '_' and '/', "
            "starting and ending with a letter or digit"
        )
    return stage


@dataclass(frozen=True)
class TagName:
    """What a registry tag's name says, before it is read from Git."""

    artifact: str
    action: Action
    version: str | None = None
    stage: str | None = None
    counter: int | None = None


def parse_tag_name(text: str) -> TagName | None:
    """The tag's meaning, or None for a tag outside the grammar.

    ``NAME@created`` matches GTO's expression but GTO gives it no action (its
    readers then crash on it), so it is treated as outside the grammar.
    """
    if not isinstance(text, str):
        return None
    match = TAG_RE.match(text)
    if not match:
        return None
    artifact = tag_to_name(match["artifact"])
    counter = int(match["counter"]) if match["counter"] else None
    if match["version"]:
        action = Action.DEREGISTER if match["cancel"] else Action.REGISTER
        return TagName(artifact, action, version=match["version"], counter=counter)
    if match["stage"]:
        action = Action.UNASSIGN if match["cancel"] else Action.ASSIGN
        return TagName(artifact, action, stage=match["stage"], counter=counter)
    if match["deprecated"]:
        return TagName(artifact, Action.DEPRECATE, counter=counter)
    return None


def format_tag_name(tag: TagName) -> str:
    """The tag GTO would write for this action (inverse of ``parse_tag_name``)."""
    base = name_to_tag(tag.artifact)
    if tag.action in (Action.REGISTER, Action.DEREGISTER):
        if not tag.version:
            raise InvalidName(f"{tag.action.value} needs a version")
        text = f"{base}@{tag.version}"
    elif tag.action in (Action.ASSIGN, Action.UNASSIGN):
        if not tag.stage:
            raise InvalidName(f"{tag.action.value} needs a stage")
        text = f"{base}#{tag.stage}"
    else:
        text = f"{base}@deprecated"
    if tag.action in (Action.DEREGISTER, Action.UNASSIGN):
        text += "!"
    if tag.counter is not None:
        text += f"#{tag.counter}"
    parsed = parse_tag_name(text)
    if parsed != tag:
        raise InvalidName(f"'{text}' is not a valid registry tag")
    return text


@dataclass(frozen=True)
class Spec:
    """A lookup as users write it: ``NAME``, ``NAME@latest``, ``NAME@v1.2.3``, ``NAME#prod``."""

    name: str
    version: str | None = None
    stage: str | None = None

    @property
    def latest(self) -> bool:
        return self.version is None and self.stage is None

    def __str__(self) -> str:
        if self.stage:
            return f"{self.name}#{self.stage}"
        return f"{self.name}@{self.version or 'latest'}"


def parse_spec(text: str) -> Spec:
    match = SPEC_RE.match(text)
    if match:
        version = match["version"]
        if version in ("latest", "greatest"):
            version = None
        return Spec(match["artifact"], version=version, stage=match["stage"])
    cut = min((i for i in (text.find("@"), text.find("#")) if i > 0), default=-1)
    if cut > 0 and is_valid_spec_name(text[:cut]):  # the name is fine: say what is wrong after it
        rest = text[cut + 1:]
        if text[cut] == "#":
            check_stage(rest)
        raise InvalidName(f"invalid version '{rest}': use latest or vX.Y.Z (SemVer, with the 'v')")
    if is_valid_spec_name(text):
        return Spec(text)
    return Spec(check_name(text))
