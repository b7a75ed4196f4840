"""Subcommands of the write path: register, assign/promote, unassign, deregister,
deprecate, add, check-ref and init. Flags follow GTO's where GTO has the command
(``-d/--delete`` on unassign, deregister and deprecate, as on GTO's deprecate).

``add_write_commands`` is called by ``cli/app.py``; every handler returns an exit
code (0 ok, 2 bad input with a one-line message on stderr).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from pathlib import Path


from .. import write
from .common import EXIT_OK, EXIT_PROBLEMS, warn
from .hub import add_source_option, cmd_init_hub


def _simple(value: str) -> bool | None:
    choices = {"auto": None, "true": True, "false": False}
    if value not in choices:
        raise argparse.ArgumentTypeError("use auto, true or false")
    return choices[value]


def _common(parser: argparse.ArgumentParser, force_help: str) -> None:
    parser.add_argument("-r", "--repo", default=".", help="path to the Git repository (default: .)")
    parser.add_argument("-m", "--message", help="message of the Git tag (default: GTO's wording)")
    parser.add_argument("--simple", type=_simple, default=None, metavar="{auto,true,false}",
                        help="write the tag without a #N counter (true) or with one (false); auto: as GTO")
    parser.add_argument("--force", action="store_true", help=force_help)
    parser.add_argument("--sign", action="store_true",
                        help="sign the tag (`git tag -s`: your gpg.format and user.signingkey apply, SSH or GPG)")
    parser.add_argument("--push", action="store_true", help="push the new tag(s) to the remote")
    parser.add_argument("--remote", default="origin", help="remote for --push (default: origin)")


def _delete_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-d", "--delete", action="store_true",
                        help="delete the git tag(s) instead of creating the new one (as GTO; with --push, "
                             "on the remote too)")


def _report_deleted(result: write.DeleteResult) -> None:
    """Name every deleted tag, then how the deletion reaches (or reached) the remote."""
    if not result.tags:
        print("No git tag to delete")
        return
    for tag in result.tags:
        print(f"Deleted git tag '{tag}'")
    quoted = " ".join(shlex.quote(tag) for tag in result.tags)
    if result.pushed:
        print(f"Pushed the deletion to remote '{result.remote}'")
    else:
        print(f"To push the deletion: git push --delete {shlex.quote(result.remote)} {quoted}")


def _report_either(result: write.WriteResult | write.DeleteResult, verb: str) -> None:
    if isinstance(result, write.DeleteResult):
        _report_deleted(result)
    else:
        _report(result, verb.format(version=result.version))


def _report(result: write.WriteResult, verb: str) -> None:
    if result.registration is not None:
        _report(result.registration, "registers version")
    for warning in result.warnings:
        warn(warning)
    print(f"Created git tag '{result.tag}' that {verb}")
    if result.pushed:
        print(f"Pushed git tag '{result.tag}'")
    else:
        print(f"To push it: git push {shlex.quote(result.remote)} {shlex.quote(result.tag)}")


# -- register / assign / unassign / deregister / deprecate ----------------------


def cmd_register(args: argparse.Namespace) -> int:
    bumps = [b for b in ("major", "minor", "patch") if getattr(args, f"bump_{b}")]
    if len(bumps) + bool(args.version) > 1:
        raise write.InvalidArgs("give either --version or a single --bump-* option")
    result = write.register(
        args.name, args.ref or "HEAD", version=args.version, bump=bumps[0] if bumps else None,
        message=args.message, force=args.force, simple=args.simple, push=args.push, remote=args.remote,
        repo=args.repo, sign=args.sign,
    )
    _report(result, "registers version")
    return EXIT_OK


def cmd_assign(args: argparse.Namespace) -> int:
    # GTO: with REF, --version names the version to register there; without, it picks a registered one.
    ref, version, new_version = args.ref, args.version, None
    if ref is not None:
        new_version, version = version, None
    elif version is None:
        ref = "HEAD"
    result = write.assign(
        args.name, args.stage, ref=ref, version=version, new_version=new_version, message=args.message,
        force=args.force, skip_registration=args.skip_registration, simple=args.simple, push=args.push,
        remote=args.remote, repo=args.repo, sign=args.sign,
    )
    _report(result, f"assigns stage to version '{result.version}'")
    return EXIT_OK


def cmd_unassign(args: argparse.Namespace) -> int:
    # Forms: `unassign NAME STAGE`, `unassign NAME [REF] --stage S`, `unassign NAME --version V --stage S`.
    if args.stage is not None:
        stage, ref = args.stage, args.arg
    elif args.arg is not None:
        stage, ref = args.arg, None
    else:
        raise write.InvalidArgs("give the stage to unassign: `unassign NAME STAGE` or `--stage STAGE`")
    if ref is not None and args.version is not None:
        raise write.InvalidArgs("give a REF or --version, not both")
    result = write.unassign(
        args.name, stage, version=args.version, ref=ref, message=args.message, force=args.force,
        simple=args.simple, push=args.push, remote=args.remote, repo=args.repo, delete=args.delete,
        sign=args.sign,
    )
    _report_either(result, "unassigns stage from version '{version}'")
    if isinstance(result, write.WriteResult):
        _report_stage_now(args.repo, args.name, stage)
    return EXIT_OK


def _report_stage_now(repo: str, name: str, stage: str) -> None:
    """After an unassignment the stage may fall back to an older assignment (GTO's
    rules): say what it holds now, so nobody assumes it is empty."""
    from ..registry import load_registry

    registry = load_registry(repo)
    try:
        artifact = registry.state.artifacts.get(name)
        held = artifact.stages().get(stage, []) if artifact else []
    finally:
        registry.repo.close()
    if held:
        print(f"Stage '{stage}' of '{name}' now holds version '{held[0].version}' (an earlier assignment that is "
              "still in effect); unassign it too to empty the stage")
    else:
        print(f"Stage '{stage}' of '{name}' holds no version now")


def cmd_deregister(args: argparse.Namespace) -> int:
    if (args.version is None) == (args.ref is None):
        raise write.InvalidArgs("give the VERSION to deregister (or --ref REF), not both")
    result = write.deregister(
        args.name, version=args.version, ref=args.ref, message=args.message, force=args.force,
        simple=args.simple, push=args.push, remote=args.remote, repo=args.repo, delete=args.delete,
        sign=args.sign,
    )
    _report_either(result, "deregisters version")
    return EXIT_OK


def cmd_deprecate(args: argparse.Namespace) -> int:
    common = dict(message=args.message, force=args.force, simple=args.simple, push=args.push,
                  remote=args.remote, repo=args.repo, delete=args.delete, sign=args.sign)
    if args.stage:
        result = write.unassign(args.name, args.stage, version=args.version, **common)
        _report_either(result, "unassigns stage from version '{version}'")
    elif args.version:
        result = write.deregister(args.name, version=args.version, **common)
        _report_either(result, "deregisters version")
    else:
        result = write.deprecate(args.name, ref=args.ref, **common)
        _report_either(result, "deprecates artifact")
    return EXIT_OK


# -- add / check-ref / init ------------------------------------------------------


def cmd_add(args: argparse.Namespace) -> int:
    from ..declare import add_artifact

    declared = add_artifact(
        args.name, args.path, type=args.type, desc=args.desc, labels=args.label or None, repo=args.repo,
    )
    print(f"{'Declared' if declared.created else 'Updated'} model '{declared.name}' in {declared.dvcyaml}")
    return EXIT_OK


# GTO's one-value flags of check-ref: the flag, and the key of ``RefEvent.outputs()`` it prints.
CHECK_REF_FIELDS = {"name": "name", "version": "version", "event": "event", "stage": "stage"}


def cmd_check_ref(args: argparse.Namespace) -> int:
    from ..gtocompat.checkref import append_github_output, check_ref, tag_exists, tag_name
    from ..governance.verdict import tag_verdict

    fields = [flag for flag in CHECK_REF_FIELDS if getattr(args, f"show_{flag}")]
    if len(fields) + bool(args.json) > 1:  # GTO: "Only one output formatting flags is allowed"
        raise write.InvalidArgs("give only one of --json, --name, --version, --event, --stage")
    events = check_ref(args.ref, repo=args.repo)
    if len(events) > 1:
        raise write.InvalidArgs(f"ref '{args.ref}' created several events; only one is supported")
    if args.dotenv:  # created even for a non-event: GitLab's dotenv report warns about a missing file
        Path(args.dotenv).touch()
    if not events:
        exists = tag_exists(args.ref, repo=args.repo)
        if args.json and not exists:  # GTO prints nothing; a script reading JSON learns why here
            print(json.dumps({"tag": tag_name(args.ref), "found": False,
                              "error": f"no tag '{tag_name(args.ref)}' in the repository"}, indent=4))
        elif not (args.json or fields):  # like GTO: nothing on stdout
            why = "is not a registry event (no annotated registry tag)" if exists else "is no tag of the repository"
            sys.stderr.write(f"modelshelf: ref '{args.ref}' {why}\n")
        return EXIT_OK
    found = events[0]
    verdict = tag_verdict(found.event.tag or tag_name(args.ref), repo=args.repo)  # live, never cached
    outputs = {**found.outputs(), **(verdict.outputs() if verdict else {})}
    if args.github_output:
        target = os.environ.get("GITHUB_OUTPUT")
        if not target:
            raise write.InvalidArgs("--github-output: the GITHUB_OUTPUT environment variable is not set")
        append_github_output(outputs, target)
    if args.dotenv:
        _append_dotenv(Path(args.dotenv), outputs)
    if args.json:
        data = found.to_json()
        if verdict is not None:  # GTO's keys first, unchanged; the verdict only where there is one
            data["verdict"] = verdict.to_json()
        print(json.dumps(data, indent=4, ensure_ascii=False))
    elif fields:
        value = outputs[CHECK_REF_FIELDS[fields[0]]]
        if value:  # like GTO: a registration has no stage, a deprecation no version: print nothing
            print(value)
    elif not (args.github_output or args.dotenv):
        for key, value in outputs.items():
            print(f"{key}: {value}")
    if verdict is not None and not verdict.passes:
        for reason in verdict.reasons():
            sys.stderr.write(f"modelshelf: {'error' if args.enforce else 'warning'}: {reason}\n")
        if args.enforce:
            return EXIT_PROBLEMS
    return EXIT_OK


def _append_dotenv(path: Path, outputs: dict[str, str]) -> None:
    from ..gtocompat.checkref import dotenv_lines

    try:
        existing = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise write.InvalidArgs(f"--dotenv {path}: the file is not UTF-8") from None
    report = dotenv_lines(outputs, existing)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(report.text)
    if report.left_out:
        warn(f"--dotenv {path}: left out {', '.join(report.left_out)}: a shell would read the value differently "
             "than GitLab (spaces, quotes, $, ...) or it would exceed GitLab's dotenv limits (5 KB, 20 "
             "variables); `check-ref --json` prints the full text")


def cmd_init(args: argparse.Namespace) -> int:
    if args.hub:
        return cmd_init_hub(args)
    from ..git.repo import root_or_folder
    from ..scaffold import catalog_notes, default_branch, init_project, publish_note
    from ..scaffold.install import current_install

    source = None if args.install else current_install()
    root = root_or_folder(args.repo)
    branch = args.branch if args.branch is not None else default_branch(root) if root else "main"
    stages = (args.deploy_stages or "").replace(",", " ").split()
    written = init_project(
        args.repo, force=args.force, site_name=args.site_name,
        github=not args.no_github, gitlab=not args.no_gitlab,
        install=args.install or source.requirement, branch=branch,
        deploy_stages=stages, engine=args.engine,
    )
    for path in written:
        print(f"wrote {path}")
    for note in catalog_notes(args.repo):
        print(note)
    if not args.no_github:
        print(f"GitHub Actions rebuilds the catalog on pushes to branch '{branch}' and on tag pushes "
              "(another branch: init --force --branch NAME)")
    if not (args.no_github and args.no_gitlab):
        print(publish_note(stages))
    if source is not None and not (args.no_github and args.no_gitlab):
        print(f"CI installs modelshelf with: pip install {source.shell}")
        if not source.reachable:
            warn(f"this modelshelf was installed from {source.origin}, which CI cannot reach: unless "
                 f"{source.requirement} is published where CI installs from, run init again with --force "
                 "--install SPEC (a pip requirement, e.g. 'modelshelf @ git+https://...'), or edit the workflow")
    return EXIT_OK


def add_write_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register the write-path subcommands on the main parser."""
    p = subparsers.add_parser("register", help="register a version of a model (tag NAME@vX.Y.Z)")
    p.add_argument("name", help="model name")
    p.add_argument("ref", nargs="?", default="HEAD", help="Git reference to register (default: HEAD)")
    p.add_argument("--version", "--ver", help="version name in SemVer format, e.g. v1.0.0")
    p.add_argument("--bump-major", action="store_true", help="bump the latest version's major part")
    p.add_argument("--bump-minor", action="store_true", help="bump the latest version's minor part")
    p.add_argument("--bump-patch", action="store_true", help="bump the latest version's patch part (default)")
    _common(p, "register even if the commit has a version already")
    p.set_defaults(func=cmd_register)

    p = subparsers.add_parser("assign", aliases=["promote"], help="assign a stage to a version (tag NAME#STAGE#N)")
    p.add_argument("name", help="model name")
    p.add_argument("ref", nargs="?", help="Git reference to assign (registered first unless --skip-registration)")
    p.add_argument("--version", help="with REF: the version name to register; without: the version to assign")
    p.add_argument("--stage", required=True, help="stage to assign")
    p.add_argument("--sr", "--skip-registration", dest="skip_registration", action="store_true",
                   help="don't register a version at the commit")
    _common(p, "create the tag even if the version is already in the stage")
    p.set_defaults(func=cmd_assign)

    p = subparsers.add_parser("unassign", help="take a stage from a version (tag NAME#STAGE!#N)")
    p.add_argument("name", help="model name")
    p.add_argument("arg", nargs="?", metavar="STAGE|REF",
                   help="the stage (then it is taken from the version holding it), or a REF with --stage")
    p.add_argument("--stage", help="stage to unassign")
    p.add_argument("--version", help="the version to unassign the stage from")
    _common(p, "create the tag even if the stage was never assigned to the version")
    _delete_option(p)
    p.set_defaults(func=cmd_unassign)

    p = subparsers.add_parser("deregister", help="deregister a version (tag NAME@vX.Y.Z!)")
    p.add_argument("name", help="model name")
    p.add_argument("version", nargs="?", help="the version to deregister")
    p.add_argument("--ref", help="deregister the version registered at this Git reference instead")
    _common(p, "create the tag even if the version is not registered or was deregistered")
    _delete_option(p)
    p.set_defaults(func=cmd_deregister)

    p = subparsers.add_parser("deprecate", help="deprecate a model, deregister a version or unassign a stage (as GTO)")
    p.add_argument("name", help="model name")
    p.add_argument("version", nargs="?", help="deregister this version instead")
    p.add_argument("stage", nargs="?", help="with VERSION: unassign this stage instead")
    p.add_argument("--ref", help="Git reference for the deprecation tag (default: the model's latest event)")
    _common(p, "create the tag even if it is in effect already")
    _delete_option(p)
    p.set_defaults(func=cmd_deprecate)

    p = subparsers.add_parser("add", help="declare or update a model in dvc.yaml (keeps comments)")
    p.add_argument("name", help="model name (folder/path:name for a sub-folder's dvc.yaml)")
    p.add_argument("--path", help="path of the model file or directory (required for a new model)")
    p.add_argument("--type", help="model type (checked against .gto types)")
    p.add_argument("--desc", help="description")
    p.add_argument("--label", action="append", help="a label (repeat for more)")
    p.add_argument("-r", "--repo", default=".", help="path to the Git repository (default: .)")
    p.set_defaults(func=cmd_add)

    p = subparsers.add_parser("check-ref", help="what a pushed tag means (for CI)")
    p.add_argument("ref", help="tag name or refs/tags/NAME")
    p.add_argument("--json", action="store_true", help="print JSON (the keys of `gto check-ref --json`, plus type, path, description)")
    for flag, what in (("name", "the model's name"), ("version", "the version"), ("event", "the event"),
                       ("stage", "the stage")):
        p.add_argument(f"--{flag}", dest=f"show_{flag}", action="store_true", help=f"print only {what} (as GTO)")
    p.add_argument("--github-output", action="store_true", help="append key=value lines to the file in $GITHUB_OUTPUT")
    p.add_argument("--dotenv", metavar="FILE", help="append MODELSHELF_KEY=value lines (GitLab dotenv report)")
    p.add_argument("--enforce", action="store_true",
                   help="exit 1 when the tag breaks the rules (.modelshelf.yaml) or its signature does not verify")
    p.add_argument("-r", "--repo", default=".", help="path to the Git repository (default: .)")
    p.set_defaults(func=cmd_check_ref)

    p = subparsers.add_parser("init", help="scaffold mkdocs.yml, catalog/ and CI workflows in a repo")
    p.add_argument("--site-name", help="the site's title (default: '<folder> model registry')")
    p.add_argument("--no-github", action="store_true", help="don't write the GitHub Actions workflow")
    p.add_argument("--no-gitlab", action="store_true", help="don't write .gitlab-ci.yml")
    p.add_argument("--force", action="store_true", help="overwrite existing files")
    p.add_argument("--branch", help="default branch, whose pushes rebuild the catalog on GitHub "
                                     "(default: origin's default branch, else the current one)")
    p.add_argument("--install", metavar="SPEC",
                   help="pip requirement CI installs modelshelf with (default: this copy's source, pinned)")
    p.add_argument("--deploy-stages", metavar="STAGE,...",
                   help="stages whose assignment also publishes the version in CI (a registration always does)")
    p.add_argument("--engine", choices=("mkdocs", "zensical"), default="mkdocs",
                   help="site builder: mkdocs (MkDocs + Material, the plugin) or zensical (generated pages)")
    p.add_argument("--hub", action="store_true",
                   help="scaffold a hub: a catalog of the --source repositories and catalogs, rebuilt on a schedule "
                        "and on repository_dispatch")
    add_source_option(p)
    p.add_argument("-r", "--repo", default=".", help="path to the Git repository (default: .)")
    p.set_defaults(func=cmd_init)
