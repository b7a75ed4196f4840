"""One progress type for reads, builds and downloads (``progress.Reporter``): the same line
policy whether it counts versions or bytes, and bars drawn past the CLI's escaping."""

from __future__ import annotations

import hashlib
import io
import json
import sys
from pathlib import Path

from modelshelf.progress import BYTES, Reporter, plain_progress

from .ptyutil import stderr_on_a_terminal


def test_counts_and_bytes_follow_one_line_policy() -> None:
    now = [0.0]
    counted, moved = io.StringIO(), io.StringIO()
    versions = plain_progress("reading versions", counted, clock=lambda: now[0])
    download = Reporter("m", moved, bar=False, unit=BYTES, clock=lambda: now[0])
    assert isinstance(versions, Reporter)
    versions(1, 4, "a")
    download.begin(4096)
    download.advance(1024)
    now[0] = 10.0  # a line once a run lasts EVERY_SECONDS
    versions(2, 4, "b")
    download.advance(1024)
    now[0] = 15.0  # not again within EVERY_SECONDS
    versions(3, 4, "c")
    download.advance(1024)
    now[0] = 16.0  # and once at the end
    versions(4, 4, "d")
    download.advance(1024)
    download.end()
    assert counted.getvalue().splitlines() == ["modelshelf: reading versions: 2 of 4",
                                               "modelshelf: reading versions: 4 of 4"]
    assert moved.getvalue().splitlines() == ["m: 2.0 KiB of 4.0 KiB (50%), 205 B/s",
                                             "m: 4.0 KiB of 4.0 KiB (100%), 256 B/s"]


def test_a_short_run_prints_nothing_either_way() -> None:
    out = io.StringIO()
    download = Reporter("m", out, bar=False, unit=BYTES, clock=lambda: 0.0)
    download.begin(None)
    download.advance(10)
    download.end()
    versions = Reporter("reading versions", out, bar=False, clock=lambda: 0.0)
    for done in range(1, 4):
        versions(done, 3, "x")
    assert out.getvalue() == ""


def test_the_download_bar_draws_carriage_returns_not_their_escapes(tmp_path: Path) -> None:
    """On a terminal the bar is modelshelf's own drawing: written past the escaping of repo text
    (before, the CLI's stderr wrapper printed tqdm's carriage returns as ``\\u000d``)."""
    data = b"weights " * 60_000
    (tmp_path / "model.bin").write_bytes(data)
    index = {"schema_version": 1, "stages": [], "models": [{"name": "m", "latest": "v1.0.0", "stages": {}, "versions": [
        {"version": "v1.0.0", "status": "active", "commit": "0" * 40, "tag": "m@v1.0.0", "stages": [],
         "storage": {"kind": "url", "url": (tmp_path / "model.bin").as_uri(), "size": len(data),
                     "sha256": hashlib.sha256(data).hexdigest()}}]}]}
    (tmp_path / "index.json").write_text(json.dumps(index))
    code, drawn = stderr_on_a_terminal([sys.executable, "-m", "modelshelf", "download", "m", "--index",
                                        str(tmp_path / "index.json"), "-o", str(tmp_path / "out")])
    assert code == 0, drawn
    assert "m:" in drawn and "B/s" in drawn and "\r" in drawn, drawn
    assert "\\u000d" not in drawn and "\\u001b" not in drawn, drawn
