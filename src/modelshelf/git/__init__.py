"""Thin Git access: all tags in one ``for-each-ref``, blobs through one
persistent ``cat-file --batch-command`` process; remote repositories through
bare mirrors in the user's cache (``mirror``, ``urls``). Plain ``git`` processes,
no Git library (see the README's dependency notes)."""

from .repo import GitError, GitRepo, NotAGitRepo, RepoWarning

__all__ = ["GitError", "GitRepo", "NotAGitRepo", "RepoWarning"]
