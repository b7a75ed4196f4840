"""Spec -> version, by the index's own answers.

``latest`` and ``stages`` are computed by the registry core with GTO's rules
(deregistered versions are never latest and never held by a stage); this
module only reads them, so a lookup can never disagree with the catalog.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.grammar import InvalidName, Spec, parse_spec
from .catalog import DownloadSource
from .errors import LookupFailed, RuleViolated
from .records import ModelRecord, StorageRecord, VersionRecord


@dataclass(frozen=True)
class Resolution:
    """What a spec names: one version of one model, and where its bytes are."""

    spec: str
    model: str
    version: VersionRecord
    selected_by: str  # "latest", "version" or "stage <name>"
    source: str
    url: str | None  # absolute URL of the bytes (published copy or external), when known
    deprecated: bool = False
    index_newest_event: str | None = None  # the index was built after this event (a CDN may serve an old one)
    index_last_modified: str | None = None  # the index file's HTTP Last-Modified, when the host sent one

    @property
    def storage(self) -> StorageRecord:
        return self.version.storage

    def to_json(self) -> dict[str, Any]:
        storage = self.storage
        return {
            "spec": self.spec,
            "name": self.model,
            "version": self.version.version,
            "status": self.version.status,
            "deprecated": self.deprecated,
            "selected_by": self.selected_by,
            "commit": self.version.commit,
            "tag": self.version.tag,
            "stages": list(self.version.stages),
            "storage": storage.to_json(),
            "checksums": {"sha256": storage.sha256, "md5": storage.md5},
            "url": self.url,
            "path": storage.path,
            "source": self.source,
            "index": {"newest_event": self.index_newest_event, "last_modified": self.index_last_modified},
        }

    def freshness(self) -> str:
        """One line saying how recent the index that answered is."""
        said = [f"its newest event is from {self.index_newest_event}" if self.index_newest_event else "it records no event"]
        if self.index_last_modified:
            said.append(f"the host says it was last modified {self.index_last_modified}")
        return f"index {self.source}: " + "; ".join(said)


def parse(text: str) -> Spec:
    try:
        return parse_spec(text)
    except InvalidName as exc:
        hint = "specs: NAME, NAME@latest, NAME@vX.Y.Z or NAME#STAGE"
        if "=" in text:  # a tag's spelling of a sub-folder model: 'vision=detector@v1.0.0'
            hint = f"in a spec a sub-folder model is written with ':', as in '{text.replace('=', ':', 1)}'; " + hint
        raise LookupFailed(f"invalid spec '{text}': {exc} ({hint})") from None


def _versions_listing(model: ModelRecord) -> str:
    shown = [v.version if v.status == "active" else f"{v.version} ({v.status})" for v in model.versions]
    return ", ".join(shown) or "none"


def _held_listing(model: ModelRecord) -> str:
    return ", ".join(f"{stage} ({version})" for stage, version in sorted(model.stages.items())) or "none"


def select(catalog: DownloadSource, spec: Spec) -> tuple[ModelRecord, VersionRecord, str]:
    model = catalog.model(spec.name)
    if spec.stage is not None:
        held = model.stages.get(spec.stage)
        if held is None:
            known = spec.stage in catalog.index.stages or spec.stage in model.stage_history
            what = "holds no version of" if known else "is not a stage of"
            raise LookupFailed(
                f"stage '{spec.stage}' {what} model '{model.name}'; stages that hold versions: {_held_listing(model)}"
            )
        selected_by, wanted = f"stage {spec.stage}", held
    elif spec.version is not None:
        selected_by, wanted = "version", spec.version
    else:
        if model.latest is None:
            raise LookupFailed(
                f"model '{model.name}' has no registered version to be latest; versions: {_versions_listing(model)}"
            )
        selected_by, wanted = "latest", model.latest
    version = model.version(wanted)
    if version is None:
        if selected_by == "version":
            raise LookupFailed(
                f"model '{model.name}' has no version {wanted}; versions: {_versions_listing(model)}"
            )
        raise LookupFailed(f"{catalog.source}: index is inconsistent: {selected_by} of '{model.name}' is {wanted}, "
                           "which its versions do not list")
    return model, version, selected_by


def check_rules(catalog: DownloadSource, model: ModelRecord, stage: str) -> None:
    """Refuse a stage whose holder broke the rules, naming them and the last holder within them."""
    verdict = model.stage_verdicts.get(stage)
    if verdict is None or verdict.compliant:
        return
    whose = "the repository's rules, verified now" if catalog.repo is not None else "the rules, as the index records"
    last = (f"the last version that held {stage} within the rules is {verdict.last_compliant} "
            f"(`download {model.name}@{verdict.last_compliant}`)" if verdict.last_compliant
            else f"no version held {stage} within the rules")
    raise RuleViolated(
        f"{model.name}#{stage}: its holder {verdict.holder} breaks {whose}: {'; '.join(verdict.reasons) or 'see the index'}; "
        f"{last}; --allow-rule-violations takes {verdict.holder} anyway")


def resolve_in(catalog: DownloadSource, text: str, allow_rule_violations: bool = False) -> Resolution:
    spec = parse(text)
    model, version, selected_by = select(catalog, spec)
    if spec.stage is not None and not allow_rule_violations:
        check_rules(catalog, model, spec.stage)
    storage = version.storage
    if storage.download_url:
        url = catalog.published_url(storage.download_url)
    elif storage.kind == "url":
        url = storage.url
    else:
        url = None
    if url is not None:
        url = catalog.check_location(url, f"{model.name} {version.version}")
    return Resolution(text, model.name, version, selected_by, catalog.source, url, model.deprecated,
                      catalog.newest_event() if catalog.repo is None else None, catalog.last_modified)
