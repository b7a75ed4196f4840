"""Registries for the accessibility and layout tests: a real one with every kind of row and stage
colour, and a long one (more models than the home page's HTML lists)."""

from __future__ import annotations

import json

from ..gitutil import GitBuilder

REAL_DVC_YAML = """\
stages:
  train:
    cmd: python train.py
    deps:
    - data/train.csv
    params:
    - train
    outs:
    - models/churn/model.pkl
metrics:
- models/churn/metrics.json
- models/fraud/metrics.json
params:
- params.yaml
artifacts:
  churn:
    path: models/churn/model.pkl
    type: model
    desc: Predicts which customers leave next month.
    labels: [tabular, customer]
    meta:
      owner: ana
      framework: lightgbm
  fraud:
    path: models/fraud/model.onnx
    type: model
    desc: Scores card payments.
    labels: [payments]
  old:
    path: models/old/model.bin
    type: model
    desc: The first churn model, replaced.
  draft:
    path: models/draft/model.bin
    type: model
    desc: Declared, never registered.
"""

CARD = """\
# Churn model

Trained on the [customer table](https://example.com/data) of March; see the
[evaluation notes](https://example.com/notes) before using it for new markets.

| Metric | Value |
| --- | --- |
| auc | 0.85 |
"""

# Stages in the order they are first assigned: known names (prod, staging, canary, qa) and two
# that take the palette (shadow, pilot), among them a light one that needs dark text.
STAGES = ("prod", "staging", "canary", "qa", "shadow", "pilot", "review", "beta")


def real_repo(g: GitBuilder) -> GitBuilder:
    g.commit("declare models", {
        "dvc.yaml": REAL_DVC_YAML, "params.yaml": "train:\n  depth: 4\n  rate: 0.1\n",
        "data/train.csv": "a,b\n1,2\n", "models/churn/README.md": CARD,
        "models/churn/model.pkl": "1", "models/churn/metrics.json": {"auc": 0.80, "loss": 0.40, "f1": 0.6},
        "models/fraud/model.onnx": "1", "models/fraud/metrics.json": {"precision": 0.9},
        "models/old/model.bin": "1", "models/draft/model.bin": "1",
    })
    g.tag("churn@v0.1.0", message="first churn model")
    g.tag("fraud@v1.0.0", message="fraud scorer")
    g.tag("old@v1.0.0", message="the old one")
    for stage in STAGES:
        g.tag(f"fraud#{stage}#{STAGES.index(stage) + 1}", message=f"fraud to {stage}")
    g.commit("retrain churn", {
        "params.yaml": "train:\n  depth: 6\n  rate: 0.1\n",
        "models/churn/model.pkl": "2", "models/churn/metrics.json": {"auc": 0.84, "loss": 0.35, "f1": 0.62},
    })
    g.tag("churn@v0.2.0", message="deeper trees")
    g.tag("churn#staging#1", message="try it")
    g.commit("retrain churn again", {
        "models/churn/model.pkl": "3", "models/churn/metrics.json": {"auc": 0.83, "loss": 0.37, "f1": 0.61},
    })
    g.tag("churn@v0.3.0", message="worse, withdrawn")
    g.tag("churn@v0.3.0!", message="deregistered: worse than v0.2.0")
    g.tag("churn#prod#2", rev="HEAD~1", message="ship v0.2.0")
    g.tag("old@deprecated#1", message="use churn")
    g.commit("experiment", {"models/churn/model.pkl": "4",
                            "models/churn/metrics.json": {"auc": 0.86, "loss": 0.3, "f1": 0.64}})
    return g


LONG_MODELS = 130  # more than views.HOME_ROWS
HOSTILE_AT = 120  # past the first page: its row is built by modelshelf.js from the JSON list
HOSTILE_DESC = "</script><img src=x onerror=alert(1)> {{ x }} `code` of the long catalog."


def long_name(i: int) -> str:
    return f"model-{i:03d}"


def long_repo(g: GitBuilder) -> list[str]:
    """``LONG_MODELS`` models in one dvc.yaml, one version each; every tenth in prod, every
    seventh labelled ``rare``. Returns the names."""
    names = [long_name(i) for i in range(LONG_MODELS)]
    lines = ["artifacts:"]
    for i, name in enumerate(names):
        labels = "[rare, tabular]" if i % 7 == 0 else "[tabular]"
        desc = HOSTILE_DESC if i == HOSTILE_AT else f"Model number {i} of the long catalog."
        lines += [f"  {name}:", f"    path: models/{name}.bin", f"    type: {'model' if i % 2 else 'dataset'}",
                  f"    desc: {json.dumps(desc)}", f"    labels: {labels}"]
    files: dict[str, str | bytes | dict] = {"dvc.yaml": "\n".join(lines) + "\n"}
    files.update({f"models/{name}.bin": name for name in names})
    g.commit("declare many models", files)
    for i, name in enumerate(names):
        g.tag(f"{name}@v1.0.{i}", message="first")
        if i % 10 == 0:
            g.tag(f"{name}#prod#1", message="ship")
    return names
