"""The one JSON text format of everything modelshelf publishes (the index, the site's api files).

A leaf: the standard library only, so the renderer and the index build share it without the
renderer importing the data layer.
"""

from __future__ import annotations

import json
from typing import Any


def dumps(data: Any, pretty: bool = False) -> str:
    """Compact by default: the C encoder is 5x faster and the file a third smaller."""
    if pretty:
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"
