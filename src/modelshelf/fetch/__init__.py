"""Download lookups: resolve a spec against the index (or a repo) and fetch verified bytes."""

from .api import download, resolve
from .errors import (
    DestinationExists, DestinationUnwritable, DownloadError, IntegrityFailed, LookupFailed, TransferFailed,
    Unverifiable,
)
from .lookup import Resolution
from .publish import publish_artifacts

__all__ = [
    "DestinationExists", "DestinationUnwritable", "DownloadError", "IntegrityFailed", "LookupFailed",
    "Resolution", "TransferFailed", "Unverifiable",
    "download", "publish_artifacts", "resolve",
]
