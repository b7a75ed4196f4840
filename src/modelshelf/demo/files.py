"""The demo's files: deterministic bytes, DVC-style hashes and the work tree at each release."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from importlib import resources

import yaml

from .content import (CHURN, CHURN_RELEASES, DETECTOR, DETECTOR_RELEASES, FORECAST, FORECAST_RELEASES, FRAUD,
                      FRAUD_RELEASES, SENTIMENT, SENTIMENT_RELEASES, Release)


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
class WorkTree:
    """The demo's working tree, rebuilt from the current release of each model."""

    current: dict[str, Release] = field(default_factory=dict)
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


def _model_card(r: Release) -> bytes:
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
