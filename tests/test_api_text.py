"""The site's JSON API files are exactly compact ``json.dumps`` of the index and of each model."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from modelshelf.render.site import api_files

_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=3)
                       | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=12)
_MODEL = st.fixed_dictionaries({"name": st.text(min_size=1), "api": st.just("api/models/x.json")},
                               optional={"versions": st.lists(_VALUES, max_size=3), "meta": _VALUES})


def _expected(data: object) -> bytes:
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


@settings(max_examples=200, deadline=None)
@given(extra=st.dictionaries(st.text(max_size=8).filter(lambda k: k != "models"), _VALUES, max_size=4),
       models=st.lists(_MODEL, max_size=4), first=st.booleans())
def test_api_files_match_plain_json_dumps(extra: dict, models: list[dict], first: bool) -> None:
    index = {"models": models, **extra} if first else {**extra, "models": models}
    files = {f.path: f.content for f in api_files(index)}
    assert files["api/registry.json"] == _expected(index)
    if models:
        assert files["api/models/x.json"] == _expected(models[-1])


def test_model_scripts_for_sites_opened_from_disk_hold_the_same_data() -> None:
    hostile = {"name": "m</script>\u2028x", "api": "api/models/m.json", "description": "\";alert(1);//\u2029"}
    files = {f.path: f.content for f in api_files({"models": [hostile]}, scripts=True)}
    script = files["api/models/m.js"].decode("ascii")  # ASCII-only: nothing can end the literal early
    prefix = '(window.modelshelfModels = window.modelshelfModels || {})["m</script>\\u2028x"] = '
    assert script.startswith(prefix) and script.endswith(";\n")
    assert json.loads(script[len(prefix):-2]) == hostile == json.loads(files["api/models/m.json"])
    assert "api/models/m.js" not in {f.path for f in api_files({"models": [hostile]})}  # only when asked
