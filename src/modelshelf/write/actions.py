"""register / assign / unassign / deregister / deprecate, as GTO 1.10 does them.

Each function loads the registry, validates against the folded state (the
same rules, in the same order, as ``gto/registry.py``), writes one annotated
tag and optionally pushes it. Counters: GTO's CLI writes ``NAME@vX.Y.Z``,
``NAME@vX.Y.Z!`` and ``NAME@deprecated`` without one and ``NAME#STAGE#N`` /
``NAME#STAGE!#N`` with one; ``simple`` overrides that as GTO's ``--simple``.

``unassign``, ``deregister`` and ``deprecate`` take GTO's ``delete``: after the
same validation (so ``force`` is needed where GTO needs it, e.g. to delete the
tags of a deprecated model), they delete the tags of the events they would
have added to, instead of writing one, and return a ``DeleteResult``.
"""

from __future__ import annotations

import contextlib
import difflib
import os
from dataclasses import replace
from typing import Literal, overload

from ..gtocompat.gto_config import RegistryConfig
from ..core.events import Event, EventKind
from ..core.grammar import Action, check_name, check_stage, tag_message
from ..core.semver import MINIMAL_VERSION, SemVer
from ..core.state import ArtifactState, VersionState
from ..metadata import MetadataReader
from ..registry import Registry, load_registry
from .errors import (
    AlreadyDone, CommitHasVersion, InvalidArgs, NotInRegistry, PushFailed, StageAlreadyAssigned, VersionExists,
)
from .result import DeleteResult, WriteResult
from .enforce import check_proposed, check_written
from .tags import create_tag, delete_tags, make_tag_name, push_tag

PathLike = str | os.PathLike[str]
BUMPS = ("major", "minor", "patch")


def _artifact(registry: Registry, name: str) -> ArtifactState:
    return registry.state.artifacts.get(name) or ArtifactState(name)


def _resolve(registry: Registry, ref: str, version_flag: str | None = None) -> str:
    """The commit ``ref`` names; ``version_flag``: the option that takes a version
    instead, suggested when ``ref`` is a version name (``assign m v1.0.0``)."""
    commit = registry.repo.resolve(ref)
    if commit is None:
        hint = (f"; to name the version {ref}, use {version_flag} {ref}"
                if version_flag and SemVer.is_valid(ref) else "")
        raise NotInRegistry(f"ref '{ref}' was not found in the repository history{hint}")
    return commit


def close_matches(name: str, names: list[str]) -> str:
    """`` (did you mean 'a' or 'b'?)`` for a likely typo of one of ``names``, else ''."""
    found = difflib.get_close_matches(name, sorted(set(names) - {name}), n=3, cutoff=0.7)
    return f" (did you mean {' or '.join(repr(n) for n in found)}?)" if found else ""


def _known_model(registry: Registry, name: str) -> ArtifactState:
    """The model, for actions on an existing version: an unknown name is a typo, not 'no version'."""
    artifact = registry.state.artifacts.get(name)
    if artifact is None:
        known = sorted(registry.state.artifacts)
        raise NotInRegistry(f"unknown model '{name}'{close_matches(name, known)}; known models: "
                       f"{', '.join(known) or 'none'}")
    return artifact


def _declaration_warnings(registry: Registry, name: str, commit: str) -> tuple[str, ...]:
    """GTO registers any name; a name that nothing declares at the commit is likely a typo."""
    declared = list(MetadataReader(registry.repo).declarations(commit))
    if name in declared:
        return ()
    return (f"no dvc.yaml (or artifacts.yaml) at commit {commit[:7]} declares '{name}'"
            f"{close_matches(name, declared + list(registry.state.artifacts))}; the tag was written anyway, "
            "as GTO does (delete it with `git tag -d TAG` if it was a typo)",)


def _check_version(version: str) -> str:
    if not SemVer.is_valid(version):
        raise InvalidArgs(f"version '{version}' is not valid: expected vMAJOR.MINOR.PATCH[-pre][+build], e.g. 'v1.0.0'")
    return version


def _check_stage(config: RegistryConfig, stage: str) -> str:
    check_stage(stage)
    config.check_stage(stage)
    return stage


def _one_of(version: str | None, ref: str | None) -> None:
    if (version is None) == (ref is None):
        raise InvalidArgs("give exactly one of a version or a ref")


def _write(
    registry: Registry,
    action: Action,
    name: str,
    commit: str,
    message: str,
    counted: bool,
    push: bool,
    remote: str,
    version: str | None = None,
    stage: str | None = None,
    sign: bool = False,
    force: bool = False,
) -> WriteResult:
    """Write one tag (``sign``: signed, then judged on its signature where rules name signers)."""
    tag = make_tag_name(
        registry.repo.tags(), action, name,
        version=version if action in (Action.REGISTER, Action.DEREGISTER) else None,
        stage=stage, counted=counted,
    )
    create_tag(registry.repo, tag, commit, message, sign=sign)
    warnings: tuple[str, ...] = ()
    if sign and action in (Action.REGISTER, Action.ASSIGN):
        warnings = check_written(registry.repo.root, tag, force)
    if push:
        push_tag(registry.repo, tag, remote)
    kind = {
        Action.REGISTER: EventKind.REGISTRATION,
        Action.DEREGISTER: EventKind.DEREGISTRATION,
        Action.ASSIGN: EventKind.ASSIGNMENT,
        Action.UNASSIGN: EventKind.UNASSIGNMENT,
        Action.DEPRECATE: EventKind.DEPRECATION,
    }[action]
    return WriteResult(tag, kind, name, commit, message, version=version, stage=stage, pushed=push, remote=remote,
                       warnings=warnings)


def _delete(
    registry: Registry,
    name: str,
    events: list[Event],
    push: bool,
    remote: str,
    version: str | None = None,
    stage: str | None = None,
) -> DeleteResult:
    """Delete the tags of ``events`` (oldest first), each once, as GTO's ``_delete_tags``."""
    tags = tuple(dict.fromkeys(e.tag for e in events if e.tag is not None))
    delete_tags(registry.repo, list(tags), push=push, remote=remote)
    return DeleteResult(name, tags, version=version, stage=stage, pushed=push and bool(tags), remote=remote)


def register(
    name: str,
    ref: str = "HEAD",
    version: str | None = None,
    bump: str | None = None,
    message: str | None = None,
    force: bool = False,
    simple: bool | None = None,
    push: bool = False,
    remote: str = "origin",
    repo: PathLike = ".",
    sign: bool = False,
) -> WriteResult:
    """Register a version of ``name`` at ``ref``: the given one, else latest bumped (patch), else v0.0.1."""
    check_name(name)
    if bump is not None and bump not in BUMPS:
        raise InvalidArgs(f"unknown bump '{bump}': use major, minor or patch")
    if version and bump:
        raise InvalidArgs("give either a version or a single bump option, not both")
    with load_registry(repo) as registry:
        commit = _resolve(registry, ref)
        artifact = _artifact(registry, name)
        found = artifact.find_version(commit=commit)
        if found is not None:
            if not force and found.is_registered and found.is_active:
                raise CommitHasVersion(
                    f"'{name}' is already registered at commit {commit[:7]} with version '{found.version}'"
                )
            if not version:
                version = found.version
            elif found.version != version:
                raise InvalidArgs(f"at commit {commit[:7]} you can only register {found.version} of '{name}'")
        if version:
            _check_version(version)
            if artifact.find_version(version=version) is not found:
                raise VersionExists(f"version '{version}' of '{name}' was registered already (tags keep it, even deregistered)")
        else:
            latest = artifact.latest(registered_only=True)
            if latest is not None:
                version = str(SemVer.parse(latest.version).bump(bump or "patch"))
            elif bump:
                raise InvalidArgs(f"can't bump: '{name}' has no registered version yet (give --version or no bump)")
            else:
                version = str(MINIMAL_VERSION)
        warnings = _declaration_warnings(registry, name, commit)
        warnings += check_proposed(registry, EventKind.REGISTRATION, name, commit, version, None, sign, force)
        result = _write(
            registry, Action.REGISTER, name, commit,
            message or tag_message(Action.REGISTER, name, version),
            counted=simple is False, push=push, remote=remote, version=version, sign=sign, force=force,
        )
        return replace(result, warnings=warnings + result.warnings)


def assign(
    name: str,
    stage: str,
    ref: str | None = None,
    version: str | None = None,
    new_version: str | None = None,
    message: str | None = None,
    force: bool = False,
    skip_registration: bool = False,
    simple: bool | None = None,
    push: bool = False,
    remote: str = "origin",
    repo: PathLike = ".",
    sign: bool = False,
) -> WriteResult:
    """Assign ``stage`` to ``version``, or to the commit ``ref`` (registering it first
    as ``new_version`` or the next patch, unless ``skip_registration``)."""
    check_name(name)
    if version is None and ref is None:
        ref = "HEAD"
    _one_of(version, ref)
    if version:
        _check_version(version)
    if new_version:
        _check_version(new_version)
        if skip_registration:
            raise InvalidArgs("give either a version name to register or --skip-registration, not both")
    with contextlib.ExitStack() as stack:  # the registry is read again after registering: both are closed
        registry = stack.enter_context(load_registry(repo))
        _check_stage(registry.config, stage)
        artifact = _artifact(registry, name)
        registration: WriteResult | None = None
        if version:
            found = _known_model(registry, name).find_version(version=version)
            if found is None:
                raise NotInRegistry(f"version '{version}' of '{name}' is not registered")
            commit = found.commit
        else:
            assert ref is not None
            commit = _resolve(registry, ref, version_flag="--version")
            found = artifact.find_version(commit=commit)
            if found is not None:
                if new_version:
                    raise InvalidArgs(
                        f"can't register '{new_version}': '{found.version}' of '{name}' is registered already at commit {commit[:7]}"
                    )
            else:
                if not skip_registration:
                    registration = register(name, commit, version=new_version, simple=True, push=push, remote=remote,
                                            repo=repo, sign=sign)
                    registry = stack.enter_context(load_registry(repo))
                    artifact = _artifact(registry, name)
                found = artifact.find_version(commit=commit, create=True)
        assert found is not None
        if not force and any(s.stage == stage for s in found.active_stages()):
            raise StageAlreadyAssigned(
                f"version '{found.version}' of '{name}' is already in stage '{stage}'; "
                "use --force to create a new Git tag nevertheless"
            )
        warnings = check_proposed(registry, EventKind.ASSIGNMENT, name, commit, found.version, stage, sign, force)
        try:
            result = _write(
                registry, Action.ASSIGN, name, commit,
                message or tag_message(Action.ASSIGN, name, found.version, stage),
                counted=simple is not True, push=push, remote=remote, version=found.version, stage=stage,
                sign=sign, force=force,
            )
        except PushFailed as exc:
            if registration is None:
                raise
            raise PushFailed(f"{exc}; tag '{registration.tag}', registering {found.version} first, was pushed and stays") from None
        return replace(result, registration=registration, warnings=warnings + result.warnings)


def _stage_holder(artifact: ArtifactState, stage: str) -> VersionState:
    held = artifact.stages().get(stage, [])
    if not held:
        raise NotInRegistry(f"stage '{stage}' of '{artifact.name}' holds no version")
    history = held[0]
    found = artifact.find_version(version=history.version, commit=history.commit, include_discovered=True)
    assert found is not None
    return found


# Overloads: the result type follows ``delete`` (a new tag, or the deleted ones).
@overload
def unassign(
    name: str, stage: str, version: str | None = ..., ref: str | None = ..., message: str | None = ...,
    force: bool = ..., simple: bool | None = ..., push: bool = ..., remote: str = ...,
    repo: PathLike = ..., delete: Literal[False] = ..., sign: bool = ...,
) -> WriteResult: ...
@overload
def unassign(
    name: str, stage: str, version: str | None = ..., ref: str | None = ..., message: str | None = ...,
    force: bool = ..., simple: bool | None = ..., push: bool = ..., remote: str = ...,
    repo: PathLike = ..., *, delete: Literal[True], sign: bool = ...,
) -> DeleteResult: ...
@overload
def unassign(
    name: str, stage: str, version: str | None = ..., ref: str | None = ..., message: str | None = ...,
    force: bool = ..., simple: bool | None = ..., push: bool = ..., remote: str = ...,
    repo: PathLike = ..., delete: bool = ..., sign: bool = ...,
) -> WriteResult | DeleteResult: ...


def unassign(
    name: str,
    stage: str,
    version: str | None = None,
    ref: str | None = None,
    message: str | None = None,
    force: bool = False,
    simple: bool | None = None,
    push: bool = False,
    remote: str = "origin",
    repo: PathLike = ".",
    delete: bool = False,
    sign: bool = False,
) -> WriteResult | DeleteResult:
    """Unassign ``stage`` from ``version`` / the version at ``ref``; with neither,
    from the version the stage holds now. ``delete``: delete that version's tags
    for the stage (assignments and unassignments) instead."""
    check_name(name)
    if version:
        _check_version(version)
    if version is not None and ref is not None:
        raise InvalidArgs("give a version or a ref, not both")
    with load_registry(repo) as registry:
        _check_stage(registry.config, stage)
        artifact = _known_model(registry, name)
        if version is None and ref is None:
            found = _stage_holder(artifact, stage)
        else:
            commit = _resolve(registry, ref) if ref is not None else None
            match = artifact.find_version(version=version, commit=commit)
            if match is None:
                where = f"version '{version}'" if version else f"commit {commit[:7] if commit else ''}"
                raise NotInRegistry(f"no registered {where} of '{name}'")
            found = match
        if not force and stage not in found.stages:
            raise InvalidArgs(f"stage '{stage}' is not assigned to version '{found.version}' of '{name}'")
        if delete:
            events = [e for e in found.events(ascending=True) if e.stage == stage]
            return _delete(registry, name, events, push, remote, version=found.version, stage=stage)
        return _write(
            registry, Action.UNASSIGN, name, found.commit,
            message or tag_message(Action.UNASSIGN, name, found.version, stage),
            counted=simple is not True, push=push, remote=remote, version=found.version, stage=stage, sign=sign,
        )


# Overloads: the result type follows ``delete`` (a new tag, or the deleted ones).
@overload
def deregister(
    name: str, version: str | None = ..., ref: str | None = ..., message: str | None = ...,
    force: bool = ..., simple: bool | None = ..., push: bool = ..., remote: str = ...,
    repo: PathLike = ..., delete: Literal[False] = ..., sign: bool = ...,
) -> WriteResult: ...
@overload
def deregister(
    name: str, version: str | None = ..., ref: str | None = ..., message: str | None = ...,
    force: bool = ..., simple: bool | None = ..., push: bool = ..., remote: str = ...,
    repo: PathLike = ..., *, delete: Literal[True], sign: bool = ...,
) -> DeleteResult: ...
@overload
def deregister(
    name: str, version: str | None = ..., ref: str | None = ..., message: str | None = ...,
    force: bool = ..., simple: bool | None = ..., push: bool = ..., remote: str = ...,
    repo: PathLike = ..., delete: bool = ..., sign: bool = ...,
) -> WriteResult | DeleteResult: ...


def deregister(
    name: str,
    version: str | None = None,
    ref: str | None = None,
    message: str | None = None,
    force: bool = False,
    simple: bool | None = None,
    push: bool = False,
    remote: str = "origin",
    repo: PathLike = ".",
    delete: bool = False,
    sign: bool = False,
) -> WriteResult | DeleteResult:
    """Deregister a version (by name or by the commit it is registered at).
    ``delete``: delete the tags of all its events (registration, stages,
    deregistration) instead."""
    check_name(name)
    _one_of(version, ref)
    if version:
        _check_version(version)
    with load_registry(repo) as registry:
        commit = _resolve(registry, ref) if ref is not None else None
        artifact = _artifact(registry, name)
        found = artifact.find_version(version=version, commit=commit)
        what = f"version '{version}'" if version else f"commit {commit[:7] if commit else ''}"
        if found is None:
            raise NotInRegistry(f"no {what} of '{name}' in the registry")
        if not force:
            if not found.is_registered:
                raise InvalidArgs(f"{what} of '{name}' (commit {found.commit[:7]}) is not registered")
            if not found.is_active:
                hint = " (use --force to delete its tags anyway)" if delete else ""
                raise AlreadyDone(f"{what} of '{name}' (commit {found.commit[:7]}) was deregistered already{hint}")
        if delete:
            return _delete(registry, name, found.events(ascending=True), push, remote, version=found.version)
        return _write(
            registry, Action.DEREGISTER, name, found.commit,
            message or tag_message(Action.DEREGISTER, name, found.version),
            counted=simple is False, push=push, remote=remote, version=found.version, sign=sign,
        )


# Overloads: the result type follows ``delete`` (a new tag, or the deleted ones).
@overload
def deprecate(
    name: str, ref: str | None = ..., message: str | None = ..., force: bool = ...,
    simple: bool | None = ..., push: bool = ..., remote: str = ..., repo: PathLike = ...,
    delete: Literal[False] = ..., sign: bool = ...,
) -> WriteResult: ...
@overload
def deprecate(
    name: str, ref: str | None = ..., message: str | None = ..., force: bool = ...,
    simple: bool | None = ..., push: bool = ..., remote: str = ..., repo: PathLike = ..., *,
    delete: Literal[True], sign: bool = ...,
) -> DeleteResult: ...
@overload
def deprecate(
    name: str, ref: str | None = ..., message: str | None = ..., force: bool = ...,
    simple: bool | None = ..., push: bool = ..., remote: str = ..., repo: PathLike = ...,
    delete: bool = ..., sign: bool = ...,
) -> WriteResult | DeleteResult: ...


def deprecate(
    name: str,
    ref: str | None = None,
    message: str | None = None,
    force: bool = False,
    simple: bool | None = None,
    push: bool = False,
    remote: str = "origin",
    repo: PathLike = ".",
    delete: bool = False,
    sign: bool = False,
) -> WriteResult | DeleteResult:
    """Deprecate the whole model: ``NAME@deprecated`` (``#N`` with --force, to deprecate again).
    ``delete``: delete the tags of all the model's events instead (``ref`` is unused);
    a deprecated model needs ``force``, as in GTO."""
    check_name(name)
    with load_registry(repo) as registry:
        artifact = registry.state.artifacts.get(name)
        if force:
            if simple:
                raise InvalidArgs("--force writes a counted tag: it can't be combined with --simple true")
            counted = True
        else:
            counted = simple is False
            if artifact is None:
                raise NotInRegistry(f"cannot find model '{name}' in the registry")
            if not artifact.is_active:
                hint = "delete its tags anyway" if delete else "tag it again"
                raise AlreadyDone(f"model '{name}' was deprecated already (use --force to {hint})")
        if delete:
            if artifact is None:
                raise NotInRegistry(f"cannot find model '{name}' in the registry")
            return _delete(registry, name, artifact.events(ascending=True), push, remote)
        if ref is not None:
            commit = _resolve(registry, ref)
        elif artifact is not None and artifact.events():
            commit = artifact.events()[0].commit
        else:
            commit = _resolve(registry, "HEAD")
        return _write(
            registry, Action.DEPRECATE, name, commit,
            message or tag_message(Action.DEPRECATE, name),
            counted=counted, push=push, remote=remote, sign=sign,
        )
