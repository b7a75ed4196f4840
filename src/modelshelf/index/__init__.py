"""The JSON index: metadata to JSON fragments, cached per commit in the Git dir, and the index build."""
