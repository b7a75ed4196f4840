"""A rebuild after one new tag, the code of two trees interleaved on one repo copy.

    git archive main src | tar -x -C /tmp/before      # the code before, as committed
    python bench/rebuild.py bench/out/repos/1000x10 --before /tmp/before/src --after src --rounds 2

Builds REPO's copy cold once (with ``--after``), then, per round, adds one tag and rebuilds
with ``--before``, adds one more and rebuilds with ``--after``: each rebuild follows a build
of the previous repo state, so both see the same warm caches (the ``before`` code ignores
the caches it does not know). Prints wall and CPU time per run and the medians' ratios to
the cold build; the load changes from minute to minute on a shared machine, so compare runs
of the same round.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from run import MODELSHELF, add_tag, measure  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--before", type=Path, required=True, help="src folder of the code before")
    parser.add_argument("--after", type=Path, required=True, help="src folder of the code after")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="rebuild-bench-"))
    copy, site = work / "repo", work / "site"
    shutil.copytree(args.repo, copy, symlinks=True)
    shutil.rmtree(copy / ".git" / "modelshelf", ignore_errors=True)

    def build(src: Path, label: str):
        run = measure(MODELSHELF + ["build", "-q", "--repo", str(copy), "-o", str(site)], copy, work / f"{label}.out",
                      env={"PYTHONPATH": str(src.absolute())})
        if run.returncode != 0:
            raise SystemExit(f"{label}: {run.stderr_tail}")
        print(f"{label}: {run.seconds:.1f} s wall, {run.cpu_seconds:.1f} s CPU, load {os.getloadavg()[0]:.1f}",
              flush=True)
        return run

    cold = build(args.after, "cold (after)")
    runs: dict[str, list] = {"before": [], "after": []}
    for n in range(args.rounds):
        for label, src in (("before", args.before), ("after", args.after)):
            add_tag(copy)
            runs[label].append(build(src, f"rebuild {n + 1} ({label})"))
    for label, series in runs.items():
        wall = statistics.median(r.seconds for r in series)
        cpu = statistics.median(r.cpu_seconds for r in series)
        print(f"{label}: rebuild/cold {wall / cold.seconds:.3f}x wall ({wall:.1f} s / {cold.seconds:.1f} s), "
              f"{cpu / cold.cpu_seconds:.3f}x CPU ({cpu:.1f} s / {cold.cpu_seconds:.1f} s)")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
