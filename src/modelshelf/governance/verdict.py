"""The verdict on one pushed tag, for ``check-ref`` (``--enforce`` in CI).

Verified live, never from a cache: CI decides a deployment on it. A repository
without rules and an unsigned tag get no verdict at all, so ``check-ref`` prints
exactly what it printed before for them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from ..core.compliance import Signature, Violation
from ..registry import load_registry
from .assess import Assessor


@dataclass(frozen=True)
class TagVerdict:
    tag: str
    signature: Signature
    violations: tuple[Violation, ...] | None  # None: no rule applies to this event

    @property
    def passes(self) -> bool:
        """What ``--enforce`` asks: no broken rule, and a signature (if any) that verifies."""
        return not self.violations and (not self.signature.signed or self.signature.valid)

    def reasons(self) -> list[str]:
        found = [f"{self.tag}: {v}" for v in self.violations or ()]
        if self.signature.signed and not self.signature.valid:
            found.append(f"{self.tag}: the signature does not verify: {self.signature.reason}")
        return found

    def to_json(self) -> dict[str, Any]:
        return {
            "passes": self.passes,
            "signature": self.signature.to_json() if self.signature.signed else None,
            "violations": [v.to_json() for v in self.violations] if self.violations is not None else None,
            "reasons": self.reasons(),
        }

    def outputs(self) -> dict[str, str]:
        """CI outputs: values that a shell and GitLab read the same (no spaces); the full
        reasons are in ``--json`` and on stderr."""
        signature = self.signature
        state = "unsigned" if not signature.signed else "valid" if signature.valid else "invalid"
        return {
            "verdict": "pass" if self.passes else "fail",
            "signature": state,
            "signer": signature.identity or "" if signature.valid else "",
            "violations": ",".join(dict.fromkeys(v.rule for v in self.violations or ())),
        }


def tag_verdict(tag: str, repo: str | os.PathLike[str] = ".") -> TagVerdict | None:
    """The live verdict on ``tag``, or None when there is nothing to say (no rules, unsigned)."""
    with load_registry(repo) as registry, Assessor(registry) as assessor:
        event = next((e for e in registry.state.history() if e.tag == tag), None)
        if event is None:
            return None
        signature = assessor.signature(tag)
        violations = assessor.violations(event)
        if assessor.rules is not None and violations is None:
            violations = []
        if violations is None and not signature.signed:
            return None
        return TagVerdict(tag, signature, tuple(violations) if violations is not None else None)
