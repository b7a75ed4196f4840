"""This repository's own site: docs plus the live demo catalog, built strictly."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_own_site_builds_strict_with_the_demo_catalog(tmp_path: Path) -> None:
    work = tmp_path / "project"
    shutil.copytree(ROOT, work, ignore=shutil.ignore_patterns(".git", ".cache", "site", "bench", "*.egg-info", "test-artifacts", ".venv"))
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
        cwd=work, capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr
    site = tmp_path / "site"
    home = (site / "demo" / "index.html").read_text()
    for model in ["churn-classifier", "demand-forecast", "sentiment-bert", "models/vision:detector"]:
        assert model in home
    assert (site / "getting-started" / "index.html").is_file()
    assert (site / "api" / "registry.json").is_file()
    # the plugin supplied the Mermaid fence: lineage blocks are diagrams, not code
    page = next((site / "demo").glob("churn-classifier*/index.html")).read_text()
    assert 'class="mermaid"' in page
