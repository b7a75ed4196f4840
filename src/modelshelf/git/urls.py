"""Git URLs given as a repository location: which strings are URLs, which are refused,
and how a URL is shown.

A location is a local path when it exists on disk (as ``gto --repo`` decides), else a
Git URL when it looks like one: ``https://``, ``http://``, ``ssh://``, ``git://``,
``file://`` or scp-like ``[user@]host:path``. Refused, before Git runs: a transport
helper (``ext::``, ``fd::``, any ``NAME::address``: ``ext::`` runs a command), a
location starting with ``-`` (an option for Git), control characters, other schemes,
and credentials in the URL (a password or token, or any user part of an HTTP URL):
credentials come only from the user's own Git setup (credential helper, SSH agent),
so none can reach the mirror's config, the index, a log line or an error.
``GIT_ALLOW_PROTOCOL`` (``ALLOWED_PROTOCOLS``) enforces the same inside Git, for
whatever a URL becomes there (``url.*.insteadOf`` rewrites, redirects).
"""

from __future__ import annotations

import os
import re
import urllib.parse
from dataclasses import dataclass

SCHEMES = frozenset({"https", "http", "ssh", "git+ssh", "ssh+git", "git", "file"})
_SSH_SCHEMES = frozenset({"ssh", "git+ssh", "ssh+git"})
ALLOWED_PROTOCOLS = "https:http:ssh:git:file"  # GIT_ALLOW_PROTOCOL for every mirror command

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_TRANSPORT_HELPER = re.compile(r"^([A-Za-z0-9][A-Za-z0-9+.-]*)::")
# scp-like: [user@]host:path, the host longer than one letter (C:\ is a Windows drive),
# no slash before the colon (git reads "./a:b" as a path too); IPv6 hosts: ssh://[::1]/path.
_SCP_LIKE = re.compile(r"^(?:(?P<user>[^@/:\s]+(?::[^@/\s]*)?)@)?(?P<host>[A-Za-z0-9._-]{2,}):(?!//)(?P<path>.*)$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_URL_CREDENTIALS = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/@\s'\"]+)@")


class UnsafeUrl(ValueError):
    """A location that is refused before any Git command runs (one line, shown credential-free)."""


@dataclass(frozen=True)
class GitUrl:
    """An accepted Git URL: exactly as given (it holds no credential) and its kind."""

    url: str
    scheme: str  # "https", "ssh", "file", ...; "scp" for user@host:path

    def __str__(self) -> str:
        return self.url


def is_scp_like(location: str) -> bool:
    """Git's scp-like SSH syntax, ``[user@]host:path`` (``C:\\path`` and ``./a:b`` are paths)."""
    return not _SCHEME.match(location) and "::" not in location and bool(_SCP_LIKE.match(location))


def looks_like_git_url(location: str) -> bool:
    """True for a string Git would read as a URL (refused ones included), not as a path."""
    text = location.strip()
    return bool(_SCHEME.match(text) or _TRANSPORT_HELPER.match(text) or _SCP_LIKE.match(text)
                or text.startswith("-"))


def is_git_url(location: str | os.PathLike[str]) -> bool:
    """Whether ``location`` names a remote repository: not an existing local path, and
    shaped like a Git URL (``parse_git_url`` then accepts or refuses it)."""
    if not isinstance(location, str):
        return False
    return not os.path.exists(location) and looks_like_git_url(location)


def parse_git_url(location: str) -> GitUrl:
    """The accepted ``GitUrl`` for ``location``, or ``UnsafeUrl`` saying why not."""
    shown = display_url(location)
    if location.startswith("-"):
        raise UnsafeUrl(f"refusing repository location {shown!r}: it starts with '-' (Git would read an option)")
    helper = _TRANSPORT_HELPER.match(location)
    if helper:
        raise UnsafeUrl(f"refusing repository location {shown!r}: the Git transport '{helper.group(1)}::' "
                        "can run commands; use an https://, ssh://, git@host:path or file:// URL")
    if _CONTROL.search(location):
        raise UnsafeUrl(f"refusing repository location {shown!r}: it contains a control character")
    scheme_match = _SCHEME.match(location)
    if scheme_match:
        scheme = scheme_match.group(1).lower()
        if scheme not in SCHEMES:
            raise UnsafeUrl(f"refusing repository location {shown!r}: unsupported scheme '{scheme}://' "
                            "(use https://, http://, ssh://, git:// or file://)")
        parts = urllib.parse.urlsplit(location)
        userinfo, _, _ = parts.netloc.rpartition("@")
        if "@" in parts.netloc:
            _refuse_credentials(scheme, userinfo, shown)
        if scheme != "file" and not parts.hostname:
            raise UnsafeUrl(f"refusing repository location {shown!r}: no host")
        if parts.netloc.rpartition("@")[2].startswith("-") or userinfo.startswith("-"):
            raise UnsafeUrl(f"refusing repository location {shown!r}: a host or user starting with '-'")
        return GitUrl(location, scheme)
    scp = _SCP_LIKE.match(location)
    if scp:
        if scp.group("user") and ":" in scp.group("user"):
            _refuse_credentials("ssh", scp.group("user"), shown)
        if scp.group("path").startswith("-") or scp.group("host").startswith("-"):
            raise UnsafeUrl(f"refusing repository location {shown!r}: a host or path starting with '-'")
        return GitUrl(location, "scp")
    raise UnsafeUrl(f"{shown!r} is neither a local directory nor a Git URL")


def _refuse_credentials(scheme: str, userinfo: str, shown: str) -> None:
    """A password never goes in a URL; over HTTP neither does a user part (it is often a token)."""
    if ":" in userinfo or scheme not in _SSH_SCHEMES:
        what = "a password or token" if ":" in userinfo or scheme in {"http", "https"} else "a user name"
        raise UnsafeUrl(
            f"refusing repository location {shown!r}: the URL holds {what}; modelshelf takes credentials only "
            "from your Git setup (a credential helper, e.g. `git config --global credential.helper store`, "
            "or the SSH agent), so that none is stored in the mirror or printed")


def display_url(url: str) -> str:
    """``url`` as it may be shown or stored: without a password or token.

    HTTP(S), git, file and unknown schemes lose their whole user part (a token is
    often given as the user name); SSH URLs keep the user name (``git@host:...``),
    never a password. Text that is not a URL comes back unchanged.
    """
    scheme_match = _SCHEME.match(url)
    if scheme_match:
        scheme = scheme_match.group(1).lower()
        rest = url[scheme_match.end():]
        authority, sep, path = rest.partition("/")
        userinfo, at, hostport = authority.rpartition("@")
        if not at:
            return url
        kept = userinfo.partition(":")[0] + "@" if scheme in _SSH_SCHEMES and userinfo.partition(":")[0] else ""
        return f"{url[:scheme_match.end()]}{kept}{hostport}{sep}{path}"
    scp = _SCP_LIKE.match(url)
    if scp and scp.group("user") and ":" in scp.group("user"):
        return f"{scp.group('user').partition(':')[0]}@{url[scp.start('host'):]}"
    return redact(url)


def redact(text: str) -> str:
    """``text`` (an error from Git, a log line) with the user part of every URL in it removed."""
    return _URL_CREDENTIALS.sub(lambda m: m.group("scheme"), text)
