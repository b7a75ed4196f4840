from __future__ import annotations

from pathlib import Path

import pytest

from .gitutil import GitBuilder


@pytest.fixture
def repo(tmp_path: Path) -> GitBuilder:
    return GitBuilder(tmp_path / "repo")
