"""``modelshelf build``, ``serve`` and ``demo``: the catalog site from the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .common import EXIT_OK, EXIT_PROBLEMS, CliError, add_repo_option
from .generate import cmd_build_zensical, engine_argument, publish_arguments, publish_options


def _mkdocs_errors():
    from mkdocs.exceptions import MkDocsException

    return MkDocsException


def cmd_build(args: argparse.Namespace) -> int:
    if args.engine == "zensical":
        return cmd_build_zensical(args)
    from ..sitebuild.mkdocs_build import build_site

    from ..sitebuild.mkdocs_build import NoCatalogPlugin, SiteOutputError

    options: dict[str, object] = publish_options(args)
    repo = args.repo or "."
    if args.config_file and args.repo:  # a config found elsewhere: the repo given still is the one read
        options["repo"] = str(Path(args.repo).absolute())
    if args.allow_shallow:
        options["allow_shallow"] = True
    else:
        _refuse_shallow(repo)
    if args.candidates is not None:
        options["candidates"] = args.candidates
    options["progress"] = "none" if args.quiet else "stderr"  # a bar on a terminal, plain lines in a log
    try:
        site = build_site(repo, args.output, strict=args.strict, config_file=args.config_file,
                          plugin_options=options or None, verbose=not args.quiet)
    except (FileNotFoundError, NoCatalogPlugin, SiteOutputError) as exc:
        raise CliError(str(exc)) from None
    except _mkdocs_errors() as exc:
        sys.stderr.write(f"modelshelf: error: build failed: {exc}\n")
        return EXIT_PROBLEMS
    print(f"Catalog built in {site}")
    return EXIT_OK


def _refuse_shallow(repo: str) -> None:
    """Exit 2 before building from a shallow clone (the plugin refuses too, as a build error)."""
    from ..git import GitRepo, NotAGitRepo
    from ..registry import publishing_blocker

    try:
        with GitRepo(repo) as git_repo:
            blocker = publishing_blocker(git_repo, "pass --allow-shallow")
    except NotAGitRepo:
        return  # the build itself says so, in the plugin's words
    if blocker:
        raise CliError(blocker)


def cmd_serve(args: argparse.Namespace) -> int:
    from ..sitebuild.mkdocs_build import serve_site

    if args.config_file and args.repo:
        raise CliError(f"serve -f {args.config_file} reads the repository that config names (plugin option "
                       "`repo`, default: the config's folder); drop --repo, or set `repo:` there")
    try:
        serve_site(args.repo or ".", config_file=args.config_file, dev_addr=args.dev_addr, open_in_browser=args.open,
                   strict=args.strict)
    except FileNotFoundError as exc:
        raise CliError(str(exc)) from None
    except _mkdocs_errors() as exc:
        sys.stderr.write(f"modelshelf: error: {exc}\n")
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        pass
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from ..demo.repo import DemoError, create_demo_repo
    from ..sitebuild.mkdocs_build import SiteOutputError, build_site

    out = Path(args.output).absolute()
    registry = out / "registry"
    try:
        create_demo_repo(registry)
    except DemoError as exc:
        raise CliError(str(exc)) from None
    print(f"Demo registry created in {registry}")
    if args.no_build:
        print(f"Build its catalog with: modelshelf build --repo {registry}")
        return EXIT_OK
    site = out / "site"
    try:
        # Plain .html URLs, so the catalog also browses straight from the file system.
        build_site(registry, site, extra={"use_directory_urls": False}, plugin_options={"offline": True, "progress": "none" if args.quiet else "stderr"},
                   verbose=not args.quiet)
    except SiteOutputError as exc:
        raise CliError(str(exc)) from None
    except _mkdocs_errors() as exc:
        sys.stderr.write(f"modelshelf: error: build failed: {exc}\n")
        return EXIT_PROBLEMS
    print(f"Catalog built in {site}")
    print(f"Open {(site / 'index.html').as_uri()}")
    print(f"or serve it live: modelshelf serve --repo {registry}")
    return EXIT_OK


def add_site_commands(sub: argparse._SubParsersAction) -> None:
    build = sub.add_parser("build", help="build the static catalog site (MkDocs + Material)")
    build.add_argument("-o", "--output", metavar="DIR",
                       help="site folder, replaced only when the build succeeds (default: the config's site_dir, else REPO/site)")
    build.add_argument("--strict", action="store_true", help="fail on any warning (like `mkdocs build --strict`)")
    build.add_argument("-f", "--config-file", metavar="FILE",
                       help="MkDocs config (default: REPO/mkdocs.yml, else modelshelf's packaged one)")
    publish_arguments(build)
    build.add_argument("-q", "--quiet", action="store_true", help="only warnings and errors on stderr (no progress)")
    build.add_argument("--candidates", type=int, metavar="N",
                       help="recent HEAD commits searched for unregistered candidates (default: the plugin's, 20; 0: off)")
    build.add_argument("--allow-shallow", action="store_true",
                       help="build even from a shallow clone (the catalog would miss tags and history)")
    engine_argument(build)
    add_repo_option(build)
    build.set_defaults(func=cmd_build, repo=None)  # None: not given (with -f, the config's repo)

    serve = sub.add_parser("serve", help="live preview of the catalog (mkdocs serve with the same config)")
    serve.add_argument("-a", "--dev-addr", metavar="IP:PORT", help="address to serve on (default: 127.0.0.1:8000)")
    serve.add_argument("-f", "--config-file", metavar="FILE", help="MkDocs config (as for build)")
    serve.add_argument("--open", action="store_true", help="open the catalog in a browser")
    serve.add_argument("--strict", action="store_true", help="fail on any warning")
    add_repo_option(serve)
    serve.set_defaults(func=cmd_serve, repo=None)

    demo = sub.add_parser("demo", help="create the demo registry (a real Git repo) and build its catalog")
    demo.add_argument("-o", "--output", default="modelshelf-demo", metavar="DIR",
                      help="folder for DIR/registry and DIR/site (default: ./modelshelf-demo)")
    demo.add_argument("--no-build", action="store_true", help="only create the registry")
    demo.add_argument("-q", "--quiet", action="store_true", help="only warnings and errors on stderr")
    demo.set_defaults(func=cmd_demo)
