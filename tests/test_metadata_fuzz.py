"""Hostile repo content never raises out of the metadata readers."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from modelshelf.metadata import MemorySource, MetadataReader

C = "f" * 40
FILES = ("dvc.yaml", "dvc.lock", "artifacts.yaml", "metrics.json", "params.yaml", "README.md", "m.dvc")

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8) | st.integers(), inner, max_size=4),
    max_leaves=20,
)
# Plausible keys, so the readers go deep instead of stopping at the top level.
shaped = st.fixed_dictionaries({}, optional={
    "artifacts": st.dictionaries(st.sampled_from(["m", "x", "bad name"]), values | st.fixed_dictionaries(
        {"path": st.sampled_from(["m.pkl", "m", "s3://b/m", "../x"]) | values}, optional={"labels": values, "meta": values, "type": values, "desc": values}), max_size=3),
    "stages": st.dictionaries(st.sampled_from(["m", "train"]), values | st.fixed_dictionaries(
        {}, optional={"cmd": values, "deps": values, "outs": st.lists(
            st.fixed_dictionaries({"path": st.sampled_from(["m", "m.pkl", "", ".."]) | values},
                                  optional={"md5": values, "hash": values, "size": values}), max_size=3),
                      "params": values, "metrics": values}), max_size=2),
    "metrics": values, "params": values, "schema": values, "outs": values,
})


artifact = st.fixed_dictionaries(
    {"path": st.sampled_from(["m.pkl", "m", "s3://b/m", "../x"]) | values},
    optional={"labels": values, "meta": values, "type": values, "desc": values},
)
dvc_yaml = st.fixed_dictionaries(
    {"artifacts": st.dictionaries(st.sampled_from(["m", "x", "bad name"]), artifact | values, min_size=1, max_size=3)},
    optional={"metrics": values, "params": values, "stages": values},
)
lock = st.fixed_dictionaries({"schema": st.just("2.0"), "stages": st.dictionaries(
    st.sampled_from(["a", "b", "c"]),
    st.fixed_dictionaries({"cmd": values, "deps": st.lists(st.fixed_dictionaries(
        {"path": st.sampled_from(["m", "m.pkl", "d", "e"])}, optional={"md5": values}), max_size=2),
        "outs": st.lists(st.fixed_dictionaries({"path": st.sampled_from(["m", "m.pkl", "d", "e"]) | values},
                                               optional={"md5": values, "size": values}), max_size=2)},
        optional={"params": values}),
    min_size=1, max_size=3)})


def _render(data: object, raw: str) -> str:
    try:
        return yaml.safe_dump(data, allow_unicode=True) if raw == "" else raw
    except (yaml.YAMLError, ValueError):
        return raw


@settings(max_examples=150, deadline=None)
@given(
    contents=st.lists(st.tuples(shaped | values, st.sampled_from(["", "", "", "", "", "{[", "---\n: :\n", "\t- x\n"])),
                      min_size=len(FILES), max_size=len(FILES)),
    name=st.sampled_from(["m", "m", "x", "sub:m", "nope"]),
    dvc=dvc_yaml,
    lock_data=lock,
)
def test_readers_never_raise_on_hostile_content(contents, name, dvc, lock_data):
    files = {path: _render(data, raw) for path, (data, raw) in zip(FILES, contents)}
    files["sub/dvc.yaml"] = _render(dvc, "")
    files["dvc.yaml"] = _render(dvc, "") if contents[0][1] == "" else files["dvc.yaml"]
    files["dvc.lock"] = _render(lock_data, "") if contents[1][1] == "" else files["dvc.lock"]
    files["m.pkl"] = b"\x00"
    reader = MetadataReader(MemorySource({C: files}))
    reader.declarations(C)
    meta = reader.version(C, name)
    assert meta.commit == C and all(p.commit == C for p in meta.problems)
    assert list(meta.metrics) == sorted(meta.metrics)
