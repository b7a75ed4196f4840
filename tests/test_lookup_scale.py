"""Issue 15: a lookup does not fetch the world. `resolve NAME#STAGE --index SITE/api/registry.json` reads
the model's own api/models file (a real catalog of many models, served by a real loopback server that
counts what it sends), falls back to registry.json for sites without per-model files, and says how
recent the index is."""

from __future__ import annotations

import functools
import http.server
import json
import shutil
from pathlib import Path

import pytest

import modelshelf
from modelshelf.delivery import publish_artifacts
from modelshelf.index.build import build_index, dumps
from modelshelf.registry import load_registry
from modelshelf.core.naming import api_file

from .gitutil import GitBuilder, run_cli
from .churn import V1, build_churn
from .conftest import start_loopback, stop_all
from .test_download import readme_snippet, run_readme_snippet

MODELS = 150


class _Counting(http.server.SimpleHTTPRequestHandler):
    """Serves a folder and records (path, body bytes) of every answer."""

    log: list[tuple[str, int]]

    def log_message(self, *args: object) -> None:
        pass

    def copyfile(self, source, outputfile) -> None:  # type: ignore[no-untyped-def]
        data = source.read()
        self.log.append((self.path, len(data)))
        outputfile.write(data)

    def send_error(self, code, message=None, explain=None) -> None:  # type: ignore[no-untyped-def]
        self.log.append((self.path, -code))
        super().send_error(code, message, explain)


@pytest.fixture
def counting() -> object:
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(folder: Path) -> tuple[str, list[tuple[str, int]]]:
        log: list[tuple[str, int]] = []
        handler = type("Handler", (_Counting,), {"log": log})
        return start_loopback(functools.partial(handler, directory=str(folder)), servers), log

    yield start
    stop_all(servers)


@pytest.fixture(scope="module")
def big_catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real repo with MODELS models (one version each, some in prod), its api/ and artifacts/ written
    as `build` writes them (registry.json, api/models/<file_stem>.json, published bytes)."""
    root = tmp_path_factory.mktemp("big")
    repo = GitBuilder(root / "repo")
    declared = "".join(f"  team/model-{i:03d}:\n    path: models/m{i:03d}.bin\n    type: model\n" for i in range(MODELS))
    files = {f"models/m{i:03d}.bin": f"weights {i}\n" for i in range(MODELS)}
    repo.commit("models", {"dvc.yaml": "artifacts:\n" + declared, **files})
    for i in range(MODELS):
        repo.tag(f"team/model-{i:03d}@v1.0.0")
        if i % 3 == 0:
            repo.tag(f"team/model-{i:03d}#prod#1")
    site_dir = root / "site"
    registry = load_registry(repo.path)
    data = build_index(registry).data
    publish_artifacts(registry, data, site_dir)
    (site_dir / "api" / "models").mkdir(parents=True)
    (site_dir / "api" / "registry.json").write_text(dumps(data))
    for model in data["models"]:
        (site_dir / api_file(model["name"])).write_text(dumps(model))
    registry.repo.close()
    return site_dir


def test_resolve_by_stage_reads_one_model_file_not_the_whole_index(big_catalog: Path, counting) -> None:
    base, log = counting(big_catalog)
    whole = (big_catalog / "api" / "registry.json").stat().st_size
    for index in (base + "api/registry.json", base):  # the index's URL, or the site's address
        log.clear()
        result = run_cli("resolve", "team/model-042#prod", "--index", index)
        assert result.returncode == 0, result.stderr
        record = json.loads(result.stdout)
        assert record["name"] == "team/model-042" and record["version"] == "v1.0.0"
        assert record["url"].startswith(base + "artifacts/sha256/")
        assert [path for path, _ in log] == ["/api/models/team~model-042.json"]
        assert "/api/registry.json" not in [path for path, _ in log]
        assert sum(size for _, size in log) * 100 < whole  # < 1% of the full index
    got = modelshelf.download("team/model-042#prod", big_catalog.parent / "out", index=base + "api/registry.json")
    assert got.read_bytes() == b"weights 42\n"


def test_a_site_without_model_files_is_read_through_registry_json(big_catalog: Path, counting, tmp_path: Path) -> None:
    old = tmp_path / "old-site"
    shutil.copytree(big_catalog, old)
    shutil.rmtree(old / "api" / "models")  # a catalog built before per-model files existed
    base, log = counting(old)
    result = run_cli("resolve", "team/model-003#prod", "--index", base + "api/registry.json")
    assert result.returncode == 0, result.stderr
    assert [p for p, _ in log] == ["/api/models/team~model-003.json", "/api/registry.json"]
    assert json.loads(result.stdout)["version"] == "v1.0.0"
    unknown = run_cli("resolve", "team/nope", "--index", base + "api/registry.json")
    assert unknown.returncode == 2 and "unknown model 'team/nope'" in unknown.stderr


def test_a_model_file_for_another_name_is_not_trusted(big_catalog: Path, counting, tmp_path: Path) -> None:
    swapped = tmp_path / "swapped"
    shutil.copytree(big_catalog, swapped)
    shutil.copyfile(swapped / api_file("team/model-001"), swapped / api_file("team/model-002"))
    base, log = counting(swapped)
    record = json.loads(run_cli("resolve", "team/model-002", "--index", base + "api/registry.json").stdout)
    assert record["name"] == "team/model-002"  # answered by registry.json, not by model-001's file
    assert "/api/registry.json" in [p for p, _ in log]


def test_resolve_says_when_the_index_was_built(churn_site) -> None:
    url, _folder, _shas, data = churn_site
    result = run_cli("resolve", "churn#prod", "--index", url)
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    churn = next(m for m in data["models"] if m["name"] == "churn")
    newest = max(e["timestamp"] for e in churn["events"])
    assert record["index"]["newest_event"] == newest
    assert record["index"]["last_modified"]  # http.server sends Last-Modified
    assert f"its newest event is from {newest}" in result.stderr
    assert "the host says it was last modified" in result.stderr


@pytest.mark.skipif(not all(shutil.which(t) for t in ("sh", "curl", "jq", "sha256sum")), reason="needs curl, jq")
def test_readme_recipe_reads_the_model_file_only(big_catalog: Path, counting, tmp_path: Path) -> None:
    assert "api/models/" in readme_snippet()
    base, log = counting(big_catalog)
    got = run_readme_snippet(base.rstrip("/"), tmp_path, NAME="team/model-042", STAGE="prod", OUT="m.bin")
    assert got.returncode == 0, got.stderr
    assert (tmp_path / "m.bin").read_bytes() == b"weights 42\n"
    assert [p for p, _ in log][0] == "/api/models/team~model-042.json"
    assert "/api/registry.json" not in [p for p, _ in log]
