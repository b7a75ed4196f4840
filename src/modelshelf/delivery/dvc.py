"""DVC storage: where an md5 lives (cache, remotes) and folder manifests.

Read without DVC installed: ``.dvc/config`` and ``.dvc/config.local`` are
small INI files; objects are stored content-addressed by md5, as
``files/md5/ab/cdef...`` (DVC 3) or ``ab/cdef...`` (DVC 2), in the cache and in
every remote. A folder's md5 ends in ``.dir`` and names a JSON manifest: a
list of ``{"md5": ..., "relpath": ...}`` sorted by relpath, serialised as
``json.dumps(entries, sort_keys=True)`` (dvc-data ``Tree.as_bytes``); its md5
is the manifest's md5 plus ``.dir``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import IntegrityFailed, TransferFailed
from .plan import FileItem, Location, UrlLocation
from .transport import scheme_of, to_url
from .verify import Digest, safe_relpath

CONFIG_FILES = (".dvc/config", ".dvc/config.local")  # later files override earlier ones
_SECTION = re.compile(r"^\s*\[\s*(.+?)\s*\]\s*$")
_REMOTE_SECTION = re.compile(r"""^['"]?remote\s+"([^"]+)"['"]?$""")
_OPTION = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*=\s*(.*?)\s*$")
_MD5 = re.compile(r"^[0-9a-f]{32}(\.dir)?$")


@dataclass(frozen=True)
class DvcRemote:
    name: str
    url: str  # a URL (local paths as file://)


@dataclass(frozen=True)
class DvcStores:
    """Where DVC objects may be found, in the order to try them."""

    bases: tuple[str, ...] = ()  # cache first, then remotes (default remote first)
    described: tuple[str, ...] = field(default=(), compare=False)


def _parse_ini(text: str) -> dict[str, dict[str, str]]:
    sections: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            continue
        header = _SECTION.match(line)
        if header:
            current = sections.setdefault(header.group(1), {})
            continue
        option = _OPTION.match(line)
        if option and current is not None:
            value = option.group(2)
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            current[option.group(1).lower()] = value
    return sections


def _location(value: str, config_dir: Path) -> str | None:
    """A remote or cache URL; relative local paths are relative to the config's folder, as in DVC."""
    scheme = scheme_of(value)
    if scheme == "remote":  # remote://other/path: composed remotes are not supported
        return None
    return value if scheme else to_url(value, base=config_dir)


def read_stores(root: Path, extra_remotes: tuple[str, ...] = ()) -> DvcStores:
    """The cache and remotes a DVC project at ``root`` is configured with."""
    merged: dict[str, dict[str, str]] = {}
    for name in CONFIG_FILES:
        path = root / name
        try:
            text = path.read_text(encoding="utf-8")
        except (FileNotFoundError, NotADirectoryError):
            continue
        except (OSError, UnicodeDecodeError) as exc:
            raise TransferFailed(f"{path}: cannot read DVC config: {exc}") from None
        for section, options in _parse_ini(text).items():
            merged.setdefault(section, {}).update(options)
    config_dir = root / ".dvc"
    cache_dir = merged.get("cache", {}).get("dir")
    bases: list[tuple[str, str]] = []
    cache = _location(cache_dir, config_dir) if cache_dir else to_url(config_dir / "cache")
    if cache:
        bases.append(("cache", cache))
    for url in extra_remotes:
        bases.append((f"remote {url}", to_url(url)))
    remotes: list[DvcRemote] = []
    for section, options in merged.items():
        match = _REMOTE_SECTION.match(section)
        if match and options.get("url"):
            url = _location(options["url"], config_dir)
            if url:
                remotes.append(DvcRemote(match.group(1), url))
    default = merged.get("core", {}).get("remote")
    remotes.sort(key=lambda r: r.name != default)  # stable: default first, then config order
    bases += [(f"remote '{r.name}'", r.url) for r in remotes]
    return DvcStores(tuple(b for _, b in bases), tuple(f"{d} ({b})" for d, b in bases))


def object_locations(stores: DvcStores, md5: str) -> tuple[Location, ...]:
    """Every place an object may be: DVC 3 layout first, then DVC 2's, in each store."""
    if not _MD5.match(md5):
        raise IntegrityFailed(f"malformed DVC md5 {md5!r}")
    rel = f"{md5[:2]}/{md5[2:]}"
    found: list[Location] = []
    for base in stores.bases:
        stem = base.rstrip("/")
        found.append(UrlLocation(f"{stem}/files/md5/{rel}"))
        found.append(UrlLocation(f"{stem}/{rel}"))
    return tuple(found)


def file_item(stores: DvcStores, md5: str, relpath: str = "", size: int | None = None) -> FileItem:
    return FileItem(relpath, object_locations(stores, md5), Digest("md5", md5, dvc_legacy=True), size)


def manifest_item(stores: DvcStores, md5: str) -> FileItem:
    """The ``.dir`` object itself: its md5 is the stored value without ``.dir``."""
    return FileItem("", object_locations(stores, md5), Digest("md5", md5.removesuffix(".dir")))


def parse_manifest(data: bytes, where: str) -> list[tuple[str, str]]:
    """(relpath, md5) entries of a ``.dir`` manifest, with unsafe paths refused."""
    try:
        entries = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise IntegrityFailed(f"{where}: not a DVC folder manifest ({exc})") from None
    if not isinstance(entries, list):
        raise IntegrityFailed(f"{where}: not a DVC folder manifest (expected a JSON list)")
    result: list[tuple[str, str]] = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("relpath"), str):
            raise IntegrityFailed(f"{where}: manifest entry without a 'relpath'")
        md5 = entry.get("md5")
        if not isinstance(md5, str) or not _MD5.match(md5) or md5.endswith(".dir"):
            raise IntegrityFailed(f"{where}: manifest entry {entry['relpath']!r} has no file md5")
        result.append((safe_relpath(entry["relpath"], where), md5))
    return result

