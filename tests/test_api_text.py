"""The site's JSON API files: compact UTF-8 JSON of the index and of each model, checked by reading them
back and against another JSON implementation (Node's), not by repeating the encoder's call."""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from modelshelf.render.site import api_files

from .conftest import require_tool

_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=3)
                       | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=12)
_MODEL = st.fixed_dictionaries({"name": st.text(min_size=1), "api": st.just("api/models/x.json")},
                               optional={"versions": st.lists(_VALUES, max_size=3), "meta": _VALUES})


def _pairs(data: object) -> object:
    """Objects as their (key, value) lists: what a reader sees, key order included."""
    if isinstance(data, dict):
        return [(key, _pairs(value)) for key, value in data.items()]
    if isinstance(data, list):
        return [_pairs(value) for value in data]
    return data


def _non_ascii(data: object) -> set[str]:
    if isinstance(data, dict):
        return set().union(*(_non_ascii(k) | _non_ascii(v) for k, v in data.items()))
    if isinstance(data, list):
        return set().union(*map(_non_ascii, data))
    return {char for char in data if ord(char) > 0x7F} if isinstance(data, str) else set()


def _as_read(content: bytes) -> object:
    return json.loads(content.decode("utf-8"), object_pairs_hook=lambda pairs: [(k, v) for k, v in pairs])


def _assert_compact_json_of(content: bytes, data: object) -> None:
    """Reads back as ``data`` (same key order), one line, no whitespace outside strings, UTF-8 text."""
    assert content.endswith(b"\n") and b"\n" not in content[:-1]
    assert _as_read(content) == _pairs(data)
    outside_strings = re.sub(r'"(?:[^"\\]|\\.)*"', '""', content[:-1].decode("utf-8"))
    assert not re.search(r"\s", outside_strings), outside_strings
    text = content.decode("utf-8")
    assert all(char in text for char in _non_ascii(data))  # written as UTF-8, not as \\u escapes


@settings(max_examples=200, deadline=None)
@given(extra=st.dictionaries(st.text(max_size=8).filter(lambda k: k != "models"), _VALUES, max_size=4),
       models=st.lists(_MODEL, max_size=4), first=st.booleans())
def test_api_files_are_compact_json_of_the_index_and_of_each_model(extra: dict, models: list[dict], first: bool) -> None:
    index = {"models": models, **extra} if first else {**extra, "models": models}
    files = {f.path: f.content for f in api_files(index)}
    _assert_compact_json_of(files["api/registry.json"], index)
    if models:
        _assert_compact_json_of(files["api/models/x.json"], models[-1])


def test_api_files_are_byte_identical_to_what_a_javascript_engine_writes() -> None:
    """Node's JSON.stringify (another implementation) re-encodes every file to the same bytes."""
    node = require_tool("node")["node"]
    model = {"name": "m\u00e9t\u00e9o \u2014 \U0001f600", "api": "api/models/m.json", "esc": "q\"b\\s\n\t\u0001/</script>",
             "n": [0, -1, 2.5, 0.001, 1234567.25, True, False, None], "nested": {"z": 1, "a": [{}, []]}}
    files = [f.content for f in api_files({"schema_version": 1, "models": [model], "a": "\u2028"})
             if f.path == "api/registry.json" or f.path.startswith("api/models/")]
    script = ("const fs = require('fs');"
              "for (const name of process.argv.slice(1)) {"
              "  const text = fs.readFileSync(name, 'utf8');"
              "  process.stdout.write(JSON.stringify(Buffer.from(JSON.stringify(JSON.parse(text)) + '\\n').equals("
              "fs.readFileSync(name))) + '\\n'); }")
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for number, content in enumerate(files):
            path = Path(folder) / f"{number}.json"
            path.write_bytes(content)
            paths.append(str(path))
        out = subprocess.run([node, "-e", script, *paths], capture_output=True, text=True, check=True).stdout
    assert len(files) >= 2 and out.split() == ["true"] * len(files)


def test_model_scripts_for_sites_opened_from_disk_hold_the_same_data() -> None:
    hostile = {"name": "m</script>\u2028x", "api": "api/models/m.json", "description": "\";alert(1);//\u2029"}
    files = {f.path: f.content for f in api_files({"models": [hostile]}, scripts=True)}
    script = files["api/models/m.js"].decode("ascii")  # ASCII-only: nothing can end the literal early
    prefix = '(window.modelshelfModels = window.modelshelfModels || {})["m</script>\\u2028x"] = '
    assert script.startswith(prefix) and script.endswith(";\n")
    assert json.loads(script[len(prefix):-2]) == hostile == json.loads(files["api/models/m.json"])
    assert "api/models/m.js" not in {f.path for f in api_files({"models": [hostile]})}  # only when asked
