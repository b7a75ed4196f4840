"""Real catalog builds: `modelshelf build --strict`, the plugin under `mkdocs build --strict`, the demo."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from .gitutil import GitBuilder, assert_no_warnings, run_cli
from .htmlutil import parse

pytestmark = pytest.mark.gto  # the scenario repos are written with the real gto CLI

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
MDLINK = "[x](javascript:alert(1))"
HOSTILE = f"{SCRIPT} {IMG} {MDLINK}"

DVC_YAML = f"""\
artifacts:
  evil-model:
    path: models/evil/model.pkl
    type: model
    desc: {json.dumps("Danger " + HOSTILE)}
    labels: [{json.dumps(IMG)}, tabular]
    meta:
      metrics: metrics.json
      params: params.yaml
  good-model:
    path: models/good/model.pkl
    type: model
    desc: A well-behaved model
    labels: [tabular]
"""

CARD = f"""\
---
license: {json.dumps(SCRIPT)}
base_model: plain-base
---
# Evil model

{HOSTILE}

<a href="javascript:alert(2)">click</a>
"""


def scenario(path: Path) -> GitBuilder:
    """A GTO-managed repo whose every piece of text is hostile."""
    g = GitBuilder(path)
    g.commit("declare models " + SCRIPT, {
        "dvc.yaml": DVC_YAML,
        "models/evil/model.pkl": "v1", "models/good/model.pkl": "v1",
        "models/evil/README.md": CARD,
        "metrics.json": {"accuracy": 0.81, "<b>auc</b>": 0.7},
        "params.yaml": "lr: 0.1\n",
    })
    g.gto("register", "evil-model", "--version", "v1.0.0", "-m", HOSTILE)
    g.gto("register", "good-model", "--version", "v1.0.0")
    g.gto("assign", "evil-model", "--version", "v1.0.0", "--stage", "prod", "-m", IMG)
    g.commit("retrain", {"models/evil/model.pkl": "v2", "metrics.json": {"accuracy": 0.86, "<b>auc</b>": 0.75},
                         "params.yaml": "lr: 0.05\n"})
    g.gto("register", "evil-model", "--version", "v1.1.0", "-m", MDLINK)
    g.gto("assign", "evil-model", "--version", "v1.1.0", "--stage", "staging")
    g.gto("register", "good-model", "--version", "v1.1.0")
    g.gto("deprecate", "good-model", "-m", "retired " + SCRIPT)
    return g




def assert_safe(site: Path) -> None:
    """No page runs or links repo script: hostile text only ever appears escaped."""
    pages = list(site.rglob("*.html"))
    assert pages
    for page in pages:
        text = page.read_text()
        assert SCRIPT not in text and "<img src=x" not in text, page
        parsed = parse(page)
        for tag, attrs in parsed.tags:
            urls = " ".join(str(attrs.get(k)) for k in ("href", "src", "action", "formaction", "xlink:href"))
            assert "javascript:" not in urls.lower() and "alert" not in urls, (page, tag, attrs)
            assert not any(k.startswith("on") for k in attrs), (page, tag, attrs)
            if tag == "script":
                assert "alert" not in " ".join(str(v) for v in attrs.values())


@pytest.fixture(scope="module")
def evil(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return scenario(tmp_path_factory.mktemp("evil") / "repo").path


@pytest.fixture(scope="module")
def evil_site(evil: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("evil-site") / "site"
    result = run_cli("build", "--repo", str(evil), "-o", str(out), "--strict")
    assert_no_warnings(result)
    assert "rendering model" not in result.stderr  # a short build logs no progress (tests/test_build_progress.py)
    return out


def test_cli_build_without_mkdocs_yml(evil_site: Path) -> None:
    for path in ("index.html", "stages/index.html", "activity/index.html", "evil-model/index.html",
                 "good-model/index.html", "api/registry.json", "api/models/evil-model.json", "api/schema.json",
                 "feed.xml", "assets/modelshelf/modelshelf.js", "assets/modelshelf/modelshelf.css"):
        assert (evil_site / path).is_file(), path
    assert not list(evil_site.parent.glob(".site.build-*"))  # staging renamed away


def test_every_site_file_is_readable_as_a_plain_write_would_make_it(evil_site: Path) -> None:
    """A web server running as another user must read the API files too (mkstemp makes 0600)."""
    mask = os.umask(0)
    os.umask(mask)
    modes = {p.relative_to(evil_site).as_posix(): p.stat().st_mode & 0o777 for p in evil_site.rglob("*") if p.is_file()}
    assert "api/registry.json" in modes and "feed.xml" in modes
    assert {path: mode for path, mode in modes.items() if mode != 0o666 & ~mask} == {}


def test_hostile_text_is_escaped_everywhere(evil_site: Path) -> None:
    assert_safe(evil_site)
    page = (evil_site / "evil-model" / "index.html").read_text()
    assert "Danger &lt;script&gt;alert(1)&lt;/script&gt;" in page  # description
    assert "&lt;img src=x onerror=alert(1)&gt;" in page  # label, tag message
    text = "".join(parse(evil_site / "evil-model" / "index.html").text)
    assert MDLINK in text  # literal text, never a link
    assert "&lt;b&gt;auc&lt;/b&gt;" in page  # metric key
    home = (evil_site / "index.html").read_text()
    assert "&lt;img src=x onerror=alert(1)&gt;" in home


def test_model_card_is_sanitized(evil_site: Path) -> None:
    page = (evil_site / "evil-model" / "index.html").read_text()
    assert "Model card" in page
    assert "plain-base" in page  # front matter shown as facts
    hrefs = [a.get("href") for t, a in parse(evil_site / "evil-model" / "index.html").tags if t == "a"]
    assert not [h for h in hrefs if h and "alert" in h]


def test_index_keeps_original_text_and_validates(evil_site: Path) -> None:
    data = json.loads((evil_site / "api" / "registry.json").read_text())
    schema = json.loads((evil_site / "api" / "schema.json").read_text())
    jsonschema.validate(data, schema)
    evil = next(m for m in data["models"] if m["name"] == "evil-model")
    assert evil["description"] == "Danger " + HOSTILE
    assert evil["labels"][0] == IMG
    assert evil["page"] == "evil-model/" and evil["api"] == "api/models/evil-model.json"
    messages = {e["tag"]: e["message"] for e in evil["events"]}  # each tag message, exactly as written
    assert (messages["evil-model@v1.0.0"], messages["evil-model#prod#1"], messages["evil-model@v1.1.0"]) == (
        HOSTILE, IMG, MDLINK)
    one = json.loads((evil_site / evil["api"]).read_text())
    assert one == evil
    model_schema = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": "#/$defs/model"}
    jsonschema.validate(one, model_schema)


def test_pages_show_the_registry(evil_site: Path) -> None:
    page = (evil_site / "evil-model" / "index.html").read_text()
    assert "modelshelf download evil-model@v1.1.0" in page
    assert "modelshelf download evil-model#prod" in page
    assert "v1.1.0" in page and "v1.0.0" in page
    assert "Lineage" not in page and "<pre class=\"mermaid" not in page and "ms-mermaid-lazy" not in page  # no dvc.lock
    assert "0.86" in page and "+0.05" in page  # metric with its change
    home = (evil_site / "index.html").read_text()
    assert 'href="evil-model/"' in home
    deprecated = home.index("Deprecated models")
    assert home.index("good-model", deprecated) > deprecated
    stages = (evil_site / "stages" / "index.html").read_text()
    assert "evil-model" in stages and "v1.0.0" in stages
    search = json.loads((evil_site / "search" / "search_index.json").read_text())
    assert any(doc["location"].startswith("evil-model/") for doc in search["docs"])


def test_search_indexes_models_but_not_their_history(evil_site: Path) -> None:
    search = json.loads((evil_site / "search" / "search_index.json").read_text())
    model_docs = [d for d in search["docs"] if d["location"].startswith("evil-model/")]
    text = " ".join(d["title"] + " " + d["text"] for d in model_docs)
    assert "evil-model" in text and "Danger" in text  # name and description
    sections = {d["title"]: d["text"] for d in model_docs}
    for bulky in ("Use this model", "Versions", "Parameter changes", "History"):  # headings found, bodies skipped
        assert sections[bulky] == "", (bulky, sections[bulky])
    page = (evil_site / "evil-model" / "index.html").read_text()
    assert "modelshelf-block" not in page  # every block was put back after search read the page
    assert 'data-ms-table="events"' in page and 'id="ms-versions"' in page and "ms-params" in page
    assert "modelshelf download evil-model#prod" in page  # the use box is on the page, just not in search


def test_search_finds_labels_type_meta_and_stages_as_words(evil_site: Path) -> None:
    """Search indexes the text between tags as written: adjacent labels, badges or facts
    (``<dd>tabular</dd>``, ``<span>x</span><span>y</span>``) must keep a space between them,
    or "tabular" is only part of one long token and searching a label finds nothing."""
    search = json.loads((evil_site / "search" / "search_index.json").read_text())
    docs = {d["location"]: d["text"] for d in search["docs"]}
    page = docs["evil-model/"]
    words = re.split(r"[\s\-]+", re.sub(r"<[^>]+>", " ", page))  # the separator the index declares
    assert search["config"]["separator"] == r"[\s\-]+"
    for word in ("tabular", "model", "metrics", "metrics.json", "params.yaml"):  # a label, the type, meta
        assert word in words, (word, page)
    assert {"prod:", "staging:", "v1.1.0"} <= set(words), page  # badges apart (their no-break space splits too)
    home = re.split(r"[\s\-]+", re.sub(r"<[^>]+>", " ", docs[""]))
    assert "tabular" in home and "All" not in home  # the table's labels; not the filter controls


def test_builds_are_deterministic(evil: Path, evil_site: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert_no_warnings(run_cli("build", "--repo", str(evil), "-o", str(again), "--quiet"))
    for path in ("api/registry.json", "api/models/evil-model.json", "feed.xml"):
        assert (again / path).read_bytes() == (evil_site / path).read_bytes(), path


def test_failed_build_keeps_the_old_site(evil: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / "keep.txt").write_text("old site")
    bad = tmp_path / "bad.yml"
    bad.write_text("site_name: x\ntheme: {name: material}\nplugins: [modelshelf]\nnav: [missing.md]\n"
                   f"docs_dir: {tmp_path / 'nodocs'}\n")
    (tmp_path / "nodocs").mkdir()
    result = run_cli("build", "--repo", str(evil), "-o", str(out), "--strict", "--config-file", str(bad))
    assert result.returncode != 0
    assert (out / "keep.txt").read_text() == "old site"
    assert not list(tmp_path.glob(".site.build-*"))


def test_a_config_elsewhere_builds_the_repo_given(evil: Path, tmp_path: Path) -> None:
    """`build -r REPO -f FILE` read the repository beside FILE (none here) instead of REPO."""
    conf = tmp_path / "conf"
    (conf / "docs").mkdir(parents=True)
    (conf / "mkdocs.yml").write_text("site_name: x\ntheme: {name: material}\nplugins: [search, modelshelf]\n")
    out = tmp_path / "site"
    built = run_cli("build", "-r", str(evil), "-f", str(conf / "mkdocs.yml"), "-o", str(out), "-q")
    assert built.returncode == 0, built.stderr
    names = [m["name"] for m in json.loads((out / "api/registry.json").read_text())["models"]]
    assert "evil-model" in names
    refused = run_cli("serve", "-r", str(evil), "-f", str(conf / "mkdocs.yml"))
    assert refused.returncode == 2 and "drop --repo" in refused.stderr and len(refused.stderr.splitlines()) == 1


@pytest.mark.parametrize("where", ["a-file", "below-a-file"])
def test_unwritable_output_is_one_line_naming_it_and_exit_2(evil: Path, tmp_path: Path, where: str) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("mine")
    out = blocker if where == "a-file" else blocker / "site"
    result = run_cli("build", "--repo", str(evil), "-o", str(out), "-q")
    assert result.returncode == 2
    assert result.stderr.startswith(f"modelshelf: error: cannot write the site to {out}: ")
    assert len(result.stderr.strip().splitlines()) == 1 and ".build-" not in result.stderr  # no temp names
    assert blocker.read_text() == "mine" and sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_plugin_in_a_user_mkdocs_yml(evil: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(evil), str(clone)], check=True)
    subprocess.run(["git", "remote", "set-url", "origin", "git@github.com:acme/models.git"], cwd=clone, check=True)
    (clone / "docs").mkdir()
    (clone / "docs" / "index.md").write_text(
        "# Our docs\n\nSee the [catalog](models/index.md) and the [index](api/registry.json).\n")
    (clone / "mkdocs.yml").write_text(
        "site_name: Team models\nsite_url: https://models.example.com/\ntheme:\n  name: material\n"
        "  features: [content.code.copy]\nplugins:\n  - search\n  - modelshelf\n"
        "markdown_extensions:\n  - admonition\n  - attr_list\n  - md_in_html\n  - tables\n"
        "  - pymdownx.snippets\n  - pymdownx.superfences\n")
    out = tmp_path / "site"
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
                            cwd=clone, capture_output=True, text=True,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert_no_warnings(result)
    assert_safe(out)
    page = (out / "models" / "evil-model" / "index.html").read_text()
    data = json.loads((out / "api" / "registry.json").read_text())
    head = next(v for m in data["models"] if m["name"] == "evil-model" for v in m["versions"])["commit"]
    assert f'href="https://github.com/acme/models/commit/{head}"' in page
    assert "https://models.example.com/api/registry.json" in page  # commands point at the published index
    assert data["repository"]["commit_url"] == "https://github.com/acme/models/commit/{sha}"
    assert data["models"][0]["page"].startswith("models/")
    nav = (out / "index.html").read_text()
    assert 'href="models/"' in nav
    assert 'href="models/evil-model/"' not in nav  # model pages stay out of the navigation
    # the repo's own mkdocs.yml is what `modelshelf build` uses too
    again = tmp_path / "again"
    assert_no_warnings(run_cli("build", "--repo", str(clone), "-o", str(again), "--strict"))
    assert (again / "models" / "evil-model" / "index.html").is_file()


def test_builds_from_a_shallow_clone_stop_unless_allowed(evil: Path, tmp_path: Path) -> None:
    """CI's default checkout is shallow: publishing it would replace the catalog with an empty one."""
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{evil}", str(clone)], check=True)
    (clone / "docs").mkdir()
    (clone / "docs" / "index.md").write_text("# Our docs\n")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}

    def mkdocs(options: str) -> subprocess.CompletedProcess:
        (clone / "mkdocs.yml").write_text(f"site_name: t\ntheme: {{name: material}}\nplugins: [search, {{modelshelf: {options}}}]\n")
        return subprocess.run([sys.executable, "-m", "mkdocs", "build", "-d", str(tmp_path / "mk")], cwd=clone,
                              capture_output=True, text=True, env=env)

    refused = mkdocs("{}")
    assert refused.returncode == 1 and "is a shallow clone" in refused.stderr
    assert "allow_shallow: true" in refused.stderr and "git fetch --tags --unshallow" in refused.stderr
    assert mkdocs("{allow_shallow: true}").returncode == 0
    out = tmp_path / "site"
    cli = run_cli("build", "--repo", str(clone), "-o", str(out), "-q")
    assert cli.returncode == 2 and cli.stderr.count("\n") == 1 and not out.exists()
    allowed = run_cli("build", "--repo", str(clone), "-o", str(out), "-q", "--allow-shallow")
    assert allowed.returncode == 0 and (out / "api" / "registry.json").is_file()
    assert "shallow clone" in allowed.stderr  # still warned


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "out"
    result = run_cli("demo", "-o", str(out))
    assert_no_warnings(result)
    assert (out / "site" / "index.html").as_uri() in result.stdout
    return out


def test_demo_catalog(demo_site: Path) -> None:
    site = demo_site / "site"
    data = json.loads((site / "api" / "registry.json").read_text())
    jsonschema.validate(data, json.loads((site / "api" / "schema.json").read_text()))
    names = [m["name"] for m in data["models"]]
    assert "models/vision:detector" in names
    detector = next(m for m in data["models"] if m["name"] == "models/vision:detector")
    assert detector["api"] == "api/models/models~vision.detector.json"
    assert (site / detector["api"]).is_file()
    assert (site / detector["page"]).is_file()  # plain .html URLs: browsable from the file system
    assert list((site / "assets" / "plots").glob("*.svg"))
    home = (site / "index.html").read_text()
    for name in names:
        assert name in home


def test_demo_strict_build_and_refusal(demo_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert_no_warnings(run_cli("build", "--repo", str(demo_site / "registry"), "-o", str(out), "--strict"))
    assert (out / "models~vision.detector" / "index.html").is_file()
    again = run_cli("demo", "-o", str(demo_site))
    assert again.returncode == 2 and "not empty" in again.stderr


def test_templates_are_overridden_from_custom_dir_and_edits_show_at_once(evil: Path, tmp_path: Path) -> None:
    """A user's ``custom_dir/modelshelf/*.html`` wins over ours, and an edited override shows on the next build."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(evil), str(clone)], check=True)
    (clone / "docs").mkdir()
    (clone / "docs" / "index.md").write_text("# Docs\n")
    ours = resources.files("modelshelf").joinpath("render/templates/modelshelf/stages.html").read_text()
    override = clone / "overrides" / "modelshelf" / "stages.html"
    override.parent.mkdir(parents=True)
    override.write_text(ours.replace('<p class="ms-lead">', '<p class="ms-lead">TEAM-OVERRIDE-ONE '))
    (clone / "mkdocs.yml").write_text(
        "site_name: Team models\ntheme:\n  name: material\n  custom_dir: overrides\n"
        "plugins:\n  - search\n  - modelshelf\n")
    first = tmp_path / "first"
    assert_no_warnings(run_cli("build", "--repo", str(clone), "-o", str(first), "--strict"))
    assert "TEAM-OVERRIDE-ONE" in (first / "models" / "stages" / "index.html").read_text()
    override.write_text(ours.replace('<p class="ms-lead">', '<p class="ms-lead">TEAM-OVERRIDE-TWO '))
    second = tmp_path / "second"
    assert_no_warnings(run_cli("build", "--repo", str(clone), "-o", str(second), "--strict"))
    page = (second / "models" / "stages" / "index.html").read_text()
    assert "TEAM-OVERRIDE-TWO" in page and "TEAM-OVERRIDE-ONE" not in page
    assert not (clone / ".cache").exists()  # the build cache is in the Git dir, never in the work tree


def test_huge_tag_messages_are_cut_on_pages_and_kept_whole_in_the_index(tmp_path: Path) -> None:
    """Git and GTO accept a megabyte of message; pages showed it up to three times, 1.2M pixels tall."""
    g = GitBuilder(tmp_path / "repo")
    g.commit("model", {"dvc.yaml": "artifacts:\n  nlp:\n    path: m.bin\n    type: model\n", "m.bin": "w"})
    message = "Release notes. " + "x" * 300_000 + " THE END"
    (tmp_path / "message.txt").write_text(message)
    g.git("tag", "-a", "nlp@v1.0.0", "-F", str(tmp_path / "message.txt"))
    g.git("tag", "-a", "nlp@deprecated", "-F", str(tmp_path / "message.txt"))
    out = tmp_path / "site"
    assert_no_warnings(run_cli("build", "--repo", str(g.path), "-o", str(out), "--strict"))
    for page in ("nlp/index.html", "activity/index.html", "feed.xml"):
        text = (out / page).read_text()
        assert len(text) < 60_000, page  # each copy cut to ~1,000 characters
        assert "Release notes. xxx" in text and "THE END" not in text, page
        assert "more characters in the JSON index" in text, page
    data = json.loads((out / "api" / "registry.json").read_text())
    (model,) = data["models"]
    assert model["versions"][0]["message"].rstrip("\n") == message  # the index keeps every character


def test_stage_headings_are_linkable_by_stage_name(evil_site: Path) -> None:
    """`stages/#stage-prod` stays the prod section when stages are added or reordered."""
    page = (evil_site / "stages/index.html").read_text()
    assert 'id="stage-prod"' in page and 'id="stage-1"' not in page
