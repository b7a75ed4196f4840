"""Signature verification in the index: a repo whose ~2,000 registry tags are all SSH-signed,
against the same repo with the same tags unsigned (no verification at all).

    python bench/signed.py                 # 50 models x 20 versions (~2,050 tags), 3 repetitions
    python bench/signed.py --reps 1 --models 10 --versions 10

Both repos come from ``generate.py`` (deterministic: the same commits and tag names); in
the signed one every tag object is rewritten with an SSH signature made by a key generated
here (the message gains the newline a signed tag needs), and ``gpg.ssh.allowedSignersFile``
names that key, so every tag verifies. Checks (ratios of medians, measured in one run):

- cold ``index --no-cache`` (no fragment cache, no verdict cache): signed / unsigned, goal <= 4x;
- warm ``index`` (fragment cache and cached verdicts): signed / unsigned, goal <= 1.1x.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent


def git(repo: Path, *args: str, data: bytes | None = None) -> bytes:
    return subprocess.run(["git", *args], cwd=repo, input=data, capture_output=True, check=True).stdout


def generate(path: Path, models: int, versions: int) -> None:
    subprocess.run([sys.executable, str(HERE / "generate.py"), str(path), "--models", str(models),
                    "--versions", str(versions), "--force"], check=True, capture_output=True)


def sign_every_tag(repo: Path, key: Path) -> int:
    """Rewrite each annotated tag as an SSH-signed one (ssh-keygen -Y sign, in parallel)."""
    listing = git(repo, "for-each-ref", "--format=%(objecttype) %(objectname) %(refname)", "refs/tags").decode()
    tags = [line.split(" ", 2) for line in listing.splitlines() if line.startswith("tag ")]

    def signed(entry: list[str]) -> tuple[str, bytes]:
        _, sha, ref = entry
        payload = git(repo, "cat-file", "tag", sha)
        if not payload.endswith(b"\n"):
            payload += b"\n"
        signature = subprocess.run(["ssh-keygen", "-q", "-Y", "sign", "-f", str(key), "-n", "git"],
                                   input=payload, capture_output=True, check=True).stdout
        return ref, payload + signature

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        objects = list(pool.map(signed, tags))
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, (_, body) in enumerate(objects):
            path = Path(tmp) / f"{i}.tag"
            path.write_bytes(body)
            paths.append(str(path))
        shas = git(repo, "hash-object", "-t", "tag", "-w", "--stdin-paths",
                   data="\n".join(paths).encode() + b"\n").decode().split()
    updates = "".join(f"update {ref} {sha}\n" for (ref, _), sha in zip(objects, shas))
    git(repo, "update-ref", "--stdin", data=updates.encode())
    return len(objects)


def timed(repo: Path, *args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "modelshelf", "index", "-o", os.devnull, "--repo", str(repo), *args],
                   check=True, capture_output=True)
    return time.perf_counter() - start


def median(repo: Path, reps: int, *args: str, clear_cache: bool = False) -> float:
    times = []
    for _ in range(reps):
        if clear_cache:
            shutil.rmtree(repo / ".git" / "modelshelf", ignore_errors=True)
        times.append(timed(repo, *args))
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=int, default=50)
    parser.add_argument("--versions", type=int, default=20)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "out" / "signed")
    args = parser.parse_args(argv)
    plain, signed = args.out / "unsigned", args.out / "signed"
    generate(plain, args.models, args.versions)
    generate(signed, args.models, args.versions)
    key = args.out / "key"
    key.unlink(missing_ok=True)
    Path(f"{key}.pub").unlink(missing_ok=True)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "bench", "-f", str(key)], check=True)
    allowed = args.out / "allowed_signers"
    allowed.write_text("bench@example.com " + " ".join(Path(f"{key}.pub").read_text().split()[:2]) + "\n")
    git(signed, "config", "gpg.ssh.allowedSignersFile", str(allowed))
    start = time.perf_counter()
    count = sign_every_tag(signed, key)
    print(f"signed {count} tags in {time.perf_counter() - start:.1f} s; {os.cpu_count()} cores")

    cold_plain = median(plain, args.reps, "--no-cache")
    cold_signed = median(signed, args.reps, "--no-cache")
    timed(plain)
    timed(signed)  # warms the fragment cache and the verdict cache
    warm_plain = median(plain, args.reps)
    warm_signed = median(signed, args.reps)
    results = [
        ("cold index --no-cache, signed / unsigned", cold_signed / cold_plain, 4.0, cold_signed, cold_plain),
        ("warm index (cached verdicts), signed / unsigned", warm_signed / warm_plain, 1.1, warm_signed, warm_plain),
    ]
    missed = 0
    for name, ratio, goal, ours, base in results:
        verdict = "PASS" if ratio <= goal else "MISS"
        missed += verdict == "MISS"
        print(f"{verdict} {name}: {ratio:.2f}x (goal <= {goal}x; {ours:.1f} s vs {base:.1f} s)")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
