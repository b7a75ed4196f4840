"""The names of the files a registry repository holds for DVC and GTO: one constant each,
for the metadata reader, the registry, the write path and the site's watch list."""

from __future__ import annotations

DVC_YAML = "dvc.yaml"
DVC_LOCK = "dvc.lock"
ARTIFACTS_YAML = "artifacts.yaml"  # GTO's legacy declarations (the root one only)
