"""Thin Git access: all tags in one ``for-each-ref``, blobs through one
persistent ``cat-file --batch`` (GitPython keeps that process alive)."""

from .repo import GitError, GitRepo, NotAGitRepo, RepoWarning

__all__ = ["GitError", "GitRepo", "NotAGitRepo", "RepoWarning"]
