"""Generate large GTO-format registry repos for benchmarks, in seconds.

One ``git fast-import`` stream writes every blob, commit and annotated tag
(with a pinned ``tagger`` date), so 50 models x 40 versions (about 4,100
tags, 2,001 commits) takes a few seconds instead of the minutes that
thousands of ``git tag`` calls, let alone ``gto register``, would need.

Layout: each model lives in its own folder ``mNNN/`` with a ``dvc.yaml``
(``artifacts:``, ``metrics:``, ``params:``, ``plots:``), so its name is
``mNNN:KIND-NNN`` and its tags are written ``mNNN=KIND-NNN@v1.2.3``. Every
version commit changes that model's ``metrics.json``, ``params.yaml``,
``roc.json`` and ``model.bin``. Along the way stages move
(dev/staging/prod), prod is rolled back once, one version per model is
deregistered and one staging assignment is withdrawn.

Usage:
    python bench/generate.py bench/out/repos/50x40 --models 50 --versions 40
    python bench/generate.py bench/out/repos/200x10 --preset catalog
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

START = 1_672_567_200  # 2023-01-01T10:00:00Z
KINDS = ("churn", "ranker", "detector", "forecast", "sentiment", "fraud", "pricing", "embedder")
PEOPLE = (
    ("Ana Ruiz", "ana.ruiz@example.com"),
    ("Kenji Sato", "kenji.sato@example.com"),
    ("Priya Nair", "priya.nair@example.com"),
    ("Tom Becker", "tom.becker@example.com"),
)
BOT = ("ML Release Bot", "ml-release-bot@example.com")

PRESETS = {"large": (50, 40), "catalog": (200, 10)}
LAYOUTS = ("folders", "root")  # one dvc.yaml per model folder; one root dvc.yaml declaring every model


@dataclass
class Stats:
    models: int = 0
    versions: int = 0  # per model
    commits: int = 0
    tags: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {"models": self.models, "versions": self.versions, "commits": self.commits,
                "tags": self.tags, "seconds": round(self.seconds, 2)}


def version_name(j: int) -> str:
    """The j-th version of a model: patches, a minor every 5, a major every 20."""
    return f"v{1 + j // 20}.{(j % 20) // 5}.{j % 5}"


@dataclass
class _Stream:
    """Writes a fast-import stream; one clock tick per commit or tag keeps events ordered."""

    out: "subprocess.Popen[bytes]"
    clock: int = START
    mark: int = 0
    stats: Stats = field(default_factory=Stats)
    counters: dict[str, int] = field(default_factory=dict)
    last_commit: int | None = None

    def write(self, data: bytes) -> None:
        assert self.out.stdin is not None
        self.out.stdin.write(data)

    def data(self, payload: bytes) -> None:
        self.write(b"data %d\n" % len(payload) + payload + b"\n")

    def tick(self, seconds: int) -> int:
        self.clock += seconds
        return self.clock

    def commit(self, who: tuple[str, str], message: str, files: dict[str, bytes]) -> int:
        self.mark += 1
        stamp = self.tick(3600)
        ident = f"{who[0]} <{who[1]}> {stamp} +0000".encode()
        self.write(b"commit refs/heads/main\nmark :%d\nauthor %s\ncommitter %s\n" % (self.mark, ident, ident))
        self.data(message.encode())
        if self.last_commit is not None:
            self.write(b"from :%d\n" % self.last_commit)
        for path, content in sorted(files.items()):
            self.write(f"M 100644 inline {path}\n".encode())
            self.data(content)
        self.write(b"\n")
        self.last_commit = self.mark
        self.stats.commits += 1
        return self.mark

    def tag(self, name: str, commit_mark: int, message: str, who: tuple[str, str]) -> None:
        stamp = self.tick(60)
        self.write(f"tag {name}\nfrom :{commit_mark}\ntagger {who[0]} <{who[1]}> {stamp} +0000\n".encode())
        self.data(message.encode() + b"\n")
        self.stats.tags += 1

    def counted(self, artifact: str) -> int:
        self.counters[artifact] = self.counters.get(artifact, 0) + 1
        return self.counters[artifact]


@dataclass(frozen=True)
class _Model:
    index: int
    kind: str
    root: bool = False  # declared in the root dvc.yaml (name without a folder prefix)

    @property
    def folder(self) -> str:
        return f"m{self.index:03d}"

    @property
    def artifact(self) -> str:
        return f"{self.kind}-{self.index:03d}"

    @property
    def name(self) -> str:
        return self.artifact if self.root else f"{self.folder}:{self.artifact}"

    @property
    def in_tag(self) -> str:
        return self.artifact if self.root else f"{self.folder}={self.artifact}"


def catalog_model(index: int, layout: str = "folders") -> _Model:
    """The model a generated repo holds at ``index`` (its name, folder and tag prefix)."""
    return _Model(index, KINDS[index % len(KINDS)], root=layout == "root")


def _json(data: object) -> bytes:
    return (json.dumps(data, indent=2) + "\n").encode()


def _root_dvc_yaml(models: list[_Model], plots: bool) -> bytes:
    """One root ``dvc.yaml`` declaring every model; its top-level lists name each model's files."""
    lines = ["artifacts:"]
    for model in models:
        lines += [
            f"  {model.artifact}:",
            f"    path: {model.folder}/model.bin",
            "    type: model",
            f"    desc: Synthetic {model.kind} model number {model.index} for benchmarks.",
            f"    labels: [bench, {model.kind}]",
            "    meta:",
            f"      owner: team-{model.index % 7}",
        ]
    lines += ["metrics:", *(f"- {m.folder}/metrics.json" for m in models)]
    lines += ["params:", *(f"- {m.folder}/params.yaml" for m in models)]
    if plots:
        lines += ["plots:", *(f"- {m.folder}/roc.json:\n    x: fpr\n    y: tpr" for m in models)]
    return ("\n".join(lines) + "\n").encode()


def _dvc_yaml(model: _Model, plots: bool) -> bytes:
    text = (
        "artifacts:\n"
        f"  {model.artifact}:\n"
        "    path: model.bin\n"
        "    type: model\n"
        f"    desc: Synthetic {model.kind} model number {model.index} for benchmarks.\n"
        f"    labels: [bench, {model.kind}]\n"
        "    meta:\n"
        f"      owner: team-{model.index % 7}\n"
        "metrics:\n"
        "- metrics.json\n"
        "params:\n"
        "- params.yaml\n"
    )
    if plots:
        text += "plots:\n- roc.json:\n    x: fpr\n    y: tpr\n"
    return text.encode()


def _version_files(model: _Model, j: int, rng: random.Random, plots: bool) -> dict[str, bytes]:
    progress = 1 - 0.5 ** (j / 8 + 1)
    accuracy = round(0.70 + 0.2 * progress + rng.uniform(-0.01, 0.01), 4)
    auc = round(min(0.99, accuracy + 0.05), 4)
    metrics = {
        "accuracy": accuracy,
        "f1": round(accuracy - 0.08 + rng.uniform(-0.01, 0.01), 4),
        "roc_auc": auc,
        "loss": round(0.6 - 0.3 * progress + rng.uniform(-0.01, 0.01), 4),
        "latency_ms": round(2 + 3 * progress + rng.uniform(0, 0.5), 2),
    }
    params = (
        "train:\n"
        f"  learning_rate: {round(0.1 * 0.9 ** j, 5)}\n"
        f"  epochs: {10 + 2 * j}\n"
        f"  batch_size: {[32, 64, 128][j % 3]}\n"
        f"  max_depth: {4 + j % 5}\n"
        f"  seed: {model.index}\n"
    )
    files = {
        f"{model.folder}/metrics.json": _json(metrics),
        f"{model.folder}/params.yaml": params.encode(),
        f"{model.folder}/model.bin": hashlib.sha256(f"{model.name}@{j}".encode()).digest() * 16,
    }
    if plots:
        k = 1 / auc - 1
        roc = [{"fpr": f, "tpr": round(f**k if f else 0.0, 4)} for f in (0.0, 0.05, 0.1, 0.2, 0.5, 1.0)]
        files[f"{model.folder}/roc.json"] = _json({"roc": roc})
    return files


def _git_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "LC_ALL": "C"})
    return env


def _git(path: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=path, env=_git_env(), check=True, capture_output=True)


def generate(path: Path, models: int, versions: int, plots: bool = True, seed: int = 0,
             layout: str = "folders") -> Stats:
    """Write a registry repo of ``models`` x ``versions`` at ``path`` (must not exist or be empty).

    ``layout``: "folders" (a ``dvc.yaml`` per model folder) or "root" (one root
    ``dvc.yaml`` declaring every model, written in the first commit).
    """
    path = Path(path)
    if path.exists() and any(path.iterdir()):
        raise SystemExit(f"{path}: not empty; delete it first or choose another folder")
    started = time.perf_counter()
    path.mkdir(parents=True, exist_ok=True)
    _git(path, "init", "-q", "-b", "main", "--template=")
    proc = subprocess.Popen(["git", "fast-import", "--quiet", "--date-format=raw"], cwd=path,
                            env=_git_env(), stdin=subprocess.PIPE)
    stream = _Stream(proc)
    rng = random.Random(seed)
    catalog = [catalog_model(i, layout) for i in range(models)]
    readme = f"# Benchmark registry\n\n{models} models x {versions} versions, generated by bench/generate.py.\n"
    first = {"README.md": readme.encode(), ".gitignore": b"/data/\n"}
    if layout == "root":
        first["dvc.yaml"] = _root_dvc_yaml(catalog, plots)
    stream.commit(BOT, "Benchmark registry layout", first)
    marks: dict[tuple[int, int], int] = {}
    try:
        for j in range(versions):
            for model in catalog:
                who = PEOPLE[model.index % len(PEOPLE)]
                files = _version_files(model, j, rng, plots)
                if j == 0 and layout == "folders":
                    files[f"{model.folder}/dvc.yaml"] = _dvc_yaml(model, plots)
                version = version_name(j)
                mark = stream.commit(who, f"{model.artifact}: train {version}", files)
                marks[(model.index, j)] = mark
                _events(stream, model, j, mark, marks, who)
        assert proc.stdin is not None
        proc.stdin.close()
        if proc.wait() != 0:
            raise SystemExit("git fast-import failed")
    except BaseException:
        proc.kill()
        raise
    _git(path, "pack-refs", "--all")  # as a fresh clone would have them
    _git(path, "reset", "-q", "--hard")
    stream.stats.models = models
    stream.stats.versions = versions
    stream.stats.seconds = time.perf_counter() - started
    return stream.stats


def _events(stream: _Stream, model: _Model, j: int, mark: int, marks: dict[tuple[int, int], int],
            who: tuple[str, str]) -> None:
    """Registration, then the stage moves this version sees (GTO's wording and counters)."""
    name, tag, version = model.name, model.in_tag, version_name(j)
    stream.tag(f"{tag}@{version}", mark, f"Registering artifact {name} version {version}", who)

    def assign(stage: str, target_j: int, by: tuple[str, str]) -> None:
        v = version_name(target_j)
        stream.tag(f"{tag}#{stage}#{stream.counted(name)}", marks[(model.index, target_j)],
                   f"Assigning stage {stage} to artifact {name} version {v}", by)

    if j % 2 == 0:
        assign("dev", j, who)
    if j % 3 == 0:
        assign("staging", j, who)
    if j % 8 == 7:
        assign("prod", j, BOT)
    if j == 5:  # a bad version: deregistered (GTO's CLI writes no counter here)
        stream.tag(f"{tag}@{version}!", mark, f"Deregistering artifact {name} version {version}", who)
    if j == 9:  # QA withdraws the staging assignment
        stream.tag(f"{tag}#staging!#{stream.counted(name)}", mark,
                   f"Unassigning stage 'staging' to artifact '{name}' version '{version}'", who)
    if j == 15:  # prod rollback to the previous prod version
        assign("prod", 7, who)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path, help="folder to create (must not exist or be empty)")
    parser.add_argument("--preset", choices=sorted(PRESETS), help="large: 50x40; catalog: 200x10")
    parser.add_argument("--models", type=int, default=50)
    parser.add_argument("--versions", type=int, default=40)
    parser.add_argument("--layout", choices=LAYOUTS, default="folders",
                        help="folders: a dvc.yaml per model folder; root: one root dvc.yaml declaring every model")
    parser.add_argument("--no-plots", action="store_true", help="omit the per-version ROC plot files")
    parser.add_argument("--force", action="store_true", help="delete the folder first if it exists")
    args = parser.parse_args(argv)
    models, versions = PRESETS[args.preset] if args.preset else (args.models, args.versions)
    if args.force and args.path.exists():
        shutil.rmtree(args.path)
    stats = generate(args.path, models, versions, plots=not args.no_plots, layout=args.layout)
    print(json.dumps(stats.as_dict()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
