"""The catalog built by Zensical vs by MkDocs + Material through the plugin, in one run.

On the 200 models x 10 versions catalog (``bench/generate.py --preset catalog``):

- end to end, what CI runs: ``modelshelf build`` (MkDocs + Material + the plugin) vs
  ``modelshelf build --engine zensical`` (generate the files, then ``zensical build``),
  cold (no fragment or plot cache) and warm (caches from the build before, no change),
  and the rebuild after one new tag;
- the builders alone, on the same generated files: ``modelshelf generate``, then
  ``zensical build`` (cold: ``--clean``; warm: its own cache) vs ``mkdocs build``.

Runs are interleaved (one of each per repetition) and medians reported, with ratios:
the machine is shared, so absolute times drift with the load; the ratios measured
side by side are the result.

Usage:
    python bench/zensical.py [--reps 3] [--catalog 200x10] [--out bench/out]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import MKDOCS, MODELSHELF, Series, add_tag, count_pages, ensure_repo, measure  # noqa: E402

ZENSICAL = [sys.executable, "-m", "zensical"]


def _fresh(repo: Path, copy: Path) -> None:
    """A copy of the repo without modelshelf's caches (the cold case)."""
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(repo, copy, symlinks=True)
    shutil.rmtree(copy / ".git" / "modelshelf", ignore_errors=True)


def _run(series: Series, cmd: list[str], cwd: Path, log: Path) -> bool:
    run = measure(cmd, cwd, log)
    series.runs.append(run)
    print(f"    {series.label}: {run.seconds:.2f} s, peak {run.max_rss_mb:.0f} MB", flush=True)
    if run.returncode != 0:
        print(series.failure(), file=sys.stderr)
    return run.returncode == 0


def _line(label: str, series: Series) -> str:
    times = ", ".join(f"{r.seconds:.1f}" for r in series.runs)
    return f"  {label:<58} median {series.median:7.2f} s  (runs: {times}; peak {series.peak_mb:.0f} MB)"


def _ratio(label: str, ours: Series, base: Series) -> str:
    return f"  {label:<58} {ours.median / base.median:6.2f}x"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--catalog", default="200x10", help="MODELSxVERSIONS")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--json", type=Path, help="also write the medians here")
    args = parser.parse_args(argv)
    models, versions = (int(n) for n in args.catalog.split("x"))
    repo = ensure_repo(args.out, models, versions)
    work = args.out / "zensical"
    work.mkdir(parents=True, exist_ok=True)
    s = {key: Series(key) for key in (
        "mkdocs cold", "zensical cold", "mkdocs warm", "zensical warm", "mkdocs new tag", "zensical new tag",
        "generate", "zensical build (clean)", "zensical build (its cache)", "mkdocs build (same files)")}
    pages = {}
    for rep in range(args.reps):
        print(f"repetition {rep + 1} of {args.reps}", flush=True)
        for engine in ("mkdocs", "zensical"):
            copy, site = work / f"repo-{engine}", work / f"site-{engine}"
            _fresh(repo, copy)
            cmd = MODELSHELF + ["build", "-q", "--repo", str(copy), "-o", str(site), "--engine", engine]
            if not _run(s[f"{engine} cold"], cmd, copy, work / f"{engine}-cold.out"):
                return 1
            pages[engine] = count_pages(site)
            if not _run(s[f"{engine} warm"], cmd, copy, work / f"{engine}-warm.out"):
                return 1
            add_tag(copy)
            if not _run(s[f"{engine} new tag"], cmd, copy, work / f"{engine}-tag.out"):
                return 1
        # The builders alone, on the same generated files (the plot and fragment caches are warm here).
        project = work / "generated"
        if project.exists():
            shutil.rmtree(project)
        (project / "docs").mkdir(parents=True)
        if not _run(s["generate"], MODELSHELF + ["generate", "-q", "--repo", str(work / "repo-zensical"),
                                                  "-o", str(project / "docs" / "catalog")], project, work / "gen.out"):
            return 1
        snippet = (project / "docs" / "catalog" / ".modelshelf-mkdocs.yml").read_text()
        (project / "mkdocs.yml").write_text(
            "site_name: bench\ntheme:\n  name: material\n  features: [navigation.tabs]\nplugins: [search]\n" + snippet)
        zcmd = ZENSICAL + ["build", "-f", str(project / "mkdocs.yml")]
        if not _run(s["zensical build (clean)"], zcmd + ["--clean"], project, work / "zb-clean.out"):
            return 1
        pages["zensical (builder only)"] = count_pages(project / "site")
        if not _run(s["zensical build (its cache)"], zcmd, project, work / "zb-warm.out"):
            return 1
        mcmd = MKDOCS + ["build", "-q", "-f", str(project / "mkdocs.yml"), "-d", str(project / "mkdocs-site")]
        if not _run(s["mkdocs build (same files)"], mcmd, project, work / "mb.out"):
            return 1
    print(f"\nCatalog {models} models x {versions} versions; HTML pages: {pages}; "
          f"{os.cpu_count()} cores, shared with other work (absolute times drift; compare the ratios)")
    print("End to end (what CI runs):")
    for engine in ("mkdocs", "zensical"):
        for case in ("cold", "warm", "new tag"):
            print(_line(f"modelshelf build --engine {engine}, {case}", s[f"{engine} {case}"]))
    print(_ratio("zensical / mkdocs, cold", s["zensical cold"], s["mkdocs cold"]))
    print(_ratio("zensical / mkdocs, warm (no change)", s["zensical warm"], s["mkdocs warm"]))
    print(_ratio("zensical / mkdocs, after one new tag", s["zensical new tag"], s["mkdocs new tag"]))
    print(_ratio("mkdocs: rebuild after one new tag / cold (goal 0.3)", s["mkdocs new tag"], s["mkdocs cold"]))
    print(_ratio("zensical: rebuild after one new tag / cold (goal 0.3)", s["zensical new tag"], s["zensical cold"]))
    print("The builders alone, on the same generated files:")
    for key in ("generate", "zensical build (clean)", "zensical build (its cache)", "mkdocs build (same files)"):
        print(_line(key, s[key]))
    print(_ratio("zensical build (clean) / mkdocs build", s["zensical build (clean)"], s["mkdocs build (same files)"]))
    print(_ratio("zensical build (its cache) / mkdocs build", s["zensical build (its cache)"],
                 s["mkdocs build (same files)"]))
    if args.json:
        args.json.write_text(json.dumps({k: v.median for k, v in s.items()}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
