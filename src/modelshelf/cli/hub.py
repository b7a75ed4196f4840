"""``--source NAME=LOCATION`` for ``build`` and ``index``: a catalog of several sources (a hub)."""

from __future__ import annotations

import argparse
from pathlib import Path

from .common import EXIT_OK, EXIT_PROBLEMS, CliError, warn
from ..sources.spec import SourceSpec, check_sources, parse_source_argument


def add_source_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", action="append", default=[], metavar="NAME=LOCATION", dest="sources",
                        help="a source of a hub catalog (repeatable): a local path, a Git URL, or another catalog's "
                             "api/registry.json URL; models are then named NAME::MODEL")


def cli_sources(args: argparse.Namespace) -> list[SourceSpec]:
    """The ``--source`` arguments, checked (exit 2 naming the source); relative paths from the cwd."""
    return check_sources([parse_source_argument(text, Path.cwd()) for text in args.sources])


def cmd_index_hub(args: argparse.Namespace) -> int:
    """``modelshelf index --source ...``: the hub index; stale sources are warnings (``--strict``: exit 1)."""
    from ..index.build import write_index
    from ..progress import stderr_progress
    from ..sources.hub import read_hub

    specs = cli_sources(args)
    base = Path(args.repo if args.repo is not None else ".")
    hub = read_hub(specs, base, progress=stderr_progress("reading sources", quiet=args.quiet))
    for problem in hub.problems:
        warn(problem)
    try:
        write_index(hub.data, args.output, pretty=args.pretty)
    except OSError as exc:
        raise CliError(f"cannot write the index to {args.output}: {exc.strerror or exc}") from None
    return EXIT_PROBLEMS if args.strict and hub.stale else EXIT_OK


def cmd_init_hub(args: argparse.Namespace) -> int:
    """``modelshelf init --hub --source NAME=LOCATION ...``: the hub's mkdocs.yml, catalog/ and workflow."""
    from ..scaffold.hub import EVENT_TYPE, HUB_WORKFLOW, init_hub

    specs = check_sources([parse_source_argument(text) for text in args.sources])
    written = init_hub(args.repo, specs, force=args.force, site_name=args.site_name, install=args.install,
                       github=not args.no_github)
    for path in written:
        print(f"wrote {path}")
    if not args.no_github:
        print(f"{HUB_WORKFLOW} rebuilds the hub on a schedule, by hand, and on repository_dispatch "
              f"'{EVENT_TYPE}': each model repository's workflow adds the step shown at the top of that file")
    return EXIT_OK
