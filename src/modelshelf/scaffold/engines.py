"""``init --engine zensical``: the scaffold for a site that Zensical builds.

Zensical runs no MkDocs plugin, so its ``mkdocs.yml`` lists the generated
catalog's pages, CSS and scripts instead of the plugin (own template files);
the CI definitions are the MkDocs ones with the build step and the install
line changed, so both engines keep one workflow to maintain.
"""

from __future__ import annotations

ENGINES = ("mkdocs", "zensical")
ZENSICAL_CONFIG = "zensical-mkdocs.yml"  # the site config, instead of the packaged catalog config
ZENSICAL_CI_SOURCES = ("github-workflow.yml", "gitlab-ci.yml")  # CI templates whose build step changes
# What CI installs to build with Zensical: the version the tests build with (pyproject's test
# extra); 0.0.74 and later need the zensical-ui package, which not every package index carries.
ZENSICAL_REQUIREMENT = "zensical==0.0.73"
_EDITS = (
    ("modelshelf build --strict", "modelshelf build --engine zensical --strict"),
    ("pip install @@INSTALL@@", f"pip install @@INSTALL@@ {ZENSICAL_REQUIREMENT}"),
)


def zensical_ci(source: str, text: str) -> str:
    """A CI definition that builds with Zensical; fails loudly if the template no longer has the lines."""
    for old, new in _EDITS:
        if old not in text:
            raise AssertionError(f"scaffold template {source}: no '{old}' line to adapt for Zensical")
        text = text.replace(old, new)
    return text
