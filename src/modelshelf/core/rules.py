"""The rules file, ``.modelshelf.yaml``: its grammar and validation.

Pure: the caller parses the YAML (PyYAML lives outside ``core``) and hands
over the data and the line of each key (``Lines``), so every error names the
file and the line at fault. Unknown keys are errors: a typo must never turn a
rule off silently. ``.gto`` stays untouched (GTO's loader rejects keys it does
not know), so the rules live in their own file.

The file, in short::

    allowed_signers: .github/allowed_signers   # optional; else Git's gpg.ssh.allowedSignersFile
    registration:                              # optional: rules on NAME@vX.Y.Z
      signers: [alice@example.com]
    stages:
      prod:
        after: [staging]                       # stages the version must have held before
        branches: [main]                       # its commit must be on one of these
        signers: [alice@example.com, "gpg:0123ABCD"]   # "*": anyone the allowed-signers file lists
        require: ["auc >= 0.85", "latency_ms <= 50"]
        not_worse: {auc: higher, latency_ms: lower}    # than the version the stage holds
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Mapping

from .errors import ModelshelfError
from .grammar import is_valid_stage

RULES_FILE = ".modelshelf.yaml"

# A key path in the YAML document (("stages", "prod", "require", 0)) -> its 1-based line.
Path = tuple[str | int, ...]
Lines = Mapping[Path, int]

ANY_SIGNER = "*"
GPG_PREFIX = "gpg:"
_GPG_KEY = re.compile(r"^[0-9A-Fa-f]{8,40}$")
_GATE = re.compile(r"^\s*(?P<metric>[^\s<>=!]+)\s*(?P<op>>=|<=|==|>|<)\s*(?P<value>[-+]?[0-9.eE+-]+)\s*$")
DIRECTIONS = {"higher": True, "lower": False}  # "higher": higher values are better

_TOP_KEYS = ("allowed_signers", "registration", "stages")
_STAGE_KEYS = ("after", "branches", "signers", "require", "not_worse")
_REGISTRATION_KEYS = ("branches", "signers", "require")


class RulesError(ModelshelfError, ValueError):
    """A rules file that cannot be used: the message names the file and the line."""


@dataclass(frozen=True)
class Gate:
    """``METRIC OP NUMBER``: a metric the version's commit must record, within a bound."""

    metric: str
    op: str
    threshold: float

    def passes(self, value: float) -> bool:
        return {
            ">=": value >= self.threshold, "<=": value <= self.threshold, ">": value > self.threshold,
            "<": value < self.threshold, "==": value == self.threshold,
        }[self.op]

    def __str__(self) -> str:
        return f"{self.metric} {self.op} {self.threshold:g}"


@dataclass(frozen=True)
class NotWorse:
    """A metric that may not get worse than the stage's current holder's."""

    metric: str
    higher_is_better: bool

    @property
    def direction(self) -> str:
        return "higher" if self.higher_is_better else "lower"


@dataclass(frozen=True)
class EventRules:
    """What one stage's assignments (or every registration) must satisfy."""

    subject: str  # "stages.prod" or "registration"
    after: tuple[str, ...] = ()
    branches: tuple[str, ...] = ()
    signers: tuple[str, ...] = ()
    require: tuple[Gate, ...] = ()
    not_worse: tuple[NotWorse, ...] = ()

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {}
        if self.after:
            data["after"] = list(self.after)
        if self.branches:
            data["branches"] = list(self.branches)
        if self.signers:
            data["signers"] = list(self.signers)
        if self.require:
            data["require"] = [str(g) for g in self.require]
        if self.not_worse:
            data["not_worse"] = {n.metric: n.direction for n in self.not_worse}
        return data


@dataclass(frozen=True)
class Rules:
    origin: str  # where the rules were read: ".modelshelf.yaml at origin/main (abc1234)"
    allowed_signers: str | None = None  # a path in the repository
    registration: EventRules | None = None
    stages: dict[str, EventRules] = field(default_factory=dict)
    signers_line: int | None = field(default=None, compare=False)  # the line naming allowed_signers (messages)

    @property
    def needs_signatures(self) -> bool:
        rules = list(self.stages.values()) + ([self.registration] if self.registration else [])
        return any(r.signers for r in rules)

    def to_json(self) -> dict[str, object]:
        """What the index records of the rules (the catalog's stages page shows them)."""
        data: dict[str, object] = {"origin": self.origin, "allowed_signers": self.allowed_signers}
        if self.registration is not None:
            data["registration"] = self.registration.to_json()
        data["stages"] = {stage: rules.to_json() for stage, rules in sorted(self.stages.items())}
        return data


class _Reader:
    def __init__(self, origin: str, lines: Lines) -> None:
        self.origin = origin
        self.lines = lines

    def fail(self, path: Path, message: str) -> RulesError:
        line = None
        for end in range(len(path), -1, -1):  # the key itself, else the nearest enclosing one
            line = self.lines.get(path[:end])
            if line is not None:
                break
        where = f"{self.origin}, line {line}" if line is not None else self.origin
        return RulesError(f"{where}: {message}")

    def mapping(self, value: object, path: Path, allowed: tuple[str, ...], what: str) -> dict[str, object]:
        if not isinstance(value, dict):
            raise self.fail(path, f"{what} must be a mapping with keys {', '.join(allowed)}")
        for key in value:
            if not isinstance(key, str) or key not in allowed:
                raise self.fail(path + (str(key),), f"unknown key '{key}' in {what}; known keys: {', '.join(allowed)}")
        return value

    def strings(self, value: object, path: Path, what: str) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value:
            raise self.fail(path, f"{what} must be a non-empty list of strings")
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                raise self.fail(path + (i,), f"{what} must be a list of strings; item {i + 1} is {item!r}")
        return tuple(item.strip() for item in value)


def parse_rules(data: object, lines: Lines, origin: str = RULES_FILE,
                allowed_stages: tuple[str, ...] | None = None) -> Rules:
    """The rules in ``data`` (the YAML document), validated against ``.gto``'s stages.

    ``lines`` maps key paths to their lines; ``allowed_stages`` is ``.gto``'s list
    (None: any stage is allowed). Raises ``RulesError`` naming the line.
    """
    read = _Reader(origin, lines)
    if data is None:
        return Rules(origin)
    top = read.mapping(data, (), _TOP_KEYS, "the rules file")
    signers_file = top.get("allowed_signers")
    if signers_file is not None and (not isinstance(signers_file, str) or not _relative_path(signers_file)):
        raise read.fail(("allowed_signers",), "allowed_signers must be a relative path inside the repository "
                        f"(got {signers_file!r})")
    registration = None
    if top.get("registration") is not None:
        body = read.mapping(top["registration"], ("registration",), _REGISTRATION_KEYS, "registration")
        registration = _event_rules(read, body, ("registration",), "registration", allowed_stages)
    stages: dict[str, EventRules] = {}
    raw_stages = top.get("stages")
    if raw_stages is not None:
        if not isinstance(raw_stages, dict):
            raise read.fail(("stages",), "stages must be a mapping of stage names to their rules")
        for stage, body in raw_stages.items():
            path: Path = ("stages", str(stage))
            _check_stage(read, str(stage), path, allowed_stages)
            if body is None:
                body = {}
            body = read.mapping(body, path, _STAGE_KEYS, f"stage '{stage}'")
            stages[str(stage)] = _event_rules(read, body, path, f"stages.{stage}", allowed_stages)
    return Rules(origin, signers_file, registration, stages, lines.get(("allowed_signers",)))


def _relative_path(path: str) -> bool:
    parts = path.split("/")
    return bool(path) and not path.startswith("/") and ".." not in parts and "\\" not in path and "\0" not in path


def _check_stage(read: _Reader, stage: str, path: Path, allowed: tuple[str, ...] | None) -> None:
    if not is_valid_stage(stage):
        raise read.fail(path, f"'{stage}' is not a valid stage name (letters, digits, '-', '_', '/')")
    if allowed is not None and stage not in allowed:
        raise read.fail(path, f"stage '{stage}' is not allowed by .gto (allowed: {', '.join(allowed)})")


def _event_rules(read: _Reader, body: dict[str, object], path: Path, subject: str,
                 allowed: tuple[str, ...] | None) -> EventRules:
    after: tuple[str, ...] = ()
    if "after" in body:
        after = read.strings(body["after"], path + ("after",), "after")
        for i, stage in enumerate(after):
            _check_stage(read, stage, path + ("after", i), allowed)
    branches = read.strings(body["branches"], path + ("branches",), "branches") if "branches" in body else ()
    signers = read.strings(body["signers"], path + ("signers",), "signers") if "signers" in body else ()
    for i, signer in enumerate(signers):
        if signer.startswith(GPG_PREFIX) and not _GPG_KEY.match(signer[len(GPG_PREFIX):]):
            raise read.fail(path + ("signers", i), f"'{signer}': a GPG key id is 8 to 40 hex digits (gpg:0123ABCD)")
    require: list[Gate] = []
    if "require" in body:
        for i, text in enumerate(read.strings(body["require"], path + ("require",), "require")):
            require.append(_gate(read, text, path + ("require", i)))
    not_worse: list[NotWorse] = []
    if "not_worse" in body:
        raw = body["not_worse"]
        if not isinstance(raw, dict) or not raw:
            raise read.fail(path + ("not_worse",), "not_worse must map metric names to 'higher' or 'lower' "
                            "(which direction is better)")
        for metric, direction in raw.items():
            if direction not in DIRECTIONS:
                raise read.fail(path + ("not_worse", str(metric)),
                                f"not_worse: '{metric}' needs a direction, 'higher' or 'lower' (got {direction!r})")
            not_worse.append(NotWorse(str(metric), DIRECTIONS[str(direction)]))
    return EventRules(subject, after, branches, signers, tuple(require), tuple(not_worse))


def _gate(read: _Reader, text: str, path: Path) -> Gate:
    match = _GATE.match(text)
    value = None
    if match:
        try:
            value = float(match["value"])
        except ValueError:
            value = None
    if match is None or value is None or not math.isfinite(value):
        raise read.fail(path, f"'{text}' is not a metric gate: write METRIC OP NUMBER, with OP one of "
                        ">=, <=, >, <, == (e.g. 'auc >= 0.85')")
    return Gate(match["metric"], match["op"], value)
