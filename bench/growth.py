"""Cold ``index`` growth from a small to a large preset, the two runs interleaved.

On a shared machine the load changes from minute to minute; ``run.py`` times each
preset in turn, so a growth ratio compares a small repo measured under one load with a
large repo measured under another. Here the small and the large repo alternate
(small, large, small, large, ...) and the ratio is of the medians, in wall time and in
CPU time (user + system, git's children included).

    python bench/growth.py                                # folders-2k vs folders-20k, 3 rounds
    python bench/growth.py --small root-2k --large root-20k --rounds 2
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402  (bench/run.py, beside this file)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", default="folders-2k", choices=sorted(run.PRESETS))
    parser.add_argument("--large", default="folders-20k", choices=sorted(run.PRESETS))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    found: dict[str, dict] = {}
    repos = {}
    for name in (args.small, args.large):
        preset = run.PRESETS[name]
        repos[name] = run.ensure_repo(out, preset.models, preset.versions, preset.layout)
        found[name] = {"versions": preset.models * preset.versions, "wall": [], "cpu": [], "mb": []}
    for _ in range(args.rounds):
        for name, repo in repos.items():
            work = out / "work" / f"growth-{name}"
            measured = run.measure(run.MODELSHELF + ["index", "--no-cache", "-q", "--repo", str(repo),
                                                     "-o", str(work / "index.json")], repo, work / "index.out")
            if measured.returncode != 0:
                print(f"{name}: index failed: {measured.stderr_tail}")
                return 1
            found[name]["wall"].append(measured.seconds)
            found[name]["cpu"].append(measured.cpu_seconds)
            found[name]["mb"].append(measured.max_rss_mb)
            print(f"{name}: {measured.seconds:.1f} s, {measured.cpu_seconds:.1f} s CPU, "
                  f"{measured.max_rss_mb:.0f} MB", flush=True)
    small, large = found[args.small], found[args.large]
    summary = {
        "small": args.small, "large": args.large, "rounds": args.rounds,
        "wall_s": [statistics.median(small["wall"]), statistics.median(large["wall"])],
        "cpu_s": [statistics.median(small["cpu"]), statistics.median(large["cpu"])],
        "peak_mb": [max(small["mb"]), max(large["mb"])],
    }
    summary["wall_growth"] = round(summary["wall_s"][1] / summary["wall_s"][0], 2)
    summary["cpu_growth"] = round(summary["cpu_s"][1] / summary["cpu_s"][0], 2)
    print(json.dumps(summary, indent=2))
    (out / f"growth-{args.small}-{args.large}.json").write_text(json.dumps(summary, indent=2) + "\n")
    return 0 if summary["wall_growth"] <= 11 else 1


if __name__ == "__main__":
    sys.exit(main())
