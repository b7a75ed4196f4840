"""The command line: argument parsing over the API (the console script is ``modelshelf.cli:main``)."""

from .app import main

__all__ = ["main"]
