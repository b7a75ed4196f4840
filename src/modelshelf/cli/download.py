"""Subcommands ``resolve`` and ``download``: a spec in, a JSON record or verified bytes out.

Exit codes: 0 ok; 2 bad input (a bad spec, an unknown name, version or stage,
an index that does not exist, an existing destination): retrying will not help;
1 the index or the bytes could not be fetched (network, server) or did not
verify: retrying may. One line on stderr; nothing is left at the destination.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator

from .common import EXIT_OK, REPO_HELP, local_repository, print_json, warn
from ..progress import download_progress
from ..delivery.limits import DEFAULT_DEADLINE, DEFAULT_MAX_SIZE

_SPEC_HELP = "NAME, NAME@latest, NAME@vX.Y.Z or NAME#STAGE (sub-folder models: folder:name)"


@contextlib.contextmanager
def _source(args: argparse.Namespace, quiet: bool = False) -> Iterator[dict[str, object]]:
    """The lookup's source: ``--index``, or ``--repo`` (a Git URL through its cached mirror)."""
    if args.index is not None:
        yield {"index": args.index, "repo": None, "allowed_schemes": tuple(args.allow_scheme),
               "allow_rule_violations": args.allow_rule_violations}
        return
    with local_repository(args.repo, quiet) as repo:
        yield {"index": None, "repo": repo, "allowed_schemes": tuple(args.allow_scheme),
               "allow_rule_violations": args.allow_rule_violations}


def _note(resolution) -> None:
    if resolution.deprecated:
        warn(f"model '{resolution.model}' is deprecated")
    if resolution.version.status == "deregistered":
        warn(f"{resolution.model} {resolution.version.version} is deregistered")


def cmd_resolve(args: argparse.Namespace) -> int:
    from ..delivery import resolve

    with _source(args) as source:
        resolution = resolve(args.spec, **source)
    _note(resolution)
    if args.index is not None:
        sys.stderr.write(f"modelshelf: {resolution.freshness()}\n")
    print_json(resolution.to_json(), indent=2)
    return EXIT_OK


def cmd_download(args: argparse.Namespace) -> int:
    from ..delivery import Limits, download

    with _source(args, args.quiet) as source:
        path = download(  # SIGTERM reaches the clean-up as main()'s Terminated, like Ctrl-C
            args.spec, args.output, **source, force=args.force,
            allow_unverified=args.allow_unverified, dvc_remotes=tuple(args.dvc_remote), on_resolved=_note,
            limits=Limits(max_size=args.max_size, deadline=args.deadline),
            progress=download_progress(args.spec, args.quiet),
        )
    print(path)
    return EXIT_OK


def size_arg(text: str) -> int:
    """argparse type for sizes (``500M``, ``2G``, bytes); shared with ``build --publish-max-size``."""
    from ..delivery.limits import parse_size

    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _seconds_arg(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r} (0: no deadline)")
    return value


def _add_source_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--index", metavar="URL_OR_PATH",
                       help="a published catalog: its address or its api/registry.json (https://, http://, "
                            "file:// or a path); the model's own api/models file is read when the site has one")
    group.add_argument("-r", "--repo", default=".", help=REPO_HELP)
    parser.add_argument("--allow-scheme", action="append", default=[], metavar="SCHEME",
                        help="a storage scheme (s3, gs, ...) an index read over HTTP(S) may point at besides "
                             "http(s); file:// and local paths never")
    parser.add_argument("--allow-rule-violations", action="store_true",
                        help="take a stage's holder even if it got there breaking the rules (.modelshelf.yaml)")


def add_download_commands(sub: argparse._SubParsersAction) -> None:
    resolve = sub.add_parser("resolve", help="print the version a spec names, with its storage and checksums (JSON)")
    resolve.add_argument("spec", help=_SPEC_HELP)
    _add_source_options(resolve)
    resolve.set_defaults(func=cmd_resolve)

    download = sub.add_parser("download", help="fetch the verified bytes a spec names")
    download.add_argument("spec", help=_SPEC_HELP)
    download.add_argument("-o", "--output", default=".", metavar="DIR", help="folder to write into (default: .)")
    download.add_argument("-f", "--force", action="store_true", help="replace an existing file or folder")
    download.add_argument("--dvc-remote", action="append", default=[], metavar="URL_OR_PATH",
                          help="a DVC remote to try (after the cache, before the configured remotes)")
    download.add_argument("--allow-unverified", action="store_true",
                          help="fetch bytes the index has no checksum for (external URLs)")
    download.add_argument("--max-size", type=size_arg, default=DEFAULT_MAX_SIZE, metavar="SIZE",
                          help="most bytes to accept when the index records no size, e.g. 500M, 20G "
                               "(default: 10G; 0: no limit)")
    download.add_argument("--deadline", type=_seconds_arg, default=DEFAULT_DEADLINE, metavar="SECONDS",
                          help="seconds the whole download may take (default: 7200; 0: none)")
    download.add_argument("-q", "--quiet", action="store_true",
                          help="no progress (default: a bar on a terminal, a line every 10 s otherwise)")
    _add_source_options(download)
    download.set_defaults(func=cmd_download)
