"""A GTO-managed repo whose text (tag messages, descriptions, labels, card, metrics, lineage) is hostile."""

from __future__ import annotations

import json

from ..gitutil import GitBuilder

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
JSLINK = "[click me](javascript:alert(1))"
HOSTILE = f"{SCRIPT} {IMG} {JSLINK}"
DESCRIPTION = "Danger " + HOSTILE
EVIL_PATH = 'data/"]; click n0 call alert(1) <img src=x onerror=alert(1)>.csv'
EVIL_METRIC = "<script>alert(1)</script>$x$"

DVC_YAML = f"""\
stages:
  train:
    cmd: {json.dumps("python train.py " + SCRIPT)}
    deps:
    - {json.dumps(EVIL_PATH)}
    outs:
    - models/evil/model.pkl
artifacts:
  evil-model:
    path: models/evil/model.pkl
    type: model
    desc: {json.dumps(DESCRIPTION)}
    labels: [{json.dumps(IMG)}, {json.dumps(SCRIPT)}, tabular]
    meta:
      metrics: metrics.json
  plain-model:
    path: models/plain/model.pkl
    type: model
    desc: A well-behaved neighbour
    labels: [tabular]
"""


def dvc_lock(model_md5: str) -> str:
    return f"""\
schema: '2.0'
stages:
  train:
    cmd: {json.dumps("python train.py " + SCRIPT)}
    deps:
    - path: {json.dumps(EVIL_PATH)}
      hash: md5
      md5: 0123456789abcdef0123456789abcdef
      size: 1234
    outs:
    - path: models/evil/model.pkl
      hash: md5
      md5: {model_md5}
      size: 2
"""


CARD = f"""\
---
license: {json.dumps(SCRIPT)}
base_model: {json.dumps(IMG)}
tags: [{json.dumps(SCRIPT)}]
---
# Evil model card

{HOSTILE}

<a href="javascript:alert(2)">raw link</a> <a href="JaVaScRiPt:alert(3)">mixed case</a>
<div onmouseover="alert(4)">hover me</div>
<iframe src="javascript:alert(5)"></iframe>
<svg onload="alert(6)"><script>alert(7)</script></svg>
"""


def hostile_repo(g: GitBuilder) -> GitBuilder:
    g.commit("declare models " + SCRIPT, {
        "dvc.yaml": DVC_YAML,
        "dvc.lock": dvc_lock("11111111111111111111111111111111"),
        "models/evil/model.pkl": "v1", "models/plain/model.pkl": "v1",
        "models/evil/README.md": CARD,
        "metrics.json": {"accuracy": 0.81, EVIL_METRIC: 0.7},
    })
    g.gto("register", "evil-model", "--version", "v1.0.0", "-m", HOSTILE)
    g.gto("register", "plain-model", "--version", "v1.0.0", "-m", "plain")
    g.gto("assign", "evil-model", "--version", "v1.0.0", "--stage", "prod", "-m", IMG)
    g.commit("retrain " + IMG, {
        "models/evil/model.pkl": "v2",
        "dvc.lock": dvc_lock("22222222222222222222222222222222"),
        "metrics.json": {"accuracy": 0.86, EVIL_METRIC: 0.75},
    })
    g.gto("register", "evil-model", "--version", "v1.1.0", "-m", JSLINK)
    g.gto("assign", "evil-model", "--version", "v1.1.0", "--stage", "staging", "-m", SCRIPT)
    return g
