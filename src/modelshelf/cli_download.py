"""Subcommands ``resolve`` and ``download``: a spec in, a JSON record or verified bytes out.

Exit codes: 0 ok; 2 bad input (a bad spec, an unknown name, version or stage,
an index that does not exist, an existing destination): retrying will not help;
1 the index or the bytes could not be fetched (network, server) or did not
verify: retrying may. One line on stderr; nothing is left at the destination.
"""

from __future__ import annotations

import argparse
import sys
from typing import Callable

from .cli_common import EXIT_OK, EXIT_USAGE, print_json, warn

Handler = Callable[[argparse.Namespace], int]

_SPEC_HELP = "NAME, NAME@latest, NAME@vX.Y.Z or NAME#STAGE (sub-folder models: folder:name)"


def _guarded(handler: Handler) -> Handler:
    def run(args: argparse.Namespace) -> int:
        from .fetch import DownloadError
        from .registry import UnknownArtifact

        try:
            return handler(args)
        except DownloadError as exc:
            sys.stderr.write(f"modelshelf: error: {exc}\n")
            return exc.exit_code
        except UnknownArtifact as exc:
            sys.stderr.write(f"modelshelf: error: {exc}\n")
            return EXIT_USAGE

    run.__doc__ = handler.__doc__
    return run


def _source(args: argparse.Namespace) -> dict[str, str | None]:
    return {"index": args.index, "repo": args.repo if args.index is None else None}


def _note(resolution) -> None:
    if resolution.deprecated:
        warn(f"model '{resolution.model}' is deprecated")
    if resolution.version.status == "deregistered":
        warn(f"{resolution.model} {resolution.version.version} is deregistered")


@_guarded
def cmd_resolve(args: argparse.Namespace) -> int:
    from .fetch import resolve

    resolution = resolve(args.spec, **_source(args))
    _note(resolution)
    print_json(resolution.to_json(), indent=2)
    return EXIT_OK


@_guarded
def cmd_download(args: argparse.Namespace) -> int:
    from .fetch import download

    path = download(
        args.spec, args.output, **_source(args), force=args.force,
        allow_unverified=args.allow_unverified, dvc_remotes=tuple(args.dvc_remote), on_resolved=_note,
    )
    print(path)
    return EXIT_OK


def _add_source_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--index", metavar="URL_OR_PATH",
                       help="a published registry.json (https://, http://, file:// or a path)")
    group.add_argument("-r", "--repo", default=".", help="a local Git repository (default: .)")


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
    _add_source_options(download)
    download.set_defaults(func=cmd_download)
