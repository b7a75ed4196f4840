"""modelshelf: a Git-native model registry with a static catalog.

GTO-compatible tags are the source of truth; the catalog and the JSON index are
build artifacts. The public API is importable from here; each name is loaded
on first use, so ``import modelshelf`` stays cheap (a deploy script that only
downloads never imports the catalog or the write path).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_API = {
    # reading
    "load_registry": "modelshelf.registry",
    "build_index": "modelshelf.index.build",
    # download lookups
    "resolve": "modelshelf.delivery.api",
    "download": "modelshelf.delivery.api",
    # ... and why they fail: ``except modelshelf.DownloadError`` catches every one
    "DownloadError": "modelshelf.delivery.errors",
    "LookupFailed": "modelshelf.delivery.errors",
    "TransferFailed": "modelshelf.delivery.errors",
    "IntegrityFailed": "modelshelf.delivery.errors",
    "DestinationExists": "modelshelf.delivery.errors",
    "DestinationUnwritable": "modelshelf.delivery.errors",
    # write path and CI
    "register": "modelshelf.write",
    "assign": "modelshelf.write",
    "unassign": "modelshelf.write",
    "deregister": "modelshelf.write",
    "deprecate": "modelshelf.write",
    "add_artifact": "modelshelf.declare",
    "log_model": "modelshelf.declare",
    "check_ref": "modelshelf.gtocompat.checkref",
    "init_project": "modelshelf.scaffold",
    # demo
    "create_demo_repo": "modelshelf.demo.repo",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'modelshelf' has no attribute '{name}'")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
