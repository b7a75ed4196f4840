"""The Atom feed of the latest registry events (deterministic: no wall clock)."""

from __future__ import annotations

from urllib.parse import quote
from xml.etree import ElementTree as ET

from .views import EventRow

ATOM = "http://www.w3.org/2005/Atom"
EPOCH = "1970-01-01T00:00:00+00:00"


def atom_feed(events: list[EventRow], *, title: str, site_url: str | None, page_url: dict[str, str],
              repo_id: str) -> bytes:
    """An Atom 1.0 document; ``page_url`` maps model names to site-relative page URLs.

    Entry ids are ``urn:modelshelf:<repo>:<tag>`` so a reader dedupes an event
    across rebuilds; links are absolute when ``site_url`` is known.
    """
    ET.register_namespace("", ATOM)
    base = (site_url or "").rstrip("/") + "/" if site_url else ""
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM}}}id").text = f"urn:modelshelf:{repo_id}"
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = events[0].timestamp if events else EPOCH
    ET.SubElement(feed, f"{{{ATOM}}}generator").text = "modelshelf"
    if base:
        ET.SubElement(feed, f"{{{ATOM}}}link", href=base)
        ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=f"{base}feed.xml")
    for event in events:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}title").text = f"{event.model}: {event.summary}"
        source = event.model.split("::", 1)[0] + ":" if "::" in event.model else ""  # a hub: tags of sources may clash
        ET.SubElement(entry, f"{{{ATOM}}}id").text = f"urn:modelshelf:{repo_id}:{source}{quote(event.tag, safe='')}"
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = event.timestamp
        author = ET.SubElement(entry, f"{{{ATOM}}}author")
        ET.SubElement(author, f"{{{ATOM}}}name").text = event.author or "unknown"
        if event.model in page_url:
            page = page_url[event.model]  # a federated model's page is on its own site (absolute)
            ET.SubElement(entry, f"{{{ATOM}}}link", href=page if "://" in page else f"{base}{page}")
        ET.SubElement(entry, f"{{{ATOM}}}category", term=event.kind)
        summary = f"{event.tag} on commit {event.commit[:7]}"
        if event.message:
            summary += f": {event.message}"
        ET.SubElement(entry, f"{{{ATOM}}}summary", type="text").text = summary
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"
