"""The "Use this model" box, as a deploy-script author uses it: every command is copied from the
built page's HTML exactly as shown, run in a shell against a real HTTP server, and must fetch the
bytes of the version the real GTO CLI says the spec names (compared with ``git show``), or fail
loudly (non-zero exit, nothing on stdout) when the server is down or a stage was emptied."""

from __future__ import annotations

import html
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pytest

from .churn import build_churn
from .conftest import require_tool
from .gitutil import GitBuilder, git_bytes, run_cli

pytestmark = pytest.mark.gto  # the scenario repos are written with the real gto CLI


@pytest.fixture
def curl_and_jq() -> None:
    require_tool("bash", "curl", "jq")


needs_curl_jq = pytest.mark.usefixtures("curl_and_jq")

BLOCK = re.compile(r'<p class="ms-use-title">(?P<title>.*?)</p>\s*'
                   r'<div class="language-(?P<lang>\w+) highlight"><pre><span></span><code>(?P<code>.*?)</code></pre>',
                   re.S)
EXTERNAL = b"onnx bytes from elsewhere"
VISION_YAML = "artifacts:\n  det:\n    path: weights/det.pt\n    type: model\n"


@dataclass(frozen=True)
class Command:
    tab: str  # "bash" (CLI and JSON index) or "python"
    title: str
    code: str


@dataclass(frozen=True)
class Built:
    repo: GitBuilder
    url: str  # the site's root URL, as served
    site: Path
    index: dict


def use_box(page: Path) -> list[Command]:
    """The commands of a page's use box, as a browser shows them (and the copy button copies)."""
    text = page.read_text()
    start = text.index('class="tabbed-set tabbed-alternate ms-use"')
    box = text[start: text.index("<h2", start)]
    return [Command(m["lang"], html.unescape(m["title"]), html.unescape(m["code"])) for m in BLOCK.finditer(box)]


def config(repo: Path, site_url: str | None, where: Path) -> Path:
    """The packaged catalog config, with a site_url (or none), reading ``repo``."""
    text = (resources.files("modelshelf") / "defaults" / "mkdocs.yml").read_text()
    text = text.replace('      catalog_dir: ""\n', f'      catalog_dir: ""\n      repo: {json.dumps(str(repo))}\n')
    (where / "docs").mkdir(parents=True, exist_ok=True)
    if site_url:
        text = f"site_url: {site_url}\n" + text
    path = where / "mkdocs.yml"
    path.write_text(text)
    return path


def build_registry(repo: GitBuilder, external: str) -> None:
    """churn (a Git file: prod, dev, a deregistered version), encoder (a Git folder), vision:det
    (declared in vision/dvc.yaml, tagged 'vision=det'), registered and assigned with the real gto;
    ext, an external URL (no checksum in the index)."""
    build_churn(repo)
    repo.commit("vision", {"vision/dvc.yaml": VISION_YAML, "vision/weights/det.pt": b"\x00det-1"})
    repo.gto("register", "vision:det", "--version", "v1.0.0")
    repo.gto("assign", "vision:det", "--stage", "prod", "--version", "v1.0.0")
    repo.commit("vision 2", {"vision/weights/det.pt": b"\x00det-2\r\n"})
    repo.gto("register", "vision:det", "--version", "v1.1.0-rc.1")
    repo.commit("external", {"ext/dvc.yaml": f"artifacts:\n  ext:\n    path: {external}\n    type: model\n"})
    repo.gto("register", "ext:ext", "--version", "v2.0.0")
    repo.gto("assign", "ext:ext", "--stage", "prod", "--version", "v2.0.0")


def build_site(repo: GitBuilder, tmp_path: Path, serve, site_url: bool = True) -> Built:
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "ext.onnx").write_bytes(EXTERNAL)
    build_registry(repo, serve(tmp_path / "files") + "ext.onnx")
    site = tmp_path / "site"
    site.mkdir()
    url = serve(site)  # the server reads the folder per request: the build may replace it
    cfg = config(repo.path, url if site_url else None, tmp_path / "cfg")
    result = run_cli("build", "-f", str(cfg), "-o", str(site), "--publish-artifacts", "-q")
    assert result.returncode == 0, result.stderr
    return Built(repo, url, site, json.loads((site / "api" / "registry.json").read_text()))


@pytest.fixture
def built(repo: GitBuilder, tmp_path: Path, serve) -> Built:
    return build_site(repo, tmp_path, serve)


def model_page(built: Built, name: str) -> Path:
    model = next(m for m in built.index["models"] if m["name"] == name)
    return built.site / model["page"] / "index.html"


def run(command: Command, cwd: Path) -> subprocess.CompletedProcess:
    argv = [sys.executable, "-c", command.code] if command.tab == "python" else ["bash", "-c", command.code]
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"  # the `modelshelf` script
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, env={**os.environ, "PATH": path})


def expected_version(repo: GitBuilder, name: str, spec: str) -> str:
    """What the spec names, by the real GTO CLI."""
    shown = repo.gto_json("show", "--json")[name]
    if "#" in spec:
        return shown["stage"][spec.rsplit("#", 1)[1]]
    return spec.rsplit("@", 1)[1]


def commit_of(repo: GitBuilder, name: str, version: str) -> str:
    return repo.git("rev-list", "-n", "1", f"{name.replace(':', '=')}@{version}")


def dead_url() -> str:
    """An address where nothing listens (a port just released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


@needs_curl_jq
@pytest.mark.parametrize("name, path", [("churn", "models/churn.pkl"), ("vision:det", "vision/weights/det.pt")])
def test_every_command_fetches_the_bytes_of_the_version_gto_names(built: Built, tmp_path: Path,
                                                                  name: str, path: str) -> None:
    commands = use_box(model_page(built, name))
    assert {c.tab for c in commands} == {"bash", "python"} and len(commands) >= 6
    model = next(m for m in built.index["models"] if m["name"] == name)
    for number, command in enumerate(commands):
        cwd = tmp_path / f"run{number}"
        cwd.mkdir()
        result = run(command, cwd)
        assert result.returncode == 0, (command.code, result.stderr)
        if command.code.startswith("curl "):  # the JSON index tab: the index's answer, which is GTO's
            answer = result.stdout.strip()
            if command.title == "Where a version's bytes are":
                latest = next(v for v in model["versions"] if v["version"] == model["latest"])
                assert json.loads(answer) == latest["storage"], command.code
            elif command.title.startswith("What "):
                assert answer == expected_version(built.repo, name, f"{name}#{command.title.split()[1]}")
            else:
                assert answer == built.repo.gto_json("show", "--json")[name]["version"], command.code
            continue
        spec = shlex.split(command.code)[2] if command.tab == "bash" else re.search(r'download\("([^"]+)"', command.code)[1]
        version = expected_version(built.repo, name, spec)
        written = [p for p in cwd.rglob("*") if p.is_file()]
        assert len(written) == 1, (command.code, written)
        assert written[0].read_bytes() == git_bytes(built.repo, commit_of(built.repo, name, version), path), command.code


@needs_curl_jq
def test_json_commands_fail_loudly_when_the_server_is_down_or_a_stage_was_emptied(built: Built,
                                                                                  tmp_path: Path) -> None:
    commands = [c for c in use_box(model_page(built, "churn")) if c.code.startswith("curl ")]
    assert len(commands) >= 3 and all(built.url in c.code for c in commands)
    for command in commands:
        down = Command(command.tab, command.title, command.code.replace(built.url, dead_url()))
        result = run(down, tmp_path)
        assert result.returncode != 0 and result.stdout == "", (down.code, result.stdout)
    # the stage is emptied after the page was built (an unassignment, and the JSON is rebuilt)
    model_file = built.site / "api" / "models" / "churn.json"
    data = json.loads(model_file.read_text())
    data["stages"].pop("prod")
    model_file.write_text(json.dumps(data))
    [prod] = [c for c in commands if c.title == "What prod holds"]
    result = run(prod, tmp_path)
    assert result.returncode != 0 and result.stdout == "" and "stage prod holds no version" in result.stderr


def test_an_external_url_without_checksum_gets_commands_that_say_so_and_work(built: Built, tmp_path: Path) -> None:
    """Without --allow-unverified the box's commands could only fail (exit 2: retrying cannot help)."""
    commands = [c for c in use_box(model_page(built, "ext:ext")) if not c.code.startswith("curl ")]
    assert len(commands) == 4
    for number, command in enumerate(commands):
        assert command.title.endswith("(external URL with no checksum: not verified)"), command.title
        assert "--allow-unverified" in command.code or "allow_unverified=True" in command.code
        cwd = tmp_path / f"run{number}"
        cwd.mkdir()
        result = run(command, cwd)
        assert result.returncode == 0, (command.code, result.stderr)
        [written] = [p for p in cwd.rglob("*") if p.is_file()]
        assert written.name == "ext.onnx" and written.read_bytes() == EXTERNAL
    index = built.url + "api/registry.json"
    result = run_cli("download", "ext:ext#prod", "--index", index, "-o", str(tmp_path / "plain"))
    assert result.returncode == 2 and "--allow-unverified" in result.stderr
    assert not (tmp_path / "plain").exists()


def test_without_site_url_the_page_says_the_commands_run_in_a_clone_and_they_do(
    repo: GitBuilder, tmp_path: Path, serve
) -> None:
    """The clone has its own models/churn.pkl: the commands must not write into the clone's files."""
    built = build_site(repo, tmp_path, serve, site_url=False)
    page = model_page(built, "churn")
    assert "built without <code>site_url</code>" in page.read_text()
    assert "replace <code>SITE_URL</code>" in page.read_text()
    commands = [c for c in use_box(page) if not c.code.startswith("curl ")]
    assert len(commands) == 6 and not any("--index" in c.code or "index=" in c.code for c in commands)
    for command in commands:
        result = run(command, repo.path)  # at the clone's root, as the page says
        assert result.returncode == 0, (command.code, result.stderr)
        spec = shlex.split(command.code)[2] if command.tab == "bash" else re.search(r'download\("([^"]+)"', command.code)[1]
        version = expected_version(repo, "churn", spec)
        written = repo.path / "downloads" / "churn.pkl"
        assert written.read_bytes() == git_bytes(repo, commit_of(repo, "churn", version), "models/churn.pkl")
        shutil.rmtree(repo.path / "downloads")
        assert repo.git("status", "--porcelain") == ""  # the clone's own files are untouched
