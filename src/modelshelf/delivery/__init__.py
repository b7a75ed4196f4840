"""Download lookups: resolve a spec against the index (or a repo) and fetch verified bytes."""

from .api import download, resolve
from .errors import (
    DestinationExists, DestinationUnwritable, DownloadError, IntegrityFailed, LookupFailed, TransferFailed,
    NotPublished, RuleViolated, UnsafeLocation, Unverifiable,
)
from .limits import DeadlineExceeded, Limits, SizeLimitExceeded
from .lookup import Resolution
from .publish import publish_artifacts, publish_configured

__all__ = [
    "DeadlineExceeded", "DestinationExists", "DestinationUnwritable", "DownloadError", "IntegrityFailed", "Limits",
    "LookupFailed", "NotPublished", "Resolution", "RuleViolated", "SizeLimitExceeded", "TransferFailed", "UnsafeLocation", "Unverifiable",
    "download", "publish_artifacts", "publish_configured", "resolve",
]
