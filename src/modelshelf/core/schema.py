"""The JSON index's schema version: the one the index build writes and the download API reads.

Adding fields keeps it (readers accept unknown fields); only a change that old
readers would misread raises it (and ``schema/registry.schema.json``'s ``const``).
"""

from __future__ import annotations

SCHEMA_VERSION = 1
