"""Private catalogs: ``MODELSHELF_TOKEN`` goes as a Bearer token to the index's own origin only
(never to another host the index names, never across a redirect), a ``.netrc`` entry as Basic
auth; neither is written into a hub's index or pages. Real loopback servers that check the header."""

from __future__ import annotations

import base64
import functools
import http.server
import json
from pathlib import Path
from typing import Any

import pytest

from .conftest import start_loopback, stop_all
from .gitutil import GitBuilder, run_cli
from .hubrepos import synthetic_index

TOKEN = "s3cret-token-value"


class _Private(http.server.SimpleHTTPRequestHandler):
    """Serves a folder to requests carrying ``expected`` (else 401); records what each request sent."""

    def __init__(self, *args: Any, seen: list, expected: str | None, redirect: str | None = None, **kwargs: Any) -> None:
        self.seen, self.expected, self.redirect = seen, expected, redirect
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.seen.append((self.path, self.headers.get("Authorization")))
        if self.redirect and self.path.startswith("/moved/"):
            self.send_response(302)
            self.send_header("Location", self.redirect + self.path.removeprefix("/moved/"))
            self.end_headers()
            return
        if self.expected is not None and self.headers.get("Authorization") != self.expected:
            self.send_error(401)
            return
        super().do_GET()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def servers():
    running: list = []
    yield running
    stop_all(running)


def _serve(servers: list, folder: Path, expected: str | None, redirect: str | None = None) -> tuple[str, list]:
    seen: list = []
    handler = functools.partial(_Private, directory=str(folder), seen=seen, expected=expected, redirect=redirect)
    return start_loopback(handler, servers), seen


def _private_site(tmp_path: Path, bytes_url: str) -> Path:
    folder = tmp_path / "private"
    (folder / "api").mkdir(parents=True)
    data = synthetic_index(2)
    for model in data["models"]:
        for version in model["versions"]:
            version["storage"] = {"kind": "url", "url": bytes_url, "size": 5,
                                  "sha256": "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"}
    (folder / "api" / "registry.json").write_text(json.dumps(data))
    return folder


def test_the_token_goes_to_the_index_origin_only(tmp_path: Path, servers: list) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "model.bin").write_bytes(b"hello")
    other_url, other_seen = _serve(servers, other, expected=None)
    site = _private_site(tmp_path, other_url + "model.bin")
    url, seen = _serve(servers, site, expected=f"Bearer {TOKEN}")
    index = url + "api/registry.json"
    denied = run_cli("resolve", "model-0000#prod", "--index", index)
    assert denied.returncode != 0 and "401" in denied.stderr
    out = tmp_path / "out"
    done = run_cli("download", "model-0000#prod", "--index", index, "-o", str(out), env={"MODELSHELF_TOKEN": TOKEN})
    assert done.returncode == 0, done.stderr
    assert [p.read_bytes() for p in out.iterdir()] == [b"hello"]
    assert (seen[-1][1]) == f"Bearer {TOKEN}"
    assert other_seen and all(auth is None for _, auth in other_seen)  # the bytes' host never saw it
    assert TOKEN not in done.stdout + done.stderr


def test_a_redirect_to_another_origin_drops_the_token(tmp_path: Path, servers: list) -> None:
    target = tmp_path / "target"
    (target / "api").mkdir(parents=True)
    (target / "api" / "registry.json").write_text(json.dumps(synthetic_index(1)))
    target_url, target_seen = _serve(servers, target, expected=None)
    empty = tmp_path / "empty"
    empty.mkdir()
    url, _ = _serve(servers, empty, expected=None, redirect=target_url)
    result = run_cli("resolve", "model-0000", "--index", url + "moved/api/registry.json", env={"MODELSHELF_TOKEN": TOKEN})
    assert result.returncode == 0, result.stderr
    assert target_seen and all(auth is None for _, auth in target_seen)


def test_netrc_credentials_are_sent_as_basic_auth(tmp_path: Path, servers: list) -> None:
    site = _private_site(tmp_path, "https://example.invalid/x.bin")
    expected = "Basic " + base64.b64encode(b"reader:pw").decode()
    url, seen = _serve(servers, site, expected=expected)
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login reader password pw\n")
    netrc.chmod(0o600)
    result = run_cli("resolve", "model-0001", "--index", url + "api/registry.json", env={"NETRC": str(netrc)})
    assert result.returncode == 0, result.stderr
    assert seen[-1][1] == expected


def test_a_private_federated_source_is_read_with_the_token_and_never_published(tmp_path: Path, servers: list) -> None:
    site = _private_site(tmp_path, "https://example.invalid/x.bin")
    url, _ = _serve(servers, site, expected=f"Bearer {TOKEN}")
    hub = GitBuilder(tmp_path / "hub")
    out = tmp_path / "hub.json"
    args = ["index", "--source", f"team={url}api/registry.json", "-o", str(out)]
    denied = run_cli(*args, "--strict", cwd=hub.path)  # unreadable, never read: stale with no models
    assert denied.returncode == 1 and "source 'team'" in denied.stderr and "401" in denied.stderr
    result = run_cli(*args, cwd=hub.path, env={"MODELSHELF_TOKEN": TOKEN})
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text())
    assert [m["name"] for m in data["models"]] == ["team::model-0000", "team::model-0001"]
    assert TOKEN not in out.read_text()
    cache = list((hub.path / ".git" / "modelshelf").rglob("*.json"))
    assert cache and all(TOKEN not in p.read_text() for p in cache)
