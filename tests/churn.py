"""The churn registry used by the download tests: three versions of one file model,
a folder model, stages, a deregistration; and the site `build --publish-artifacts` makes of it."""

from __future__ import annotations

from pathlib import Path

from modelshelf.delivery import publish_artifacts
from modelshelf.index.build import build_index, dumps
from modelshelf.registry import load_registry

from .gitutil import GitBuilder

DVC_YAML = """\
artifacts:
  churn:
    path: models/churn.pkl
    type: model
  encoder:
    path: models/encoder
    type: model
"""

V1, V2, V3 = b"\x00churn-v1\r\n\xff", b"\x00churn-v2" * 1000, b"\x00churn-v3-deregistered"
ENCODER = {"models/encoder/weights.bin": b"\x01\x02\x03", "models/encoder/sub/vocab.txt": b"a\nb\n"}


def build_churn(repo: GitBuilder) -> dict[str, str]:
    """churn: v1.0.0 (prod), v1.1.0 (dev), v1.2.0 assigned prod and staging, then deregistered."""
    shas = {}
    shas["v1.0.0"] = repo.commit("v1", {"dvc.yaml": DVC_YAML, "models/churn.pkl": V1, **ENCODER})
    repo.tag("churn@v1.0.0")
    repo.tag("encoder@v0.1.0")
    repo.tag("churn#prod#1")
    shas["v1.1.0"] = repo.commit("v2", {"models/churn.pkl": V2})
    repo.tag("churn@v1.1.0")
    repo.tag("churn#dev#2")
    shas["v1.2.0"] = repo.commit("v3", {"models/churn.pkl": V3})
    repo.tag("churn@v1.2.0")
    repo.tag("churn#prod#3")
    repo.tag("churn#staging#4")
    repo.tag("churn@v1.2.0!")
    return shas


def write_site(repo_path: Path, site: Path) -> dict:
    """What `modelshelf build --publish-artifacts` puts under api/ and artifacts/."""
    registry = load_registry(repo_path)
    data = build_index(registry).data
    problems: list[str] = []
    publish_artifacts(registry, data, site, problems=problems)
    assert problems == []
    (site / "api" / "models").mkdir(parents=True, exist_ok=True)
    (site / "api" / "registry.json").write_text(dumps(data))
    for model in data["models"]:
        (site / "api" / "models" / f"{model['name']}.json").write_text(dumps(model))
    return data
