"""Index records for the render tests: one model's versions as the index holds them."""

from __future__ import annotations


def version(name: str, metrics: dict, status: str = "active", stages: list[str] | None = None,
            commit: str = "a" * 40) -> dict:
    return {"version": name, "status": status, "stages": stages or [], "metrics": metrics, "commit": commit}


def model(*versions: dict) -> dict:
    return {"name": "m", "versions": list(versions)}
