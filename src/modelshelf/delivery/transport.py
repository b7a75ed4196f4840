"""Opening a URL or a path as a byte stream: the standard library for http(s),
file:// and plain paths; fsspec (optional) for cloud schemes.

Deploy scripts reading a published catalog need nothing beyond Python itself,
so fsspec is imported only when a ``s3://``-style URI is actually fetched.
"""

from __future__ import annotations

import http.client
import io
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, cast

from .. import __version__
from .errors import TransferFailed
from .limits import current_deadline, timeout_within

TIMEOUT = 60.0
CHUNK = 1 << 20
_STDLIB_SCHEMES = frozenset({"http", "https", "file"})
# Which fsspec implementation a scheme needs, for the error message.
_FSSPEC_PACKAGES = {
    "s3": "s3fs", "s3a": "s3fs", "gs": "gcsfs", "gcs": "gcsfs", "az": "adlfs", "abfs": "adlfs",
    "azure": "adlfs", "ssh": "sshfs", "sftp": "sshfs", "hdfs": "pyarrow", "webhdfs": "fsspec",
    "oss": "ossfs", "webdav": "webdav4", "webdavs": "webdav4",
}


class ObjectAbsent(TransferFailed):
    """The location answered, and it does not have the object (try the next one)."""


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects to http(s) only (urllib's own handler also follows ftp://)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        if scheme_of(urllib.parse.urljoin(req.full_url, newurl)) not in ("http", "https"):
            raise urllib.error.HTTPError(newurl, code, f"redirect to a non-HTTP(S) URL refused: {newurl}",
                                         headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_HttpOnlyRedirects)


def scheme_of(location: str) -> str:
    parsed = urllib.parse.urlsplit(location)
    # A one-letter scheme is a Windows drive ("C:\\..."), not a URL.
    return parsed.scheme.lower() if len(parsed.scheme) > 1 and "://" in location else ""


def to_url(location: str | os.PathLike[str], base: Path | None = None) -> str:
    """A URL for a URL or a filesystem path (relative paths are taken from ``base`` or the cwd)."""
    text = os.fspath(location)
    if scheme_of(text):
        return text
    path = Path(text).expanduser()
    if not path.is_absolute():
        path = (base or Path.cwd()) / path
    return Path(os.path.normpath(path.absolute())).as_uri()


def file_path(url: str) -> Path | None:
    """The local path of a ``file://`` URL, else None."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme.lower() != "file":
        return None
    return Path(urllib.request.url2pathname(parsed.path))


def open_url(url: str, timeout: float = TIMEOUT) -> BinaryIO:
    """A readable binary stream; ``ObjectAbsent`` when the object is absent, else ``TransferFailed``.

    An HTTP(S) stream's ``final_url`` is where redirects ended (relative links resolve against it).
    Every wait stays within the current download's deadline (``limits.deadline_of``).
    """
    local = file_path(url)
    if local is not None:
        try:
            if local.is_dir():
                raise TransferFailed(f"{local}: is a directory, not a file")
            return open(local, "rb")
        except FileNotFoundError:
            raise ObjectAbsent(f"{local}: no such file") from None
        except OSError as exc:
            raise TransferFailed(f"{local}: {exc.strerror or exc}") from None
    scheme = scheme_of(url)
    if scheme in ("http", "https"):
        request = urllib.request.Request(url, headers={"User-Agent": f"modelshelf/{__version__}"})
        deadline = current_deadline()
        if deadline is not None:
            deadline.check(url)
        try:
            response = _OPENER.open(request, timeout=timeout_within(timeout))
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code in (404, 410):
                raise ObjectAbsent(f"{url}: HTTP {exc.code} {exc.reason}") from None
            raise TransferFailed(f"{url}: HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            if deadline is not None and deadline.expired():
                raise deadline.error(url) from None
            reason = getattr(exc, "reason", exc)
            raise TransferFailed(f"{url}: {reason}") from None
        return cast(BinaryIO, _HttpBody(response, url, timeout))
    return _open_fsspec(url, scheme)


class _HttpBody(io.RawIOBase):
    """An HTTP response body that fails loudly when the connection ends early.

    ``http.client`` returns a short body without complaint when the server
    closes before ``Content-Length`` bytes, and raises ``IncompleteRead`` (not
    an ``OSError``) for a cut chunked body: both become ``TransferFailed``, so
    a truncated index is "retry" (exit 1), not "not valid JSON" (exit 2).
    Each read makes at most one ``recv`` (``read1``) with a socket timeout
    cut to the download's deadline, so a server sending a byte now and then
    cannot keep it alive past that.
    """

    def __init__(self, response: http.client.HTTPResponse, url: str, timeout: float = TIMEOUT) -> None:
        super().__init__()
        self._response, self._url, self._received, self._timeout = response, url, 0, timeout
        self.final_url: str = response.geturl() or url
        self.last_modified: str | None = response.getheader("Last-Modified")
        length = response.getheader("Content-Length")
        self._expected = int(length) if length and length.strip().isdigit() else None
        # http.client keeps the socket as fp.raw._sock; without it only the per-read check applies.
        self._socket = getattr(getattr(getattr(response, "fp", None), "raw", None), "_sock", None)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def] (any writable buffer)
        deadline = current_deadline()
        if deadline is not None:
            deadline.check(self._url)
            if self._socket is not None:
                self._socket.settimeout(timeout_within(self._timeout))
        try:
            data = self._response.read1(len(buffer))
            count = len(data)
            buffer[:count] = data
        except OSError:
            if deadline is not None and deadline.expired():
                raise deadline.error(self._url) from None
            raise
        except http.client.HTTPException as exc:
            raise TransferFailed(f"{self._url}: transfer interrupted after {self._received} bytes "
                                 f"({type(exc).__name__})") from None
        if count == 0 and len(buffer) and self._expected is not None and self._received < self._expected:
            raise TransferFailed(f"{self._url}: transfer interrupted after {self._received} of "
                                 f"{self._expected} bytes")
        self._received += count
        return count

    def close(self) -> None:
        self._response.close()
        super().close()


def _open_fsspec(url: str, scheme: str) -> BinaryIO:
    package = _FSSPEC_PACKAGES.get(scheme, "the fsspec implementation for it")
    try:
        import fsspec  # type: ignore[import-not-found]
    except ImportError:
        raise TransferFailed(
            f"cannot fetch {url}: '{scheme}://' needs fsspec; install it with `pip install fsspec {package}`"
        ) from None
    try:
        return fsspec.open(url, "rb").open()
    except FileNotFoundError:
        raise ObjectAbsent(f"{url}: not found") from None
    except ImportError as exc:
        raise TransferFailed(f"cannot fetch {url}: {exc} (try `pip install {package}`)") from None
    except Exception as exc:  # noqa: BLE001 (fsspec back ends raise their own types)
        raise TransferFailed(f"{url}: {type(exc).__name__}: {exc}") from None


@dataclass(frozen=True)
class Document:
    """A whole small document, where it was finally read from, and its ``Last-Modified`` (HTTP)."""

    data: bytes
    url: str
    last_modified: str | None = None


def read_url(url: str, limit: int | None = None) -> Document:
    """A whole (small) document: the index, a directory manifest."""
    chunks: list[bytes] = []
    size = 0
    with open_url(url) as stream:
        while True:  # a stream may return fewer bytes than asked: read to the end
            try:
                chunk = stream.read(CHUNK)
            except OSError as exc:
                raise TransferFailed(f"{url}: read failed: {exc}") from None
            if not chunk:
                break
            size += len(chunk)
            if limit and size > limit:
                raise TransferFailed(f"{url}: larger than {limit} bytes")
            chunks.append(chunk)
        final = getattr(stream, "final_url", url)
        modified = getattr(stream, "last_modified", None)
    return Document(b"".join(chunks), final, modified)

