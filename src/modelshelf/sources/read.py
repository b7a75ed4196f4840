"""One source -> its part of the hub index (models and events with qualified names).

A Git or local source is fingerprinted by its refs (every tag's hash and
HEAD): when that is what the last good read saw, the read is reused without
opening the registry. A federated source is its published ``registry.json``,
fingerprinted by the sha256 of its bytes. A source that fails raises
``SourceUnreadable``; ``bad_input`` marks failures that say the location is
not what it should be (not a repository, not a modelshelf index), which fail
the build unless an earlier read of the source exists to fall back to.
"""

from __future__ import annotations

import hashlib
import json
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..core.errors import EXIT_FAILED, EXIT_USAGE, ModelshelfError
from ..core.grammar import is_valid_name
from ..core.qualified import qualify
from ..delivery.credentials import trusted
from ..delivery.catalog import site_root
from ..delivery.errors import DownloadError
from ..delivery.records import IndexRecord
from ..delivery.transport import ObjectAbsent, read_url, scheme_of, to_url
from ..git import GitError, GitRepo, NotAGitRepo
from ..git.mirror import MirrorError
from ..git.urls import UnsafeUrl, display_url, redact
from ..index.build import build_index
from ..registry import load_registry
from .spec import SourceSpec

JSON = dict[str, Any]
INDEX_LIMIT = 512 << 20
_WEB = ("http", "https")


class SourceUnreadable(ModelshelfError):
    """A source that cannot be read now (kept stale), or, with ``bad_input``, one that is not what it says."""

    def __init__(self, message: str, bad_input: bool = False) -> None:
        super().__init__(message)
        self.bad_input = bad_input
        self.exit_code = EXIT_USAGE if bad_input else EXIT_FAILED


@dataclass
class SourceRead:
    """A fresh read: the part, its fingerprint, and the problems found in the source."""

    part: JSON
    fingerprint: str
    problems: list[str]


# -- Git and local sources ----------------------------------------------------------------------------------
OpenRepository = Callable[[str], Path]


def git_path(spec: SourceSpec, open_repository: OpenRepository | None) -> Path:
    """The repository to read: the local path, or the mirror of a Git URL."""
    if spec.kind == "local":
        path = Path(spec.location).expanduser()
        if not path.exists():
            raise SourceUnreadable(f"{spec.shown}: no such folder")
        return path
    if open_repository is None:
        raise SourceUnreadable(f"{spec.shown}: Git URL sources need the mirror (modelshelf.git.mirror)",
                               bad_input=True)
    try:
        return Path(open_repository(spec.location))
    except (MirrorError, UnsafeUrl) as exc:  # not a repository, refused, unreachable, auth: stale once read
        raise SourceUnreadable(f"{spec.shown}: {redact(str(exc))}", bad_input=True) from None


def git_fingerprint(path: Path, settings: str) -> tuple[str, str | None]:
    """sha256 over every tag's object hash, HEAD and the read settings; and HEAD."""
    try:
        with GitRepo(path) as repo:
            refs = repo.run("for-each-ref", "--format=%(objectname) %(refname)", "refs/tags")
            head = repo.head()
    except NotAGitRepo as exc:
        raise SourceUnreadable(str(exc), bad_input=True) from None
    except GitError as exc:
        raise SourceUnreadable(str(exc)) from None
    digest = hashlib.sha256(f"{refs}\nHEAD {head}\n{settings}".encode()).hexdigest()
    return digest, head


def read_git(spec: SourceSpec, path: Path, fingerprint: str, candidates: int) -> SourceRead:
    try:
        with load_registry(path) as registry:
            index = build_index(registry, candidates=candidates)
            remote = registry.repo.remote_url()
    except Exception as exc:  # noqa: BLE001 (a broken repository is a stale source, not a crashed hub)
        raise SourceUnreadable(f"{spec.shown}: {exc}") from None
    data = index.data
    repository = display_url(remote) if spec.kind == "local" and remote else spec.shown
    if spec.kind == "local" and not remote:
        repository = str(Path(spec.location).absolute())
    part = _part(spec, data, repository=repository, head=data["repository"].get("head"))
    part["models"] = [_qualified_model(spec.name, m, repository) for m in data["models"]]
    return SourceRead(part, fingerprint, [f"source '{spec.name}': {p}" for p in index.problems])


# -- federated sources ---------------------------------------------------------------------------------------
def fetch_index(spec: SourceSpec) -> tuple[bytes, str]:
    """The published index's bytes and where they finally came from (MODELSHELF_TOKEN: to its origin only)."""
    url = to_url(spec.location)
    try:
        with trusted(url):
            document = read_url(url, limit=INDEX_LIMIT)
    except ObjectAbsent as exc:
        raise SourceUnreadable(redact(str(exc))) from None
    except DownloadError as exc:
        raise SourceUnreadable(redact(str(exc))) from None
    return document.data, document.url


def read_index(spec: SourceSpec, raw: bytes, url: str, fingerprint: str) -> SourceRead:
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SourceUnreadable(f"{spec.shown}: not a modelshelf index (not valid JSON: {exc})", bad_input=True) from None
    try:
        IndexRecord.from_json(data, spec.shown)  # the checks every index reader makes (schema_version, shape)
    except DownloadError as exc:
        raise SourceUnreadable(str(exc), bad_input=True) from None
    root = site_root(url)
    web = scheme_of(url) in _WEB
    problems: list[str] = []
    repository_info = data.get("repository") if isinstance(data.get("repository"), dict) else {}
    remote = repository_info.get("remote") if isinstance(repository_info.get("remote"), str) else None
    if remote and web and not _remote_ok(remote):
        problems.append(f"source '{spec.name}': its index names Git remote {display_url(remote)!r}, "
                        "which an index read over HTTP(S) may not (only https:// or SSH): left out")
        remote = None
    repository = display_url(remote) if remote else None
    part = _part(spec, data, repository=repository, head=repository_info.get("head"), site=display_url(root))
    part["index_sha256"] = fingerprint
    models = []
    seen: set[str] = set()
    for model in data["models"]:
        name = model.get("name")
        if not isinstance(name, str) or not is_valid_name(name):
            problems.append(f"source '{spec.name}': model {name!r} is not a valid model name: left out")
            continue
        if name in seen:  # one page and one API file per name
            problems.append(f"source '{spec.name}': model {name!r} is listed twice: the second is left out")
            continue
        seen.add(name)
        models.append(_federated_model(spec.name, model, repository, root, web, problems))
    part["models"] = models
    _mark_claims(spec.name, part, data.get("rules"))
    return SourceRead(part, fingerprint, problems)


VERDICT_FIELDS = ("signature", "violations")  # an event's verdicts (governance.index_fields)


def _mark_claims(source: str, part: JSON, rules: object) -> None:
    """A federated source's verdicts are its claim: the hub has neither its tags nor its keys, so it
    keeps them marked ``verdicts_claimed_by`` (the catalog says "per source ..."), never as its own."""
    events = part["events"] + [e for model in part["models"] for e in model["events"]]
    for event in events:
        if any(key in event for key in VERDICT_FIELDS):
            event["verdicts_claimed_by"] = source
    for model in part["models"]:
        if "stage_verdicts" in model:
            model["verdicts_claimed_by"] = source
    if isinstance(rules, dict) and isinstance(rules.get("origin"), str) and isinstance(rules.get("stages"), dict):
        part["claimed_rules"] = rules


def _remote_ok(remote: str) -> bool:
    scheme = scheme_of(remote)
    return scheme in ("https", "ssh", "git+ssh", "ssh+git") or (not scheme and "@" in remote.split(":", 1)[0])


def _federated_model(source: str, model: JSON, repository: str | None, root: str, web: bool,
                     problems: list[str]) -> JSON:
    """A model of another catalog: its page on that site, download URLs resolved against that site."""
    result = _qualified_model(source, model, repository)
    page = model.get("page")
    link = urllib.parse.urljoin(root, page) if isinstance(page, str) else None
    if link is not None and scheme_of(link) not in (_WEB if web else (*_WEB, "file")):
        problems.append(f"source '{source}': model {model['name']!r} names page {page!r}, not a web page: left out")
        link = None
    result["source_page"] = link
    versions = []
    for version in model.get("versions") or []:
        if not isinstance(version, dict):
            continue
        storage = version.get("storage")
        if isinstance(storage, dict):
            storage = dict(storage)
            download = storage.get("download_url")
            if isinstance(download, str):
                absolute = urllib.parse.urljoin(root, download)
                if web and scheme_of(absolute) not in _WEB:
                    problems.append(f"source '{source}': {model['name']} {version.get('version')}: download URL "
                                    f"{download!r} is not http(s): left out")
                    absolute = None
                storage["download_url"] = absolute
            url = storage.get("url")
            if web and isinstance(url, str) and scheme_of(url) in ("", "file"):
                problems.append(f"source '{source}': {model['name']} {version.get('version')}: storage URL "
                                f"{url!r} is a local path: left out")
                storage["url"] = None
            version = {**version, "storage": storage}
        versions.append(version)
    result["versions"] = versions
    return result


# -- shared ---------------------------------------------------------------------------------------------------
def _qualified_model(source: str, model: JSON, repository: str | None) -> JSON:
    name = qualify(source, model["name"])
    result = {**model, "name": name, "source": source, "name_in_source": model["name"], "repository": repository}
    result["events"] = [_qualified_event(source, e) for e in model.get("events") or [] if isinstance(e, dict)]
    result.pop("page", None)
    result.pop("api", None)
    return result


def _qualified_event(source: str, event: JSON) -> JSON:
    model = event.get("model")
    return {**event, "model": qualify(source, model) if isinstance(model, str) else model}


def _part(spec: SourceSpec, data: JSON, *, repository: str | None, head: object, site: str | None = None) -> JSON:
    stages = data.get("stages") if isinstance(data.get("stages"), list) else []
    events = data.get("events") if isinstance(data.get("events"), list) else []
    ignored = data.get("ignored_tags") if isinstance(data.get("ignored_tags"), list) else []
    return {
        "name": spec.name,
        "kind": spec.kind,
        "location": spec.shown,
        "repository": repository,
        "site": site,
        "commit": head if isinstance(head, str) else None,
        "index_sha256": None,
        "stages": [s for s in stages if isinstance(s, str)],
        "events": [_qualified_event(spec.name, e) for e in events if isinstance(e, dict)],
        "ignored_tags": [{**t, "source": spec.name} for t in ignored if isinstance(t, dict)],
    }
