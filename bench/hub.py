"""Hub benchmarks (issue 16): a catalog of many sources, cold and after one new tag.

Presets (``--preset``, repeatable; default: the smaller ``hub-50-fed``):

- ``hub-50``: 50 Git sources (generated repos, 20 models x 10 versions each, local paths):
  a cold build, then a rebuild after one source gets one new tag (goal <= 0.15x the cold
  build), and peak memory (goal < 1.5 GB).
- ``hub-50-fed``: the same 50 repositories as federated sources (each one's own
  ``api/registry.json``, written by ``modelshelf index`` as its CI would): a cold build,
  and a rebuild after one source gets a new tag and republishes its index (goal <= 0.1x the
  cold build of ``hub-50`` when that ran too, and reported against its own cold build).
- ``hub-500-fed``: 500 federated sources x 20 models (10,000 models, synthetic indexes):
  its build vs the ``hub-50-fed`` cold build (goal <= 3x), and the home page's filters
  (text box and source select) in Chromium (goal: within 100 ms).

    python bench/hub.py                                  # hub-50-fed
    python bench/hub.py --preset hub-50 --preset hub-50-fed --preset hub-500-fed

Each build is timed as one ``modelshelf build`` process (wall time, peak RSS, as in
``run.py``). Repos and indexes are generated once under ``bench/out/hub/``; results
go to ``bench/out/hub-results.json``.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent))

import generate  # noqa: E402  (bench/generate.py)
import home_filter  # noqa: E402  (bench/home_filter.py: the Chromium measurement)
from run import MODELSHELF, Report, Result, Run, add_tag, measure  # noqa: E402
from tests.hubrepos import synthetic_index  # noqa: E402  (the federated indexes the hub tests use)

OUT = HERE / "out" / "hub"
SOURCES, MODELS, VERSIONS = 50, 20, 10
BIG_SOURCES = 500
GB = 1024.0

SELECT = """
async ([selector, value]) => {
  const box = document.querySelector(selector);
  box.value = value;
  const start = performance.now();
  box.dispatchEvent(new Event("change", {bubbles: true}));
  await new Promise(done => requestAnimationFrame(() => setTimeout(done, 0)));
  return performance.now() - start;
}
"""


def repos(count: int = SOURCES) -> list[Path]:
    """``count`` generated repositories (created once; plots off: the hub's cost is the sources)."""
    found = []
    for i in range(count):
        path = OUT / "repos" / f"s{i:03d}"
        if not (path / ".git").exists() and not (path / "HEAD").exists():
            if path.exists():
                shutil.rmtree(path)
            generate.generate(path, MODELS, VERSIONS, plots=False, seed=i)
        found.append(path)
    return found


def publish_index(repo: Path) -> Path:
    """What a source's own CI publishes: its ``api/registry.json``."""
    target = OUT / "fed" / repo.name / "api" / "registry.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([*MODELSHELF, "index", "-q", "--repo", str(repo), "-o", str(target)], check=True)
    return target


def synthetic_indexes(count: int) -> list[Path]:
    """``count`` published indexes of MODELS models each, written directly (no repositories)."""
    found = []
    for i in range(count):
        target = OUT / "fed-synthetic" / f"t{i:03d}" / "api" / "registry.json"
        if not target.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(synthetic_index(MODELS, versions=3, prefix=f"t{i:03d}-model")))
        found.append(target)
    return found


def hub_folder(name: str, fresh: bool) -> Path:
    """The hub repository a preset builds in (its Git dir holds the hub's cache)."""
    folder = OUT / "work" / name
    if fresh and folder.exists():
        shutil.rmtree(folder)
    if not folder.exists():
        folder.mkdir(parents=True)
        subprocess.run(["git", "init", "-q", str(folder)], check=True)
    return folder


def build(hub: Path, sources: list[str], label: str) -> Run:
    args = [a for i, s in enumerate(sources) for a in ("--source", f"s{i:03d}={s}")]
    run = measure([*MODELSHELF, "build", "-q", *args, "-o", str(hub / "site")], hub, OUT / "logs" / f"{label}.txt")
    print(f"  {label}: {run.seconds:.1f} s, peak {run.max_rss_mb:.0f} MB" + (f" FAILED {run.stderr_tail}" if run.returncode else ""),
          flush=True)
    return run


def check(report: Report, name: str, value: float, goal: float, headline: str, below: bool = True) -> None:
    ok = value <= goal if below else value >= goal
    report.add(Result(name, "PASS" if ok else "MISS", headline, value=round(value, 3), goal=f"<= {goal}"))


def clear_source_caches(paths: list[Path]) -> None:
    """A cold build: no fragment cache in any source either."""
    for path in paths:
        for cache in (path / ".git" / "modelshelf", path / "modelshelf"):
            shutil.rmtree(cache, ignore_errors=True)


def bench_hub_50(report: Report, results: dict) -> None:
    paths = repos()
    clear_source_caches(paths)
    hub = hub_folder("hub-50", fresh=True)
    cold = build(hub, [str(p) for p in paths], "hub-50-cold")
    add_tag(paths[7])
    again = build(hub, [str(p) for p in paths], "hub-50-one-tag")
    if cold.returncode or again.returncode:
        report.add(Result("hub-50", "FAIL", "a build failed (see bench/out/hub/logs)"))
        return
    results["hub-50"] = {"cold": cold.seconds, "rebuild": again.seconds, "peak_mb": max(cold.max_rss_mb, again.max_rss_mb)}
    check(report, "hub-50 rebuild after one new tag vs cold build", again.seconds / cold.seconds, 0.15,
          f"{again.seconds / cold.seconds:.3f}x ({again.seconds:.1f} s / {cold.seconds:.1f} s)")
    check(report, "hub-50 peak memory (GB)", results["hub-50"]["peak_mb"] / GB, 1.5,
          f"{results['hub-50']['peak_mb']:.0f} MB")


def bench_hub_50_fed(report: Report, results: dict) -> None:
    paths = repos()
    indexes = [publish_index(p) for p in paths]
    hub = hub_folder("hub-50-fed", fresh=True)
    cold = build(hub, [str(i) for i in indexes], "hub-50-fed-cold")
    add_tag(paths[11])
    publish_index(paths[11])  # that source's CI republishes its index
    again = build(hub, [str(i) for i in indexes], "hub-50-fed-one-tag")
    if cold.returncode or again.returncode:
        report.add(Result("hub-50-fed", "FAIL", "a build failed (see bench/out/hub/logs)"))
        return
    results["hub-50-fed"] = {"cold": cold.seconds, "rebuild": again.seconds, "peak_mb": max(cold.max_rss_mb, again.max_rss_mb)}
    base = results.get("hub-50", {}).get("cold")
    if base:
        check(report, "hub-50-fed rebuild after one new tag vs the Git hub's cold build", again.seconds / base, 0.1,
              f"{again.seconds / base:.3f}x ({again.seconds:.1f} s / {base:.1f} s)")
    report.add(Result("hub-50-fed rebuild vs its own cold build", "INFO",
                      f"{again.seconds / cold.seconds:.3f}x ({again.seconds:.1f} s / {cold.seconds:.1f} s)"))


def bench_hub_500_fed(report: Report, results: dict, reps: int) -> None:
    indexes = synthetic_indexes(BIG_SOURCES)
    hub = hub_folder("hub-500-fed", fresh=True)
    cold = build(hub, [str(i) for i in indexes], "hub-500-fed-cold")
    if cold.returncode:
        report.add(Result("hub-500-fed", "FAIL", "the build failed (see bench/out/hub/logs)"))
        return
    results["hub-500-fed"] = {"cold": cold.seconds, "peak_mb": cold.max_rss_mb}
    base = results.get("hub-50-fed", {}).get("cold")
    if base:
        check(report, "hub-500-fed build vs hub-50-fed cold build", cold.seconds / base, 3.0,
              f"{cold.seconds / base:.2f}x ({cold.seconds:.1f} s / {base:.1f} s)")
    home = home_filter.measure(hub / "site", reps)
    home["source_select_ms"] = select_timings(hub / "site", [f"s{i:03d}" for i in (0, 250, 499)] + [""])
    results["hub-500-fed"]["home"] = home
    check(report, "hub-500-fed home text filter, p90 (ms)", home["filter_ms_p90"], 100.0,
          f"median {home['filter_ms_median']} ms, p90 {home['filter_ms_p90']} ms")
    worst = max(home["source_select_ms"].values())
    check(report, "hub-500-fed home source filter, worst (ms)", worst, 100.0, json.dumps(home["source_select_ms"]))


def select_timings(site: Path, values: list[str]) -> dict[str, float]:
    """ms from choosing a source in the home page's select to the next painted frame."""
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(home_filter._Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    found: dict[str, float] = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=home_filter.CHROMIUM, args=["--headless", "--no-sandbox"])
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(f"http://127.0.0.1:{server.server_port}/index.html", wait_until="load")
            page.wait_for_selector("[data-ms-filters][data-ms-bound]")
            for value in values:
                found[value or "(all)"] = round(page.evaluate(SELECT, ["[data-filter='source']", value]), 1)
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return found


PRESETS = ("hub-50", "hub-50-fed", "hub-500-fed")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", action="append", choices=PRESETS, default=[])
    parser.add_argument("--reps", type=int, default=1, help="home filter repetitions")
    args = parser.parse_args(argv)
    chosen = [p for p in PRESETS if p in (args.preset or ["hub-50-fed"])]
    report = Report()
    results: dict = {}
    for preset in chosen:
        print(f"{preset}:", flush=True)
        if preset == "hub-50":
            bench_hub_50(report, results)
        elif preset == "hub-50-fed":
            bench_hub_50_fed(report, results)
        else:
            bench_hub_500_fed(report, results, args.reps)
    (OUT.parent / "hub-results.json").write_text(json.dumps(
        {"results": results, "checks": [r.__dict__ for r in report.results]}, indent=2) + "\n")
    return 1 if any(r.status in ("MISS", "FAIL") for r in report.results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
