"""The embedded demo registry: a real Git repo an ML team could have written.

``create_demo_repo`` replays a scripted month of work (five models, sixteen
versions, stages moving, a rollback, a deregistration, a deprecation) with
plain ``git`` and pinned dates, so every run yields the same commit and tag
shas. It needs neither GTO nor DVC installed, yet both read the result: tags
follow GTO's names, messages and counters; models, metrics, params, plots and
pipelines follow DVC 3's file formats, with a local DVC remote committed
under ``dvc-remote/`` so downloads of DVC-tracked files work offline.

Git runs through a private helper here rather than ``GitRepo``: the demo
writes a repository from nothing (``git init``), which the read-side Git
layer does not do.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..atomic import current_umask
from .content import (ANA, BOT, CHURN, CHURN_RELEASES, DETECTOR, DETECTOR_RELEASES, FORECAST,
                      FORECAST_RELEASES, FRAUD, FRAUD_RELEASES, KENJI, PRIYA, SENTIMENT, SENTIMENT_RELEASES, TOM, Person)
from .files import WorkTree

__all__ = ["DemoError", "create_demo_repo", "DEMO_START"]

DEMO_START = 1_709_283_600  # 2024-03-01T09:00:00Z
_MINUTE = 60
_HOUR = 3600

_GIT_ENV_DROP = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_NAMESPACE")


class DemoError(Exception):
    """The demo registry cannot be created where asked."""


# --------------------------------------------------------------------------
# Git with pinned dates, and GTO's tag names, messages and counters
# --------------------------------------------------------------------------


@dataclass
class _DemoGit:
    path: Path
    clock: int = DEMO_START
    counters: dict[str, int] = field(default_factory=dict)
    commits: dict[tuple[str, str], str] = field(default_factory=dict)  # (model, version) -> sha

    def run(self, *args: str, who: Person = BOT) -> str:
        stamp = f"{self.clock} +0000"
        env = {k: v for k, v in os.environ.items() if k not in _GIT_ENV_DROP}
        env.update({
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_AUTHOR_NAME": who.name, "GIT_AUTHOR_EMAIL": who.email, "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_NAME": who.name, "GIT_COMMITTER_EMAIL": who.email, "GIT_COMMITTER_DATE": stamp,
            "LC_ALL": "C",
        })
        result = subprocess.run(
            ["git", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", "-c", "core.autocrlf=false", *args],
            cwd=self.path, env=env, capture_output=True, text=True,
        )
        if result.returncode != 0:
            raise DemoError(f"git {' '.join(args)} failed in {self.path}: {result.stderr.strip()}")
        return result.stdout.strip()

    def wait(self, seconds: int) -> None:
        self.clock += seconds

    def commit(self, tree: WorkTree, message: str, who: Person) -> str:
        wanted = tree.files()
        for existing in sorted(self.path.rglob("*"), reverse=True):
            rel = existing.relative_to(self.path).as_posix()
            if rel == ".git" or rel.startswith(".git/"):
                continue
            if existing.is_file() and rel not in wanted:
                existing.unlink()
        for rel, data in wanted.items():
            target = self.path / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists() or target.read_bytes() != data:
                target.write_bytes(data)
        self.run("add", "-A", who=who)
        self.run("commit", "-q", "-m", message, who=who)
        return self.run("rev-parse", "HEAD")

    def _counted(self, artifact: str, base: str) -> str:
        """GTO's counter: one more than the greatest this artifact's tags carry."""
        self.counters[artifact] = self.counters.get(artifact, 0) + 1
        return f"{base}#{self.counters[artifact]}"

    def _tag(self, name: str, commit: str, message: str, who: Person) -> None:
        self.run("tag", "-a", name, commit, "-m", message, who=who)

    # GTO's own wording (gto/registry.py), quotes included.
    def register(self, model: str, version: str, who: Person) -> None:
        commit = self.commits[(model, version)]
        self._tag(f"{_in_tag(model)}@{version}", commit, f"Registering artifact {model} version {version}", who)

    def assign(self, model: str, stage: str, version: str, who: Person) -> None:
        tag = self._counted(model, f"{_in_tag(model)}#{stage}")
        self._tag(tag, self.commits[(model, version)],
                  f"Assigning stage {stage} to artifact {model} version {version}", who)

    def unassign(self, model: str, stage: str, version: str, who: Person) -> None:
        tag = self._counted(model, f"{_in_tag(model)}#{stage}!")
        self._tag(tag, self.commits[(model, version)],
                  f"Unassigning stage '{stage}' to artifact '{model}' version '{version}'", who)

    def deregister(self, model: str, version: str, who: Person) -> None:
        tag = self._counted(model, f"{_in_tag(model)}@{version}!")
        self._tag(tag, self.commits[(model, version)], f"Deregistering artifact {model} version {version}", who)

    def deprecate(self, model: str, version: str, who: Person) -> None:
        tag = self._counted(model, f"{_in_tag(model)}@deprecated")
        self._tag(tag, self.commits[(model, version)], f"Deprecating artifact '{model}'", who)


def _in_tag(model: str) -> str:
    return model.replace(":", "=")


_RELEASES = {
    CHURN: CHURN_RELEASES,
    FRAUD: FRAUD_RELEASES,
    SENTIMENT: SENTIMENT_RELEASES,
    DETECTOR: DETECTOR_RELEASES,
    FORECAST: FORECAST_RELEASES,
}


def _release(g: _DemoGit, tree: WorkTree, model: str, version: str, who: Person, wait_hours: float) -> None:
    """Commit the version's files, then register it a few minutes later."""
    g.wait(int(wait_hours * _HOUR))
    release = _RELEASES[model][version]
    tree.current[model] = release
    short = model.split(":")[-1]
    g.commits[(model, version)] = g.commit(tree, f"{short}: {release.summary}", who)
    g.wait(7 * _MINUTE)
    g.register(model, version, who)


def _story(g: _DemoGit, tree: WorkTree) -> None:
    """A month of an ML team's work, in order. Every wait is part of the history."""
    g.commit(tree, "Project layout: DVC config, local remote, pipeline scripts", ANA)

    # Week 1: first models.
    _release(g, tree, CHURN, "v0.1.0", ANA, 2)
    g.wait(15 * _MINUTE); g.assign(CHURN, "dev", "v0.1.0", ANA)
    _release(g, tree, FRAUD, "v0.1.0", ANA, 5)
    g.wait(20 * _MINUTE); g.assign(FRAUD, "dev", "v0.1.0", ANA)
    _release(g, tree, CHURN, "v0.2.0", ANA, 40)
    g.wait(30 * _MINUTE); g.assign(CHURN, "dev", "v0.2.0", ANA)
    g.wait(3 * _HOUR); g.assign(CHURN, "staging", "v0.2.0", ANA)
    _release(g, tree, SENTIMENT, "v1.0.0", KENJI, 20)
    g.wait(12 * _MINUTE); g.assign(SENTIMENT, "dev", "v1.0.0", KENJI)
    g.wait(5 * _HOUR); g.assign(SENTIMENT, "staging", "v1.0.0", KENJI)

    # Week 2: vision and forecasting arrive; churn reaches prod.
    _release(g, tree, DETECTOR, "v1.0.0", PRIYA, 66)
    g.wait(25 * _MINUTE); g.assign(DETECTOR, "dev", "v1.0.0", PRIYA)
    _release(g, tree, FORECAST, "v1.0.0", TOM, 4)
    g.wait(10 * _MINUTE); g.assign(FORECAST, "dev", "v1.0.0", TOM)
    g.wait(2 * _HOUR); g.assign(FORECAST, "staging", "v1.0.0", TOM)
    g.wait(20 * _HOUR); g.assign(FORECAST, "prod", "v1.0.0", BOT)
    _release(g, tree, CHURN, "v1.0.0", ANA, 30)
    g.wait(40 * _MINUTE); g.assign(CHURN, "staging", "v1.0.0", ANA)
    g.wait(26 * _HOUR); g.assign(CHURN, "prod", "v1.0.0", BOT)
    g.wait(2 * _HOUR); g.assign(SENTIMENT, "prod", "v1.0.0", BOT)
    _release(g, tree, FRAUD, "v0.2.0", ANA, 20)
    g.wait(15 * _MINUTE); g.assign(FRAUD, "dev", "v0.2.0", ANA)

    # Week 3: detector and forecast iterate; churn v1.1.0 ships and is rolled back.
    _release(g, tree, DETECTOR, "v1.1.0", PRIYA, 45)
    g.wait(20 * _MINUTE); g.assign(DETECTOR, "dev", "v1.1.0", PRIYA)
    g.wait(6 * _HOUR); g.assign(DETECTOR, "staging", "v1.1.0", PRIYA)
    _release(g, tree, FORECAST, "v1.0.1", TOM, 18)
    g.wait(10 * _MINUTE); g.assign(FORECAST, "staging", "v1.0.1", TOM)
    g.wait(4 * _HOUR); g.assign(FORECAST, "prod", "v1.0.1", BOT)
    _release(g, tree, CHURN, "v1.1.0", ANA, 20)
    g.wait(20 * _MINUTE); g.assign(CHURN, "dev", "v1.1.0", ANA)
    g.wait(5 * _HOUR); g.assign(CHURN, "staging", "v1.1.0", ANA)
    g.wait(18 * _HOUR); g.assign(CHURN, "prod", "v1.1.0", BOT)
    g.wait(3 * _HOUR); g.assign(DETECTOR, "prod", "v1.1.0", BOT)
    # p99 latency tripled in prod: roll back to v1.0.0 (a newer prod tag on the older commit).
    g.wait(9 * _HOUR); g.assign(CHURN, "prod", "v1.0.0", ANA)
    g.wait(50 * _MINUTE); g.deregister(CHURN, "v1.1.0", ANA)
    # The fraud team moved to a vendor service.
    g.wait(22 * _HOUR); g.deprecate(FRAUD, "v0.2.0", ANA)

    # Week 4: new candidates.
    _release(g, tree, SENTIMENT, "v1.1.0", KENJI, 6)
    g.wait(15 * _MINUTE); g.assign(SENTIMENT, "staging", "v1.1.0", KENJI)
    g.wait(27 * _HOUR); g.assign(SENTIMENT, "prod", "v1.1.0", BOT)
    _release(g, tree, DETECTOR, "v1.2.0", PRIYA, 8)
    g.wait(20 * _MINUTE); g.assign(DETECTOR, "dev", "v1.2.0", PRIYA)
    g.wait(4 * _HOUR); g.assign(DETECTOR, "staging", "v1.2.0", PRIYA)
    # QA: false positives on promotional shelf labels; pull it out of staging.
    g.wait(20 * _HOUR); g.unassign(DETECTOR, "staging", "v1.2.0", PRIYA)
    _release(g, tree, CHURN, "v1.2.0", ANA, 30)
    g.wait(25 * _MINUTE); g.assign(CHURN, "dev", "v1.2.0", ANA)
    g.wait(6 * _HOUR); g.assign(CHURN, "staging", "v1.2.0", ANA)
    _release(g, tree, FORECAST, "v1.1.0", TOM, 20)
    g.wait(10 * _MINUTE); g.assign(FORECAST, "dev", "v1.1.0", TOM)
    _release(g, tree, SENTIMENT, "v2.0.0-rc.1", KENJI, 28)
    g.wait(30 * _MINUTE); g.assign(SENTIMENT, "dev", "v2.0.0-rc.1", KENJI)
    g.wait(3 * _HOUR); g.assign(SENTIMENT, "staging", "v2.0.0-rc.1", KENJI)


def create_demo_repo(path: Path) -> Path:
    """Create the demo registry at ``path`` (absent or an empty folder).

    The repo is built in a temporary sibling folder and renamed into place,
    so a failure never leaves a half-built registry behind.
    """
    path = Path(path).absolute()
    if path.exists():
        if not path.is_dir():
            raise DemoError(f"{path}: exists and is not a folder; choose a new or empty folder for the demo")
        if any(path.iterdir()):
            raise DemoError(f"{path}: folder is not empty; choose a new or empty folder for the demo")
    path.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        g = _DemoGit(work)
        g.run("init", "-q", "-b", "main", "--template=")
        _story(g, WorkTree())
        work.chmod(0o777 & ~current_umask())  # mkdtemp's 0700 is for the build, not the result
        if path.exists():
            path.rmdir()
        work.rename(path)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return path
