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

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml

from ..atomic import current_umask

__all__ = ["DemoError", "create_demo_repo", "DEMO_START"]

DEMO_START = 1_709_283_600  # 2024-03-01T09:00:00Z
_MINUTE = 60
_HOUR = 3600

_GIT_ENV_DROP = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_NAMESPACE")


class DemoError(Exception):
    """The demo registry cannot be created where asked."""


# --------------------------------------------------------------------------
# Content: who, what and the numbers each version ships with
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Person:
    name: str
    email: str


ANA = _Person("Ana Ruiz", "ana.ruiz@example.com")
KENJI = _Person("Kenji Sato", "kenji.sato@example.com")
PRIYA = _Person("Priya Nair", "priya.nair@example.com")
TOM = _Person("Tom Becker", "tom.becker@example.com")
BOT = _Person("ML Release Bot", "ml-release-bot@example.com")


@dataclass(frozen=True)
class _Release:
    """One version of one model: the numbers its commit records."""

    version: str
    summary: str
    params: dict
    metrics: dict
    data_snapshot: str  # which training data the version saw (drives dvc.lock md5s)


CHURN = "churn-classifier"
FRAUD = "fraud-scorer"
SENTIMENT = "sentiment-bert"
DETECTOR = "models/vision:detector"
FORECAST = "demand-forecast"


def _churn(version, summary, lr, n_est, depth, subsample, features, acc, f1, auc, loss, latency, snapshot):
    return _Release(
        version,
        summary,
        {"learning_rate": lr, "n_estimators": n_est, "max_depth": depth, "subsample": subsample,
         "n_features": features},
        {"accuracy": acc, "f1": f1, "roc_auc": auc, "loss": loss, "latency_ms": latency},
        snapshot,
    )


CHURN_RELEASES = {
    r.version: r
    for r in (
        _churn("v0.1.0", "baseline gradient boosting on 18 account features",
               0.1, 100, 3, 1.0, 18, 0.842, 0.611, 0.861, 0.389, 2.1, "2024-02-15"),
        _churn("v0.2.0", "add usage and support-ticket features",
               0.1, 300, 5, 0.9, 31, 0.868, 0.672, 0.893, 0.341, 3.4, "2024-02-15"),
        _churn("v1.0.0", "tune depth and learning rate; first production candidate",
               0.05, 600, 6, 0.8, 31, 0.881, 0.701, 0.912, 0.312, 4.2, "2024-03-01"),
        _churn("v1.1.0", "tenure buckets and deeper trees",
               0.05, 900, 8, 0.8, 44, 0.884, 0.706, 0.915, 0.309, 11.8, "2024-03-01"),
        _churn("v1.2.0", "retrain on March data, back to depth 6",
               0.03, 800, 6, 0.8, 38, 0.889, 0.719, 0.921, 0.301, 4.6, "2024-03-15"),
    )
}

FRAUD_RELEASES = {
    r.version: r
    for r in (
        _Release("v0.1.0", "isolation forest over transaction aggregates",
                 {"n_estimators": 200, "contamination": 0.01, "max_samples": 256},
                 {"precision_at_1pct": 0.61, "recall": 0.48, "roc_auc": 0.874, "latency_ms": 0.8},
                 "2024-02-20"),
        _Release("v0.2.0", "more trees, merchant-level features",
                 {"n_estimators": 400, "contamination": 0.005, "max_samples": 512},
                 {"precision_at_1pct": 0.67, "recall": 0.52, "roc_auc": 0.889, "latency_ms": 1.1},
                 "2024-03-01"),
    )
}

SENTIMENT_RELEASES = {
    r.version: r
    for r in (
        _Release("v1.0.0", "fine-tune DistilBERT on product reviews",
                 {"base_model": "distilbert-base-uncased", "learning_rate": 3.0e-5, "epochs": 3,
                  "batch_size": 32, "max_length": 256, "warmup_ratio": 0.1},
                 {"accuracy": 0.912, "f1_macro": 0.905, "roc_auc": 0.951, "loss": 0.241, "latency_ms": 38.0},
                 "2024-02-28"),
        _Release("v1.1.0", "longer schedule, lower learning rate, fp16 export",
                 {"base_model": "distilbert-base-uncased", "learning_rate": 2.0e-5, "epochs": 4,
                  "batch_size": 32, "max_length": 256, "warmup_ratio": 0.06},
                 {"accuracy": 0.918, "f1_macro": 0.911, "roc_auc": 0.957, "loss": 0.226, "latency_ms": 21.5},
                 "2024-03-10"),
        _Release("v2.0.0-rc.1", "multilingual: XLM-RoBERTa base, reviews in 6 languages",
                 {"base_model": "xlm-roberta-base", "learning_rate": 1.0e-5, "epochs": 5,
                  "batch_size": 16, "max_length": 384, "warmup_ratio": 0.1},
                 {"accuracy": 0.927, "f1_macro": 0.921, "roc_auc": 0.964, "loss": 0.205, "latency_ms": 64.0},
                 "2024-03-20"),
    )
}

DETECTOR_RELEASES = {
    r.version: r
    for r in (
        _Release("v1.0.0", "YOLOv8n baseline for shelf products",
                 {"backbone": "yolov8n", "img_size": 416, "epochs": 50, "batch_size": 16, "learning_rate": 0.01},
                 {"map50": 0.612, "map50_95": 0.401, "precision": 0.702, "recall": 0.588, "latency_ms": 7.9},
                 "2024-02-25"),
        _Release("v1.1.0", "YOLOv8s backbone, 512px inputs",
                 {"backbone": "yolov8s", "img_size": 512, "epochs": 80, "batch_size": 16, "learning_rate": 0.01},
                 {"map50": 0.671, "map50_95": 0.452, "precision": 0.741, "recall": 0.633, "latency_ms": 12.4},
                 "2024-03-05"),
        _Release("v1.2.0", "640px inputs, longer training",
                 {"backbone": "yolov8s", "img_size": 640, "epochs": 100, "batch_size": 8, "learning_rate": 0.005},
                 {"map50": 0.694, "map50_95": 0.471, "precision": 0.748, "recall": 0.659, "latency_ms": 19.7},
                 "2024-03-12"),
    )
}

FORECAST_RELEASES = {
    r.version: r
    for r in (
        _Release("v1.0.0", "LightGBM weekly demand per store and category",
                 {"horizon_weeks": 12, "num_leaves": 31, "learning_rate": 0.05, "n_estimators": 500,
                  "lags": [1, 2, 4, 52]},
                 {"mae": 41.2, "rmse": 63.5, "mape": 0.142, "latency_ms": 3.1},
                 "2024-02-26"),
        _Release("v1.0.1", "fix holiday-calendar leakage in validation",
                 {"horizon_weeks": 12, "num_leaves": 31, "learning_rate": 0.05, "n_estimators": 500,
                  "lags": [1, 2, 4, 52]},
                 {"mae": 43.0, "rmse": 65.1, "mape": 0.148, "latency_ms": 3.1},
                 "2024-02-26"),
        _Release("v1.1.0", "more leaves, weekly lag 3, promotions feature",
                 {"horizon_weeks": 12, "num_leaves": 63, "learning_rate": 0.03, "n_estimators": 900,
                  "lags": [1, 2, 3, 4, 52]},
                 {"mae": 38.7, "rmse": 59.9, "mape": 0.131, "latency_ms": 3.8},
                 "2024-03-18"),
    )
}


# --------------------------------------------------------------------------
# Deterministic bytes and DVC-style hashes
# --------------------------------------------------------------------------


def _model_bytes(name: str, version: str, size: int) -> bytes:
    """A few KB that stand in for weights: same name and version, same bytes."""
    header = f"modelshelf demo weights\nmodel: {name}\nversion: {version}\n\n".encode()
    body = bytearray()
    counter = 0
    while len(header) + len(body) < size:
        body += hashlib.sha256(f"{name}/{version}/{counter}".encode()).digest()
        counter += 1
    return (header + bytes(body))[:size]


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()  # noqa: S324 - DVC's content address, not security


def _synthetic_entry(path: str, seed: str, size: int, nfiles: int | None = None) -> dict:
    """A dvc.lock entry for data that lives outside Git (raw data, intermediate dirs)."""
    digest = _md5(f"{path}@{seed}".encode())
    entry = {"path": path, "hash": "md5", "md5": digest + (".dir" if nfiles else ""), "size": size}
    if nfiles:
        entry["nfiles"] = nfiles
    return entry


def _file_entry(path: str, data: bytes) -> dict:
    return {"path": path, "hash": "md5", "md5": _md5(data), "size": len(data)}


def _json(data: object) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=False) + "\n").encode()


def _yaml(data: object) -> bytes:
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=False, allow_unicode=True, width=100).encode()


def _roc_curve(auc: float) -> dict:
    """A smooth ROC curve (tpr = fpr ** k) whose area is ``auc``."""
    k = 1.0 / auc - 1.0
    fprs = (0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0)
    points = []
    for i, fpr in enumerate(fprs):
        tpr = 0.0 if fpr == 0.0 else fpr**k
        points.append({"fpr": fpr, "tpr": round(tpr, 4), "threshold": round(1.0 - i / (len(fprs) - 1), 4)})
    return {"roc": points}


def _pr_curve(precision: float, recall: float) -> dict:
    """A precision/recall curve passing through the operating point."""
    points = []
    for i in range(11):
        r = round(recall * 1.25 * i / 10, 4)
        p = precision + (1.0 - precision) * (1 - i / 10) ** 2 - 0.25 * max(0.0, i / 10 - 0.8)
        points.append({"recall": min(r, 1.0), "precision": round(min(p, 1.0), 4)})
    return {"pr": points}


def _data(name: str) -> bytes:
    return resources.files("modelshelf").joinpath("demo_data", name).read_bytes()


# --------------------------------------------------------------------------
# The working tree: files are regenerated from the set of models released so far
# --------------------------------------------------------------------------


@dataclass
class _Tree:
    """The demo's working tree, rebuilt from the current release of each model."""

    current: dict[str, _Release] = field(default_factory=dict)
    remote_objects: dict[str, bytes] = field(default_factory=dict)

    def files(self) -> dict[str, bytes]:
        files: dict[str, bytes] = {
            "README.md": _data("README.md"),
            ".gitignore": b"/data/\n__pycache__/\n*.pyc\n.venv/\n",
            ".dvcignore": b"# Add patterns of files dvc should ignore\n",
            ".dvc/.gitignore": b"/config.local\n/tmp\n/cache\n",
            ".dvc/config": b"[core]\n    remote = local\n['remote \"local\"']\n    url = ../dvc-remote\n",
            "src/prepare.py": _data("prepare.py.txt"),
            "src/train.py": _data("train.py.txt"),
            "src/evaluate.py": _data("evaluate.py.txt"),
        }
        root_params: dict = {}
        if CHURN in self.current:
            self._churn(files, root_params)
        if FRAUD in self.current:
            self._fraud(files, root_params)
        if SENTIMENT in self.current:
            self._sentiment(files, root_params)
        if FORECAST in self.current:
            self._forecast(files, root_params)
        if DETECTOR in self.current:
            self._detector(files)
        if root_params:
            files["params.yaml"] = _yaml(root_params)
        files["dvc.yaml"] = _yaml(self._root_dvc_yaml())
        for md5, blob in self.remote_objects.items():
            files[f"dvc-remote/files/md5/{md5[:2]}/{md5[2:]}"] = blob
        return files

    # -- root dvc.yaml ---------------------------------------------------
    def _root_dvc_yaml(self) -> dict:
        doc: dict = {}
        if CHURN in self.current:
            doc["stages"] = {
                "prepare": {
                    "cmd": "python src/prepare.py",
                    "deps": ["data/raw/customers.csv", "src/prepare.py"],
                    "params": ["prepare.seed", "prepare.split"],
                    "outs": ["data/prepared"],
                },
                "train": {
                    "cmd": "python src/train.py",
                    "deps": ["data/prepared", "src/train.py"],
                    "params": ["train"],
                    "outs": [{"models/churn-classifier/model.pkl": {"cache": False}}],
                },
                "evaluate": {
                    "cmd": "python src/evaluate.py",
                    "deps": ["data/prepared", "models/churn-classifier/model.pkl", "src/evaluate.py"],
                    "metrics": [{"models/churn-classifier/metrics.json": {"cache": False}}],
                    "plots": [{"models/churn-classifier/roc.json": {"cache": False}}],
                },
            }
        artifacts: dict = {}
        metrics: list[str] = []
        plots: list[dict] = []
        if CHURN in self.current:
            artifacts[CHURN] = {
                "path": "models/churn-classifier/model.pkl",
                "type": "model",
                "desc": "Predicts which subscribers will cancel within 30 days (gradient boosting).",
                "labels": ["tabular", "classification", "customer"],
                "meta": {"owner": "ana.ruiz", "framework": "lightgbm", "team": "growth"},
            }
        if FRAUD in self.current:
            artifacts[FRAUD] = {
                "path": "models/fraud-scorer/model.joblib",
                "type": "model",
                "desc": "Unsupervised anomaly score for card transactions. Replaced by the vendor service.",
                "labels": ["tabular", "anomaly-detection", "payments"],
                "meta": {"owner": "ana.ruiz", "framework": "scikit-learn", "team": "risk"},
            }
        if SENTIMENT in self.current:
            artifacts[SENTIMENT] = {
                "path": "models/sentiment-bert/model.safetensors",
                "type": "model",
                "desc": "Review sentiment (positive/negative), fine-tuned transformer.",
                "labels": ["nlp", "text-classification", "transformers"],
                "meta": {"owner": "kenji.sato", "framework": "transformers", "team": "search"},
            }
        if FORECAST in self.current:
            artifacts[FORECAST] = {
                "path": "models/demand-forecast/model.lgb",
                "type": "model",
                "desc": "Weekly unit demand per store and category, 12 weeks ahead.",
                "labels": ["time-series", "regression", "supply-chain"],
                "meta": {"owner": "tom.becker", "framework": "lightgbm", "team": "supply"},
            }
        params: list[str] = []
        for model, folder, plot in (
            (CHURN, "models/churn-classifier", "models/churn-classifier/roc.json"),
            (FRAUD, "models/fraud-scorer", "models/fraud-scorer/roc.json"),
            (SENTIMENT, "models/sentiment-bert", "models/sentiment-bert/roc.json"),
            (FORECAST, "models/demand-forecast", None),
        ):
            if model in self.current:
                metrics.append(f"{folder}/metrics.json")
                params.append("params.yaml" if model == CHURN else f"{folder}/params.yaml")
                if plot:
                    plots.append({plot: {"template": "simple", "x": "fpr", "y": "tpr", "title": f"{model} ROC"}})
        if artifacts:
            doc["artifacts"] = artifacts
        if metrics:
            doc["metrics"] = metrics
            doc["params"] = params
        if plots:
            doc["plots"] = plots
        return doc

    # -- one model each ------------------------------------------------
    def _churn(self, files: dict[str, bytes], params: dict) -> None:
        r = self.current[CHURN]
        model = _model_bytes(CHURN, r.version, 2048 + 512 * list(CHURN_RELEASES).index(r.version))
        metrics = _json(r.metrics)
        roc = _json(_roc_curve(r.metrics["roc_auc"]))
        files["models/churn-classifier/model.pkl"] = model
        files["models/churn-classifier/metrics.json"] = metrics
        files["models/churn-classifier/roc.json"] = roc
        params["prepare"] = {"seed": 42, "split": 0.2, "snapshot": r.data_snapshot}
        params["train"] = dict(r.params)
        prepared = _synthetic_entry("data/prepared", r.data_snapshot + str(r.params["n_features"]),
                                    9_400_000 + 180_000 * r.params["n_features"], nfiles=2)
        lock = {
            "schema": "2.0",
            "stages": {
                "prepare": {
                    "cmd": "python src/prepare.py",
                    "deps": [
                        _synthetic_entry("data/raw/customers.csv", r.data_snapshot,
                                         48_213_551 + 1_000_003 * _snapshot_month(r.data_snapshot)),
                        _file_entry("src/prepare.py", files["src/prepare.py"]),
                    ],
                    "params": {"params.yaml": {"prepare.seed": 42, "prepare.split": 0.2}},
                    "outs": [prepared],
                },
                "train": {
                    "cmd": "python src/train.py",
                    "deps": [prepared, _file_entry("src/train.py", files["src/train.py"])],
                    "params": {"params.yaml": {"train": dict(r.params)}},
                    "outs": [_file_entry("models/churn-classifier/model.pkl", model)],
                },
                "evaluate": {
                    "cmd": "python src/evaluate.py",
                    "deps": [
                        prepared,
                        _file_entry("models/churn-classifier/model.pkl", model),
                        _file_entry("src/evaluate.py", files["src/evaluate.py"]),
                    ],
                    "outs": [_file_entry("models/churn-classifier/metrics.json", metrics), _file_entry("models/churn-classifier/roc.json", roc)],
                },
            },
        }
        files["dvc.lock"] = _yaml(lock)

    def _fraud(self, files: dict[str, bytes], params: dict) -> None:
        r = self.current[FRAUD]
        files["models/fraud-scorer/model.joblib"] = _model_bytes(FRAUD, r.version, 1536 + 1024 * list(FRAUD_RELEASES).index(r.version))
        files["models/fraud-scorer/metrics.json"] = _json(r.metrics)
        files["models/fraud-scorer/roc.json"] = _json(_roc_curve(r.metrics["roc_auc"]))
        files["models/fraud-scorer/params.yaml"] = _yaml({"train": dict(r.params)})

    def _sentiment(self, files: dict[str, bytes], params: dict) -> None:
        r = self.current[SENTIMENT]
        weights = _model_bytes(SENTIMENT, r.version, 6144 + 1024 * list(SENTIMENT_RELEASES).index(r.version))
        md5 = _md5(weights)
        self.remote_objects[md5] = weights
        base = "models/sentiment-bert"
        files[f"{base}/.gitignore"] = b"/model.safetensors\n"
        files[f"{base}/model.safetensors.dvc"] = _yaml(
            {"outs": [{"md5": md5, "size": len(weights), "hash": "md5", "path": "model.safetensors"}]}
        )
        files[f"{base}/README.md"] = _model_card(r)
        files["models/sentiment-bert/metrics.json"] = _json(r.metrics)
        files["models/sentiment-bert/roc.json"] = _json(_roc_curve(r.metrics["roc_auc"]))
        files[f"{base}/params.yaml"] = _yaml({"train": dict(r.params)})

    def _forecast(self, files: dict[str, bytes], params: dict) -> None:
        r = self.current[FORECAST]
        files["models/demand-forecast/model.lgb"] = _model_bytes(FORECAST, r.version, 3072 + 768 * list(FORECAST_RELEASES).index(r.version))
        files["models/demand-forecast/metrics.json"] = _json(r.metrics)
        files["models/demand-forecast/params.yaml"] = _yaml({"train": dict(r.params)})

    def _detector(self, files: dict[str, bytes]) -> None:
        r = self.current[DETECTOR]
        base = "models/vision"
        weights = _model_bytes(DETECTOR, r.version, 4096 + 2048 * list(DETECTOR_RELEASES).index(r.version))
        md5 = _md5(weights)
        self.remote_objects[md5] = weights
        metrics = _json(r.metrics)
        pr = _json(_pr_curve(r.metrics["precision"], r.metrics["recall"]))
        files[f"{base}/.gitignore"] = b"/detector.onnx\n/data/\n"
        files[f"{base}/prepare.py"] = _data("vision_prepare.py.txt")
        files[f"{base}/train.py"] = _data("vision_train.py.txt")
        files[f"{base}/evaluate.py"] = _data("vision_evaluate.py.txt")
        files[f"{base}/params.yaml"] = _yaml({"prepare": {"val_fraction": 0.15, "snapshot": r.data_snapshot},
                                              "train": dict(r.params)})
        files[f"{base}/metrics.json"] = metrics
        files[f"{base}/plots/pr_curve.json"] = pr
        files[f"{base}/dvc.yaml"] = _yaml({
            "stages": {
                "prepare": {"cmd": "python prepare.py", "deps": ["data/images", "prepare.py"],
                            "params": ["prepare.val_fraction"], "outs": ["data/splits"]},
                "train": {"cmd": "python train.py", "deps": ["data/splits", "train.py"],
                          "params": ["train"], "outs": ["detector.onnx"]},
                "evaluate": {"cmd": "python evaluate.py", "deps": ["data/splits", "detector.onnx", "evaluate.py"],
                             "metrics": [{"metrics.json": {"cache": False}}],
                             "plots": [{"plots/pr_curve.json": {"cache": False}}]},
            },
            "artifacts": {
                "detector": {
                    "path": "detector.onnx",
                    "type": "model",
                    "desc": "Detects products on shelf photos (YOLOv8, ONNX export).",
                    "labels": ["computer-vision", "object-detection", "onnx"],
                    "meta": {"owner": "priya.nair", "framework": "ultralytics", "team": "retail-vision"},
                }
            },
            "metrics": ["metrics.json"],
            "params": ["params.yaml"],
            "plots": [{"plots/pr_curve.json": {"template": "simple", "x": "recall", "y": "precision",
                                               "title": "detector precision/recall"}}],
        })
        images = _synthetic_entry("data/images", r.data_snapshot, 812_000_000 + 9_000_000 * _snapshot_month(r.data_snapshot),
                                  nfiles=4_800 + 150 * _snapshot_month(r.data_snapshot))
        splits = _synthetic_entry("data/splits", r.data_snapshot + "splits", 1_200_000, nfiles=3)
        files[f"{base}/dvc.lock"] = _yaml({
            "schema": "2.0",
            "stages": {
                "prepare": {"cmd": "python prepare.py",
                            "deps": [images, _file_entry("prepare.py", files[f"{base}/prepare.py"])],
                            "params": {"params.yaml": {"prepare.val_fraction": 0.15}},
                            "outs": [splits]},
                "train": {"cmd": "python train.py",
                          "deps": [splits, _file_entry("train.py", files[f"{base}/train.py"])],
                          "params": {"params.yaml": {"train": dict(r.params)}},
                          "outs": [_file_entry("detector.onnx", weights)]},
                "evaluate": {"cmd": "python evaluate.py",
                             "deps": [splits, _file_entry("detector.onnx", weights),
                                      _file_entry("evaluate.py", files[f"{base}/evaluate.py"])],
                             "outs": [_file_entry("metrics.json", metrics), _file_entry("plots/pr_curve.json", pr)]},
            },
        })


def _snapshot_month(snapshot: str) -> int:
    return int(snapshot[5:7])


def _model_card(r: _Release) -> bytes:
    multilingual = r.params["base_model"].startswith("xlm")
    front = {
        "license": "apache-2.0",
        "base_model": r.params["base_model"],
        "datasets": ["acme/product-reviews-2024"] + (["acme/product-reviews-intl-2024"] if multilingual else []),
        "language": ["en", "de", "es", "fr", "it", "pt"] if multilingual else ["en"],
        "pipeline_tag": "text-classification",
        "tags": ["sentiment", "reviews"],
        "metrics": ["accuracy", "f1"],
    }
    body = _data("sentiment_card.md").decode().format(
        version=r.version,
        base_model=r.params["base_model"],
        accuracy=r.metrics["accuracy"],
        f1=r.metrics["f1_macro"],
        latency=r.metrics["latency_ms"],
        max_length=r.params["max_length"],
        summary=r.summary,
    )
    return b"---\n" + _yaml(front) + b"---\n\n" + body.encode()


# --------------------------------------------------------------------------
# Git with pinned dates, and GTO's tag names, messages and counters
# --------------------------------------------------------------------------


@dataclass
class _DemoGit:
    path: Path
    clock: int = DEMO_START
    counters: dict[str, int] = field(default_factory=dict)
    commits: dict[tuple[str, str], str] = field(default_factory=dict)  # (model, version) -> sha

    def run(self, *args: str, who: _Person = BOT) -> str:
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

    def commit(self, tree: _Tree, message: str, who: _Person) -> str:
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

    def _tag(self, name: str, commit: str, message: str, who: _Person) -> None:
        self.run("tag", "-a", name, commit, "-m", message, who=who)

    # GTO's own wording (gto/registry.py), quotes included.
    def register(self, model: str, version: str, who: _Person) -> None:
        commit = self.commits[(model, version)]
        self._tag(f"{_in_tag(model)}@{version}", commit, f"Registering artifact {model} version {version}", who)

    def assign(self, model: str, stage: str, version: str, who: _Person) -> None:
        tag = self._counted(model, f"{_in_tag(model)}#{stage}")
        self._tag(tag, self.commits[(model, version)],
                  f"Assigning stage {stage} to artifact {model} version {version}", who)

    def unassign(self, model: str, stage: str, version: str, who: _Person) -> None:
        tag = self._counted(model, f"{_in_tag(model)}#{stage}!")
        self._tag(tag, self.commits[(model, version)],
                  f"Unassigning stage '{stage}' to artifact '{model}' version '{version}'", who)

    def deregister(self, model: str, version: str, who: _Person) -> None:
        tag = self._counted(model, f"{_in_tag(model)}@{version}!")
        self._tag(tag, self.commits[(model, version)], f"Deregistering artifact {model} version {version}", who)

    def deprecate(self, model: str, version: str, who: _Person) -> None:
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


def _release(g: _DemoGit, tree: _Tree, model: str, version: str, who: _Person, wait_hours: float) -> None:
    """Commit the version's files, then register it a few minutes later."""
    g.wait(int(wait_hours * _HOUR))
    release = _RELEASES[model][version]
    tree.current[model] = release
    short = model.split(":")[-1]
    g.commits[(model, version)] = g.commit(tree, f"{short}: {release.summary}", who)
    g.wait(7 * _MINUTE)
    g.register(model, version, who)


def _story(g: _DemoGit, tree: _Tree) -> None:
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
        _story(g, _Tree())
        work.chmod(0o777 & ~current_umask())  # mkdtemp's 0700 is for the build, not the result
        if path.exists():
            path.rmdir()
        work.rename(path)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return path
