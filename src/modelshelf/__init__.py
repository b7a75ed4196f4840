"""modelshelf: a Git-native model registry with a static catalog.

GTO-compatible tags are the source of truth; the catalog and the JSON index are
build artifacts.
"""

__version__ = "0.1.0"
