"""Paths of the files modelshelf ships (package data), one place for each.

A leaf module: the scaffold (write side) and the site build both need the packaged
``mkdocs.yml``, and the scaffold must not import the MkDocs layer to find it.
"""

from __future__ import annotations

from pathlib import Path

DEFAULTS_DIR = Path(__file__).parent / "defaults"
PACKAGED_CONFIG = DEFAULTS_DIR / "mkdocs.yml"  # the catalog's Material configuration without a repo mkdocs.yml
