"""A hub over three Git sources (a local repo, a bare repo as a file:// URL, a monorepo with
``dir:name`` models) and one federated catalog served on loopback: every model of every source
in the hub's index and pages, downloads through the hub index equal to downloads from each
repository, stale sources kept, incremental rebuilds, and one clear error for bad sources."""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from modelshelf.index.build import load_schema
from modelshelf.sources.hub import build_hub_index, mirror_opener
from modelshelf.sources.spec import make_source
from modelshelf.sources.store import SourceStore

from .conftest import _QuietHandler, start_loopback, stop_all
from .gitutil import GitBuilder, run_cli
from .hubrepos import HubRepos, build_mono, make_hub_repos, synthetic_index

GIT_SOURCES = {"churn": ["churn", "encoder"], "forecast": ["forecast"], "mono": ["nlp:tagger", "vision:detector"]}
FED_MODELS = ["churn", "encoder"]


@pytest.fixture(scope="module")
def module_serve() -> Iterator[Callable[[Path], str]]:
    servers: list = []
    yield lambda folder: start_loopback(functools.partial(_QuietHandler, directory=str(folder)), servers)
    stop_all(servers)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, module_serve) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("hub")
    repos = make_hub_repos(root)
    fed_url = module_serve(repos.fed_site) + "api/registry.json"
    hub = GitBuilder(root / "hub-repo")
    site = root / "hub-site"
    result = run_cli("build", "-q", *repos.sources(fed_url), "-o", str(site), cwd=hub.path)
    assert result.returncode == 0, result.stderr
    return {"repos": repos, "fed_url": fed_url, "hub": hub, "site": site, "build": result, "root": root}


def hub_index(site: Path) -> dict[str, Any]:
    return json.loads((site / "api" / "registry.json").read_text())


def test_every_model_of_every_source_is_in_the_hub_index_with_its_source(world: dict[str, Any]) -> None:
    data = hub_index(world["site"])
    jsonschema.validate(data, load_schema())
    expected = sorted([f"{s}::{m}" for s, models in GIT_SOURCES.items() for m in models]
                      + [f"fed::{m}" for m in FED_MODELS])
    assert [m["name"] for m in data["models"]] == expected
    repos: HubRepos = world["repos"]
    for model in data["models"]:
        source, name = model["name"].split("::")
        assert model["source"] == source and model["name_in_source"] == name
        assert {e["model"] for e in model["events"]} <= {model["name"]}
    by_name = {m["name"]: m for m in data["models"]}
    assert by_name["churn::churn"]["repository"] == str(repos.churn.path)
    assert by_name["forecast::forecast"]["repository"] == repos.bare.as_uri()
    assert by_name["fed::churn"]["source_page"] == world["fed_url"].removesuffix("api/registry.json") + "churn/"
    # federated download URLs resolve against that source's own site, not the hub's
    prod = next(v for v in by_name["fed::churn"]["versions"] if "prod" in v["stages"])
    assert prod["storage"]["download_url"].startswith(world["fed_url"].removesuffix("api/registry.json") + "artifacts/")
    sources = {s["name"]: s for s in data["sources"]}
    assert list(sources) == ["churn", "forecast", "mono", "fed"]
    assert sources["churn"]["commit"] == repos.churn.git("rev-parse", "HEAD")
    assert sources["forecast"]["kind"] == "git" and sources["mono"]["kind"] == "local"
    assert sources["fed"]["kind"] == "index" and re.fullmatch(r"[0-9a-f]{64}", sources["fed"]["index_sha256"])
    assert not any(s["stale"] for s in sources.values())
    assert {s["name"]: s["models"] for s in data["sources"]} == {"churn": 2, "forecast": 1, "mono": 2, "fed": 2}
    for model in data["models"]:  # one file per model, qualified names included
        own = json.loads((world["site"] / model["api"]).read_text())
        assert own["name"] == model["name"]
    assert by_name["mono::vision:detector"]["api"] == "api/models/mono/vision.detector.json"


def test_pages_are_rendered_for_git_sources_and_link_out_for_federated_ones(world: dict[str, Any]) -> None:
    site: Path = world["site"]
    for source, models in GIT_SOURCES.items():
        for name in models:
            page = site / source / name.replace(":", ".") / "index.html"
            assert page.is_file(), page
            assert f"{source}::{name}" in page.read_text()
    assert not (site / "fed").exists()  # no pages for a federated source's models
    home = (site / "index.html").read_text()
    rows = dict(re.findall(r'<tr data-source="([^"]+)" data-type[^>]*>\s*<td data-sort="([^"]+)"', home))
    assert len(re.findall(r'<tr data-source="[^"]+" data-type', home)) == 7
    assert 'data-filter="source"' in home
    fed_page = world["fed_url"].removesuffix("api/registry.json") + "churn/"
    assert f'href="{fed_page}"' in home
    for name in ("churn", "forecast", "mono", "fed"):
        assert f'<option value="{name}">{name}</option>' in home
    assert rows  # the rows name their source
    feed = (site / "feed.xml").read_text()
    assert "mono::vision:detector" in feed and fed_page in feed
    search = (site / "search" / "search_index.json").read_text()
    assert "mono::vision:detector" in search and "forecast::forecast" in search
    compare = (site / "compare" / "index.html").read_text()
    assert "churn::churn" in compare and "api/models/mono/vision.detector.json" in compare


@pytest.mark.parametrize("hub_spec,spec,repo_attr", [
    ("churn::churn#prod", "churn#prod", "churn"),
    ("churn::encoder@v0.1.0", "encoder@v0.1.0", "churn"),
    ("forecast::forecast#staging", "forecast#staging", "bare"),
    ("mono::vision:detector#prod", "vision:detector#prod", "mono"),
    ("mono::nlp:tagger", "nlp:tagger", "mono"),
])
def test_download_through_the_hub_index_fetches_what_the_repository_holds(
        world: dict[str, Any], tmp_path: Path, hub_spec: str, spec: str, repo_attr: str) -> None:
    repos: HubRepos = world["repos"]
    repo = getattr(repos, repo_attr)
    path = repo if isinstance(repo, Path) else repo.path
    via_hub, via_repo = tmp_path / "hub", tmp_path / "repo"
    index = str(world["site"] / "api" / "registry.json")
    result = run_cli("download", hub_spec, "--index", index, "-o", str(via_hub))
    assert result.returncode == 0, result.stderr
    result = run_cli("download", spec, "--repo", str(path), "-o", str(via_repo))
    assert result.returncode == 0, result.stderr
    assert _tree(via_hub) == _tree(via_repo) and _tree(via_hub)


def test_download_of_a_federated_model_equals_one_from_its_own_site(world: dict[str, Any], tmp_path: Path) -> None:
    hub_index_path = str(world["site"] / "api" / "registry.json")
    for spec in ("churn#prod", "encoder@v0.1.0"):
        a, b = tmp_path / spec / "hub", tmp_path / spec / "own"
        result = run_cli("download", f"fed::{spec}", "--index", hub_index_path, "-o", str(a))
        assert result.returncode == 0, result.stderr
        result = run_cli("download", spec, "--index", world["fed_url"], "-o", str(b))
        assert result.returncode == 0, result.stderr
        assert _tree(a) == _tree(b) and _tree(a)


def test_unqualified_specs_resolve_where_unambiguous(world: dict[str, Any]) -> None:
    index = str(world["site"] / "api" / "registry.json")
    result = run_cli("resolve", "vision:detector#prod", "--index", index)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["name"] == "mono::vision:detector"
    result = run_cli("resolve", "churn#prod", "--index", index)  # in two sources
    assert result.returncode == 2
    assert "ambiguous" in result.stderr and "churn::churn" in result.stderr and "fed::churn" in result.stderr


def _own_cache(tmp_path: Path) -> dict[str, str]:
    """A hub outside a Git repository keeps its cache in modelshelf's cache folder: the test's own."""
    return {"MODELSHELF_CACHE_DIR": str(tmp_path / "cache")}


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# -- stale and incremental -----------------------------------------------------------------------------------
def _specs(repos: HubRepos, fed_url: str) -> list:
    return [make_source("churn", str(repos.churn.path)), make_source("forecast", repos.bare.as_uri()),
            make_source("mono", str(repos.mono.path)), make_source("fed", fed_url)]


def test_a_source_that_goes_missing_is_stale_not_dropped(tmp_path: Path, serve) -> None:
    repos = make_hub_repos(tmp_path)
    fed_url = serve(repos.fed_site) + "api/registry.json"
    hub = GitBuilder(tmp_path / "hub-repo")
    site = tmp_path / "site"
    args = ["build", "-q", *repos.sources(fed_url), "-o", str(site)]
    assert run_cli(*args, cwd=hub.path).returncode == 0
    before = hub_index(site)
    shutil.rmtree(repos.mono.path)  # deleted
    shutil.rmtree(repos.fed_site)  # the federated site answers 404 now
    shutil.rmtree(repos.bare)  # the Git URL's repository is gone: its mirror cannot fetch
    result = run_cli(*args, cwd=hub.path)
    assert result.returncode == 0, result.stderr
    assert "source 'mono'" in result.stderr and "is stale" in result.stderr
    after = hub_index(site)
    assert [m["name"] for m in after["models"]] == [m["name"] for m in before["models"]]
    sources = {s["name"]: s for s in after["sources"]}
    assert sources["mono"]["stale"] and "no such folder" in sources["mono"]["reason"]
    assert sources["fed"]["stale"] and "404" in sources["fed"]["reason"]
    assert sources["forecast"]["stale"] and sources["forecast"]["reason"]
    assert sources["mono"]["read_at"] == {s["name"]: s for s in before["sources"]}["mono"]["read_at"]
    assert not sources["churn"]["stale"]
    home = (site / "index.html").read_text()
    assert home.count("data-ms-stale") == 3
    strict = run_cli(*args, "--strict", cwd=hub.path)  # --strict fails the build on a stale source
    assert strict.returncode != 0


def test_a_rebuild_rereads_only_the_sources_that_changed(tmp_path: Path, serve) -> None:
    repos = make_hub_repos(tmp_path)
    fed_url = serve(repos.fed_site) + "api/registry.json"
    store = SourceStore(tmp_path / "cache")
    specs = _specs(repos, fed_url)
    build = functools.partial(build_hub_index, specs, store, open_repository=mirror_opener(tmp_path / "mirrors"))
    assert build().reread == ["churn", "forecast", "mono", "fed"]
    first = build()
    assert first.reread == []  # nothing changed: nothing read again
    repos.mono.tag("nlp=tagger#dev#2")  # one new tag
    second = build()
    assert second.reread == ["mono"]
    assert "dev" in {m["name"]: m for m in second.data["models"]}["mono::nlp:tagger"]["stages"]
    index = repos.fed_site / "api" / "registry.json"
    data = json.loads(index.read_text())
    data["models"][0]["description"] = "changed upstream"
    index.write_text(json.dumps(data))
    third = build()
    assert third.reread == ["fed"]
    assert {m["name"]: m for m in third.data["models"]}["fed::churn"]["description"] == "changed upstream"
    assert third.data["models"] != first.data["models"]
    assert build().data == third.data  # byte-stable when nothing changed
    repos.upstream.tag("forecast#prod#2")  # a Git URL source: its mirror fetches the new tag
    subprocess.run(["git", "push", "-q", str(repos.bare), "--tags"], cwd=repos.upstream.path, check=True)
    fourth = build()
    assert fourth.reread == ["forecast"]
    assert {m["name"]: m for m in fourth.data["models"]}["forecast::forecast"]["stages"]["prod"] == "v0.2.0"


# -- bad input ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("args,message", [
    (["--source", "a=.", "--source", "a=.."], "source 'a': two sources are named"),
    (["--source", "bad.name=."], "source 'bad.name': not a valid source name"),
    (["--source", "stages=."], "source 'stages': not a valid source name"),
    (["--source", "nolocation"], "expected NAME=LOCATION"),
])
def test_badly_named_sources_are_one_clear_error(tmp_path: Path, args: list[str], message: str) -> None:
    for command in (["index"], ["build", "-o", str(tmp_path / "site")]):
        result = run_cli(*command, *args, cwd=tmp_path, env=_own_cache(tmp_path))
        assert result.returncode == 2, result.stderr
        assert message in result.stderr and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_a_url_that_is_no_modelshelf_index_is_one_clear_error(tmp_path: Path, serve) -> None:
    folder = tmp_path / "www"
    (folder / "api").mkdir(parents=True)
    (folder / "api" / "registry.json").write_text(json.dumps({"schema_version": 7, "models": []}))
    (folder / "other.json").write_text(json.dumps({"hello": "world"}))
    (folder / "page.json").write_text("<html>not json</html>")
    base = serve(folder)
    for location, message in ((base + "api/registry.json", "schema_version 7 is not supported"),
                              (base + "other.json", "not a modelshelf index"),
                              (base + "page.json", "not a modelshelf index")):
        for command in (["index"], ["build", "-q", "-o", str(tmp_path / "site")]):
            result = run_cli(*command, "--source", f"remote={location}", cwd=tmp_path, env=_own_cache(tmp_path))
            assert result.returncode == 2, result.stderr
            assert "source 'remote'" in result.stderr and message in result.stderr
            assert "Traceback" not in result.stderr
    missing = (tmp_path / "nothing.git").as_uri()  # a Git URL with no repository behind it
    for command in (["index"], ["build", "-q", "-o", str(tmp_path / "site")]):
        result = run_cli(*command, "--source", f"gone={missing}", cwd=tmp_path, env=_own_cache(tmp_path))
        assert result.returncode == 2, result.stderr
        assert "source 'gone'" in result.stderr and "Traceback" not in result.stderr
    result = run_cli("index", "--source", f"repo={tmp_path}", cwd=tmp_path,  # a folder, not a repository
                     env=_own_cache(tmp_path))
    assert result.returncode == 2 and "source 'repo'" in result.stderr and "not a Git repository" in result.stderr


def test_the_plugin_reads_its_sources_option_from_mkdocs_yml(tmp_path: Path) -> None:
    hub = GitBuilder(tmp_path / "hub")
    (hub.path / "docs").mkdir()
    build_mono(GitBuilder(hub.path / "repos" / "mono"))
    config = hub.path / "mkdocs.yml"
    config.write_text("site_name: hub\ntheme: material\nplugins:\n  - modelshelf:\n      sources:\n"
                      "        - {name: one, location: repos/mono}\n        - {name: one, location: b}\n")
    result = run_cli("build", "-o", str(tmp_path / "site"), cwd=hub.path)
    assert result.returncode != 0, result.stderr  # a configuration error, as MkDocs reports them
    assert "source 'one': two sources are named" in result.stderr
    config.write_text("site_name: hub\ntheme: material\nplugins:\n  - modelshelf:\n      sources:\n"
                      "        - {name: one, location: repos/mono, stages: [prod, dev], stage_colors: {prod: '#123456'}}\n"
                      "        - {name: two, location: repos/mono}\n")  # relative to mkdocs.yml
    result = run_cli("build", "-o", str(tmp_path / "site"), cwd=hub.path)
    assert result.returncode == 0, result.stderr
    assert [m["name"] for m in hub_index(tmp_path / "site")["models"]] == [
        "one::nlp:tagger", "one::vision:detector", "two::nlp:tagger", "two::vision:detector"]
    # per-source settings live in the hub's config: source one's pages use its own stage colour
    assert "#123456" in (tmp_path / "site" / "models" / "one" / "vision.detector" / "index.html").read_text()
    assert "#123456" not in (tmp_path / "site" / "models" / "two" / "vision.detector" / "index.html").read_text()


def test_a_federated_index_is_data_checked_before_the_hub_uses_it(tmp_path: Path, serve) -> None:
    """Names outside GTO's grammar, duplicates, non-web page links and local download paths are left
    out with a warning naming the source: an index read over HTTP cannot point the hub's readers at files."""
    data = synthetic_index(3)
    data["models"][0]["page"] = "javascript:alert(1)"
    data["models"][1]["versions"][0]["storage"] = {"kind": "url", "url": "file:///etc/passwd", "download_url": "file:///etc/x"}
    data["models"].append({**data["models"][2]})
    data["models"].append({**data["models"][2], "name": "../../escape"})
    folder = tmp_path / "www" / "api"
    folder.mkdir(parents=True)
    (folder / "registry.json").write_text(json.dumps(data))
    url = serve(tmp_path / "www") + "api/registry.json"
    result = run_cli("index", "--source", f"team={url}", "-o", str(tmp_path / "hub.json"), cwd=tmp_path,
                     env=_own_cache(tmp_path))
    assert result.returncode == 0, result.stderr
    hub = json.loads((tmp_path / "hub.json").read_text())
    assert [m["name"] for m in hub["models"]] == ["team::model-0000", "team::model-0001", "team::model-0002"]
    by_name = {m["name"]: m for m in hub["models"]}
    assert by_name["team::model-0000"]["source_page"] is None
    assert by_name["team::model-0001"]["versions"][0]["storage"]["url"] is None
    assert by_name["team::model-0001"]["versions"][0]["storage"]["download_url"] is None
    for message in ("not a web page", "is a local path", "is not http(s)", "listed twice", "not a valid model name"):
        assert message in result.stderr


def test_old_page_urls_of_unambiguous_models_redirect_to_their_qualified_pages(world: dict[str, Any]) -> None:
    site: Path = world["site"]
    page = (site / "vision.detector" / "index.html").read_text()
    assert 'http-equiv="refresh" content="0; url=../mono/vision.detector/"' in page
    assert not (site / "forecast" / "index.html").exists()  # model 'forecast' would sit on source 'forecast''s folder
    assert not (site / "churn" / "index.html").exists()  # churn::churn and fed::churn: ambiguous, no redirect
    assert (site / "forecast" / "forecast" / "index.html").is_file()  # a source folder is never a redirect
