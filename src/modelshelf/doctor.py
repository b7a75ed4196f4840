"""``modelshelf doctor``: a list of checks over one registry, each returning finding lines.

A check is a function ``(Checkup) -> list[str]``; add one to ``CHECKS`` to extend
doctor. The ``Checkup`` builds what several checks share (the index, the metadata
reader) once, on first use.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .builders import ignored_plugin_findings
from .gtocompat.gto_config import CONFIG_FILE
from .gtocompat.views import declared_only
from .core.events import counter_ties
from .index.build import Index, build_index
from .index.metadata_json import MetadataJson
from .registry import Registry
from .core.naming import case_collisions
from .core.rules import RULES_FILE, RulesError
from .governance.index_fields import rules_problem
from .governance.source import default_branch, load_governance, read_rules
from .sitebuild.site_cache import committed_cache

# The keys gto 1.x's config accepts (its settings fields, case-insensitive); any other
# key makes gto stop with "Wrong config file".
GTO_CONFIG_KEYS = frozenset({
    "index", "config_file_name", "log_level", "debug", "emojis",
    "types", "stages", "enrichments", "autoload_enrichments",
})
READ_HERE = frozenset({"types", "stages"})  # what modelshelf itself reads (lowercase only)


@dataclass
class Checkup:
    registry: Registry
    tags_only: bool = False
    _index: Index | None = field(default=None, repr=False)
    _metadata: MetadataJson | None = field(default=None, repr=False)

    @property
    def index(self) -> Index:
        if self._index is None:
            self._index = build_index(self.registry, progress=None)
        return self._index

    @property
    def metadata(self) -> MetadataJson:
        if self._metadata is None:
            self._metadata = MetadataJson(self.registry)
        return self._metadata

    @property
    def head(self) -> str | None:
        return self.registry.head.hexsha if self.registry.head else None


Check = Callable[[Checkup], list[str]]


def tag_findings(c: Checkup) -> list[str]:
    registry = c.registry
    findings = [f"repo: {w.message}" for w in registry.warnings]
    findings += [f"tag {t.name}: ignored, {t.reason}" for t in registry.ignored]
    findings += counter_ties(registry.tags)
    repaired = set(registry.repo.tags_not_utf8())
    findings += [f"tag {t.record.name}: its message or tagger is not UTF-8 (read here with U+FFFD in place "
                 "of the bad bytes); gto stops on this repository until the tag is re-created"
                 for t in registry.tags if t.record.name in repaired]
    findings += case_collisions(registry.state.artifacts)
    return findings + registry.problems


def _config_data(c: Checkup) -> tuple[str, Any]:
    path = Path(c.registry.repo.root) / CONFIG_FILE
    if not c.registry.repo.is_bare and path.is_file():
        raw: bytes | None = path.read_bytes()
        where = CONFIG_FILE
    else:
        raw = c.registry.repo.read_file(c.head, CONFIG_FILE) if c.head else None
        where = f"{CONFIG_FILE} at HEAD"
    if raw is None:
        return where, None
    import yaml  # only repos with a .gto file pay for it

    try:
        return where, yaml.safe_load(raw)
    except yaml.YAMLError:
        return where, None  # loading the registry reported it already


def config_findings(c: Checkup) -> list[str]:
    """Keys of ``.gto`` that gto refuses, or reads differently than modelshelf."""
    where, data = _config_data(c)
    if not isinstance(data, dict):
        return []
    findings = []
    for key in data:
        name = str(key)
        if name.lower() not in GTO_CONFIG_KEYS:
            findings.append(f"{where}: unknown key '{name}': gto refuses the file (\"Wrong config file\"); "
                            f"it accepts {', '.join(sorted(GTO_CONFIG_KEYS))}")
        elif name.lower() in READ_HERE and name != name.lower():
            findings.append(f"{where}: key '{name}': gto reads it as '{name.lower()}', modelshelf only reads "
                            f"'{name.lower()}' (write it in lowercase)")
    return findings


def metadata_findings(c: Checkup) -> list[str]:
    if c.tags_only:
        return []
    repo_warnings = {w.message for w in c.registry.warnings}  # already listed as "repo: ..."
    findings = [p for p in c.index.problems if p not in repo_warnings and not _said_by_rules_findings(p)]
    # Values the index leaves out (NaN metrics): not problems (a build does not warn),
    # but a user loses them, so they are listed here and count as findings.
    return findings + [f"note: {notice}" for notice in c.index.notices]


def _said_by_rules_findings(problem: str) -> bool:
    """The index's "allowed-signers file ... is missing" line: ``rules_findings`` says it with the line."""
    return problem.startswith("allowed-signers file ") and f"(named by {RULES_FILE}) is missing" in problem


def orphan_metrics_findings(c: Checkup) -> list[str]:
    """Metrics files a dvc.yaml lists that belong to none of its models (at HEAD): with
    several models, a file outside every model's folder and not named in a ``meta``."""
    if c.tags_only or c.head is None:
        return []
    reader = c.metadata.reader
    declarations = reader.declarations(c.head)
    owned: set[str] = set()
    folders_with_models: set[str] = set()
    for name in declarations:
        decl = declarations[name]
        folders_with_models.add(decl.folder)
        meta = reader.version(c.head, name)
        owned.update(source.path for source in meta.metric_sources)
        owned.update(meta.missing)
    findings = []
    for dvcyaml, listed in reader.listed_metrics(c.head).items():
        folder = dvcyaml.rpartition("/")[0]
        if folder not in folders_with_models:
            continue  # a pipeline without models: its metrics are nobody's by design
        findings += [
            f"{path}: metrics file listed in {dvcyaml} belongs to no model (several models, none in its folder "
            f"or naming it): name it in its model's meta (`meta: {{metrics: {posixpath.relpath(path, folder or '.')}}}`"
            " in dvc.yaml) or move it into the model's folder"
            for path in listed if path not in owned
        ]
    return findings


def lost_metrics_findings(c: Checkup) -> list[str]:
    """A model whose metrics were there at one version and are gone at the next (or at HEAD)."""
    if c.tags_only:
        return []
    findings = []
    for model in c.index.data["models"]:
        by_name = {v["version"]: v for v in model["versions"]}
        for version in model["versions"]:
            before = by_name.get(version["previous"] or "")
            if before and before["metrics"] and not version["metrics"]:
                findings.append(f"model {model['name']} version {version['version']}: no metrics, while "
                                f"{before['version']} had {_keys(before['metrics'])}: its metrics file is no "
                                "longer its (see the file's line above, or name it in the model's meta)")
        latest = by_name.get(model["latest"] or "")
        if latest and latest["metrics"] and c.head and model["name"] in c.metadata.reader.declarations(c.head):
            if not c.metadata.reader.version(c.head, model["name"]).metrics:
                findings.append(f"model {model['name']} at HEAD: no metrics, while {latest['version']} had "
                                f"{_keys(latest['metrics'])}: the next version will have none")
    return findings


def rules_findings(c: Checkup) -> list[str]:
    """The rules file that counts (the default branch's) and the work tree's when it differs: malformed
    YAML or rules (file and line), and an allowed-signers file they name that is missing."""
    repo = c.registry.repo
    findings: list[str] = []
    branch = None
    try:
        branch = default_branch(repo)
        governance = load_governance(repo, c.registry.config)
    except RulesError as exc:
        findings.append(rules_problem(exc))  # the line an index build prints, so it is listed once
    else:
        rules = governance.rules
        if rules is not None and governance.missing_signers:
            line = f", line {rules.signers_line}" if rules.signers_line else ""
            findings.append(f"{rules.origin}{line}: {governance.missing_signers}: signed tags cannot be verified")
    committed = repo.read_file(branch.commit, RULES_FILE) if branch else None
    if repo.is_bare:
        return findings
    path = Path(repo.root) / RULES_FILE
    if not path.is_file() or path.read_bytes() == committed:
        return findings
    origin = f"{RULES_FILE} (work tree)"
    try:
        rules = read_rules(path.read_bytes(), origin, c.registry.config.stages)
    except RulesError as exc:
        return findings + [str(exc)]
    signers = rules.allowed_signers
    if signers is not None and not (Path(repo.root) / signers).is_file():
        line = f", line {rules.signers_line}" if rules.signers_line else ""
        findings.append(f"{origin}{line}: allowed-signers file {signers} is missing in the work tree")
    return findings


def cache_findings(c: Checkup) -> list[str]:
    """A modelshelf cache committed to the repository (builds never read it; see sitebuild/site_cache.py)."""
    return committed_cache(c.registry.repo)


def builder_findings(c: Checkup) -> list[str]:
    """A builder that would ignore the modelshelf plugin (Zensical) and publish no catalog."""
    if c.registry.repo.is_bare:
        return []  # its files are read from the work tree: see ``not_checked``
    return ignored_plugin_findings(c.registry.repo.root)


def not_checked(registry: Registry) -> list[str]:
    """Checks that read the work tree, which a bare repository (a ``--repo URL`` mirror) has not."""
    if not registry.repo.is_bare:
        return []
    return ["not checked without a work tree (a bare repository or the mirror of a URL): which builder "
            "would build the site (mkdocs.yml, zensical.toml, CI files); run doctor in a clone for it"]


def _keys(metrics: dict[str, Any]) -> str:
    names = sorted(metrics)
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")


CHECKS: list[Check] = [
    tag_findings,
    config_findings,
    metadata_findings,
    orphan_metrics_findings,
    lost_metrics_findings,
    rules_findings,
    cache_findings,
    builder_findings,
]


def run_checks(registry: Registry, tags_only: bool = False, checks: list[Check] | None = None) -> list[str]:
    """Every check's findings, each line once, in the order of ``CHECKS``."""
    checkup = Checkup(registry, tags_only)
    found: dict[str, None] = {}
    for check in checks if checks is not None else CHECKS:
        for line in check(checkup):
            found.setdefault(line, None)
    return list(found)


@dataclass(frozen=True)
class Diagnosis:
    """``modelshelf doctor``'s answer: the findings (problems), and what it says besides."""

    findings: list[str]
    declared_only: list[str]  # models declared at HEAD with no version yet: not a problem
    tags: int
    models: int
    not_checked: list[str] = field(default_factory=list)  # checks that could not run here (no work tree)

    @property
    def ok(self) -> bool:
        return not self.findings

    def lines(self) -> list[str]:
        """The report as the CLI prints it: findings, the unversioned models, else an all-clear."""
        lines = list(self.findings) + [f"note: {line}" for line in self.not_checked]
        if self.declared_only:
            lines.append(f"declared, no version yet: {', '.join(self.declared_only)} "
                         "(register one with `modelshelf register NAME`)")
        if self.ok:
            lines.append(f"ok: {self.tags} registry tags, {self.models} models, no problems found")
        return lines


def diagnose(registry: Registry, tags_only: bool = False) -> Diagnosis:
    """Run every check over ``registry`` (``tags_only``: not the metadata at every version)."""
    findings = run_checks(registry, tags_only=tags_only)
    unversioned = declared_only(registry)
    return Diagnosis(findings, unversioned, len(registry.tags), len(registry.state.artifacts) + len(unversioned),
                     not_checked(registry))
