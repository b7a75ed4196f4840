"""``modelshelf compare NAME A B [...]``: versions and candidates side by side in the terminal.

The same comparison as the catalog's compare page (``compare.model``), from
the model's record as the index builds it (with candidates).
"""

from __future__ import annotations

import argparse
import math

from ..number_format import fmt_value
from .common import EXIT_OK, CliError, add_repo_option, format_table, print_json, warn


def _delta(delta: float | None, index: int) -> str:
    if index == 0 or delta is None:
        return ""
    if delta == 0:
        return " (±0)"
    return f" ({'+' if delta > 0 else '-'}{_fmt_size(abs(delta))})"


def _fmt_size(size: float) -> str:
    """A delta's size: like the values above a thousandth; below, plain decimals with three
    significant digits (``0.0009``, ``0.000912``), never ``9e-4`` beside ``0.8412``."""
    if size >= 0.001 or not math.isfinite(size):
        return fmt_value(size)
    places = min(-math.floor(math.log10(size)) + 2, 15)
    return f"{size:.{places}f}".rstrip("0").rstrip(".") or "0"


def _commit_entry(registry, metadata, extras, model, token: str):
    """An arbitrary commit (branch, tag, sha, experiment ref): the version or candidate it is, else read like one."""
    from ..compare.candidates import register_command
    from ..compare.model import Entry, lineage_hashes, resolve_entry
    from ..index.metadata_json import lineage_json

    name = model["name"]
    sha = registry.repo.resolve(token)
    if sha is None:
        return None
    known = resolve_entry(model, sha)  # `main` or `HEAD~2` may be a registered version's commit
    if known is not None:
        return known
    meta = metadata.metadata(name, sha)
    if meta.declaration is None:
        raise CliError(f"{name} is not declared at commit {sha[:7]} ('{token}')")
    return Entry(token if token != sha else sha[:7], "commit", sha, dict(meta.metrics), dict(meta.params),
                 lineage_hashes(lineage_json(meta.lineage)), tuple(extras.plots(name, sha)),
                 register_command(name, sha, first=model.get("latest") is None))


def cmd_compare(args: argparse.Namespace) -> int:
    from ..compare.extras import CompareExtras
    from ..compare.model import CompareError, compare, resolve_entry
    from ..core.state import ArtifactState
    from ..index.build import build_model
    from ..index.metadata_json import MetadataJson
    from ..registry import load_registry

    if len(args.refs) < 2:
        raise CliError("compare needs at least two versions, candidates or commits")
    with load_registry(args.repo) as registry:
        for warning in registry.warnings:
            warn(warning.message)
        metadata = MetadataJson(registry)
        artifact = registry.state.artifacts.get(args.name)
        if artifact is None:
            if args.name not in metadata.declared_only(list(registry.state.artifacts)):
                # declared_only([]) is every model declared at HEAD, registered ones included.
                known = ", ".join(sorted({*registry.state.artifacts, *metadata.declared_only([])})) or "none"
                raise CliError(f"unknown model '{args.name}'; known models: {known}")
            artifact = ArtifactState(args.name)
        extras = CompareExtras(metadata, depth=args.candidates)
        model = build_model(registry, artifact, metadata, extras)
        entries = []
        for token in args.refs:
            try:
                entry = resolve_entry(model, token)
            except CompareError as exc:
                raise CliError(str(exc)) from None
            if entry is None:
                entry = _commit_entry(registry, metadata, extras, model, token)
            if entry is None:
                versions = ", ".join(v["version"] for v in model["versions"]) or "none"
                raise CliError(f"'{token}' is no version, candidate or commit of {args.name}; versions: {versions}")
            entries.append(entry)
        result = compare(args.name, entries)
        if args.json:
            print_json(result.to_json(), indent=2)
            return EXIT_OK
        print_comparison(result)
        return EXIT_OK


def print_comparison(result) -> None:
    labels = [e.label + (" (candidate)" if e.kind == "candidate" else "") for e in result.entries]
    print(f"{result.model}: {' vs '.join(labels)}\n")
    if result.metrics:
        rows = [[row.key] + [fmt_value(v) + _delta(d, i) for i, (v, d) in enumerate(zip(row.values, row.deltas))]
                for row in result.metrics]
        print(format_table(rows, ["metric"] + labels))
        if len(labels) > 2:
            print(f"(deltas in parentheses are against the first column, {labels[0]})")
    else:
        print("No metrics.")
    print()
    if result.params:
        print("Params that differ:")
        print(format_table([[row.key] + [fmt_value(v) for v in row.values] for row in result.params], ["param"] + labels))
    else:
        print("Params: identical.")
    print()
    if result.lineage:
        print("Lineage that differs (hashes; cmd: the command):")
        rows = [[row.stage, row.kind, row.path] + [(v or "—")[:12] if row.kind != "command" else (v or "—")
                                                   for v in row.values] for row in result.lineage]
        print(format_table(rows, ["stage", "what", "path"] + labels))
    else:
        print("Lineage: identical (or not recorded).")
    if result.plots:
        print(f"\nPlots: {', '.join(result.plots)} (overlaid on the catalog's compare page)")
    for entry in result.entries:
        if entry.kind != "version" and entry.register:
            print(f"\nRegister {entry.label}: {entry.register}")


def add_compare_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compare", help="compare versions, candidate commits or experiments of a model")
    p.add_argument("name", help="model name")
    p.add_argument("refs", nargs="+", metavar="REF",
                   help="two or more: versions (v1.0.0), specs (NAME@latest, NAME#prod), commits, experiment names")
    p.add_argument("--json", action="store_true", help="print the comparison as JSON")
    p.add_argument("--candidates", type=int, default=20, metavar="N",
                   help="recent HEAD commits searched for unregistered candidates (default: 20)")
    add_repo_option(p)
    p.set_defaults(func=cmd_compare)
