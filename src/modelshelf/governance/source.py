"""Which rules and signers count: those of the default branch's tip, never the tagged commit's.

Anyone who may push a tag could tag a commit that carries permissive rules, so
``.modelshelf.yaml`` and the allowed-signers file it names are read at the
default branch's tip: the remote-tracking one when the clone has it (in CI,
``origin/HEAD``, else ``origin/main`` / ``origin/master``), else the local
``main`` / ``master``, else the checked-out branch (never a detached HEAD);
``MODELSHELF_DEFAULT_BRANCH`` names it outright (the scaffolded CI sets it). With
no rules file naming one, Git's own ``gpg.ssh.allowedSignersFile`` applies.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import yaml

from ..gtocompat.gto_config import RegistryConfig
from ..core.rules import RULES_FILE, Path, Rules, RulesError, parse_rules
from ..git import GitError, GitRepo
from ..metadata.parse import describe_parse_error

DEFAULT_BRANCH_REFS = (
    "refs/remotes/origin/HEAD", "refs/remotes/origin/main", "refs/remotes/origin/master",
    "refs/heads/main", "refs/heads/master",
)


@dataclass(frozen=True)
class DefaultBranch:
    ref: str  # "refs/remotes/origin/HEAD"
    commit: str

    @property
    def label(self) -> str:
        """``origin/main (abc1234)``: how messages name where the rules were read."""
        short = self.ref.removeprefix("refs/remotes/").removeprefix("refs/heads/")
        return f"{short} ({self.commit[:7]})"


@dataclass(frozen=True)
class Governance:
    """The rules and the signers that count for a repository, and where they came from."""

    branch: DefaultBranch | None
    rules: Rules | None  # None: no rules file at the default branch's tip
    allowed_signers: bytes | None  # the file the rules name; None: Git's own setting
    signers_name: str = ""  # how messages name that file
    missing_signers: str = ""  # why SSH signatures cannot verify (the named file is missing)


DEFAULT_BRANCH_ENV = "MODELSHELF_DEFAULT_BRANCH"  # CI names it (the scaffolded workflows set it)


def default_branch(repo: GitRepo) -> DefaultBranch | None:
    """The default branch's tip, as this module's docstring orders the candidates.

    ``MODELSHELF_DEFAULT_BRANCH`` names the branch outright (CI knows it: a default branch
    called ``develop`` must not leave a tag's check without rules); then it must exist.
    """
    named = os.environ.get(DEFAULT_BRANCH_ENV, "").strip()
    if named:
        for ref in (f"refs/remotes/origin/{named}", f"refs/heads/{named}"):
            commit = repo.resolve(ref)
            if commit is not None:
                return DefaultBranch(ref, commit)
        raise RulesError(f"{DEFAULT_BRANCH_ENV}={named}: this clone has neither origin/{named} nor {named}, "
                         f"whose {RULES_FILE} counts: fetch it (`git fetch origin {named}`)")
    for ref in DEFAULT_BRANCH_REFS:
        commit = repo.resolve(ref)
        if commit is not None:
            return DefaultBranch(ref, commit)
    try:
        current = repo.run("symbolic-ref", "-q", "HEAD").strip()
    except GitError:
        return None  # detached: a tag's commit is never the source of the rules
    commit = repo.resolve(current) if current else None
    return DefaultBranch(current, commit) if commit else None


def branch_ref(repo: GitRepo, branch: str) -> str | None:
    """A rule's branch, as the check sees it: the remote-tracking one, else the local one."""
    for ref in (f"refs/remotes/origin/{branch}", f"refs/heads/{branch}"):
        if repo.resolve(ref) is not None:
            return ref
    return None


def load_governance(repo: GitRepo, config: RegistryConfig) -> Governance:
    """The rules at the default branch's tip (``RulesError`` when they are malformed)."""
    branch = default_branch(repo)
    if branch is None:
        return Governance(None, None, None)
    raw = repo.read_file(branch.commit, RULES_FILE)
    if raw is None:
        return Governance(branch, None, None)
    origin = f"{RULES_FILE} at {branch.label}"
    rules = read_rules(raw, origin, config.stages)
    if rules.allowed_signers is None:
        return Governance(branch, rules, None)
    name = f"{rules.allowed_signers} at {branch.label}"
    content = repo.read_file(branch.commit, rules.allowed_signers)
    if content is None:
        return Governance(branch, rules, None, name,
                          f"allowed-signers file {rules.allowed_signers} (named by {RULES_FILE}) "
                          f"is missing at {branch.label}")
    return Governance(branch, rules, content, name)


def read_rules(raw: bytes, origin: str, allowed_stages: tuple[str, ...] | None) -> Rules:
    """Parse the YAML with each key's line, then validate (``core.rules``)."""
    try:
        node = yaml.compose(raw.decode("utf-8"), Loader=yaml.SafeLoader)
        data = yaml.safe_load(raw)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise RulesError(f"{origin}: {describe_parse_error(exc)}") from None
    lines: dict[Path, int] = {}
    if node is not None:
        _lines(node, (), lines, origin)
    return parse_rules(data, lines, origin, allowed_stages)


def _lines(node: yaml.Node, path: Path, found: dict[Path, int], origin: str) -> None:
    found.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = str(key.value)
            if name in seen:
                raise RulesError(f"{origin}, line {key.start_mark.line + 1}: duplicate key '{name}'")
            seen.add(name)
            found[path + (name,)] = key.start_mark.line + 1
            _lines(value, path + (name,), found, origin)
            found[path + (name,)] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _lines(item, path + (i,), found, origin)

