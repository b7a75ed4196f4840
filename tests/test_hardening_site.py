"""Issue 12, site part: what a build reads from its cache, and what a killed build leaves behind.

Attacks are reproduced with real repositories, the real ``modelshelf`` CLI and real signals.
"""

from __future__ import annotations

import os
import pickle
import subprocess
from pathlib import Path

import jinja2
import pytest
from jinja2.bccache import bc_magic

from modelshelf.render.site import TEMPLATES_DIR
from modelshelf.render.svgcheck import UnsafeSvg, check_svg

from .gitutil import GitBuilder, run_cli

EVIL_SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)">'
            b"<script>fetch('/api/registry.json')</script></svg>")


class _Touch:
    """A pickle that runs a shell command when loaded (what Jinja's bytecode cache unpickles)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def _registry_with_catalog(tmp_path: Path) -> Path:
    """The demo registry (versions with metrics, so plots) with the mkdocs.yml ``init`` writes, committed."""
    assert run_cli("demo", "--no-build", "-q", "-o", str(tmp_path / "demo")).returncode == 0
    repo = tmp_path / "demo" / "registry"
    result = run_cli("init", "-r", str(repo), "--no-github", "--no-gitlab")
    assert result.returncode == 0, result.stderr
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", "catalog")
    return repo


def _jinja_cache_names() -> list[str]:
    """The bytecode cache file of every template a build loads (Material's and ours), as
    Jinja's FileSystemBytecodeCache names them: the key hashes the name and the source path."""
    import material

    names = []
    for root in (Path(material.__file__).parent / "templates", TEMPLATES_DIR):
        for path in root.rglob("*.html"):
            name = path.relative_to(root).as_posix()
            key = jinja2.BytecodeCache().get_cache_key(name, os.path.normpath(path))
            names.append(f"__jinja2_{key}.cache")
    return names


def _plot_names(repo: Path) -> list[str]:
    """The plots a build of ``repo`` draws, by file name (content-addressed: an attacker knows them too)."""
    site = repo.parent / "scratch-site"
    result = run_cli("build", "--repo", str(repo), "-o", str(site), "-q")
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in (site / "assets" / "plots").glob("*.svg"))
    assert names
    return names


def _assert_plots_are_ours(site: Path, names: list[str]) -> None:
    plots = sorted((site / "assets" / "plots").glob("*.svg"))
    assert sorted(p.name for p in plots) == names
    for plot in plots:
        data = plot.read_bytes()
        assert b"<script" not in data and b"onload" not in data, plot
        check_svg(data)  # raises on anything a plot does not hold


def test_a_committed_cache_runs_nothing_and_reaches_no_page(tmp_path: Path) -> None:
    """Issue 12 item 1: a clone that commits ``.cache/modelshelf/`` (the old cache folder)
    with crafted compiled templates and plots: the build runs none of it and copies none of it."""
    origin = _registry_with_catalog(tmp_path)
    names = _plot_names(origin)
    marker = tmp_path / "pwned"
    cache = origin / ".cache" / "modelshelf"
    (cache / "jinja").mkdir(parents=True, exist_ok=True)
    payload = bc_magic + pickle.dumps(_Touch(marker), protocol=2)
    for name in _jinja_cache_names():
        (cache / "jinja" / name).write_bytes(payload)
    for name in names:
        (cache / name).write_bytes(EVIL_SVG)
    _git(origin, "add", "-f", ".cache")
    _git(origin, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", "cache")
    clone = tmp_path / "clone"
    _git(tmp_path, "clone", "-q", str(origin), str(clone))
    _git(clone, "fetch", "-q", "--tags")

    site = tmp_path / "site"
    result = run_cli("build", "--repo", str(clone), "-o", str(site))
    assert result.returncode == 0, result.stderr
    assert not marker.exists(), "a committed Jinja cache file ran a command"
    _assert_plots_are_ours(site, names)
    assert _git(clone, "status", "--porcelain", "--ignored") == "", "the build wrote into the work tree"

    # A mkdocs.yml that points cache_dir at the committed folder: still never read.
    config = (clone / "mkdocs.yml").read_text()
    assert "  - modelshelf:\n" in config
    (clone / "mkdocs.yml").write_text(config.replace("  - modelshelf:\n", "  - modelshelf:\n      cache_dir: .cache/modelshelf\n"))
    again = run_cli("build", "--repo", str(clone), "-o", str(tmp_path / "again"))
    assert again.returncode == 0, again.stderr
    assert "holds files committed to Git; they are never read" in again.stderr
    assert not marker.exists()
    _assert_plots_are_ours(tmp_path / "again", names)
    assert all((clone / ".cache" / "modelshelf" / name).read_bytes() == EVIL_SVG for name in names)
    _git(clone, "checkout", "-q", "mkdocs.yml")

    doctor = run_cli("doctor", "--tags-only", "-r", str(clone))
    assert doctor.returncode == 1
    finding = [line for line in doctor.stdout.splitlines() if line.startswith("cache:")]
    assert len(finding) == 1 and "compiled templates" in finding[0] and ".cache/modelshelf" in finding[0]


def test_doctor_is_quiet_about_a_repository_without_a_committed_cache(tmp_path: Path) -> None:
    g = GitBuilder(tmp_path / "repo")
    g.commit("model", {"dvc.yaml": "artifacts:\n  nlp:\n    path: m.bin\n    type: model\n", "m.bin": "w",
                       "docs/.cache/notes.md": "not modelshelf's"})
    g.tag("nlp@v1.0.0", message="Registering artifact nlp version v1.0.0")
    doctor = run_cli("doctor", "--tags-only", "-r", str(g.path))
    assert "cache:" not in doctor.stdout, doctor.stdout


def test_a_poisoned_cache_in_the_git_dir_is_redrawn(tmp_path: Path) -> None:
    """CI cache poisoning: the cache in the Git dir restored from another run (actions/cache
    restores files, so nothing stored with them can vouch for them): every cached plot
    is checked, and one that is not an SVG modelshelf draws is redrawn, with a warning."""
    repo = _registry_with_catalog(tmp_path)
    names = _plot_names(repo)
    cache = Path(_git(repo, "rev-parse", "--path-format=absolute", "--git-common-dir").strip()) / "modelshelf" / "cache"
    assert {p.name for p in cache.glob("*.svg")} >= set(names)
    assert not (cache / "jinja").exists(), "compiled templates are cached (Jinja loads them as code)"
    for name in names:
        (cache / name).write_bytes(EVIL_SVG)
    site = tmp_path / "site"
    result = run_cli("build", "--repo", str(repo), "-o", str(site))
    assert result.returncode == 0, result.stderr
    _assert_plots_are_ours(site, names)
    for name in names:
        assert f"cached plot {name} is not one modelshelf draws" in result.stderr
        check_svg((cache / name).read_bytes())  # redrawn into the cache
    assert not (repo / ".cache").exists()


@pytest.mark.parametrize("svg", [
    EVIL_SVG,
    b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div xmlns="http://www.w3.org/1999/xhtml"/>'
    b"</foreignObject></svg>",
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink"><use x:href="https://e.test/a.svg#a"/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import "https://e.test/x.css";</style></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><path style="fill: url(https://e.test/x)"/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><style>p{fill:u\\72l(https://e.test/x)}</style></svg>',
    b'<?xml-stylesheet href="https://e.test/x.css"?><svg xmlns="http://www.w3.org/2000/svg"/>',
    b'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/hostname">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><h:script xmlns:h="http://www.w3.org/1999/xhtml">1</h:script></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><text>x</text></a></svg>',
    b"<html><script>1</script></html>",
])
def test_svg_check_refuses_what_a_plot_never_holds(svg: bytes) -> None:
    with pytest.raises(UnsafeSvg):
        check_svg(svg)


# -- issue 12 item 3 (build part): killed builds -----------------------------------------

WAIT_HOOK = '''import os, signal, sys


def on_env(env, config, files):
    """Stop mid-build (plots drawing, the site half staged) until a signal ends the process."""
    if os.environ.get("MODELSHELF_TEST_WAIT"):
        sys.stderr.write("TEST-HOOK-WAITING\\n")
        sys.stderr.flush()
        while True:
            signal.pause()
    return env
'''


def _waiting_registry(tmp_path: Path) -> Path:
    """The demo registry with a mkdocs.yml whose hook stops the build in the middle (when asked)."""
    repo = _registry_with_catalog(tmp_path)
    (repo / "wait_hook.py").write_text(WAIT_HOOK)
    with open(repo / "mkdocs.yml", "a") as config:
        config.write("hooks:\n  - wait_hook.py\n")
    return repo


def _build_until_waiting(repo: Path, out: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    """A real ``modelshelf build`` stopped in its hook (its log says so: no sleeping)."""
    import sys
    import queue
    import threading

    process = subprocess.Popen([sys.executable, "-m", "modelshelf", "build", "--repo", str(repo), "-o", str(out)],
                               env={**env, "MODELSHELF_TEST_WAIT": "1"}, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    assert process.stderr is not None
    stream = process.stderr
    threading.Thread(target=lambda: [lines.put(line) for line in stream], daemon=True).start()
    seen: list[str] = []
    while True:
        line = lines.get(timeout=300)  # only guards against a hang
        seen.append(line)
        if "TEST-HOOK-WAITING" in line:
            return process
        assert process.poll() is None or not lines.empty(), "".join(seen)


def _processes_mentioning(text: str) -> list[str]:
    """Command lines of the live (not zombie) processes whose arguments contain ``text``."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if not proc.name.isdigit() or (proc / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                continue
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in command:
            found.append(command)
    return found


def _leftovers(out: Path, tmp: Path) -> list[Path]:
    return sorted([*out.parent.glob(f".{out.name}.*"), *tmp.glob("modelshelf-*")])


def test_sigterm_cleans_up_like_ctrl_c_and_the_next_build_removes_what_sigkill_left(tmp_path: Path) -> None:
    import signal

    repo = _waiting_registry(tmp_path)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp)}
    out = tmp_path / "out" / "site"

    build = _build_until_waiting(repo, out, env)
    assert len(_leftovers(out, tmp)) == 2  # the staged site and the working folder exist now
    build.send_signal(signal.SIGTERM)
    assert build.wait(timeout=120) != 0
    assert _leftovers(out, tmp) == [] and not out.exists()
    assert _processes_mentioning(str(out)) == []  # no plot worker or git process outlives the build

    build = _build_until_waiting(repo, out, env)
    build.kill()  # SIGKILL: nothing can clean up
    build.wait(timeout=120)
    left = _leftovers(out, tmp)
    assert len(left) == 2
    result = subprocess.run([os.sys.executable, "-m", "modelshelf", "build", "--repo", str(repo), "-o", str(out),
                             "-q"], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert _leftovers(out, tmp) == []
    assert (out / "index.html").is_file()


HOLD_LOCKS = '''import fcntl, os, sys
fds = [os.open(path, os.O_RDWR) for path in sys.argv[1:]]
for fd in fds:
    fcntl.flock(fd, fcntl.LOCK_EX)
print("LOCKED", flush=True)
sys.stdin.read()
'''


def test_the_next_build_removes_stale_working_folders_and_never_a_live_one(tmp_path: Path) -> None:
    import sys

    from modelshelf.sitebuild.workdir import LOCK_NAME

    g = GitBuilder(tmp_path / "repo")
    g.commit("model", {"dvc.yaml": "artifacts:\n  nlp:\n    path: m.bin\n    type: model\n", "m.bin": "w"})
    g.tag("nlp@v1.0.0", message="Registering artifact nlp version v1.0.0")
    tmp = tmp_path / "tmp"
    out = tmp_path / "out" / "site"
    env = {**os.environ, "TMPDIR": str(tmp)}

    def plant(path: Path, lock: bool = True) -> Path:
        path.mkdir(parents=True)
        (path / "site").mkdir()
        (path / "site" / "index.html").write_text("half a site")
        if lock:
            (path / LOCK_NAME).write_bytes(b"")
        return path

    stale = [plant(out.parent / ".site.build-dead1"), plant(tmp / "modelshelf-build-dead2"),
             plant(tmp / "modelshelf-serve-dead3")]
    old_unlocked = plant(out.parent / ".site.build-olderversion", lock=False)
    os.utime(old_unlocked, (g.clock, g.clock))  # 2024: long before any run now
    live = [plant(out.parent / ".site.build-live1"), plant(tmp / "modelshelf-build-live2"),
            plant(tmp / "modelshelf-serve-live3")]
    fresh_unlocked = plant(tmp / "modelshelf-build-justmade", lock=False)  # a run between mkdtemp and locking
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCKS, *(str(p / LOCK_NAME) for p in live)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "LOCKED\n"
        result = run_cli("build", "--repo", str(g.path), "-o", str(out), "-q", env=env)
        assert result.returncode == 0, result.stderr
        assert (out / "index.html").is_file()
        for path in [*stale, old_unlocked]:
            assert not path.exists(), path
        for path in [*live, fresh_unlocked]:
            assert (path / "site" / "index.html").read_text() == "half a site", path
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=60)
    # The owner is gone now: the next run removes its folders.
    result = run_cli("build", "--repo", str(g.path), "-o", str(out), "-q", env=env)
    assert result.returncode == 0, result.stderr
    assert not any(path.exists() for path in live)
