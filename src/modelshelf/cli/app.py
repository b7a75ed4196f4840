"""The ``modelshelf`` command line: argument parsing only; the work happens in the API."""

from __future__ import annotations

import argparse
import functools
import gc
import signal
import sys
import traceback
from collections.abc import Callable
from typing import TextIO

from .. import __version__
from .common import (
    EXIT_CRASH, EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, CliError, OneLineErrors, TerminalSafe, add_repo_option,
    format_table, parse_arguments, print_json, warn,
)
from ..interrupt import Terminated, handle_sigterm
from ..gtocompat.gto_config import ConfigError
from ..core.grammar import InvalidName, Spec, parse_spec
from ..core.semver import InvalidVersion
from ..core.state import VersionSort
from ..git import GitError, NotAGitRepo
from ..registry import Registry, UnknownArtifact, load_registry, publishing_blocker
from ..gtocompat import views as gtoviews


def _registry_command(func: Callable[[argparse.Namespace, Registry], int]) -> Callable[[argparse.Namespace], int]:
    """The command gets the repository's registry, closed when it returns (its git process ends)."""

    @functools.wraps(func)
    def run(args: argparse.Namespace) -> int:
        with load_registry(args.repo) as registry:
            return func(args, registry)

    return run


def _print_warnings(registry: Registry) -> None:
    for warning in registry.warnings:
        warn(warning.message)


def _add_show_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", nargs="?", help="model name or spec (m@latest, m@v1.0.0, m#prod); empty: all")
    parser.add_argument("--json", action="store_true", help="print JSON (the same shape as `gto show --json`)")
    parser.add_argument("-r", "--repo", default=".", help="path to the Git repository (default: .)")
    parser.add_argument("--ro", "--registered-only", dest="registered_only", action="store_true",
                        help="show only registered versions")
    parser.add_argument("-d", "--deprecated", action="store_true", help="include deprecated models")
    parser.add_argument("--av", "--assignments-per-version", dest="assignments_per_version", type=int, default=-1,
                        help="stages shown per version (-1: all; 1: kanban view)")
    parser.add_argument("--vs", "--versions-per-stage", dest="versions_per_stage", type=int, default=1,
                        help="versions shown per stage (-1: all)")
    parser.add_argument("--sort", choices=[s.value for s in VersionSort], default=VersionSort.TIMESTAMP.value,
                        help="which version a stage shows first: newest assignment (timestamp) or greatest SemVer")


@_registry_command
def cmd_show(args: argparse.Namespace, registry: Registry) -> int:
    _print_warnings(registry)
    options = dict(
        registered_only=args.registered_only,
        deprecated=args.deprecated,
        assignments_per_version=args.assignments_per_version,
        versions_per_stage=args.versions_per_stage,
        sort=VersionSort(args.sort),
    )
    if args.name:
        return _show_one(registry, args, options)
    state = gtoviews.show_registry(registry, **options)
    if args.json:
        print_json(state)  # GTO's shape: models with a version only
        return EXIT_OK
    columns = registry.stage_columns()
    named = [
        (name, [_model_label(name, data), data["version"]] + [_short(data["stage"][s]) for s in columns])
        for name, data in state.items()
    ]
    named += [(name, [name, NO_VERSION] + [None] * len(columns)) for name in gtoviews.declared_only(registry)]
    rows = [row for _, row in sorted(named, key=lambda item: item[0])]
    print(format_table(rows, ["name", "latest"] + [f"#{s}" for s in columns]) if rows else "Nothing found in the registry")
    return EXIT_OK


NO_VERSION = "(declared, no version yet)"


def _model_label(name: str, data: dict) -> str:
    """GTO's ``*`` for a model without a registered version; ``(deprecated)`` for ``show -d``."""
    label = name if data["registered"] else f"*{name}"
    return label if data["active"] else f"{label} (deprecated)"


def _show_one(registry: Registry, args: argparse.Namespace, options: dict) -> int:
    spec = parse_spec(args.name)
    if spec.name not in registry.state.artifacts and spec.name in gtoviews.declared_only(registry):
        if args.json:
            print_json([])  # as GTO: no version to show
        else:
            print(f"{spec.name}: {NO_VERSION[1:-1]}; register one with `modelshelf register {spec.name}`")
        return EXIT_OK
    versions = gtoviews.show_versions(registry, args.name, **options)
    if args.json:
        print_json(versions)
        return EXIT_OK
    if not versions and spec.name != args.name:  # `show chrun` is an error: so is a spec that matches nothing
        raise CliError(_nothing_matches(registry, spec, args.deprecated))
    rows = [
        [v["artifact"], v["version"][:7] if len(v["version"]) == 40 else v["version"],
         ", ".join(s["stage"] for s in v["stages"]), v["created_at"], v["ref"]]
        for v in versions
    ]
    print(format_table(rows, ["artifact", "version", "stage", "created_at", "ref"]) if rows else "Nothing found")
    return EXIT_OK


def _nothing_matches(registry: Registry, spec: Spec, deprecated: bool) -> str:
    artifact = registry.artifact(spec.name)
    if not (artifact.is_active or deprecated):
        return f"model '{spec.name}' is deprecated: add -d/--deprecated to show it"
    versions = ", ".join(v.version for v in artifact.get_versions(active_only=True)) or "none"
    if spec.stage:
        return f"stage '{spec.stage}' of '{spec.name}' holds no version (versions: {versions})"
    return f"model '{spec.name}' has no version {spec.version or 'yet'}; versions: {versions}"


def _short(value: str | None) -> str | None:
    if value is None:
        return None
    return ", ".join(v[:7] if len(v) == 40 else v for v in value.split(", "))


@_registry_command
def cmd_history(args: argparse.Namespace, registry: Registry) -> int:
    _print_warnings(registry)
    events = gtoviews.history(registry, args.name, ascending=args.ascending)
    if args.json:
        print_json(events)
        return EXIT_OK
    rows = [
        [e["timestamp"], e["artifact"], e["event"], e["version"] and _short(e["version"]), e["stage"], e["commit"][:7], e["ref"]]
        for e in events
    ]
    print(format_table(rows, ["timestamp", "artifact", "event", "version", "stage", "commit", "ref"]) if rows else "No events")
    return EXIT_OK


@_registry_command
def cmd_stages(args: argparse.Namespace, registry: Registry) -> int:
    """``gto stages``: the configured stages, else those holding a version; or either one."""
    if args.allowed and args.used:
        raise CliError("give either --allowed or --used, not both")
    _print_warnings(registry)
    if args.allowed:
        stages = list(registry.config.stages) if registry.config.stages is not None else None
    elif args.used:
        stages = registry.state.used_stages()
    else:
        stages = registry.stage_columns()
    if args.json:
        print_json(stages)
    elif stages is None:  # GTO prints nothing here; say why (stdout stays empty for scripts)
        sys.stderr.write("modelshelf: no .gto file lists stages: any stage is allowed\n")
    else:
        for stage in stages:
            print(stage)
    return EXIT_OK


@_registry_command  # the registry's warnings are among the index's problems, printed below
def cmd_index(args: argparse.Namespace, registry: Registry) -> int:
    from ..index.build import build_index, write_index
    from ..progress import stderr_progress

    blocker = None if args.allow_shallow else publishing_blocker(registry.repo, "pass --allow-shallow")
    if blocker:
        raise CliError(blocker)
    progress = stderr_progress("reading versions", quiet=args.quiet)
    index = build_index(registry, progress=progress, use_cache=not args.no_cache)
    for problem in index.problems:
        warn(problem)
    if index.notices:  # not a warning: the files are fine, the index just cannot hold NaN
        sys.stderr.write(f"modelshelf: note: {_left_out(len(index.notices))}\n")
    try:
        write_index(index.data, args.output, pretty=args.pretty)
    except OSError as exc:  # a folder in the way, a read-only disk, ...: the index was not written
        raise CliError(f"cannot write the index to {args.output}: {exc.strerror or exc}") from None
    return EXIT_OK


def _left_out(count: int) -> str:
    values = "value is" if count == 1 else "values are"
    return f"{count} metric/param {values} NaN or infinite, left out of the index; `modelshelf doctor` lists them"


@_registry_command  # the registry's warnings are findings, not stderr warnings too
def cmd_doctor(args: argparse.Namespace, registry: Registry) -> int:
    from ..doctor import run_checks

    findings = run_checks(registry, tags_only=args.tags_only)
    for line in findings:
        print(line)
    unversioned = gtoviews.declared_only(registry)
    if unversioned:
        print(f"declared, no version yet: {', '.join(unversioned)} (register one with `modelshelf register NAME`)")
    if not findings:
        models = len(registry.state.artifacts) + len(unversioned)
        print(f"ok: {len(registry.tags)} registry tags, {models} models, no problems found")
    return EXIT_PROBLEMS if findings else EXIT_OK


CORE_COMMANDS = frozenset({"show", "history", "stages", "index", "doctor"})


def build_parser(extensions: bool = True) -> argparse.ArgumentParser:
    parser = OneLineErrors(
        prog="modelshelf",
        description="A Git-native model registry: GTO-compatible tags, a static catalog and a JSON index.",
    )
    parser.add_argument("--version", action="version", version=f"modelshelf {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    show = sub.add_parser("show", help="the registry state, or one model's versions")
    _add_show_options(show)
    show.set_defaults(func=cmd_show)

    hist = sub.add_parser("history", help="registry events, newest first")
    hist.add_argument("name", nargs="?", help="only this model")
    hist.add_argument("--json", action="store_true", help="print JSON (the same shape as `gto history --json`)")
    hist.add_argument("-a", "--ascending", action="store_true", help="oldest first")
    add_repo_option(hist)
    hist.set_defaults(func=cmd_history)

    stg = sub.add_parser("stages", help="stages of the registry: configured in .gto, else those in use")
    stg.add_argument("--allowed", action="store_true", help="only the stages .gto allows (null: any)")
    stg.add_argument("--used", action="store_true", help="only the stages that hold a version")
    stg.add_argument("--json", action="store_true", help="print JSON (as `gto stages --json`)")
    add_repo_option(stg)
    stg.set_defaults(func=cmd_stages)

    idx = sub.add_parser("index", help="write the JSON index (models, versions, metadata, events)")
    idx.add_argument("-o", "--output", default="-", help="file to write (missing folders are created), or - for stdout (default)")
    idx.add_argument("--pretty", action="store_true", help="indent the JSON (default: compact)")
    idx.add_argument("--no-cache", action="store_true",
                     help="recompute every version's metadata instead of reusing the cache in the Git dir")
    idx.add_argument("--allow-shallow", action="store_true",
                     help="write the index even from a shallow clone (missing tags and history)")
    idx.add_argument("-q", "--quiet", action="store_true",
                     help="no progress report (a bar on a terminal, else a line every 10 s once a run passes 5 s)")
    add_repo_option(idx)
    idx.set_defaults(func=cmd_index)

    doc = sub.add_parser("doctor", help="list ignored tags, metadata problems and NaN metrics left out of the index (exit 1 if any)")
    doc.add_argument("--tags-only", action="store_true", help="check tags only, not metadata at every version")
    add_repo_option(doc)
    doc.set_defaults(func=cmd_doctor)

    if extensions:
        for module_name, function_name in _EXTENSIONS:
            module = __import__(f"modelshelf.cli.{module_name}", fromlist=[function_name])
            getattr(module, function_name)(sub)
    return parser


# Command groups that live in their own modules (each registers its subcommands).
_EXTENSIONS: list[tuple[str, str]] = [
    ("write", "add_write_commands"),
    ("download", "add_download_commands"),
    ("site", "add_site_commands"),
    ("compare", "add_compare_commands"),
    ("generate", "add_generate_commands"),
]


def _tune_gc() -> None:
    """Collect cycles less often: a build makes millions of short-lived, acyclic objects
    (parsed YAML, JSON fragments) and the default thresholds spend ~15% of it in the
    cyclic collector. Reference counting still frees them; memory stays bounded."""
    gc.freeze()  # what start-up imported lives as long as the process
    gc.set_threshold(50_000, 20, 20)


def main(argv: list[str] | None = None) -> int:
    """Run one command; output goes through ``TerminalSafe`` (see cli/common.py), an
    unexpected exception's traceback too (exit 1, as Python's own handler), and
    SIGTERM takes Ctrl-C's path: clean-up runs, one line, exit 128 + signal."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = TerminalSafe(sys.stdout), TerminalSafe(sys.stderr)
    handle_sigterm()
    try:
        return _run(sys.argv[1:] if argv is None else argv)
    except Terminated as exc:
        sys.stderr.write("modelshelf: terminated\n")
        return 128 + exc.signum
    except KeyboardInterrupt:
        sys.stderr.write("modelshelf: interrupted\n")
        return 128 + signal.SIGINT
    except Exception:  # a bug, or an error raised in a hook: its traceback may quote repo text, so escape it too
        traceback.print_exc(file=sys.stderr)
        return EXIT_CRASH
    finally:
        _flush_quietly(sys.stdout)
        sys.stdout, sys.stderr = saved


def _flush_quietly(stream: TextIO) -> None:
    try:
        stream.flush()
    except (BrokenPipeError, ValueError):
        pass


def _run(argv: list[str]) -> int:
    # Read-only commands are what scripts run most: skip importing the other command groups.
    parser = build_parser(extensions=not (argv and argv[0] in CORE_COMMANDS))
    args = parse_arguments(parser, argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    _tune_gc()
    try:
        return args.func(args)
    except (CliError, NotAGitRepo, UnknownArtifact, ConfigError, InvalidName, InvalidVersion) as exc:
        sys.stderr.write(f"modelshelf: error: {exc}\n")
        return EXIT_USAGE
    except GitError as exc:
        sys.stderr.write(f"modelshelf: error: {exc}\n")
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
