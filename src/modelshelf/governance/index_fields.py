"""The index's rules and signature fields (schema 1, additive).

- every event of a signed tag gets ``signature`` (signed, identity, valid, reason);
- when the default branch has a rules file: every assignment (and every
  registration, when registration has rules) gets ``violations`` (a list, empty
  when compliant), each model gets ``stage_verdicts`` for the stages with rules
  that hold a version, and the index gets ``rules``.

A repository with no signed tag and no rules file gets none of them, so its
index keeps its bytes. Verdicts come from the cache in the Git dir (keyed by tag
object and allowed-signers content); signed tags not in it are verified in
parallel. The metrics the gates read are the index's own.
"""

from __future__ import annotations

from typing import Any

from ..core.compliance import Metrics, Violation
from ..core.events import EventKind
from ..core.rules import RulesError
from ..registry import Registry
from .assess import Assessor
from .source import load_governance
from .verdict_cache import VerdictCache, signers_key

JSON = dict[str, Any]


def annotate_index(registry: Registry, data: JSON, use_cache: bool = True) -> list[str]:
    """Add the fields to ``data`` (the index being built); returns build problems."""
    try:
        governance = load_governance(registry.repo, registry.config)
    except RulesError as exc:
        return [rules_problem(exc)]
    signed = [t.record for t in registry.tags if t.record.signature]
    if governance.rules is None and not signed:
        return []
    metrics: dict[tuple[str, str], Metrics] = {
        (model["name"], version["commit"]): version.get("metrics") or {}
        for model in data["models"] for version in model["versions"]
    }
    cache = (VerdictCache.in_git_dir(registry.repo.common_dir,
                                     signers_key(governance.allowed_signers, governance.missing_signers))
             if use_cache else None)
    with Assessor(registry, governance, lambda name, commit: metrics.get((name, commit)), cache) as assessor:
        verdicts = assessor.verify_all()
        judged: dict[str, list[Violation]] = {}
        if governance.rules is not None:
            for event in registry.state.history():
                broken = assessor.violations(event)
                if broken is not None or (event.kind is EventKind.ASSIGNMENT and event.tag):
                    judged[event.tag or ""] = broken or []
        for record in _event_records(data):
            tag = record.get("tag")
            verdict = verdicts.get(tag) if tag else None
            if verdict is not None and verdict.signed:
                record["signature"] = verdict.to_json()
            if tag in judged:
                record["violations"] = [v.to_json() for v in judged[tag]]
        if governance.rules is not None:
            data["rules"] = governance.rules.to_json()
            for model in data["models"]:
                model["stage_verdicts"] = _stage_verdicts(assessor, model)
    return [governance.missing_signers] if governance.missing_signers and signed else []


def rules_problem(exc: RulesError) -> str:
    """How a build (and doctor) reports rules it cannot read."""
    return f"{exc}: the rules are not applied in this index"


def _event_records(data: JSON) -> list[JSON]:
    return list(data["events"]) + [e for model in data["models"] for e in model["events"]]


def _stage_verdicts(assessor: Assessor, model: JSON) -> JSON:
    found: JSON = {}
    for stage in sorted(model["stages"]):
        verdict = assessor.stage_verdict(model["name"], stage)
        if verdict is not None:
            found[stage] = {
                "holder": verdict.holder,
                "compliant": verdict.compliant,
                "violations": [v.to_json() for v in verdict.violations],
                "last_compliant": verdict.last_compliant,
            }
    return found
