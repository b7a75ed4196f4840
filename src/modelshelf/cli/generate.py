"""``modelshelf generate`` and ``build --engine zensical``: the catalog for builders that run no plugin."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .common import EXIT_OK, EXIT_PROBLEMS, CliError, add_repo_option
from .download import size_arg


def publish_arguments(parser: argparse.ArgumentParser) -> None:
    """The publishing flags of ``build`` (either engine) and ``generate``: they override the plugin options."""
    publish = parser.add_mutually_exclusive_group()
    publish.add_argument("--publish-artifacts", action="store_const", const=True, dest="publish_artifacts",
                         help="copy every version's bytes (Git, LFS, DVC) into the site (default: only the Git-stored "
                              "bytes of versions that are latest or held by a stage, up to --publish-max-size each)")
    publish.add_argument("--no-publish-artifacts", action="store_const", const=False, dest="publish_artifacts",
                         help="publish no bytes (downloads then fetch Git-stored ones from the repository's remote)")
    parser.add_argument("--publish-max-size", type=size_arg, metavar="SIZE",
                        help="largest artifact the default publishes, e.g. 100M (default: 100M; 0: no cap)")
    parser.add_argument("--dvc-remote", action="append", default=[], metavar="URL_OR_PATH",
                        help="a DVC remote to read DVC-tracked bytes from when publishing them (as for download)")
    parser.set_defaults(publish_artifacts=None)


def publish_options(args: argparse.Namespace) -> dict[str, Any]:
    """The plugin options the publishing flags set (none given: the config's, by default "current")."""
    options: dict[str, Any] = {}
    if args.publish_artifacts is not None:
        options["publish_artifacts"] = args.publish_artifacts
    if args.publish_max_size is not None:
        options["publish_max_size"] = args.publish_max_size
    if args.dvc_remote:
        options["dvc_remotes"] = args.dvc_remote
    return options


def cmd_generate(args: argparse.Namespace) -> int:
    from ..sitebuild.generate import SNIPPET, GenerateError, generate  # heavy (the renderer): only when run

    try:
        done = generate(args.repo, args.output, docs_dir=args.docs_dir, config_file=args.config_file,
                        allow_shallow=args.allow_shallow, candidates=args.candidates, publish=publish_options(args))
    except (GenerateError, FileNotFoundError, OSError) as exc:
        raise CliError(str(exc)) from None
    for problem in done.problems:
        sys.stderr.write(f"modelshelf: warning: {problem}\n")
    if done.directory_urls:
        sys.stderr.write("modelshelf: warning: the site's mkdocs.yml uses directory URLs; the generated pages "
                         "link as for `use_directory_urls: false`: set that (see the lines below)\n")
    if not args.quiet:
        sys.stdout.write(done.snippet)
        print(f"# (also in {done.folder / SNIPPET})")
    print(f"Catalog generated in {done.folder} ({len(done.files)} files)")
    return EXIT_OK


def cmd_build_zensical(args: argparse.Namespace) -> int:
    """``modelshelf build --engine zensical`` (the options shared with the MkDocs engine)."""
    from ..sitebuild.generate import GenerateError
    from ..sitebuild.mkdocs_build import SiteOutputError
    from ..sitebuild.zensical_build import BuilderFailed, build_with_zensical

    try:
        site = build_with_zensical(args.repo or ".", args.output, config_file=args.config_file, strict=args.strict,
                                   allow_shallow=args.allow_shallow, candidates=args.candidates, quiet=args.quiet,
                                   publish=publish_options(args))
    except (GenerateError, FileNotFoundError, SiteOutputError) as exc:
        raise CliError(str(exc)) from None
    except BuilderFailed as exc:
        sys.stderr.write(f"modelshelf: error: build failed: {exc}\n")
        return EXIT_PROBLEMS
    print(f"Catalog built in {site}")
    return EXIT_OK


def add_generate_commands(sub: argparse._SubParsersAction) -> None:
    gen = sub.add_parser("generate", help="write the catalog as plain Markdown/HTML/JSON files into a docs folder "
                                          "(for Zensical or any builder that runs no MkDocs plugin)")
    gen.add_argument("-o", "--output", required=True, metavar="DIR",
                     help="folder for the catalog, e.g. docs/models: replaced as a whole; never one with your own files")
    gen.add_argument("--docs-dir", metavar="DIR",
                     help="the site's docs_dir, for the paths of the printed config lines (default: the parent of -o)")
    gen.add_argument("-f", "--config-file", metavar="FILE",
                     help="MkDocs config for site name, URL and the plugin's options (default: REPO/mkdocs.yml if any)")
    gen.add_argument("--candidates", type=int, metavar="N",
                     help="recent HEAD commits searched for unregistered candidates (default: 20; 0: off)")
    gen.add_argument("--allow-shallow", action="store_true",
                     help="generate even from a shallow clone (the catalog would miss tags and history)")
    publish_arguments(gen)
    gen.add_argument("-q", "--quiet", action="store_true", help="do not print the config lines")
    add_repo_option(gen)
    gen.set_defaults(func=cmd_generate)


def engine_argument(build: argparse.ArgumentParser) -> None:
    """``--engine`` of ``modelshelf build``."""
    build.add_argument("--engine", choices=("mkdocs", "zensical"), default="mkdocs",
                       help="mkdocs (default): MkDocs + Material with the modelshelf plugin; zensical: "
                            "`modelshelf generate` into a work folder, then `zensical build`")

