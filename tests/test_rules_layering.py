"""Where the rules code sits in the code map (README): the grammar and the judging are pure
``core``; ``governance`` reads Git and metadata but never the site layers or the CLI; the
write path and the download API reach it without pulling in the index's caches."""

from __future__ import annotations

from tests.test_code_map import IMPORTS, broken, is_cli, unit_of

GOVERNANCE_MAY_IMPORT = {"governance", "core", "git", "gtocompat", "registry", "metadata", "atomic", "sitebuild"}


def test_governance_imports_only_the_data_layers() -> None:
    found = [i for i in IMPORTS if unit_of(i.file) == "governance" and i.internal
             and (i.unit not in GOVERNANCE_MAY_IMPORT or is_cli(i.unit))]
    assert not found, broken(found)


def test_only_the_index_fields_use_the_verdict_cache() -> None:
    """Enforcement points (write, check-ref, download) never reach cached verdicts."""
    found = [i for i in IMPORTS if i.target.endswith("governance.verdict_cache")
             and not str(i.file).endswith(("governance/index_fields.py", "governance/assess.py"))]
    assert not found, broken(found)
    assess = [i for i in IMPORTS if str(i.file).endswith("governance/assess.py")
              and i.target.endswith("verdict_cache") and i.top_level]
    assert not assess, "assess.py may name the cache only for type checking"
