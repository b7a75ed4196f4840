"""Is this SVG one that modelshelf's plots could be? A strict allowlist, for files read back from a cache.

Cached plots are copied into the site as they are, and an SVG opened from the site
runs its scripts on the catalog's origin. A cache is not proof of anything: it may
have been committed by someone else, or restored by CI from another branch's run
(a secret stored beside it would be restored with it). So every cached plot is
checked against what matplotlib's SVG backend writes for our plots: SVG drawing
elements and RDF metadata only, no ``script``/``foreignObject``/``image``/``a``,
no event or unknown attributes, references only to fragments of the same file
(``#id``), CSS without ``@import``, escapes or ``url()`` to anything but ``#id``,
and no DTD beyond the standard SVG 1.1 doctype (no entities, no processing
instructions). A file that fails is redrawn, never copied.
"""

from __future__ import annotations

import re
from xml.parsers import expat
from ..core.errors import EXIT_FAILED, ModelshelfError

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
CC = "http://creativecommons.org/ns#"
DC = "http://purl.org/dc/elements/1.1/"

MAX_BYTES = 8 << 20  # a trend plot is tens of kB

_DRAWING = frozenset({
    "svg", "g", "defs", "style", "path", "use", "text", "tspan", "clipPath", "rect", "circle", "ellipse",
    "line", "polyline", "polygon", "title", "desc", "metadata", "linearGradient", "radialGradient", "stop",
})
_ELEMENTS = frozenset(
    {(SVG, n) for n in _DRAWING} | {(RDF, "RDF"), (CC, "Work"), (CC, "Agent")}
    | {(DC, n) for n in ("type", "format", "creator", "title", "date", "description", "rights")}
)
_TEXT_ELEMENTS = frozenset({"style", "text", "tspan", "title", "desc", "format", "date", "description",
                            "rights"})
_ATTRIBUTES = frozenset({
    "id", "class", "d", "style", "x", "y", "dx", "dy", "width", "height", "viewBox", "version", "transform",
    "clip-path", "fill", "fill-opacity", "stroke", "stroke-width", "stroke-opacity", "opacity", "x1", "y1", "x2",
    "y2", "cx", "cy", "r", "rx", "ry", "points", "offset", "stop-color", "stop-opacity", "font-family",
    "font-size", "font-weight", "text-anchor", "dominant-baseline", "gradientUnits", "gradientTransform",
    "preserveAspectRatio", "type",
})
_FRAGMENT = re.compile(r"#[A-Za-z_][A-Za-z0-9_.:-]*\Z")
_URL = re.compile(r"url\(\s*([^)]*)\)", re.IGNORECASE)
_CSS_FORBIDDEN = re.compile(r"[\\@<]|javascript:|data:|expression|behavior|-moz-binding", re.IGNORECASE)
_SVG_DOCTYPE = ("-//W3C//DTD SVG 1.1//EN", "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd")
_DCMI_IMAGE = "http://purl.org/dc/dcmitype/StillImage"


class UnsafeSvg(ModelshelfError, ValueError):
    """The bytes are not an SVG that modelshelf's plotting could have written."""

    exit_code = EXIT_FAILED  # refused: the SVG is unsafe to serve


def check_svg(data: bytes) -> None:
    """Raise ``UnsafeSvg`` (saying what is wrong) unless ``data`` passes the allowlist."""
    if len(data) > MAX_BYTES:
        raise UnsafeSvg(f"{len(data)} bytes, more than a plot's {MAX_BYTES}")
    parser = expat.ParserCreate(namespace_separator=" ")
    stack: list[tuple[str, str]] = []

    def refuse(why: str) -> None:
        raise UnsafeSvg(f"line {parser.CurrentLineNumber}: {why}")

    def name_of(raw: str) -> tuple[str, str]:
        uri, _, local = raw.rpartition(" ")
        return uri, local

    def start(raw: str, attributes: dict[str, str]) -> None:
        element = name_of(raw)
        if element not in _ELEMENTS:
            refuse(f"element <{element[1]}> ({element[0] or 'no namespace'}) is not one a plot uses")
        if not stack and element != (SVG, "svg"):
            refuse("the root element is not <svg>")
        for key, value in attributes.items():
            _check_attribute(element, name_of(key), value, refuse)
        stack.append(element)

    def end(raw: str) -> None:
        stack.pop()

    def text(data: str) -> None:
        if not data.strip():
            return
        if not stack or stack[-1][1] not in _TEXT_ELEMENTS:
            refuse("text outside a text element")
        if stack[-1] == (SVG, "style"):
            _check_css(data, refuse)

    def doctype(name: str, system_id: str | None, public_id: str | None, internal_subset: int) -> None:
        if name != "svg" or internal_subset or (public_id, system_id) != _SVG_DOCTYPE:
            refuse("a DOCTYPE other than the standard SVG 1.1 one")

    def processing_instruction(target: str, data: str) -> None:
        refuse(f"a processing instruction <?{target}?>")

    def entity(*args: object) -> None:
        refuse("an entity declaration")

    def external(*args: object) -> int:
        refuse("an external entity reference")
        return 0

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = doctype
    parser.ProcessingInstructionHandler = processing_instruction
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = entity
    parser.NotationDeclHandler = entity
    parser.ExternalEntityRefHandler = external
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise UnsafeSvg(f"not well-formed XML: {exc}") from None
    if stack:
        raise UnsafeSvg("unclosed elements")


def _check_attribute(element: tuple[str, str], attribute: tuple[str, str], value: str, refuse) -> None:
    uri, local = attribute
    if uri == XLINK and local == "href" or not uri and local == "href":
        if not _FRAGMENT.match(value):
            refuse(f"a reference to {value[:60]!r} (only #fragments of the same file)")
        return
    if uri == RDF and local == "resource" and element == (DC, "type"):
        if value != _DCMI_IMAGE:
            refuse(f"rdf:resource {value[:60]!r}")
        return
    if uri or local not in _ATTRIBUTES:
        refuse(f"attribute {local!r} on <{element[1]}> is not one a plot uses")
    if local == "type" and value != "text/css":
        refuse(f"type={value[:30]!r}")
    _check_css(value, refuse)


def _check_css(text: str, refuse) -> None:
    """Style text (a ``style`` attribute or element; other attributes too, as browsers read
    presentation attributes as CSS values): nothing that loads or runs anything."""
    if _CSS_FORBIDDEN.search(text):
        refuse(f"style text {text[:60]!r} holds an escape, an at-rule or a script URL")
    for target in _URL.findall(text):
        if not _FRAGMENT.match(target.strip().strip("'\"")):
            refuse(f"url({target[:60]}) is not a #fragment of the same file")
