"""The MkDocs plugin (entry point ``modelshelf.plugin:ModelshelfPlugin``); the class lives in ``plugin.py``."""

from .plugin import ModelshelfPlugin

__all__ = ["ModelshelfPlugin"]
