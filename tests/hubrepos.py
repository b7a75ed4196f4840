"""The repositories of the hub tests: a local repo, a bare repo given as a file:// URL, a monorepo
with ``dir:name`` models, and another catalog's published index (federation)."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .churn import build_churn
from .gitutil import GitBuilder, run_cli

MONO_DVC = {
    "vision/dvc.yaml": "artifacts:\n  detector:\n    path: det.bin\n    type: model\n    description: finds things\n",
    "nlp/dvc.yaml": "artifacts:\n  tagger:\n    path: tagger.bin\n    type: model\n",
}


@dataclass
class HubRepos:
    churn: GitBuilder  # local path source "churn"
    bare: Path  # bare clone of ``upstream``: source "forecast" as file://
    upstream: GitBuilder
    mono: GitBuilder  # source "mono": vision:detector, nlp:tagger
    fed_repo: GitBuilder  # the federated catalog's own repository
    fed_site: Path  # its published site (api/registry.json, api/models/, artifacts/)

    def sources(self, fed_url: str) -> list[str]:
        """``--source`` arguments for the four sources."""
        return ["--source", f"churn={self.churn.path}", "--source", f"forecast={self.bare.as_uri()}",
                "--source", f"mono={self.mono.path}", "--source", f"fed={fed_url}"]


def build_forecast(repo: GitBuilder) -> None:
    repo.commit("f1", {"dvc.yaml": "artifacts:\n  forecast:\n    path: f.bin\n    type: model\n", "f.bin": b"fc-1"})
    repo.tag("forecast@v0.1.0")
    repo.commit("f2", {"f.bin": b"fc-2"})
    repo.tag("forecast@v0.2.0")
    repo.tag("forecast#staging#1")


def build_mono(repo: GitBuilder) -> None:
    repo.commit("m1", {**MONO_DVC, "vision/det.bin": b"det-1", "nlp/tagger.bin": b"tag-1"})
    repo.tag("vision=detector@v1.0.0")
    repo.tag("vision=detector#prod#1")
    repo.tag("nlp=tagger@v0.1.0")


def make_hub_repos(root: Path) -> HubRepos:
    churn = GitBuilder(root / "churn")
    build_churn(churn)
    upstream = GitBuilder(root / "forecast-work")
    build_forecast(upstream)
    bare = root / "forecast.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(upstream.path), str(bare)], check=True)
    mono = GitBuilder(root / "mono")
    build_mono(mono)
    fed_repo = GitBuilder(root / "fed-repo")
    build_churn(fed_repo)
    fed_site = root / "fed-site"  # built as that repository's own CI would
    result = run_cli("build", "-q", "--repo", str(fed_repo.path), "-o", str(fed_site))
    assert result.returncode == 0, result.stderr
    return HubRepos(churn, bare, upstream, mono, fed_repo, fed_site)


def remove(path: Path) -> None:
    shutil.rmtree(path)


def synthetic_index(models: int, versions: int = 1, prefix: str = "model", stages: tuple[str, ...] = ("prod",)) -> dict:
    """A published index of ``models`` models as another catalog's CI would write it (no repository
    behind it): what a federated source offers. Deterministic."""
    records = []
    for m in range(models):
        name = f"{prefix}-{m:04d}"
        listed = []
        for v in range(versions, 0, -1):
            commit = f"{(m * 1000 + v):040x}"
            listed.append({
                "version": f"v1.{v - 1}.0", "status": "active", "tag": f"{name}@v1.{v - 1}.0", "commit": commit,
                "created_at": f"2024-01-{1 + v % 28:02d}T00:00:00+00:00", "author": "CI", "author_email": "ci@example.com",
                "message": "", "stages": list(stages) if v == versions else [],
                "previous": f"v1.{v - 2}.0" if v > 1 else None, "commit_info": None,
                "metrics": {"accuracy": round(0.5 + v / (2 * versions + 1), 4)}, "metric_sources": [], "params": {},
                "param_sources": [], "missing": [], "lineage": {"produced_by": None, "stages": []},
                "storage": {"kind": "url", "url": f"https://models.example.com/{name}/{v}.bin", "size": 1},
                "problems": [],
            })
        records.append({
            "name": name, "type": "model", "path": f"{name}.bin", "description": f"synthetic model {m}",
            "labels": ["synthetic"], "meta": {}, "declared_in": "dvc.yaml", "card": None, "registered": True,
            "deprecated": False, "latest": f"v1.{versions - 1}.0",
            "stages": {s: f"v1.{versions - 1}.0" for s in stages}, "versions": listed,
            "events": [{"timestamp": "2024-01-01T00:00:00+00:00", "model": name, "event": "registration",
                        "version": f"v1.{versions - 1}.0", "stage": None, "commit": listed[0]["commit"],
                        "tag": f"{name}@v1.{versions - 1}.0", "author": "CI", "author_email": "ci@example.com",
                        "message": ""}],
            "page": f"models/{name}/",
        })
    return {"schema_version": 1, "generator": "modelshelf", "repository": {"head": None, "remote": None},
            "stages": list(stages), "models": records,
            "events": [e for r in records for e in r["events"]], "ignored_tags": []}
