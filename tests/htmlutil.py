"""Reading built HTML in tests: every element with its attributes, and the text."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path


class Collect(HTMLParser):
    """Every element with its attributes, and the text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(path: Path) -> Collect:
    parser = Collect()
    parser.feed(path.read_text())
    return parser
