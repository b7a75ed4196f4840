"""The one ``for-each-ref`` that lists every tag, and the parse of its output.

Pure: ``GitRepo.tags`` runs the command with ``TAG_FORMAT`` and hands the
bytes here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.events import TagRecord
from .objects import int_or_zero, is_utf8, text

# Only what the registry needs for every tag. Commit authors and messages are read
# lazily through cat-file (``GitRepo.commit``): asking for-each-ref for them costs a third more.
_TAG_FIELDS = (
    "%(refname)",
    "%(objecttype)",
    "%(objectname)",
    "%(*objecttype)",
    "%(*objectname)",
    "%(taggername)",
    "%(taggeremail:trim)",
    "%(taggerdate:unix)",
    "%(contents)",
    "%(*committerdate:unix)",
    "%(*tree)",
    "%(committerdate:unix)",
    "%(tree)",
    "%(contents:signature)",
)
TAG_FORMAT = "%00".join(_TAG_FIELDS) + "%00"


@dataclass
class TagRefs:
    records: list[TagRecord] = field(default_factory=list)
    not_utf8: list[str] = field(default_factory=list)  # annotated tags whose message or tagger was repaired
    root_trees: dict[str, str] = field(default_factory=dict)  # tagged commit -> its root tree, for free


def _unsigned(contents: bytes, signature: bytes) -> bytes:
    """A signed tag's message without its signature block (PGP, SSH or X.509), as Git splits them."""
    if signature and contents.endswith(signature):
        return contents[: len(contents) - len(signature)]
    return contents


def signature_kind(signature: bytes) -> str:
    """Which machinery signed a tag, from its signature block's armor line."""
    if not signature:
        return ""
    if signature.startswith(b"-----BEGIN SSH SIGNATURE-----"):
        return "ssh"
    if signature.startswith(b"-----BEGIN SIGNED MESSAGE-----"):
        return "x509"
    return "gpg"


def parse_tag_refs(raw: bytes) -> TagRefs:
    fields = raw.split(b"\0")
    width = len(_TAG_FIELDS)
    parsed = TagRefs()
    for start in range(0, len(fields) - width + 1, width):
        (ref, otype, oname, ptype, pname, tagger, email, tdate, message,
         c_date, c_tree, l_date, l_tree, signature) = fields[start : start + width]
        message = _unsigned(message, signature)
        name = text(ref.lstrip(b"\n")[len(b"refs/tags/") :])
        if otype == b"tag":
            target, target_type, date, tree = pname.decode(), ptype.decode() or "unknown", c_date, c_tree
            if not (is_utf8(message) and is_utf8(tagger)):
                parsed.not_utf8.append(name)
            record = TagRecord(
                name=name, target=target, annotated=True,
                tagger_name=text(tagger), tagger_email=text(email),
                timestamp=int_or_zero(tdate), message=text(message),
                commit_timestamp=int_or_zero(date), object_type=target_type,
                object_id=oname.decode(), signature=signature_kind(signature),
            )
        else:
            target, target_type, date, tree = oname.decode(), otype.decode(), l_date, l_tree
            record = TagRecord(name=name, target=target, annotated=False,
                               commit_timestamp=int_or_zero(date), object_type=target_type)
        if target_type == "commit":
            parsed.root_trees.setdefault(target, tree.decode())
        parsed.records.append(record)
    return parsed
