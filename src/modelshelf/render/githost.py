"""Commit links: from an explicit ``git_url`` or the ``origin`` remote.

GitHub, GitLab and Bitbucket are recognised by host name (so self-hosted
GitHub Enterprise / GitLab instances work too), in both ssh and https forms.
The result is a template with ``{sha}``; credentials are never kept.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_SCP = re.compile(r"^(?:[^@/]+@)?(?P<host>[^:/]+):(?P<path>[^/].*)$")  # git@host:owner/repo.git


def _web_base(remote: str) -> tuple[str, str] | None:
    """(host, path) of a remote URL, without user info, port, or ``.git``."""
    remote = remote.strip()
    if "://" in remote:
        parts = urlsplit(remote)
        if parts.scheme not in ("http", "https", "ssh", "git", "git+ssh", "ssh+git"):
            return None
        host, path = parts.hostname or "", parts.path
    else:
        match = _SCP.match(remote)
        if not match:
            return None
        host, path = match["host"], match["path"]
    path = path.strip("/")
    if path.endswith(".git"):
        path = path[: -len(".git")]
    if not host or not path:
        return None
    return host.lower(), path


def _style(host: str) -> str | None:
    for kind in ("github", "gitlab", "bitbucket"):
        if kind in host:
            return kind
    return None


def _template(base: str, kind: str) -> str:
    if kind == "gitlab":
        return f"{base}/-/commit/{{sha}}"
    if kind == "bitbucket":
        return f"{base}/commits/{{sha}}"
    return f"{base}/commit/{{sha}}"


def commit_url_template(remote: str | None, git_url: str | None = None) -> str | None:
    """A ``{sha}`` URL template for commit links, or None when the host is unknown.

    ``git_url`` (plugin option) wins: a template containing ``{sha}`` is used
    as is; otherwise it is the repository's web URL and its host picks the style
    (GitHub style when the host is not recognised).
    """
    if git_url:
        if "{sha}" in git_url:
            return git_url
        found = _web_base(git_url)
        if found is None:
            return None
        host, path = found
        scheme = urlsplit(git_url).scheme if "://" in git_url else "https"
        scheme = scheme if scheme in ("http", "https") else "https"
        return _template(f"{scheme}://{host}/{path}", _style(host) or "github")
    if not remote:
        return None
    found = _web_base(remote)
    if found is None:
        return None
    host, path = found
    kind = _style(host)
    return _template(f"https://{host}/{path}", kind) if kind else None
