"""The rules and signatures applied to one loaded registry: the verdict on each event.

Every front end asks this one place: ``assign``/``register`` (a proposed event),
``check-ref --enforce`` (one tag), ``resolve``/``download`` (a stage's holder)
and the index (every event). It measures what ``core.compliance`` needs from
Git (signatures, branch reachability, metrics at a commit) and lets the pure
code judge. Signatures are verified live unless a ``VerdictCache`` is given,
which only the index and catalog do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from ..core.compliance import (
    UNSIGNED, Facts, Metrics, Replay, Signature, StageVerdict, Violation, evaluate, rules_for, stage_verdict,
)
from ..core.events import Event, EventKind, TagRecord
from ..core.rules import EventRules, RulesError
from ..git.signatures import TagVerifier
from ..metadata import MetadataReader
from ..registry import Registry
from .source import Governance, branch_ref, load_governance

if TYPE_CHECKING:  # the cache is handed in by the index's fields (``index_fields``), never by an enforcement point
    from .verdict_cache import VerdictCache

MetricsLookup = Callable[[str, str], "Metrics | None"]  # (model, commit) -> metrics at that commit


class Assessor:
    """Judges a registry's events against the rules that count (a context manager)."""

    def __init__(self, registry: Registry, governance: Governance | None = None,
                 metrics: MetricsLookup | None = None, cache: VerdictCache | None = None) -> None:
        self.registry = registry
        self.governance = governance if governance is not None else load_governance(registry.repo, registry.config)
        self.rules = self.governance.rules
        self._metrics = metrics or self._metrics_from_git
        self._reader: MetadataReader | None = None
        self.cache = cache
        self._records: dict[str, TagRecord] = {t.record.name: t.record for t in registry.tags}
        self._replay: Replay | None = None
        self._verdicts: dict[str, Signature] = {}
        self._reachable: dict[str, frozenset[str]] = {}
        self._judged: dict[str, list[Violation] | None] = {}
        self._verifier: TagVerifier | None = None  # made when a tag needs verifying (not for cached verdicts)

    def close(self) -> None:
        if self._verifier is not None:
            self._verifier.close()

    def __enter__(self) -> "Assessor":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- signatures -------------------------------------------------------
    def signature(self, tag: str) -> Signature:
        """The verdict on one tag's signature (live, unless this assessor has a cache)."""
        if tag not in self._verdicts:
            record = self._records.get(tag)
            if record is None or not record.signature:
                self._verdicts[tag] = UNSIGNED
            else:
                self.verify([record])
        return self._verdicts[tag]

    def verify(self, records: list[TagRecord]) -> None:
        """Verify many tags at once (in parallel), through the cache when there is one."""
        todo: list[TagRecord] = []
        for record in records:
            if record.name in self._verdicts:
                continue
            cached = self.cache.get(record.object_id, record.signature) if self.cache and record.signature else None
            if cached is not None:
                self._verdicts[record.name] = cached
            elif not record.signature:
                self._verdicts[record.name] = UNSIGNED
            else:
                todo.append(record)
        if not todo:
            return
        if self._verifier is None:
            g = self.governance
            self._verifier = TagVerifier(self.registry.repo.root, g.allowed_signers, g.signers_name, g.missing_signers)
        found = self._verifier.verify_many(todo)
        for record in todo:
            self._verdicts[record.name] = found[record.name]
            if self.cache is not None:
                self.cache.put(record.object_id, found[record.name])

    def verify_all(self) -> dict[str, Signature]:
        """Every registry tag's verdict (what the index records)."""
        self.verify(list(self._records.values()))
        if self.cache is not None:
            self.cache.save()
        return {name: self._verdicts[name] for name in self._records}

    # -- rules --------------------------------------------------------------
    @property
    def replay(self) -> Replay:
        if self._replay is None:
            self._replay = Replay(self.registry.state.history(ascending=True))
        return self._replay

    def violations(self, event: Event) -> list[Violation] | None:
        """The rules a recorded event breaks; None when no rule applies to it."""
        if self.rules is None or event.tag is None:
            return None
        if event.tag not in self._judged:
            self._judged[event.tag] = self._violations(event)
        return self._judged[event.tag]

    def _violations(self, event: Event) -> list[Violation] | None:
        assert self.rules is not None and event.tag is not None
        rules = rules_for(self.rules, event)
        if rules is None:
            return None
        moment = self.replay.moments.get(event.tag)
        if moment is None:
            return None
        signature = self.signature(event.tag) if rules.signers else None
        return evaluate(rules, event, moment.held_before, self._facts(rules, event, moment.holder, signature))

    def proposed(self, event: Event, signature: Signature | None, signers: bool = True) -> list[Violation]:
        """The rules an event about to be written would break (``event.tag`` unused).

        ``signers=False`` leaves the ``signers`` rule out: a tag that will be signed
        is judged on its real signature once written (``violations``).
        """
        if self.rules is None:
            return []
        rules = rules_for(self.rules, event)
        if rules is None:
            return []
        moment = self.replay.now(event.artifact, event.version or event.commit, event.stage)
        found = evaluate(rules, event, moment.held_before, self._facts(rules, event, moment.holder, signature))
        return [v for v in found if signers or v.rule != f"{rules.subject}.signers"]

    def refresh(self, registry: Registry) -> None:
        """Judge a registry read again (after this command wrote a tag); verdicts so far are kept."""
        self.registry = registry
        self._records = {t.record.name: t.record for t in registry.tags}
        self._replay = None
        self._judged = {}

    def stage_verdict(self, artifact: str, stage: str) -> StageVerdict | None:
        """Whether the stage's current holder got there within the rules (None: no rules, no holder)."""
        if self.rules is None or stage not in self.rules.stages:
            return None
        state = self.registry.state.artifacts.get(artifact)
        held = state.stages().get(stage, []) if state else []
        if not held:
            return None
        history = [e for e in self.registry.state.history(artifact)
                   if e.kind is EventKind.ASSIGNMENT and e.stage == stage]
        return stage_verdict(held[0].version, _judged(history, self))

    # -- facts from Git -----------------------------------------------------
    def _facts(self, rules: EventRules, event: Event, holder: str | None, signature: Signature | None) -> Facts:
        metrics = holder_metrics = None
        if rules.require or rules.not_worse:
            metrics = self._metrics(event.artifact, event.commit)
        if rules.not_worse and holder is not None and holder != event.version:
            state = self.registry.state.artifacts.get(event.artifact)
            found = state.find_version(version=holder, include_discovered=True) if state else None
            holder_metrics = self._metrics(event.artifact, found.commit) if found else None
        branches = frozenset(b for b in rules.branches if event.commit in self._on_branch(b))
        return Facts(signature, branches, metrics, holder, holder_metrics)

    def _on_branch(self, branch: str) -> frozenset[str]:
        if branch not in self._reachable:
            ref = branch_ref(self.registry.repo, branch)
            listing = self.registry.repo.run("rev-list", ref) if ref else ""
            self._reachable[branch] = frozenset(listing.split())
        return self._reachable[branch]

    def _metrics_from_git(self, artifact: str, commit: str) -> Metrics | None:
        if self._reader is None:
            self._reader = MetadataReader(self.registry.repo)
        return self._reader.version(commit, artifact).metrics


def _judged(history: list[Event], assessor: Assessor) -> list[tuple[str, tuple[Violation, ...]]]:
    """(version, violations) of assignments, newest first, as ``stage_verdict`` takes them."""
    return [(e.version or e.commit, tuple(assessor.violations(e) or ())) for e in history]


__all__ = ["Assessor", "RulesError"]
