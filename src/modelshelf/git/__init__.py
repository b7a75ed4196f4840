"""Thin Git access: all tags in one ``for-each-ref``, blobs through one
persistent ``cat-file --batch`` (GitPython keeps that process alive)."""

from .repo import GitRepo, NotAGitRepo, RepoWarning

__all__ = ["GitRepo", "NotAGitRepo", "RepoWarning"]
