"""Whether registry events keep the rules (``core.rules``): pure evaluation.

The caller measures what needs Git (signature verdicts, which branches hold a
commit, the metrics at a commit) and hands it over as ``Facts``; the replay of
the event history that ``after`` and ``not_worse`` need is done here, in event
order. A rule that cannot be checked (a metric the version lacks) is a
violation that says so, never a crash.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from .events import Event, EventKind
from .rules import ANY_SIGNER, GPG_PREFIX, EventRules, Rules


@dataclass(frozen=True)
class Signature:
    """Git's verdict on one tag's signature."""

    signed: bool
    valid: bool = False
    identity: str | None = None  # SSH: the allowed-signers principal; GPG: the key's fingerprint
    reason: str = ""
    kind: str = ""  # "ssh", "gpg", "x509"

    def to_json(self) -> dict[str, object]:
        return {"signed": self.signed, "identity": self.identity, "valid": self.valid, "reason": self.reason}

    @classmethod
    def from_json(cls, data: Mapping[str, object], kind: str = "") -> "Signature":
        identity = data.get("identity")
        return cls(bool(data.get("signed")), bool(data.get("valid")),
                   identity if isinstance(identity, str) else None, str(data.get("reason") or ""), kind)


UNSIGNED = Signature(signed=False, reason="not signed")


@dataclass(frozen=True)
class Violation:
    """One broken rule: which, why, and what would satisfy it."""

    rule: str  # "stages.prod.after"
    reason: str
    fix: str

    def to_json(self) -> dict[str, str]:
        return {"rule": self.rule, "reason": self.reason, "fix": self.fix}

    def __str__(self) -> str:
        return f"{self.rule}: {self.reason} ({self.fix})"


Metrics = Mapping[str, object]


@dataclass(frozen=True)
class Facts:
    """What the caller measured for one event."""

    signature: Signature | None = None
    branches: frozenset[str] = frozenset()  # the rule's branches whose tip contains the commit
    metrics: Metrics | None = None  # at the version's commit
    holder: str | None = None  # the version the stage held before this event
    holder_metrics: Metrics | None = None


def rules_for(rules: Rules, event: Event) -> EventRules | None:
    """The rules an event must keep: its stage's, or registration's."""
    if event.kind is EventKind.ASSIGNMENT and event.stage is not None:
        return rules.stages.get(event.stage)
    if event.kind is EventKind.REGISTRATION:
        return rules.registration
    return None


def evaluate(rules: EventRules, event: Event, held_before: frozenset[str], facts: Facts) -> list[Violation]:
    """Every rule of ``rules`` that ``event`` breaks, in the rules file's order."""
    found: list[Violation] = []
    what = f"{event.artifact} {event.version}"
    for stage in rules.after:
        if stage not in held_before:
            found.append(Violation(
                f"{rules.subject}.after", f"{what} never held stage '{stage}' before",
                f"assign {stage} to {event.version} first"))
    if rules.branches and not facts.branches:
        found.append(Violation(
            f"{rules.subject}.branches",
            f"commit {event.commit[:7]} is on none of the branches {', '.join(rules.branches)}",
            f"merge it into {' or '.join(rules.branches)} and register a version there"))
    if rules.signers:
        broken = _signer_violation(rules, facts.signature)
        if broken is not None:
            found.append(broken)
    for gate in rules.require:
        value = _number((facts.metrics or {}).get(gate.metric))
        if value is None:
            found.append(Violation(
                f"{rules.subject}.require", f"{what} records no numeric metric '{gate.metric}' (gate: {gate})",
                f"record {gate.metric} in the version's metrics"))
        elif not gate.passes(value):
            found.append(Violation(
                f"{rules.subject}.require", f"{gate.metric} is {value:g}, the gate is {gate}",
                f"a version whose {gate} holds"))
    if facts.holder is not None and facts.holder != event.version:
        for rule in rules.not_worse:
            mine = _number((facts.metrics or {}).get(rule.metric))
            theirs = _number((facts.holder_metrics or {}).get(rule.metric))
            if theirs is None:
                continue  # nothing to be worse than
            if mine is None:
                found.append(Violation(
                    f"{rules.subject}.not_worse",
                    f"{what} records no numeric metric '{rule.metric}' to compare with {facts.holder}",
                    f"record {rule.metric} in the version's metrics"))
            elif (mine < theirs) if rule.higher_is_better else (mine > theirs):
                found.append(Violation(
                    f"{rules.subject}.not_worse",
                    f"{rule.metric} {mine:g} is worse than {theirs:g} of {facts.holder}, the current holder "
                    f"({rule.direction} is better)",
                    f"a version with {rule.metric} {'>=' if rule.higher_is_better else '<='} {theirs:g}"))
    return found


def _signer_violation(rules: EventRules, signature: Signature | None) -> Violation | None:
    rule = f"{rules.subject}.signers"
    wanted = ", ".join(rules.signers)
    fix = f"a tag signed (--sign) by one of: {wanted}"
    if signature is None or not signature.signed:
        return Violation(rule, "the tag is not signed", fix)
    if not signature.valid:
        return Violation(rule, f"the tag's signature does not verify: {signature.reason}", fix)
    if signer_allowed(rules.signers, signature):
        return None
    return Violation(rule, f"signed by {signature.identity}, who is not one of the signers", fix)


def signer_allowed(signers: Iterable[str], signature: Signature) -> bool:
    for signer in signers:
        if signer.startswith(GPG_PREFIX):
            key = signer[len(GPG_PREFIX):].upper()
            if signature.kind == "gpg" and (signature.identity or "").upper().endswith(key):
                return True
        elif signature.kind != "gpg" and (signer == ANY_SIGNER or signer == signature.identity):
            return True
    return False


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


@dataclass(frozen=True)
class Moment:
    """What the registry looked like just before one event (for ``after`` and ``not_worse``)."""

    held_before: frozenset[str]  # stages this event's version held at some point before it
    holder: str | None  # the version its stage held just before it


class Replay:
    """The event history replayed oldest first: the ``Moment`` before each tag, and now.

    A stage holds the version of its newest live assignment (GTO's rule):
    unassigning or deregistering it falls back to the one before.
    """

    def __init__(self, history: Iterable[Event]) -> None:
        self._held: dict[tuple[str, str], set[str]] = {}  # (model, version) -> stages it held
        self._live: dict[tuple[str, str], list[str]] = {}  # (model, stage) -> live versions, oldest first
        self.moments: dict[str, Moment] = {}
        for event in history:
            version = event.version or event.commit
            if event.tag is not None:
                self.moments[event.tag] = self.now(event.artifact, version, event.stage)
            self._apply(event, version)

    def now(self, artifact: str, version: str, stage: str | None) -> Moment:
        """The moment after every event replayed so far (for an event about to be written)."""
        live = self._live.get((artifact, stage or ""), [])
        return Moment(frozenset(self._held.get((artifact, version), ())), live[-1] if live else None)

    def _apply(self, event: Event, version: str) -> None:
        if event.kind is EventKind.ASSIGNMENT and event.stage:
            self._held.setdefault((event.artifact, version), set()).add(event.stage)
            live = self._live.setdefault((event.artifact, event.stage), [])
            if version in live:
                live.remove(version)
            live.append(version)
        elif event.kind is EventKind.UNASSIGNMENT and event.stage:
            live = self._live.get((event.artifact, event.stage), [])
            if version in live:
                live.remove(version)
        elif event.kind is EventKind.DEREGISTRATION:
            for (model, _), live in self._live.items():
                if model == event.artifact and version in live:
                    live.remove(version)


@dataclass(frozen=True)
class StageVerdict:
    """Whether a stage's holder got there within the rules, and who last did."""

    holder: str
    violations: tuple[Violation, ...]
    last_compliant: str | None  # the newest version assigned to the stage without breaking a rule

    @property
    def compliant(self) -> bool:
        return not self.violations


def stage_verdict(holder: str, assignments: Iterable[tuple[str, tuple[Violation, ...]]]) -> StageVerdict:
    """``assignments``: (version, violations) of the stage's assignments, newest first.

    The holder is judged by its newest assignment to the stage.
    """
    listed = list(assignments)
    mine = next((v for version, v in listed if version == holder), ())
    last = holder if not mine else next((version for version, v in listed if not v and version != holder), None)
    return StageVerdict(holder, tuple(mine), last)
