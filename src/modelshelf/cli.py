"""The ``modelshelf`` command line: argument parsing only; the work happens in the API."""

from __future__ import annotations

import argparse
import gc
import sys

from . import __version__
from .cli_common import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, CliError, OneLineErrors, add_repo_option, format_table, print_json, warn
from .config import ConfigError
from .core.events import counter_ties
from .core.grammar import InvalidName
from .core.semver import InvalidVersion
from .core.state import VersionSort
from .git import GitError, NotAGitRepo
from .registry import Registry, UnknownArtifact, load_registry, publishing_blocker
from .builders import ignored_plugin_findings
from .render.naming import case_collisions
from . import gtoviews


def _load(args: argparse.Namespace) -> Registry:
    registry = load_registry(args.repo)
    for warning in registry.warnings:
        warn(warning.message)
    return registry


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


def cmd_show(args: argparse.Namespace) -> int:
    registry = _load(args)
    options = dict(
        registered_only=args.registered_only,
        deprecated=args.deprecated,
        assignments_per_version=args.assignments_per_version,
        versions_per_stage=args.versions_per_stage,
        sort=VersionSort(args.sort),
    )
    if args.name:
        versions = gtoviews.show_versions(registry, args.name, **options)
        if args.json:
            print_json(versions)
            return EXIT_OK
        rows = [
            [v["artifact"], v["version"][:7] if len(v["version"]) == 40 else v["version"],
             ", ".join(s["stage"] for s in v["stages"]), v["created_at"], v["ref"]]
            for v in versions
        ]
        print(format_table(rows, ["artifact", "version", "stage", "created_at", "ref"]) if rows else "Nothing found")
        return EXIT_OK
    state = gtoviews.show_registry(registry, **options)
    if args.json:
        print_json(state)
        return EXIT_OK
    columns = registry.stage_columns()
    rows = [
        [name if data["registered"] else f"*{name}", data["version"]]
        + [_short(data["stage"][s]) for s in columns]
        for name, data in sorted(state.items())
    ]
    print(format_table(rows, ["name", "latest"] + [f"#{s}" for s in columns]) if rows else "Nothing found in the registry")
    return EXIT_OK


def _short(value: str | None) -> str | None:
    if value is None:
        return None
    return ", ".join(v[:7] if len(v) == 40 else v for v in value.split(", "))


def cmd_history(args: argparse.Namespace) -> int:
    registry = _load(args)
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


def cmd_stages(args: argparse.Namespace) -> int:
    """``gto stages``: the configured stages, else those holding a version; or either one."""
    if args.allowed and args.used:
        raise CliError("give either --allowed or --used, not both")
    registry = _load(args)
    if args.allowed:
        stages = list(registry.config.stages) if registry.config.stages is not None else None
    elif args.used:
        stages = registry.state.used_stages()
    else:
        stages = registry.stage_columns()
    if args.json:
        print_json(stages)
    else:
        for stage in stages or ():
            print(stage)
    return EXIT_OK


def cmd_index(args: argparse.Namespace) -> int:
    from .index import build_index, write_index

    registry = load_registry(args.repo)  # its warnings are among the index's problems, printed below
    blocker = None if args.allow_shallow else publishing_blocker(registry.repo, "pass --allow-shallow")
    if blocker:
        raise CliError(blocker)
    index = build_index(registry, progress=None, use_cache=not args.no_cache)
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


def cmd_doctor(args: argparse.Namespace) -> int:
    registry = load_registry(args.repo)  # its warnings are findings below, not stderr warnings too
    findings: list[str] = [f"repo: {w.message}" for w in registry.warnings]
    findings += [f"tag {t.name}: ignored, {t.reason}" for t in registry.ignored]
    findings += counter_ties(registry.tags)
    repaired = set(registry.repo.tags_not_utf8())
    findings += [f"tag {t.record.name}: its message or tagger is not UTF-8 (read here with U+FFFD in place "
                 "of the bad bytes); gto stops on this repository until the tag is re-created"
                 for t in registry.tags if t.record.name in repaired]
    findings += case_collisions(registry.state.artifacts)
    findings += ignored_plugin_findings(registry.repo.root)
    findings += registry.problems
    if not args.tags_only:
        from .index import build_index

        index = build_index(registry, progress=None)
        repo_warnings = {w.message for w in registry.warnings}  # already listed as "repo: ..."
        findings += [p for p in index.problems if p not in repo_warnings]
        # Values the index leaves out (NaN metrics): not problems (a build does not warn),
        # but a user loses them, so they are listed here and count as findings.
        findings += [f"note: {notice}" for notice in index.notices]
    seen: set[str] = set()
    for line in findings:
        if line not in seen:
            seen.add(line)
            print(line)
    if not findings:
        print(f"ok: {len(registry.tags)} registry tags, {len(registry.state.artifacts)} models, no problems found")
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
    add_repo_option(idx)
    idx.set_defaults(func=cmd_index)

    doc = sub.add_parser("doctor", help="list ignored tags, metadata problems and NaN metrics left out of the index (exit 1 if any)")
    doc.add_argument("--tags-only", action="store_true", help="check tags only, not metadata at every version")
    add_repo_option(doc)
    doc.set_defaults(func=cmd_doctor)

    if extensions:
        for module_name, function_name in _EXTENSIONS:
            module = __import__(f"modelshelf.{module_name}", fromlist=[function_name])
            getattr(module, function_name)(sub)
    return parser


# Command groups that live in their own modules (each registers its subcommands).
_EXTENSIONS: list[tuple[str, str]] = [
    ("cli_write", "add_write_commands"),
    ("cli_download", "add_download_commands"),
    ("cli_site", "add_site_commands"),
    ("cli_compare", "add_compare_commands"),
    ("cli_generate", "add_generate_commands"),
]


def _tune_gc() -> None:
    """Collect cycles less often: a build makes millions of short-lived, acyclic objects
    (parsed YAML, JSON fragments) and the default thresholds spend ~15% of it in the
    cyclic collector. Reference counting still frees them; memory stays bounded."""
    gc.freeze()  # what start-up imported lives as long as the process
    gc.set_threshold(50_000, 20, 20)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # Read-only commands are what scripts run most: skip importing the other command groups.
    parser = build_parser(extensions=not (argv and argv[0] in CORE_COMMANDS))
    args = parser.parse_args(argv)
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
