"""Model cards: a README's Markdown body and YAML front matter, as Hugging Face writes them.

Nothing is rendered or sanitised here; the renderer owns that. Parsed once per blob.
"""

from __future__ import annotations

import re

import yaml

from .model import ArtifactDecl, JSONValue, MetadataProblem, ModelCard
from .parse import MAX_FILE_BYTES, DocumentCache, _Loader, describe_parse_error, folder_of, jsonable, repo_path
from .source import BlobSource

README = "README.md"
CARD_KEYS = ("card", "model_card")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S | re.M)


def split_front_matter(text: str) -> tuple[dict[str, JSONValue], str, str | None]:
    """(front matter, body, error) of a Markdown document."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text, None
    body = text[match.end():]
    try:
        data = yaml.load(match.group(1), Loader=_Loader)  # noqa: S506 - a safe loader
    except (yaml.YAMLError, RecursionError) as exc:
        return {}, body, f"front matter is {describe_parse_error(exc)}"
    if data is None:
        return {}, body, None
    if not isinstance(data, dict):
        return {}, body, f"front matter must be a mapping, not {type(data).__name__}"
    converted = jsonable(data)
    return (converted if isinstance(converted, dict) else {}), body, None


def card_path(source: BlobSource, commit: str, decl: ArtifactDecl) -> tuple[str | None, bool]:
    """(path of the card, named explicitly in meta?)."""
    for key in CARD_KEYS:
        named = decl.meta.get(key)
        if isinstance(named, str) and named:
            return repo_path(decl.folder, named), True
    if not decl.repo_path:
        return None, False
    home = decl.repo_path if source.is_dir(commit, decl.repo_path) else folder_of(decl.repo_path)
    return (f"{home}/{README}" if home else README), False


class CardReader:
    def __init__(self, source: BlobSource, docs: DocumentCache) -> None:
        self.source, self.docs = source, docs
        self._parsed: dict[str, tuple[dict[str, JSONValue], str, str | None]] = {}

    def read(self, commit: str, decl: ArtifactDecl | None) -> tuple[ModelCard | None, list[MetadataProblem]]:
        if decl is None:
            return None, []
        path, explicit = card_path(self.source, commit, decl)
        if path is None:
            if explicit:
                return None, [MetadataProblem(decl.source, commit, f"'{decl.name}': model card path leaves the repository")]
            return None, []
        info = self.docs.info(commit, path)
        if info is None:
            if explicit:
                return None, [MetadataProblem(path, commit, f"model card of '{decl.name}' not found")]
            return None, []
        if info.size > MAX_FILE_BYTES:
            return None, [MetadataProblem(path, commit, f"model card too large ({info.size} bytes)")]
        if info.sha not in self._parsed:
            raw = self.docs.read_bytes(commit, path)
            if raw is None:
                return None, []
            self._parsed[info.sha] = split_front_matter(raw.decode("utf-8-sig", errors="replace"))
        front, body, error = self._parsed[info.sha]
        problems = [MetadataProblem(path, commit, error)] if error else []
        return ModelCard(path, body, dict(front)), problems
