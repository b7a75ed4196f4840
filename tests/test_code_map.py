"""The README's "Code map" rules, read from the source with ``ast``: which part of
``src/modelshelf`` may import which. Every import counts (function-level ones too),
except where a rule says "at import time" (module level, outside ``if TYPE_CHECKING``).

A "unit" is the first name under ``modelshelf``: a package (``core``, ``render`` ...)
or a top-level module (``registry``, ``declare`` ...); ``""`` is the package root.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "modelshelf"
STDLIB = frozenset(sys.stdlib_module_names)
CLI = "the CLI (cli/, __main__.py)"


@dataclass(frozen=True)
class Import:
    file: Path
    line: int
    target: str  # absolute dotted name: "modelshelf.core.grammar", "yaml", "mkdocs.config"
    top_level: bool  # runs at import time

    @property
    def internal(self) -> bool:
        return self.target == "modelshelf" or self.target.startswith("modelshelf.")

    @property
    def unit(self) -> str:
        """The unit imported from (for internal imports) or the distribution's top module."""
        parts = self.target.split(".")
        if not self.internal:
            return parts[0]
        named = parts[1] if len(parts) > 1 else ""
        is_part = (PACKAGE / named).is_dir() or (PACKAGE / f"{named}.py").is_file()
        return named if named and is_part else ""  # `from modelshelf import __version__`: the root

    def __str__(self) -> str:
        return f"{self.file.relative_to(ROOT)}:{self.line} imports {self.target}"


def unit_of(path: Path) -> str:
    relative = path.relative_to(PACKAGE).with_suffix("")
    return "" if relative.parts == ("__init__",) else relative.parts[0]


def is_cli(unit: str) -> bool:
    return unit in {"cli", "__main__"}


def _type_checking_only(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def imports_of(path: Path) -> Iterator[Import]:
    module = ".".join(("modelshelf", *path.relative_to(PACKAGE).with_suffix("").parts))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    package = package.removesuffix(".__init__")
    tree = ast.parse(path.read_text(), filename=str(path))
    top = {id(node) for node in tree.body}
    skipped = {id(inner) for node in tree.body if _type_checking_only(node) for inner in ast.walk(node)}
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                targets = ([f"{base}.{node.module}"] if node.module
                           else [f"{base}.{alias.name}" for alias in node.names])
            else:
                targets = [node.module or ""]
        else:
            continue
        for target in targets:
            yield Import(path, node.lineno, target, id(node) in top)


SOURCES = sorted(PACKAGE.rglob("*.py"))
IMPORTS = [found for path in SOURCES for found in imports_of(path)]


def imports_from(unit_test) -> list[Import]:
    return [i for i in IMPORTS if unit_test(unit_of(i.file))]


def broken(found: list[Import]) -> str:
    return "\n".join(map(str, found))


def test_the_parser_sees_the_imports_it_checks() -> None:
    """Guards the test itself: relative imports resolve, and the known edges are found."""
    targets = {(unit_of(i.file), i.target) for i in IMPORTS}
    assert ("delivery", "modelshelf.core.grammar") in targets  # from ..core.grammar import ...
    assert ("render", "matplotlib") in targets or ("render", "matplotlib.pyplot") in targets
    assert ("plugin", "mkdocs.plugins") in targets or any(u == "plugin" and t.startswith("mkdocs") for u, t in targets)
    assert len(SOURCES) > 50 and len(IMPORTS) > 300


def test_core_is_pure_standard_library() -> None:
    """core/ is the GTO grammar and state machine: no I/O libraries, nothing else from the package."""
    found = [i for i in imports_from(lambda u: u == "core")
             if (i.internal and i.unit != "core") or (not i.internal and i.unit not in STDLIB)]
    assert not found, broken(found)


def test_git_needs_only_core_and_the_standard_library() -> None:
    found = [i for i in imports_from(lambda u: u == "git")
             if (i.internal and i.unit not in {"git", "core"}) or (not i.internal and i.unit not in STDLIB)]
    assert not found, broken(found)


def test_metadata_reads_through_git_and_core_only() -> None:
    allowed_external = STDLIB | {"yaml"}
    found = [i for i in imports_from(lambda u: u == "metadata")
             if (i.internal and i.unit not in {"metadata", "git", "core"})
             or (not i.internal and i.unit not in allowed_external)]
    assert not found, broken(found)


def test_render_never_imports_mkdocs_the_plugin_or_the_cli() -> None:
    """render/ hands plain PageSpec/SiteFile data to the plugin; it must work without MkDocs."""
    found = [i for i in imports_from(lambda u: u == "render")
             if (i.internal and (i.unit in {"plugin", "sitebuild", "demo"} or is_cli(i.unit)))
             or (not i.internal and i.unit in {"mkdocs", "material", "pymdownx"})]
    assert not found, broken(found)


def test_the_download_api_loads_only_the_standard_library_at_import_time() -> None:
    """``modelshelf.download`` must stay cheap for deploy scripts: delivery/ pulls in the index,
    registry and fsspec only inside the functions that need them."""
    found = [i for i in imports_from(lambda u: u == "delivery") if i.top_level
             and ((i.internal and i.unit not in {"delivery", "core", "git", ""})
                  or (not i.internal and i.unit not in STDLIB))]
    assert not found, broken(found)
    found = [i for i in imports_from(lambda u: u == "delivery")
             if i.internal and (i.unit in {"render", "plugin", "sitebuild"} or is_cli(i.unit))]
    assert not found, broken(found)


SITE_BUILDERS = frozenset({"plugin", "sitebuild"})
SITE_COMMANDS = PACKAGE / "cli" / "site.py"  # build/serve/demo: the one CLI module over MkDocs


def is_site_builder(path: Path) -> bool:
    return unit_of(path) in SITE_BUILDERS or path == SITE_COMMANDS


def test_mkdocs_is_imported_only_by_the_site_builders() -> None:
    """The MkDocs layer: the plugin, the MkDocs build, and the plugin-free generator (which reads
    mkdocs.yml and validates the plugin's options with the plugin's own config class)."""
    found = [i for i in IMPORTS if not i.internal and i.unit in {"mkdocs", "material", "pymdownx"}
             and not is_site_builder(i.file)]
    assert not found, broken(found)


def test_nothing_below_the_cli_or_the_plugin_imports_them() -> None:
    """The CLI and the MkDocs plugin are the two front ends: thin, and on top."""
    found = [i for i in IMPORTS if i.internal and is_cli(i.unit) and not is_cli(unit_of(i.file))]
    found += [i for i in IMPORTS if i.internal and i.unit == "plugin" and not is_site_builder(i.file)]
    assert not found, broken(found)


def test_writes_and_scaffolding_never_import_the_site_layers() -> None:
    found = [i for i in imports_from(lambda u: u in {"write", "scaffold", "declare", "gtocompat"})
             if i.internal and (i.unit in {"render", "plugin", "sitebuild", "compare"} or is_cli(i.unit))]
    assert not found, broken(found)


def test_render_does_not_import_the_index_layer() -> None:
    found = [i for i in imports_from(lambda u: u == "render")
             if i.internal and i.unit in {"index", "registry"}]
    assert not found, broken(found)


def test_compare_and_render_do_not_import_each_other() -> None:
    found = [i for i in imports_from(lambda u: u == "compare") if i.internal and i.unit == "render"]
    assert not found, broken(found)


def test_the_readme_code_map_names_every_part_of_the_package() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Code map"):]
    section = section[: section.index("\n## ", 1)] if "\n## " in section[1:] else section
    parts = {p.name if p.is_dir() else p.stem for p in PACKAGE.iterdir()
             if (p.is_dir() and (p / "__init__.py").exists()) or (p.suffix == ".py" and p.name != "__init__.py")}
    missing = sorted(part for part in parts if f"`{part}" not in section)
    assert not missing, f"README.md's Code map does not name: {missing}"


def test_the_leaf_modules_import_only_the_standard_library() -> None:
    """Shared by layers that must not import each other: the JSON text format (index and render),
    the page/file specs and URLs (render's page modules), number formatting (render and the CLI)."""
    leaves = {PACKAGE / "json_text.py", PACKAGE / "render" / "pages.py", PACKAGE / "number_format.py"}
    assert all(path.exists() for path in leaves), leaves
    found = [i for i in IMPORTS if i.file in leaves and (i.internal or i.unit not in STDLIB)]
    assert not found, broken(found)


def test_render_modules_import_each_other_only_at_the_top() -> None:
    """A render module importing another inside a function hid the site <-> compare page cycle."""
    found = [i for i in imports_from(lambda u: u == "render") if not i.top_level
             and i.target.startswith("modelshelf.render.") and i.target != "modelshelf.render.card"]
    assert not found, broken(found)
