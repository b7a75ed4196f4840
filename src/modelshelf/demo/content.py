"""The demo's story data: who works on which model, and the numbers each version ships with."""

from __future__ import annotations

from dataclasses import dataclass


# --------------------------------------------------------------------------
# Content: who, what and the numbers each version ships with
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    name: str
    email: str


ANA = Person("Ana Ruiz", "ana.ruiz@example.com")
KENJI = Person("Kenji Sato", "kenji.sato@example.com")
PRIYA = Person("Priya Nair", "priya.nair@example.com")
TOM = Person("Tom Becker", "tom.becker@example.com")
BOT = Person("ML Release Bot", "ml-release-bot@example.com")


@dataclass(frozen=True)
class Release:
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
    return Release(
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
        Release("v0.1.0", "isolation forest over transaction aggregates",
                 {"n_estimators": 200, "contamination": 0.01, "max_samples": 256},
                 {"precision_at_1pct": 0.61, "recall": 0.48, "roc_auc": 0.874, "latency_ms": 0.8},
                 "2024-02-20"),
        Release("v0.2.0", "more trees, merchant-level features",
                 {"n_estimators": 400, "contamination": 0.005, "max_samples": 512},
                 {"precision_at_1pct": 0.67, "recall": 0.52, "roc_auc": 0.889, "latency_ms": 1.1},
                 "2024-03-01"),
    )
}

SENTIMENT_RELEASES = {
    r.version: r
    for r in (
        Release("v1.0.0", "fine-tune DistilBERT on product reviews",
                 {"base_model": "distilbert-base-uncased", "learning_rate": 3.0e-5, "epochs": 3,
                  "batch_size": 32, "max_length": 256, "warmup_ratio": 0.1},
                 {"accuracy": 0.912, "f1_macro": 0.905, "roc_auc": 0.951, "loss": 0.241, "latency_ms": 38.0},
                 "2024-02-28"),
        Release("v1.1.0", "longer schedule, lower learning rate, fp16 export",
                 {"base_model": "distilbert-base-uncased", "learning_rate": 2.0e-5, "epochs": 4,
                  "batch_size": 32, "max_length": 256, "warmup_ratio": 0.06},
                 {"accuracy": 0.918, "f1_macro": 0.911, "roc_auc": 0.957, "loss": 0.226, "latency_ms": 21.5},
                 "2024-03-10"),
        Release("v2.0.0-rc.1", "multilingual: XLM-RoBERTa base, reviews in 6 languages",
                 {"base_model": "xlm-roberta-base", "learning_rate": 1.0e-5, "epochs": 5,
                  "batch_size": 16, "max_length": 384, "warmup_ratio": 0.1},
                 {"accuracy": 0.927, "f1_macro": 0.921, "roc_auc": 0.964, "loss": 0.205, "latency_ms": 64.0},
                 "2024-03-20"),
    )
}

DETECTOR_RELEASES = {
    r.version: r
    for r in (
        Release("v1.0.0", "YOLOv8n baseline for shelf products",
                 {"backbone": "yolov8n", "img_size": 416, "epochs": 50, "batch_size": 16, "learning_rate": 0.01},
                 {"map50": 0.612, "map50_95": 0.401, "precision": 0.702, "recall": 0.588, "latency_ms": 7.9},
                 "2024-02-25"),
        Release("v1.1.0", "YOLOv8s backbone, 512px inputs",
                 {"backbone": "yolov8s", "img_size": 512, "epochs": 80, "batch_size": 16, "learning_rate": 0.01},
                 {"map50": 0.671, "map50_95": 0.452, "precision": 0.741, "recall": 0.633, "latency_ms": 12.4},
                 "2024-03-05"),
        Release("v1.2.0", "640px inputs, longer training",
                 {"backbone": "yolov8s", "img_size": 640, "epochs": 100, "batch_size": 8, "learning_rate": 0.005},
                 {"map50": 0.694, "map50_95": 0.471, "precision": 0.748, "recall": 0.659, "latency_ms": 19.7},
                 "2024-03-12"),
    )
}

FORECAST_RELEASES = {
    r.version: r
    for r in (
        Release("v1.0.0", "LightGBM weekly demand per store and category",
                 {"horizon_weeks": 12, "num_leaves": 31, "learning_rate": 0.05, "n_estimators": 500,
                  "lags": [1, 2, 4, 52]},
                 {"mae": 41.2, "rmse": 63.5, "mape": 0.142, "latency_ms": 3.1},
                 "2024-02-26"),
        Release("v1.0.1", "fix holiday-calendar leakage in validation",
                 {"horizon_weeks": 12, "num_leaves": 31, "learning_rate": 0.05, "n_estimators": 500,
                  "lags": [1, 2, 4, 52]},
                 {"mae": 43.0, "rmse": 65.1, "mape": 0.148, "latency_ms": 3.1},
                 "2024-02-26"),
        Release("v1.1.0", "more leaves, weekly lag 3, promotions feature",
                 {"horizon_weeks": 12, "num_leaves": 63, "learning_rate": 0.03, "n_estimators": 900,
                  "lags": [1, 2, 3, 4, 52]},
                 {"mae": 38.7, "rmse": 59.9, "mape": 0.131, "latency_ms": 3.8},
                 "2024-03-18"),
    )
}
