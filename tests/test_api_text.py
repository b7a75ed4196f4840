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
