"""Benchmark modelshelf against GTO, Git and plain MkDocs: ratios, not lone times.

Every headline is a ratio of two commands timed in the same run on the same
machine (medians of ``--reps`` repetitions), so results travel between
machines. Absolute medians appear only in parentheses. Peak memory is the
child's ``ru_maxrss`` as ``os.wait4`` reports it (the process and the
children it waited for, e.g. ``git cat-file``).

    python bench/run.py            # 3 repetitions
    python bench/run.py --quick    # 1 repetition
    python bench/run.py --skip-gto # leave out the slow GTO runs

Repos are generated once under bench/out/repos/ (bench/generate.py);
results go to bench/out/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (bench/generate.py, beside this file)
from modelshelf.core.grammar import parse_tag_name  # noqa: E402  (pure, no I/O)
from modelshelf.git.tagrefs import TAG_FORMAT  # noqa: E402  (the one for-each-ref modelshelf runs)

BIN = Path(sys.executable).parent


def _console(name: str, module_fallback: list[str]) -> list[str]:
    """The console script as users run it, else the same code through this Python."""
    script = BIN / name
    return [str(script)] if script.exists() else [sys.executable, *module_fallback]


MODELSHELF = _console("modelshelf", ["-m", "modelshelf"])
GTO = _console("gto", ["-c", "from gto.cli import app; app()"])
MKDOCS = _console("mkdocs", ["-m", "mkdocs"])


@dataclass
class Run:
    seconds: float
    max_rss_mb: float
    returncode: int
    stderr_tail: str = ""


def measure(cmd: list[str], cwd: Path, stdout: Path, env: dict[str, str] | None = None) -> Run:
    """Wall time and peak RSS of one child process (and the children it reaped)."""
    stdout.parent.mkdir(parents=True, exist_ok=True)
    errpath = stdout.with_suffix(stdout.suffix + ".stderr")
    with open(stdout, "wb") as out, open(errpath, "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, env={**os.environ, **(env or {})})
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
    tail = ""
    if proc.returncode != 0:
        tail = errpath.read_text(errors="replace").strip()[-600:]
    return Run(seconds, usage.ru_maxrss / 1024, proc.returncode, tail)


@dataclass
class Series:
    label: str
    runs: list[Run] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.runs) and all(r.returncode == 0 for r in self.runs)

    @property
    def median(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def peak_mb(self) -> float:
        return max(r.max_rss_mb for r in self.runs)

    def failure(self) -> str:
        bad = next(r for r in self.runs if r.returncode != 0)
        return f"{self.label} failed (exit {bad.returncode}): {bad.stderr_tail}"


def repeat(label: str, reps: int, cmd: list[str], cwd: Path, stdout: Path) -> Series:
    series = Series(label)
    for _ in range(reps):
        run = measure(cmd, cwd, stdout)
        series.runs.append(run)
        if run.returncode != 0:
            break
    return series


@dataclass
class Result:
    name: str
    status: str  # PASS, MISS, SKIP, FAIL
    headline: str
    detail: str = ""
    value: float | None = None
    goal: str = ""


class Report:
    def __init__(self) -> None:
        self.results: list[Result] = []

    def add(self, result: Result) -> None:
        self.results.append(result)
        line = f"[{result.status:4}] {result.name}: {result.headline}"
        if result.goal:
            line += f"  (goal {result.goal})"
        print(line, flush=True)
        if result.detail:
            print(f"       {result.detail}", flush=True)

    def skip(self, name: str, why: str) -> None:
        self.add(Result(name, "SKIP", why))

    def fail(self, name: str, series: Series) -> None:
        self.add(Result(name, "FAIL", series.failure()))

    def faster(self, name: str, ours: Series, theirs: Series, goal: float) -> None:
        """``theirs / ours``: how many times faster ours is."""
        for s in (ours, theirs):
            if not s.ok:
                return self.fail(name, s)
        ratio = theirs.median / ours.median
        self.add(Result(
            name, "PASS" if ratio >= goal else "MISS", f"{ratio:.1f}x faster",
            f"median of {len(ours.runs)}: {ours.label} {ours.median:.3f} s, {theirs.label} {theirs.median:.3f} s",
            round(ratio, 2), f">= {goal:g}x",
        ))

    def relative(self, name: str, ours: Series, base: Series, goal: float | None, what: str) -> None:
        """``ours / base``: ours as a multiple of the baseline's time (lower is better)."""
        for s in (ours, base):
            if not s.ok:
                return self.fail(name, s)
        ratio = ours.median / base.median
        status = "INFO" if goal is None else ("PASS" if ratio <= goal else "MISS")
        self.add(Result(
            name, status, f"{ratio:.2f}x {what}",
            f"median of {len(ours.runs)}: {ours.label} {ours.median:.3f} s, {base.label} {base.median:.3f} s",
            round(ratio, 3), "" if goal is None else f"<= {goal:g}x",
        ))

    def memory(self, name: str, series: Series, limit_mb: float) -> None:
        if not series.ok:
            return self.fail(name, series)
        peak = series.peak_mb
        self.add(Result(name, "PASS" if peak < limit_mb else "MISS", f"{peak:.0f} MB peak RSS",
                        f"max over {len(series.runs)} runs of {series.label}", round(peak, 1), f"< {limit_mb:g} MB"))


# --------------------------------------------------------------------------


def ensure_repo(out: Path, models: int, versions: int, layout: str = "folders") -> Path:
    """The generated repo, made once and reused (a stats file marks it complete)."""
    name = f"{models}x{versions}" + ("" if layout == "folders" else f"-{layout}")
    repo = out / "repos" / name
    marker = out / "repos" / f"{name}.json"
    if not marker.exists():
        if repo.exists():
            shutil.rmtree(repo)
        print(f"generating {models} models x {versions} versions ({layout} layout) in {repo} ...", flush=True)
        stats = generate.generate(repo, models, versions, layout=layout)
        marker.write_text(json.dumps(stats.as_dict()) + "\n")
    stats = json.loads(marker.read_text())
    print(f"repo {repo.name}: {stats['tags']} tags, {stats['commits']} commits", flush=True)
    return repo


def has_command(command: str) -> bool:
    probe = subprocess.run(MODELSHELF + [command, "--help"], capture_output=True, text=True)
    return probe.returncode == 0


def json_equal(a: Path, b: Path) -> bool:
    try:
        return json.loads(a.read_text()) == json.loads(b.read_text())
    except (OSError, ValueError):
        return False


def bench_registry(report: Report, out: Path, repo: Path, reps: int, skip_gto: bool) -> None:
    work = out / "work"
    floor = repeat("git for-each-ref", reps,
                   ["git", "for-each-ref", "--format=%(refname)%00%(objectname)%00%(*objectname)%00"
                    "%(taggername)%00%(taggeremail)%00%(taggerdate:unix)%00%(contents)", "refs/tags"],
                   repo, work / "for-each-ref.txt")
    if not has_command("show"):
        report.skip("show", "`modelshelf show` is not available yet")
        show = None
    else:
        show = repeat("modelshelf show --json", reps, MODELSHELF + ["show", "--json", "--repo", str(repo)],
                      repo, work / "modelshelf-show.json")
    warm_index = None
    if has_command("index"):
        # Cold: every version's metadata read from Git (--no-cache). Warm: the same command
        # again with the fragment cache in the Git dir filled, as in CI after one new tag.
        index = repeat("modelshelf index --no-cache", reps,
                       MODELSHELF + ["index", "--no-cache", "--repo", str(repo), "-o", str(work / "index.json")],
                       repo, work / "modelshelf-index.out")
        subprocess.run(MODELSHELF + ["index", "--repo", str(repo), "-o", "-"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        warm_index = repeat("modelshelf index (warm cache)", reps,
                            MODELSHELF + ["index", "--repo", str(repo), "-o", str(work / "index-warm.json")],
                            repo, work / "modelshelf-index-warm.out")
    else:
        index = None
        report.skip("index", "`modelshelf index` is not available yet")

    gto = None
    if skip_gto:
        report.skip("vs gto", "--skip-gto given")
    else:
        gto = repeat("gto show --json", reps, GTO + ["show", "--json"], repo, work / "gto-show.json")

    if show and gto:
        report.faster("modelshelf show --json vs gto show --json", show, gto, 50)
        if show.ok and gto.ok:
            same = json_equal(work / "modelshelf-show.json", work / "gto-show.json")
            report.add(Result("show output equals gto's", "PASS" if same else "FAIL",
                              "identical JSON" if same else "JSON differs: compare bench/out/work/*-show.json"))
    if index and gto:
        report.faster("modelshelf index -o FILE (cold, --no-cache) vs gto show --json", index, gto, 20)
    if warm_index and gto:
        report.faster("modelshelf index -o FILE (warm fragment cache) vs gto show --json", warm_index, gto, 20)
    if show:
        report.relative("modelshelf show --json vs bare git for-each-ref (the floor)", show, floor, None,
                        "the time of the floor")
    if index:
        report.memory("modelshelf index memory", index, 200)


# --------------------------------------------------------------------------


def write_catalog_as_plain(repo: Path, root: Path) -> int:
    """The catalog's own pages and files, written out as a plain MkDocs project.

    The same Markdown the plugin hands MkDocs (tables, HTML blocks, Mermaid fences),
    the plots and JSON API as static files, the default config without the plugin.
    Timing a plain Material build of it separates what Material spends on the
    catalog's content from what modelshelf adds. Returns the page count.
    """
    import modelshelf
    from modelshelf.index.build import build_index
    from modelshelf.registry import load_registry
    from modelshelf.render.site_options import SiteOptions
    from modelshelf.render.site import api_files, render_site
    from modelshelf.sitebuild.mkdocs_build import cache_dir

    if root.exists():
        shutil.rmtree(root)
    docs = root / "docs"
    index = build_index(load_registry(repo)).data
    site = render_site(index, SiteOptions(catalog_dir=""), plot_cache=cache_dir(repo))  # warm: the build drew them
    site.pending.wait()
    for page in site.pages:
        target = docs / page.src_uri
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page.content)
    for item in [*site.files, *api_files(site.index)]:
        target = docs / item.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(item.source.read_bytes() if item.source is not None else item.content)
    config = (Path(modelshelf.__file__).parent / "defaults" / "mkdocs.yml").read_text()
    head, _, tail = config.partition("plugins:\n")
    tail = tail[tail.index("nav:"):]
    hidden = [f"  /{page.src_uri}" for page in site.pages if not page.in_nav]
    (root / "mkdocs.yml").write_text(
        head + "plugins:\n  - search\nnot_in_nav: |\n" + "\n".join(hidden) + "\n" + tail)
    return len(site.pages)


def count_pages(site: Path) -> int:
    """HTML pages a site holds, the theme's 404 page aside."""
    if not site.exists():
        return 0
    return sum(1 for p in site.rglob("*.html") if p.relative_to(site).as_posix() != "404.html")


def add_tag(repo: Path) -> str:
    """One new prod assignment, a minute after the newest tag, named and counted as GTO would."""
    model = generate.catalog_model(0)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    listing = subprocess.run(["git", "for-each-ref", "--format=%(taggerdate:unix) %(refname:strip=2)", "refs/tags"],
                             cwd=repo, env=env, capture_output=True, text=True, check=True).stdout.splitlines()
    newest = max(int(line.split(" ", 1)[0] or 0) for line in listing)
    counters = [parsed.counter for parsed in (parse_tag_name(line.split(" ", 1)[1]) for line in listing)
                if parsed and parsed.artifact == model.name and parsed.counter is not None]
    name = f"{model.in_tag}#prod#{max(counters, default=0) + 1}"
    version = generate.version_name(0)
    env.update({"GIT_COMMITTER_NAME": "ML Release Bot", "GIT_COMMITTER_EMAIL": "ml-release-bot@example.com",
                "GIT_COMMITTER_DATE": f"{newest + 60} +0000", "GIT_CONFIG_GLOBAL": os.devnull,
                "GIT_CONFIG_NOSYSTEM": "1"})
    subprocess.run(["git", "tag", "-a", name, f"{model.in_tag}@{version}^{{commit}}",
                    "-m", f"Assigning stage prod to artifact {model.name} version {version}"],
                   cwd=repo, env=env, check=True, capture_output=True)
    return name


def bench_build(report: Report, out: Path, repo: Path, models: int, reps: int) -> None:
    if not has_command("build"):
        report.skip("catalog build", "`modelshelf build` is not available yet")
        return
    work = out / "work"
    cold = Series("modelshelf build (cold)")
    warm = Series("modelshelf build after one new tag")
    cached = Series("modelshelf build, no change (caches warm, as the scaffolded CI restores them)")
    pages = 0
    for rep in range(reps):
        copy = work / "build-repo"
        site = work / "build-site"
        for p in (copy, site):
            if p.exists():
                shutil.rmtree(p)
        shutil.copytree(repo, copy, symlinks=True)
        shutil.rmtree(copy / ".git" / "modelshelf", ignore_errors=True)  # cold: no plot or fragment cache
        run = measure(MODELSHELF + ["build", "--repo", str(copy), "-o", str(site)], copy, work / "build.out")
        cold.runs.append(run)
        if run.returncode != 0:
            break
        pages = count_pages(site)
        tag = add_tag(copy)
        if rep == 0:
            print(f"       catalog: {pages} HTML pages; rebuild after adding {tag}", flush=True)
        run = measure(MODELSHELF + ["build", "--repo", str(copy), "-o", str(site)], copy, work / "rebuild.out")
        warm.runs.append(run)
        if run.returncode != 0:
            break
        run = measure(MODELSHELF + ["build", "--repo", str(copy), "-o", str(site)], copy, work / "nochange.out")
        cached.runs.append(run)
        if run.returncode != 0:
            break
    if not cold.ok:
        return report.fail("catalog build", cold)

    report.relative("rebuild after one new tag vs cold build", warm, cold, 0.3, "the cold build's time")
    same_root = work / "plain-same-content"
    same_pages = write_catalog_as_plain(work / "build-repo", same_root)
    same = repeat("plain Material mkdocs build of the catalog's own pages", reps,
                  MKDOCS + ["build", "-q", "-f", str(same_root / "mkdocs.yml"), "-d", str(same_root / "site")],
                  same_root, work / "plain-same-content.out")
    if same.ok:
        print(f"       same-content plain site: {same_pages} Markdown pages, "
              f"{count_pages(same_root / 'site')} HTML pages", flush=True)
    report.relative(f"cold build ({models} models) vs plain Material build of the same pages", cold, same, 2.5,
                    "the same-content plain build's time")
    report.relative("build with warm caches (no change) vs plain Material build of the same pages", cached, same,
                    0.6, "the same-content plain build's time")
    report.memory("modelshelf build memory", cold, 500)
    bench_candidates(report, work, repo, reps)


def bench_candidates(report: Report, work: Path, repo: Path, reps: int) -> None:
    """Builds with candidate discovery (the default: 20 commits) vs ``--candidates 0``, interleaved."""
    if "--candidates" not in subprocess.run(MODELSHELF + ["build", "--help"], capture_output=True, text=True).stdout:
        return report.skip("build with candidates", "`modelshelf build --candidates` is not available yet")
    on = Series("modelshelf build (candidates: 20)")
    off = Series("modelshelf build --candidates 0")
    # One untimed build first: the repo's plot cache may be stale (plot styles change), and
    # the first timed build would otherwise be the only one that draws every plot.
    subprocess.run(MODELSHELF + ["build", "--repo", str(repo), "-o", str(work / "site-candidates-warmup"), "-q"],
                   cwd=repo, capture_output=True)
    for _ in range(reps):
        for series, extra, name in ((off, ["--candidates", "0"], "off"), (on, [], "on")):
            run = measure(MODELSHELF + ["build", "--repo", str(repo), "-o", str(work / f"site-candidates-{name}"), "-q",
                                        *extra], repo, work / f"build-candidates-{name}.out")
            series.runs.append(run)
    report.relative("build with candidates vs without", on, off, 1.2, "the build without candidates")


# -- scale presets ------------------------------------------------------------

@dataclass(frozen=True)
class Preset:
    models: int
    versions: int
    layout: str  # generate.LAYOUTS
    build: bool  # time a cold build too
    about: str


PRESETS = {
    "folders-2k": Preset(200, 10, "folders", True, "2,000 versions, a dvc.yaml per model folder"),
    "folders-20k": Preset(2000, 10, "folders", True, "20,000 versions, a dvc.yaml per model folder"),
    "root-2k": Preset(200, 10, "root", True, "2,000 versions, one root dvc.yaml declaring 200 models"),
    "root-20k": Preset(2000, 10, "root", True, "20,000 versions, one root dvc.yaml declaring 2,000 models"),
    "tags-100k": Preset(1000, 50, "folders", False, "~100,000 tags: 1,000 models x 50 versions"),
    "models-1k": Preset(1000, 10, "folders", True, "1,000 models x 10: rebuild after one new tag vs cold"),
}
GROWTH = (("folders-2k", "folders-20k"), ("root-2k", "root-20k"))


def bench_preset(report: Report, out: Path, name: str, reps: int, scale: dict[str, dict],
                 max_build: int | None = None) -> None:
    """Cold index and cold build of one preset: times (medians) and peak memory.

    ``max_build``: skip the builds of presets with more versions (they take many minutes).
    """
    preset = PRESETS[name]
    repo = ensure_repo(out, preset.models, preset.versions, preset.layout)
    work = out / "work" / name
    stats = json.loads((out / "repos" / f"{repo.name}.json").read_text())
    found: dict = {"preset": name, "about": preset.about, "versions": preset.models * preset.versions,
                   "tags": stats["tags"]}
    # The 20,000-version cold builds take minutes: measured once.
    index_reps = reps if preset.versions * preset.models <= 10_000 else 1
    index = repeat(f"index --no-cache ({name})", index_reps,
                   MODELSHELF + ["index", "--no-cache", "-q", "--repo", str(repo), "-o", str(work / "index.json")],
                   repo, work / "index.out")
    if not index.ok:
        report.fail(f"{name}: cold index", index)
    else:
        found.update(index_s=index.median, index_mb=index.peak_mb, index_runs=len(index.runs))
        report.add(Result(f"{name}: cold index", "INFO", f"{index.median:.1f} s, {index.peak_mb:.0f} MB peak",
                          f"median of {len(index.runs)}; {found['versions']} versions, {found['tags']} tags"))
    if name == "tags-100k":
        floor = repeat("git for-each-ref", reps, ["git", "for-each-ref", f"--format={TAG_FORMAT}", "refs/tags"],
                       repo, work / "for-each-ref.txt")
        show = repeat("modelshelf show --json", reps, MODELSHELF + ["show", "--json", "--repo", str(repo)],
                      repo, work / "show.json")
        report.relative("tags-100k: show --json vs bare git for-each-ref", show, floor, 10, "the floor's time")
        if show.ok and floor.ok:
            found.update(show_s=show.median, for_each_ref_s=floor.median)
    if preset.build and max_build is not None and preset.models * preset.versions > max_build:
        report.skip(f"{name}: cold build", f"more than --max-build-versions {max_build}")
    elif preset.build:
        build_reps = 1 if preset.versions * preset.models > 2_000 else reps
        cold = Series(f"build (cold, {name})")
        rebuild = Series(f"build after one new tag ({name})")
        for _ in range(build_reps):
            copy, site = work / "build-repo", work / "build-site"
            for p in (copy, site):
                if p.exists():
                    shutil.rmtree(p)
            shutil.copytree(repo, copy, symlinks=True)
            shutil.rmtree(copy / ".git" / "modelshelf", ignore_errors=True)
            run = measure(MODELSHELF + ["build", "-q", "--repo", str(copy), "-o", str(site)], copy, work / "build.out")
            cold.runs.append(run)
            if run.returncode != 0 or name != "models-1k":
                continue
            add_tag(copy)
            rebuild.runs.append(measure(MODELSHELF + ["build", "-q", "--repo", str(copy), "-o", str(site)], copy,
                                        work / "rebuild.out"))
        if not cold.ok:
            report.fail(f"{name}: cold build", cold)
        else:
            found.update(build_s=cold.median, build_mb=cold.peak_mb, build_runs=len(cold.runs))
            report.add(Result(f"{name}: cold build", "INFO", f"{cold.median:.1f} s, {cold.peak_mb:.0f} MB peak",
                              f"median of {len(cold.runs)}"))
        if rebuild.runs:
            report.relative("models-1k: rebuild after one new tag vs cold build", rebuild, cold, 0.1,
                            "the cold build's time")
            if rebuild.ok:
                found.update(rebuild_s=rebuild.median)
        if preset.versions * preset.models >= 20_000:
            if "index_mb" in found:
                report.add(Result(f"{name}: index memory", "PASS" if found["index_mb"] < 1024 else "MISS",
                                  f"{found['index_mb']:.0f} MB peak RSS", value=found["index_mb"], goal="< 1024 MB"))
            if "build_mb" in found:
                report.add(Result(f"{name}: build memory", "PASS" if found["build_mb"] < 1536 else "MISS",
                                  f"{found['build_mb']:.0f} MB peak RSS", value=found["build_mb"], goal="< 1536 MB"))
    scale[name] = found


def scale_ratios(report: Report, scale: dict[str, dict]) -> None:
    """Growth from 2,000 to 20,000 versions, and time per version at 100,000 tags vs 2,000 versions."""
    for small, large in GROWTH:
        a, b = scale.get(small), scale.get(large)
        if not a or not b:
            continue
        for what, key in (("cold index", "index_s"), ("cold build", "build_s")):
            if key in a and key in b:
                ratio = b[key] / a[key]
                report.add(Result(f"{small} -> {large}: {what} time growth", "PASS" if ratio <= 11 else "MISS",
                                  f"{ratio:.1f}x for 10x the versions", f"{a[key]:.1f} s -> {b[key]:.1f} s",
                                  round(ratio, 2), "<= 11x"))
    a, b = scale.get("folders-2k"), scale.get("tags-100k")
    if a and b and "index_s" in a and "index_s" in b:
        per_small, per_large = a["index_s"] / a["versions"], b["index_s"] / b["versions"]
        ratio = per_large / per_small
        report.add(Result("tags-100k vs folders-2k: index time per version", "PASS" if ratio <= 1.3 else "MISS",
                          f"{ratio:.2f}x", f"{per_large * 1000:.2f} ms vs {per_small * 1000:.2f} ms per version",
                          round(ratio, 3), "<= 1.3x"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=3, help="repetitions per command (median is reported)")
    parser.add_argument("--quick", action="store_true", help="one repetition")
    parser.add_argument("--skip-gto", action="store_true", help="skip the GTO runs (about 25 s each)")
    parser.add_argument("--only", choices=("registry", "build", "none"), help="run one group only")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--large", default="50x40", help="registry benchmark size, MODELSxVERSIONS")
    parser.add_argument("--catalog", default="200x10", help="catalog build benchmark size, MODELSxVERSIONS")
    parser.add_argument("--preset", action="append", choices=sorted(PRESETS), default=[],
                        help="a scale preset (repeatable): " + "; ".join(f"{k}: {v.about}" for k, v in PRESETS.items())
                        + ". With --preset, only the presets run (and the site goals with --only build)")
    parser.add_argument("--max-build-versions", type=int, help="skip preset builds above this many versions")
    args = parser.parse_args(argv)
    reps = 1 if args.quick else args.reps
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    report = Report()
    print(f"modelshelf: {' '.join(MODELSHELF)}\ngto: {' '.join(GTO)}\nrepetitions: {reps}\n", flush=True)
    scale: dict[str, dict] = {}
    for name in args.preset:
        bench_preset(report, out, name, reps, scale, args.max_build_versions)
    if scale:
        scale_ratios(report, scale)
    if args.preset and args.only is None:
        args.only = "none"
    if args.only in (None, "registry"):
        models, versions = (int(x) for x in args.large.split("x"))
        bench_registry(report, out, ensure_repo(out, models, versions), reps, args.skip_gto)
    if args.only in (None, "build"):
        models, versions = (int(x) for x in args.catalog.split("x"))
        bench_build(report, out, ensure_repo(out, models, versions), models, reps)
    (out / "results.json").write_text(json.dumps(
        {"repetitions": reps, "results": [asdict(r) for r in report.results], "scale": scale}, indent=2) + "\n")
    misses = [r for r in report.results if r.status in ("MISS", "FAIL")]
    print(f"\n{len(report.results)} results, {len(misses)} missed or failed; written to {out / 'results.json'}")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
