"""Rules and signed tags: ``.modelshelf.yaml`` and the allowed-signers file at the
default branch's tip, tag signatures verified with Git, and the verdict of the
rules on each registry event, for every front end that reads or writes the registry."""

from ..core.compliance import Signature, StageVerdict, Violation
from ..core.rules import RULES_FILE, Rules, RulesError
from .assess import Assessor
from .source import Governance, default_branch, load_governance

__all__ = [
    "RULES_FILE", "Assessor", "Governance", "Rules", "RulesError", "Signature", "StageVerdict", "Violation",
    "default_branch", "load_governance",
]
