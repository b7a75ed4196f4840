"""One source per fact: the plugin's option defaults are the catalog options' and reach
them through one conversion; file names, the schema version and the candidates default are each written once in the
source (GTO's tag wording: ``tests/test_write.py`` compares the tags with gto's own)."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import modelshelf
from modelshelf.core.repo_files import ARTIFACTS_YAML
from modelshelf.plugin.mkdocs_options import SHARED_OPTIONS, ModelshelfConfig, site_options
from modelshelf.render.site_options import SiteOptions

PACKAGE = Path(modelshelf.__file__).resolve().parent


def plugin_config(values: dict) -> ModelshelfConfig:
    config = ModelshelfConfig()
    config.load_dict(values)
    failed, warnings = config.validate()
    assert not failed and not warnings, (failed, warnings)
    return config


def test_an_unset_plugin_option_is_the_catalog_default() -> None:
    converted = site_options(plugin_config({}), remote=None, site_url=None, site_name="Model registry",
                             use_directory_urls=True)
    assert converted == SiteOptions()


def test_every_catalog_option_is_set_from_the_plugin() -> None:
    """A value other than the default for each option arrives in ``SiteOptions`` (the renamed two too)."""
    values = {"catalog_dir": "registry/", "stages_page": False, "activity_page": False, "feed": False,
              "metrics": ["auc"], "max_metrics": 2, "lower_is_better": ["*loss"], "table_metrics": 1,
              "stage_colors": {"prod": "#123456"}, "activity_entries": 7, "feed_entries": 3,
              "stages": ["prod", "dev"], "git_url": "https://git.example/r/commit/{sha}"}
    assert set(SHARED_OPTIONS) <= set(values)
    options = site_options(plugin_config(values), remote=None, site_url="https://docs.example/", site_name="S",
                           use_directory_urls=False)
    got = {f.name: getattr(options, f.name) for f in dataclasses.fields(SiteOptions) if f.init}
    default = SiteOptions()
    unchanged = [name for name, value in got.items() if value == getattr(default, name)]
    assert not unchanged, unchanged  # every field came from an option
    assert options.stage_order == ("prod", "dev") and options.commit_url == "https://git.example/r/commit/{sha}"
    assert options.metrics == ("auc",) and options.stage_colors == {"prod": "#123456"}


def _constants(value: object) -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text())
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and node.body
                      and isinstance(node.body[0], ast.Expr)}
        found += [f"{path.relative_to(PACKAGE)}:{node.lineno}" for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and node.value == value and id(node) not in docstrings
                  and type(node.value) is type(value)]
    return found


def _candidate_literals() -> list[str]:
    """``default=20`` beside a candidates option, or a literal candidates/depth count: not the constant."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and "candidates" in ast.unparse(node):
                found += [f"{path.relative_to(PACKAGE)}:{node.lineno}" for kw in node.keywords
                          if kw.arg in {"default", "candidates", "depth"} and isinstance(kw.value, ast.Constant)
                          and kw.value.value == 20]
    return found


def test_file_names_and_defaults_are_written_once() -> None:
    assert _constants(ARTIFACTS_YAML) == ["core/repo_files.py:8"]
    assert not _candidate_literals()  # DEFAULT_CANDIDATES (compare/candidates.py) everywhere
    assert _schema_version_writes() and not [w for w in _schema_version_writes() if w[1] != "SCHEMA_VERSION"]


def _schema_version_writes() -> list[tuple[str, str]]:
    """Each dict literal that writes ``schema_version``, with the expression it writes."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Dict):
                found += [(f"{path.relative_to(PACKAGE)}:{node.lineno}", ast.unparse(value))
                          for key, value in zip(node.keys, node.values)
                          if isinstance(key, ast.Constant) and key.value == "schema_version"]
    return found

