"""Source-qualified names (``SOURCE::NAME``): no GTO name can contain the qualifier, specs parse
with ``@`` and ``#``, and page and API paths put each source in its own folder."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, strategies as st

from modelshelf.core.grammar import InvalidName, Spec, is_valid_name, parse_spec
from modelshelf.core.naming import api_file, page_stem
from modelshelf.core.qualified import QUALIFIER, is_valid_source_name, qualify, split_qualified

gto_constants = pytest.importorskip("gto.constants")

GTO_FULLNAME = re.compile(f"^{gto_constants.fullname}$")
NAME_CHARS = st.text(alphabet="abcXYZ019-_/.:=", min_size=1, max_size=12)


@given(NAME_CHARS)
def test_no_name_gto_accepts_contains_the_qualifier(text: str) -> None:
    if GTO_FULLNAME.match(text):
        assert QUALIFIER not in text
        assert is_valid_name(text)  # and modelshelf reads the same names


@pytest.mark.parametrize("name", ["a::b", "dir::name", "x:y:z", "a::", "::b"])
def test_gto_rejects_names_with_two_colons(name: str) -> None:
    assert not GTO_FULLNAME.match(name)
    assert not is_valid_name(name)


@pytest.mark.parametrize("text,expected", [
    ("churn::churn", Spec("churn::churn")),
    ("churn::churn#prod", Spec("churn::churn", stage="prod")),
    ("vision-repo::models/vision:detector@v1.2.0", Spec("vision-repo::models/vision:detector", version="v1.2.0")),
    ("a_b::c@latest", Spec("a_b::c")),
    ("churn#prod", Spec("churn", stage="prod")),
])
def test_qualified_specs_parse(text: str, expected: Spec) -> None:
    assert parse_spec(text) == expected


@pytest.mark.parametrize("text", ["a.b::c", "::c", "a::b::c", "a::b#", "a:::b", "-a::b"])
def test_malformed_qualified_specs_are_refused(text: str) -> None:
    with pytest.raises(InvalidName):
        parse_spec(text)


def test_split_and_qualify_are_inverse() -> None:
    assert split_qualified(qualify("mono", "vision:detector")) == ("mono", "vision:detector")
    assert split_qualified("plain") == (None, "plain")


@pytest.mark.parametrize("name,api,page", [
    ("mono::vision:detector", "api/models/mono/vision.detector.json", "mono/vision.detector"),
    ("churn::models/churn", "api/models/churn/models~churn.json", "churn/models~churn"),
    ("churn::stages", "api/models/churn/stages.json", "churn/stages~"),
    ("vision:detector", "api/models/vision.detector.json", "vision.detector"),  # one repository: as before
])
def test_paths_of_qualified_names(name: str, api: str, page: str) -> None:
    assert api_file(name) == api and page_stem(name) == page


@pytest.mark.parametrize("name,ok", [("churn", True), ("vision-2", True), ("a_b", True), ("a.b", False),
                                     ("-a", False), ("a/b", False), ("", False), ("a" * 65, False)])
def test_source_names_are_plain_folder_names(name: str, ok: bool) -> None:
    assert is_valid_source_name(name) is ok
