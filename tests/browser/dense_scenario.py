"""A registry that strains the catalog's layout: 60 versions, 8 metrics of awkward magnitudes,
four stages held by neighbouring versions, a 5,000-character description, candidates."""

from __future__ import annotations

import json

from ..gitutil import GitBuilder
from .scenario import IMG, SCRIPT

VERSIONS = 60
NAME = "dense"
# Stage holders, by version index: neighbours, so their plot labels would collide.
STAGES = {56: ("prod",), 57: ("canary",), 58: ("staging", "qa"), 59: ("dev",)}
DEREGISTERED = 10
METRICS = ("accuracy", "bytes_read", "calibration_shift", "drift_rate", "epochs", "loss", "params_count",
           "tie_value")
PARAGRAPH = ("This detector was trained on the merged 2023 crawl. It is the reference model for the "
             "dense-registry walkthrough and its description is deliberately far too long for a page header. ")
DESCRIPTION = (
    f"First line of a long description {SCRIPT}.\nSecond line: {IMG}\n\n"
    + "".join(f"Paragraph {i}. " + PARAGRAPH * 3 + "\n\n" for i in range(1, 9))
    + f"Closing words {SCRIPT} {IMG} end-of-description."
)
CANDIDATE_MESSAGE = "retrain on the corrected labels with a much longer schedule " * 3


def version_name(j: int) -> str:
    """Patches, a minor every 5, a major every 20 (as bench/generate.py names them)."""
    return f"v{1 + j // 20}.{(j % 20) // 5}.{j % 5}"


def metrics_of(j: int) -> dict[str, float | int]:
    """Large, tiny, negative, integer-valued and tie-rounding values, varying per version."""
    return {
        "accuracy": round(0.80 + 0.0015 * j + 0.004 * ((j * 7) % 5), 4),
        "bytes_read": 1e15 + j * 2.5e12,  # a float; integer-valued
        "calibration_shift": -0.0421 + j * 0.0007,  # negative, crosses to tiny magnitudes near j=60
        "drift_rate": 3.2e-7 * (1 + j / 10),
        "epochs": float(10 + j % 7),  # integer-valued floats: 12.0 reads "12"
        "loss": round(0.45 - 0.002 * j + 0.003 * ((j * 3) % 4), 4),
        "params_count": 124_000_000 + j * 1_000,  # an int
        "tie_value": 0.03125,  # a binary-exact tie at the fourth decimal
    }


def dvc_yaml(description: str) -> str:
    return (
        "artifacts:\n"
        f"  {NAME}:\n    path: models/dense.bin\n    type: model\n    desc: {json.dumps(description)}\n"
        "    labels: [vision]\n    meta:\n      metrics: metrics.json\n"
        "  small:\n    path: models/small.bin\n    type: model\n    desc: A short description.\n"
    )


def dense_repo(g: GitBuilder) -> dict[str, str]:
    """Build the registry; returns the candidates' commits by name."""
    yaml = dvc_yaml(DESCRIPTION)
    counters: dict[str, int] = {}
    for j in range(VERSIONS):
        files: dict[str, str | bytes | dict] = {"models/dense.bin": f"weights {j}", "metrics.json": metrics_of(j)}
        if j == 0:
            files.update({"dvc.yaml": yaml, "models/small.bin": "small"})
        g.commit(f"train dense {version_name(j)}", files)
        g.tag(f"{NAME}@{version_name(j)}", message=f"release {version_name(j)}")
        if j < 2:
            g.tag(f"small@v0.{j + 1}.0", message="small release")
    g.tag(f"{NAME}@{version_name(DEREGISTERED)}!", f"{NAME}@{version_name(DEREGISTERED)}^{{commit}}", "withdrawn")
    for j, stages in sorted(STAGES.items()):
        for stage in stages:
            counters[stage] = counters.get(stage, 0) + 1
            g.tag(f"{NAME}#{stage}#{counters[stage]}", f"{NAME}@{version_name(j)}^{{commit}}", f"promote to {stage}")
    shas = {}
    for k in (1, 2):
        shas[f"candidate{k}"] = g.commit(
            f"{CANDIDATE_MESSAGE}(attempt {k})",
            {"models/dense.bin": f"candidate {k}", "metrics.json": {**metrics_of(VERSIONS + k), "accuracy": 0.9 + k / 100}},
        )
    g.commit("docs only", {"README.md": "# dense\n"})
    return shas
