"""Measure the catalog's home page at scale: its HTML size and how fast the filter box answers.

Builds (once) an N-model registry with ``generate.py`` and its catalog with ``modelshelf
build``, serves it on loopback, opens the home page in Debian's Chromium (Playwright) and
types into the filter box one key at a time. Each keystroke is timed from the ``input``
event to the first frame painted after it (the handler, style, layout and paint of the
updated list): the number a user feels. Goal (issue 15): under 100 ms at 1,000 models.

    python bench/home_filter.py                       # 1,000 models x 2 versions
    python bench/home_filter.py --models 200 --rebuild
    python bench/home_filter.py --site SITE_DIR       # measure an existing build only

Results are printed and written to ``bench/out/home-filter.json``.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import importlib.util
import json
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
CHROMIUM = "/usr/bin/chromium"
# Typed one key at a time, then cleared: a narrowing search, a miss, a broad one.
QUERIES = ("m12", "regressor", "zzz", "m0", "classifier-0")

# One keystroke: the input's value gains ``text``; resolves with the ms until the next frame is painted
# (rAF runs just before paint, the timeout right after it).
KEYSTROKE = """
async ([selector, value]) => {
  const box = document.querySelector(selector);
  box.value = value;
  const start = performance.now();
  box.dispatchEvent(new Event("input", {bubbles: true}));
  await new Promise(done => requestAnimationFrame(() => setTimeout(done, 0)));
  return performance.now() - start;
}
"""
VISIBLE_ROWS = """
() => [...document.querySelectorAll("table[data-ms-table='models'] tbody tr")].filter(r => !r.hidden).length
"""


def _load_generate():
    spec = importlib.util.spec_from_file_location("bench_generate", HERE / "generate.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def build(models: int, versions: int, rebuild: bool) -> Path:
    repo = OUT / "repos" / f"home-{models}x{versions}"
    site = OUT / "work" / f"home-{models}x{versions}-site"
    if not repo.exists():
        _load_generate().generate(repo, models, versions, plots=False)
    if rebuild and site.exists():
        shutil.rmtree(site)
    if not site.exists():
        started = time.perf_counter()
        subprocess.run(["modelshelf", "build", "--repo", str(repo), "-o", str(site), "-q"], check=True)
        print(f"built {site} in {time.perf_counter() - started:.1f} s")
    return site


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


def measure(site: Path, repetitions: int) -> dict:
    from playwright.sync_api import sync_playwright

    home = site / "index.html"
    html = home.read_bytes()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    timings: list[float] = []
    per_query: dict[str, list[float]] = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            started = time.perf_counter()
            page.goto(f"http://127.0.0.1:{server.server_port}/index.html", wait_until="load")
            load_seconds = time.perf_counter() - started
            page.wait_for_selector("[data-ms-filters][data-ms-bound]")
            selector = "[data-ms-filters] [data-filter='text']"
            rows_at_load = page.evaluate(VISIBLE_ROWS)
            for _ in range(repetitions):
                for query in QUERIES:
                    typed = [query[:i] for i in range(1, len(query) + 1)] + [""]
                    for value in typed:
                        ms = page.evaluate(KEYSTROKE, [selector, value])
                        timings.append(ms)
                        per_query.setdefault(query, []).append(ms)
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return {
        "site": str(site),
        "home_html_bytes": len(html),
        "home_html_gzip_bytes": len(gzip.compress(html, 6)),
        "home_load_seconds": round(load_seconds, 3),
        "rows_in_dom_at_load": rows_at_load,
        "keystrokes": len(timings),
        "filter_ms_median": round(statistics.median(timings), 1),
        "filter_ms_p90": round(sorted(timings)[int(len(timings) * 0.9)], 1),
        "filter_ms_max": round(max(timings), 1),
        "per_query_median_ms": {q: round(statistics.median(v), 1) for q, v in per_query.items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=int, default=1000)
    parser.add_argument("--versions", type=int, default=2)
    parser.add_argument("--site", type=Path, help="measure this built site instead of building one")
    parser.add_argument("--rebuild", action="store_true", help="build the catalog again (after a code change)")
    parser.add_argument("--repetitions", type=int, default=3)
    args = parser.parse_args(argv)
    site = args.site or build(args.models, args.versions, args.rebuild)
    result = measure(site, args.repetitions)
    OUT.mkdir(exist_ok=True)
    (OUT / "home-filter.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    goal = result["filter_ms_p90"] < 100
    print(f"{'PASS' if goal else 'MISS'} filter latency p90 {result['filter_ms_p90']} ms (goal < 100 ms); "
          f"home page {result['home_html_bytes'] / 1e6:.2f} MB ({result['home_html_gzip_bytes'] / 1e3:.0f} kB gzip)")
    return 0 if goal else 1


if __name__ == "__main__":
    raise SystemExit(main())
