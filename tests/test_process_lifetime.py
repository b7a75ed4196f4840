"""Issue 12 item 10: no ``git cat-file`` process outlives the registry that started it.

Each registry owns a long-running ``git cat-file --batch`` child. Commands, write actions
and the MkDocs plugin left them running (ResourceWarnings under ``python -X dev``, and
children piling up in a long-lived process such as ``serve`` or a script). Checked here
with the real CLI under ``-X dev -W error::ResourceWarning`` and, in one process, by
reading the process's children from /proc after each call.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from .gitutil import GitBuilder

DEV = [sys.executable, "-X", "dev", "-W", "error::ResourceWarning"]


def _repo(tmp_path: Path) -> GitBuilder:
    g = GitBuilder(tmp_path / "repo")
    g.commit("model", {"dvc.yaml": "artifacts:\n  nlp:\n    path: m.bin\n    type: model\n", "m.bin": "w",
                       "metrics.json": {"acc": 0.5}})
    g.commit("better", {"m.bin": "w2", "metrics.json": {"acc": 0.6}})
    return g


def _dev_cli(g: GitBuilder, *args: str, expect: int = 0) -> str:
    result = subprocess.run([*DEV, "-m", "modelshelf", *args], cwd=g.path, capture_output=True, text=True,
                            env=g._env())
    assert result.returncode == expect, result.stderr
    assert "ResourceWarning" not in result.stderr and "still running" not in result.stderr, result.stderr
    return result.stdout


def test_cli_commands_close_their_git_processes(tmp_path: Path) -> None:
    g = _repo(tmp_path)
    _dev_cli(g, "register", "nlp", "HEAD~1")
    _dev_cli(g, "assign", "nlp", "HEAD", "--stage", "prod")  # registers HEAD first: two registries read
    _dev_cli(g, "assign", "nlp", "--version", "v0.0.1", "--stage", "dev")
    for command in (["show"], ["show", "nlp", "--json"], ["history"], ["stages"], ["index", "-o", "index.json"],
                    ["doctor"], ["compare", "nlp", "v0.0.1", "v0.0.2"], ["check-ref", "refs/tags/nlp@v0.0.1"]):
        _dev_cli(g, *command)
    _dev_cli(g, "doctor", "--tags-only", "-r", str(tmp_path), expect=2)  # not a repository
    _dev_cli(g, "unassign", "nlp", "--stage", "dev")
    _dev_cli(g, "deregister", "nlp", "v0.0.1", "--force")
    _dev_cli(g, "deprecate", "nlp", "--force")
    tags = g.git("tag").split()
    assert {"nlp@v0.0.1", "nlp@v0.0.2", "nlp#prod#1", "nlp#dev#2", "nlp#dev!#3", "nlp@v0.0.1!", "nlp@deprecated#4"} <= set(tags)


def test_builds_close_their_git_processes_when_they_succeed_and_when_they_fail(tmp_path: Path) -> None:
    g = _repo(tmp_path)
    g.tag("nlp@v0.0.1", "HEAD~1", message="Registering artifact nlp version v0.0.1")
    _dev_cli(g, "build", "-o", str(tmp_path / "site"), "-q")
    assert (tmp_path / "site" / "nlp" / "index.html").is_file()
    # A strict build that fails after the plugin read the registry (a link to a missing page).
    (g.path / "docs").mkdir()
    (g.path / "docs" / "index.md").write_text("[gone](missing.md)\n")
    (g.path / "mkdocs.yml").write_text("site_name: t\ntheme: {name: material}\nplugins: [search, modelshelf]\n")
    _dev_cli(g, "build", "-o", str(tmp_path / "strict"), "--strict", "-q", expect=1)
    assert not (tmp_path / "strict").exists()
    result = subprocess.run([*DEV, "-m", "mkdocs", "build", "-q", "-d", str(tmp_path / "plain")], cwd=g.path,
                            capture_output=True, text=True, env=g._env())
    assert result.returncode == 0 and "ResourceWarning" not in result.stderr, result.stderr


CHILDREN = '''
import json, os, sys
from pathlib import Path

def children():
    found = []
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        found += (task / "children").read_text().split()
    return sorted(int(pid) for pid in found)

def commands(pids):
    out = []
    for pid in pids:
        try:
            out.append(Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\\0", b" ").decode().strip())
        except OSError:
            pass
    return out

report = {}
def check(step):
    report[step] = commands(children())
'''


def test_one_process_keeps_no_git_children_after_each_call(tmp_path: Path) -> None:
    """A script (or ``serve``) calling the API many times: after each call, no child left."""
    g = _repo(tmp_path)
    site = tmp_path / "site"
    script = CHILDREN + textwrap.dedent(f'''
        import modelshelf
        from mkdocs.commands.build import build
        from mkdocs.config import load_config
        from mkdocs.exceptions import Abort, BuildError
        repo = {str(g.path)!r}
        modelshelf.register("nlp", "HEAD~1", repo=repo); check("register")
        modelshelf.assign("nlp", "prod", ref="HEAD", repo=repo); check("assign, registering first")
        with modelshelf.load_registry(repo) as registry:
            assert registry.state.artifacts["nlp"].versions
        check("load_registry")
        try:
            modelshelf.load_registry({str(tmp_path)!r})
        except Exception:
            pass
        check("load_registry of a folder that is no repository")
        from modelshelf.sitebuild.mkdocs_build import build_site
        build_site(repo, {str(site)!r}, verbose=False); check("build_site")
        Path(repo, "docs").mkdir()
        Path(repo, "docs", "index.md").write_text("[gone](missing.md)")
        Path(repo, "mkdocs.yml").write_text("site_name: t\\nplugins: [modelshelf]\\n")
        try:
            build(load_config(str(Path(repo, "mkdocs.yml")), strict=True, site_dir={str(tmp_path / "failed")!r}))
        except (Abort, BuildError):
            pass
        check("a failed mkdocs build (on_build_error)")
        print(json.dumps(report))
    ''')
    result = subprocess.run([*DEV, "-c", script], cwd=g.path, capture_output=True, text=True, env=g._env())
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert list(report) == ["register", "assign, registering first", "load_registry",
                            "load_registry of a folder that is no repository", "build_site",
                            "a failed mkdocs build (on_build_error)"]
    assert report == {step: [] for step in report}
    assert "ResourceWarning" not in result.stderr, result.stderr


def test_resolve_and_download_from_a_repo_close_their_git_processes(tmp_path: Path) -> None:
    """``resolve``/``download --repo`` read the repo through a registry: closed on success and on
    every failure (an unknown model, version or stage; a destination that exists)."""
    g = _repo(tmp_path)
    g.tag("nlp@v0.0.1", "HEAD~1", message="Registering artifact nlp version v0.0.1")
    g.tag("nlp#prod#1", "HEAD~1", message="Assigning stage prod to artifact nlp version v0.0.1")
    resolved = json.loads(_dev_cli(g, "resolve", "nlp#prod", "--repo", "."))
    assert resolved["version"] == "v0.0.1"
    _dev_cli(g, "resolve", "nlp@latest", "-r", str(g.path))
    _dev_cli(g, "resolve", "nope", "--repo", ".", expect=2)  # unknown model: raised while the repo is read
    _dev_cli(g, "resolve", "nlp@v9.9.9", "--repo", ".", expect=2)  # unknown version: raised after
    out = tmp_path / "out"
    written = _dev_cli(g, "download", "nlp#prod", "--repo", ".", "-o", str(out), "-q").strip()
    assert Path(written).read_text() == "w"
    _dev_cli(g, "download", "nlp#prod", "--repo", ".", "-o", str(out), "-q", expect=2)  # exists, no --force
    _dev_cli(g, "download", "nope", "--repo", ".", "-o", str(out), "-q", expect=2)


def test_the_download_api_keeps_no_git_children_after_each_call(tmp_path: Path) -> None:
    """``modelshelf.resolve``/``download`` with ``repo=``, called from a long-lived script."""
    g = _repo(tmp_path)
    g.tag("nlp@v0.0.1", "HEAD~1", message="Registering artifact nlp version v0.0.1")
    out = tmp_path / "out"
    script = CHILDREN + textwrap.dedent(f'''
        import modelshelf
        from modelshelf.delivery import DownloadError
        repo = {str(g.path)!r}
        assert modelshelf.resolve("nlp", repo=repo).version.version == "v0.0.1"; check("resolve")
        for spec in ("nope", "nlp@v9.9.9", "nlp#prod"):
            try:
                modelshelf.resolve(spec, repo=repo)
                raise SystemExit(f"{{spec}} resolved")
            except DownloadError:
                pass
            check(f"resolve {{spec}} (fails)")
        written = modelshelf.download("nlp@v0.0.1", {str(out)!r}, repo=repo)
        assert written.read_text() == "w"; check("download")
        for spec in ("nlp@v0.0.1", "nope"):  # the first exists already (no force)
            try:
                modelshelf.download(spec, {str(out)!r}, repo=repo)
                raise SystemExit(f"{{spec}} downloaded")
            except DownloadError:
                pass
            check(f"download {{spec}} (fails)")
        print(json.dumps(report))
    ''')
    result = subprocess.run([*DEV, "-c", script], cwd=g.path, capture_output=True, text=True, env=g._env())
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert list(report) == ["resolve", "resolve nope (fails)", "resolve nlp@v9.9.9 (fails)", "resolve nlp#prod (fails)",
                            "download", "download nlp@v0.0.1 (fails)", "download nope (fails)"]
    assert report == {step: [] for step in report}
    assert "ResourceWarning" not in result.stderr, result.stderr


def test_generate_and_demo_close_their_git_processes(tmp_path: Path) -> None:
    g = _repo(tmp_path)
    g.tag("nlp@v0.0.1", "HEAD~1", message="Registering artifact nlp version v0.0.1")
    _dev_cli(g, "generate", "-o", str(g.path / "docs" / "models"), "-q")
    assert (g.path / "docs" / "models").is_dir()
    _dev_cli(g, "generate", "-o", str(g.path / "docs" / "models"), "-q", "-r", str(tmp_path), expect=2)  # no repo
    _dev_cli(g, "demo", "-o", str(tmp_path / "demo"), "--no-build", "-q")
    assert (tmp_path / "demo" / "registry" / ".git").is_dir()
