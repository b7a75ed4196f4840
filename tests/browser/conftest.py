"""Browser tests: the built catalog in Debian's chromium, driven by Playwright.

The browser is the system one (``/usr/bin/chromium``); Playwright never
downloads one here. Sites are served by ``http.server`` on 127.0.0.1 only, and
every request that would leave that origin is aborted and recorded, so a test
can assert that the catalog works offline (no CDN, no web fonts).
"""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest

from ..conftest import require_module, require_path
from ..gitutil import GitBuilder, run_cli
from .scenario import hostile_repo

T = TypeVar("T")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Material renders Mermaid into a *closed* shadow root; open it so tests can see the <svg>.
OPEN_SHADOW_ROOTS = """
const attach = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (init) { return attach.call(this, {...init, mode: "open"}); };
"""
IMAGES_LOADED = "imgs => imgs.every(i => i.complete && i.naturalWidth > 0)"


def wait_for_diagrams(page: Any) -> int:
    """Every lineage block rendered by Mermaid into an <svg> (Material drops ``pre.mermaid`` on failure too).

    Closed blocks are drawn when opened, so each is opened first.
    """
    expected = page.locator("details.ms-lineage").count()
    page.eval_on_selector_all("details.ms-lineage", "ds => ds.forEach(d => { d.open = true; })")
    if expected:
        try:
            page.wait_for_function(f"document.querySelectorAll('div.mermaid').length === {expected}")
            page.locator("div.mermaid svg").nth(expected - 1).wait_for(state="attached")  # closed <details> hide some
        except require_module("playwright.sync_api").TimeoutError:  # evaluated only on a failure
            raise AssertionError(
                f"{page.locator('div.mermaid svg').count()} of {expected} lineage diagrams rendered on {page.url}: "
                "does the site load its own mermaid.min.js? (Material fetches Mermaid from a CDN otherwise)"
            ) from None
    assert page.locator("div.mermaid svg").count() == expected
    return expected


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    require_path(CHROMIUM, "install Debian's chromium (apt-get install -y chromium)")
    sync_api = require_module("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


@dataclass
class Site:
    """A built catalog served on loopback."""

    root: Path
    url: str  # ends with "/"

    @functools.cached_property
    def index(self) -> dict:
        return json.loads((self.root / "api" / "registry.json").read_text())

    def model(self, name: str) -> dict:
        return next(m for m in self.index["models"] if m["name"] == name)

    def page_url(self, name: str) -> str:
        return self.url + self.model(name)["page"]


def serve(root: Path) -> Iterator[Site]:
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(root, f"http://127.0.0.1:{server.server_port}/")
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def build_ok(result) -> None:
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"


def build_and_serve(tmp_path_factory: pytest.TempPathFactory, name: str,
                    make_repo: Callable[[GitBuilder], T]) -> Iterator[tuple[Site, T]]:
    """A repo made by ``make_repo`` (what it returns comes along), built with ``modelshelf build`` and served."""
    base = tmp_path_factory.mktemp(name)
    builder = GitBuilder(base / "repo")
    made = make_repo(builder)
    build_ok(run_cli("build", "--repo", str(builder.path), "-o", str(base / "site"), "-q"))
    for site in serve(base / "site"):
        yield site, made


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """``modelshelf demo``: the demo registry and its catalog."""
    out = tmp_path_factory.mktemp("demo")
    build_ok(run_cli("demo", "-o", str(out), "-q"))
    yield from serve(out / "site")


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """``modelshelf build`` of a repo whose every piece of text tries to run script."""
    for site, _ in build_and_serve(tmp_path_factory, "hostile", hostile_repo):
        yield site


@dataclass
class Watch:
    """What a page did that it should not: console errors, uncaught errors, dialogs, requests off-site."""

    console_errors: list[tuple[str, str]] = field(default_factory=list)  # (text, url)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)

    def assert_clean(self, offline: bool = False) -> None:
        """No dialog, no script error, no console error; ``offline``: no request left the site either.

        Without ``offline``, the console errors of blocked off-site requests are
        left to the one test that checks the catalog is self-contained.
        """
        assert not self.dialogs, f"dialogs opened: {self.dialogs}"
        assert not self.page_errors, f"uncaught errors: {self.page_errors}"
        if offline:
            assert not self.external, f"requests outside the site (CDN, web fonts?): {self.external}"
        errors = [(text, url) for text, url in self.console_errors if offline or url not in self.external]
        assert not errors, f"console errors: {errors}"


@pytest.fixture
def watch() -> Watch:
    return Watch()


def _open_page(browser: Any, site: Site, watch: Watch) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    context.add_init_script(OPEN_SHADOW_ROOTS)

    def route(route_: Any) -> None:
        if route_.request.url.startswith(site.url):
            route_.continue_()
        else:
            watch.external.append(route_.request.url)
            route_.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.set_default_timeout(15_000)  # a wait for something that never comes fails sooner
    page.on("console", lambda m: watch.console_errors.append((m.text, m.location.get("url", "")))
            if m.type == "error" else None)
    page.on("pageerror", lambda e: watch.page_errors.append(str(e)))

    def dialog(d: Any) -> None:
        watch.dialogs.append(f"{d.type}: {d.message}")
        d.dismiss()

    page.on("dialog", dialog)
    return page


def page_on(browser: Any, site: Site, watch: Watch) -> Iterator[Any]:
    """A page of ``site`` in a fresh browser context, closed after the test (``yield from``)."""
    page = _open_page(browser, site, watch)
    yield page
    page.context.close()


@pytest.fixture
def demo_page(browser: Any, demo_site: Site, watch: Watch) -> Iterator[Any]:
    yield from page_on(browser, demo_site, watch)


@pytest.fixture
def hostile_page(browser: Any, hostile_site: Site, watch: Watch) -> Iterator[Any]:
    yield from page_on(browser, hostile_site, watch)


def screenshot(page: Any, name: str, full_page: bool = True) -> Path:
    """Saved under test-artifacts/ (gitignored) for a human to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
