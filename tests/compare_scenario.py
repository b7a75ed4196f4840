"""A DVC-style pipeline repo for the compare tests: two registered versions, candidates, an experiment."""

from __future__ import annotations

import json

from .gitutil import GitBuilder

DVC_YAML = """\
stages:
  prepare:
    cmd: python src/prepare.py
    deps: [src/prepare.py, data/raw.csv]
    outs: [data/prepared.csv]
  train:
    cmd: python src/train.py
    deps: [src/train.py, data/prepared.csv]
    params: [train.lr, train.epochs]
    outs: [models/model.pkl]
    metrics:
      - metrics.json:
          cache: false
plots:
  - eval/roc.json:
      x: fpr
      y: tpr
      title: ROC
  - Precision-recall:
      x: recall
      y:
        eval/prc.csv: precision
  - eval/confusion.png
artifacts:
  churn:
    path: models/model.pkl
    type: model
    desc: Churn classifier
"""


def lock(data_md5: str, code_md5: str, model_md5: str, lr: float, epochs: int) -> str:
    return f"""\
schema: '2.0'
stages:
  prepare:
    cmd: python src/prepare.py
    deps:
    - path: data/raw.csv
      md5: {data_md5}
      size: 10
    - path: src/prepare.py
      md5: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1
      size: 10
    outs:
    - path: data/prepared.csv
      md5: {data_md5[::-1]}
      size: 10
  train:
    cmd: python src/train.py
    deps:
    - path: data/prepared.csv
      md5: {data_md5[::-1]}
      size: 10
    - path: src/train.py
      md5: {code_md5}
      size: 10
    params:
      params.yaml:
        train.epochs: {epochs}
        train.lr: {lr}
    outs:
    - path: models/model.pkl
      md5: {model_md5}
      size: 100
"""


def roc(shift: float) -> str:
    points = [(0.0, 0.0), (0.1, 0.5 + shift), (0.3, 0.75 + shift), (0.6, 0.9 + shift / 2), (1.0, 1.0)]
    return json.dumps({"roc": [{"fpr": x, "tpr": round(y, 4), "threshold": 1 - x} for x, y in points]})


def prc(shift: float) -> str:
    rows = ["recall,precision"] + [f"{r},{round(1 - r * (0.5 - shift), 4)}" for r in (0.0, 0.25, 0.5, 0.75, 1.0)]
    return "\n".join(rows) + "\n"


def state(version: int, accuracy: float, lr: float, data: str, code: str) -> dict[str, str | bytes | dict]:
    shift = version * 0.03
    return {
        "dvc.yaml": DVC_YAML,
        "dvc.lock": lock(data, code, f"m{version}" + "0" * 30, lr, 10),
        "params.yaml": f"train:\n  lr: {lr}\n  epochs: 10\n",
        "metrics.json": {"accuracy": accuracy, "f1": round(accuracy - 0.05, 4)},
        "eval/roc.json": roc(shift),
        "eval/prc.csv": prc(shift),
        "eval/confusion.png": b"\x89PNG\r\n\x1a\n" + bytes([version]) * 16,
        "src/train.py": f"# train v{version}\n",
        "src/prepare.py": "# prepare\n",
        "data/raw.csv.dvc": f"outs:\n- md5: {data}\n  path: raw.csv\n",
    }


DATA1 = "1" + "d" * 31
DATA2 = "2" + "d" * 31
CODE1 = "1" + "c" * 31
CODE2 = "2" + "c" * 31


def pipeline_repo(g: GitBuilder) -> dict[str, str]:
    """v1.0.0, v1.1.0 (new data), a candidate (new code, new lr), an unrelated commit, an experiment."""
    shas: dict[str, str] = {}
    shas["v1"] = g.commit("first model", state(1, 0.80, 0.1, DATA1, CODE1))
    g.gto("register", "churn", "--version", "v1.0.0")
    g.gto("assign", "churn", "--version", "v1.0.0", "--stage", "prod")
    shas["v2"] = g.commit("more data", state(2, 0.84, 0.1, DATA2, CODE1))
    g.gto("register", "churn", "--version", "v1.1.0")
    shas["candidate"] = g.commit("try a smaller learning rate", state(3, 0.87, 0.05, DATA2, CODE2))
    shas["unrelated"] = g.commit("docs only", {"README.md": "# churn\n"})
    # A DVC experiment: a commit off the branch, kept only by refs/exps/<baseline>/<name>.
    base = g.git("rev-parse", "HEAD")
    g.git("checkout", "-q", "-b", "exp-tmp")
    shas["experiment"] = g.commit("exp-bold", state(4, 0.89, 0.2, DATA2, CODE2))
    g.git("checkout", "-q", "main")
    g.git("update-ref", f"refs/exps/{base[:2]}/{base[2:]}/exp-bold", shas["experiment"])
    g.git("branch", "-q", "-D", "exp-tmp")
    return shas
