"""The Python API of the write path and CI helpers (the CLI is a thin layer over it)."""

from .gtocompat.checkref import RefEvent, check_ref
from .declare import Declared, DeclareError, add_artifact, log_model
from .scaffold import ScaffoldError, init_project
from .write import DeleteResult, WriteError, WriteResult, assign, deprecate, deregister, register, unassign

__all__ = [
    "DeclareError",
    "DeleteResult",
    "Declared",
    "RefEvent",
    "ScaffoldError",
    "WriteError",
    "WriteResult",
    "add_artifact",
    "assign",
    "check_ref",
    "deprecate",
    "deregister",
    "init_project",
    "log_model",
    "register",
    "unassign",
]
