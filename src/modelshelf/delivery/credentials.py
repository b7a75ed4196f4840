"""Credentials for private catalogs: read from the environment, sent, never written.

``MODELSHELF_TOKEN`` is sent as ``Authorization: Bearer <token>``, and only to
the origin (scheme, host, port) of an index the user asked for (``trusted``:
``download``/``resolve --index URL``, a hub's federated sources): a download
URL that an index names on another host never sees it, and a redirect to
another origin drops it. Without a token, a ``~/.netrc`` entry (``$NETRC``)
for the host is sent as HTTP Basic auth, as curl and Git do. Nothing here is
logged, cached or written into a site, an index or an error message.
"""

from __future__ import annotations

import base64
import contextlib
import contextvars
import netrc
import os
import urllib.parse
from collections.abc import Iterator

TOKEN_VARIABLE = "MODELSHELF_TOKEN"
_TRUSTED: contextvars.ContextVar[frozenset[str]] = contextvars.ContextVar("modelshelf_trusted", default=frozenset())


def origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower(), 0)
    return f"{parts.scheme.lower()}://{(parts.hostname or '').lower()}:{port}"


@contextlib.contextmanager
def trusted(url: str) -> Iterator[None]:
    """Within the block, the token may be sent to ``url``'s origin."""
    reset = _TRUSTED.set(_TRUSTED.get() | {origin(url)})
    try:
        yield
    finally:
        _TRUSTED.reset(reset)


def trust(url: str) -> None:
    """Trust ``url``'s origin for the rest of this context (a CLI command's lifetime)."""
    _TRUSTED.set(_TRUSTED.get() | {origin(url)})


def auth_headers(url: str) -> dict[str, str]:
    """The ``Authorization`` header for an HTTP(S) request to ``url``, if any applies."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        return {}
    token = os.environ.get(TOKEN_VARIABLE, "").strip()
    if token:
        return {"Authorization": f"Bearer {token}"} if origin(url) in _TRUSTED.get() else {}
    login = _netrc_login(parts.hostname or "")
    if login is None:
        return {}
    user, password = login
    encoded = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return {"Authorization": f"Basic {encoded}"}


def _netrc_login(host: str) -> tuple[str, str] | None:
    path = os.environ.get("NETRC") or os.path.join(os.path.expanduser("~"), ".netrc")
    if not host or not os.path.isfile(path):
        return None
    try:
        entry = netrc.netrc(path).authenticators(host)
    except (netrc.NetrcParseError, OSError):
        return None
    if entry is None:
        return None
    user, _account, password = entry
    return (user or "", password or "") if (user or password) else None


def same_origin(a: str, b: str) -> bool:
    return origin(a) == origin(b)
