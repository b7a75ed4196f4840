"""Download lookups: resolve a spec against the index (or a repo) and fetch verified bytes."""

from .api import download, resolve
from .errors import DownloadError, IntegrityFailed, LookupFailed, TransferFailed
from .lookup import Resolution
from .publish import publish_artifacts

__all__ = [
    "DownloadError", "IntegrityFailed", "LookupFailed", "Resolution", "TransferFailed",
    "download", "publish_artifacts", "resolve",
]
