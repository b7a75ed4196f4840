"""The rules (``.modelshelf.yaml``) applied where a registry tag is written.

Before a tag is written, every rule but ``signers`` is judged on the proposed
event; a tag that ``--sign`` signs is judged on its real signature, verified
live once written (and deleted again when it breaks a rule). ``force`` writes a
violating tag anyway and says which rules it breaks.
"""

from __future__ import annotations

from ..core.compliance import Violation
from ..core.events import Event, EventKind
from ..core.rules import RULES_FILE
from ..governance import Assessor
from ..registry import Registry, load_registry
from .errors import RuleViolation
from .tags import delete_tags


def describe(tag: str, broken: list[Violation]) -> str:
    rules = "; ".join(f"{v.rule}: {v.reason} (to satisfy it: {v.fix})" for v in broken)
    return f"{tag} breaks {len(broken)} rule(s) of {RULES_FILE}: {rules}"


def check_proposed(registry: Registry, kind: EventKind, name: str, commit: str, version: str | None,
                   stage: str | None, sign: bool, force: bool) -> tuple[str, ...]:
    """Refuse (``RuleViolation``) an event that would break a rule, unless ``force``;
    returns the warnings to print when ``force`` writes it anyway."""
    event = Event(kind, name, commit, 0, "", "", "", version=version, stage=stage)
    with Assessor(registry) as assessor:
        if assessor.rules is None:
            return ()
        broken = assessor.proposed(event, None, signers=not sign)
    what = f"{name}#{stage}" if stage else f"{name}@{version}"
    if broken and not force:
        raise RuleViolation(describe(f"the {kind.value} {what}", broken) + "; nothing was written (--force writes it anyway)")
    return (describe(f"the {kind.value} {what}", broken) + "; written anyway (--force)",) if broken else ()


def check_written(path: object, tag: str, force: bool) -> tuple[str, ...]:
    """Judge a tag just written with ``--sign`` on its verified signature; a violation
    deletes it again unless ``force``."""
    with load_registry(path) as registry, Assessor(registry) as assessor:  # type: ignore[arg-type]
        event = next((e for e in registry.state.history() if e.tag == tag), None)
        broken = [v for v in (assessor.violations(event) or []) if v.rule.endswith(".signers")] if event else []
        if broken and not force:
            delete_tags(registry.repo, [tag])
            raise RuleViolation(describe(f"the new tag {tag}", broken) + "; the tag was deleted again "
                                "(--force keeps it)")
    return (describe(f"tag {tag}", broken) + "; kept (--force)",) if broken else ()
