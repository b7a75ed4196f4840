"""A hub's federated source: its verdicts (signatures, violations, stage verdicts, rules) are that
source's claim, kept in the hub index marked ``verdicts_claimed_by`` and shown as "per source S",
never as the hub's verified badge; a Git source of the same repository is verified by the hub itself."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import jsonschema

from modelshelf.index.build import load_schema
from modelshelf.render.views import ModelRow, StageBadge, home_list_row
from tests.gitutil import GitBuilder, ms, run_cli
from tests.rulesutil import make_key, model_commit, signed_tag

RULES = "allowed_signers: allowed_signers\nstages:\n  staging: {}\n  prod:\n    after: [staging]\n"


def _text(page: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text())).replace("\u00a0", " ")


def _governed(root: Path) -> GitBuilder:
    """churn: v1.0.0 signed into staging by alice, v1.1.0 forced into prod without staging (a violation)."""
    alice = make_key(root / "keys", "alice@example.com")
    repo = GitBuilder(root / "repo")
    repo.commit("rules", {".modelshelf.yaml": RULES, "allowed_signers": alice.line()})
    commit = model_commit(repo, 0.9)
    repo.tag("churn@v1.0.0", commit)
    signed_tag(repo, alice, "churn#staging#1", commit)
    newer = model_commit(repo, 0.95)
    repo.tag("churn@v1.1.0", newer)
    ms(repo, "assign", "churn", "--version", "v1.1.0", "--stage", "prod", "--force")
    return repo


def test_federated_verdicts_are_the_sources_claim_git_ones_the_hubs_own(tmp_path: Path, serve) -> None:
    repo = _governed(tmp_path)
    fed_site = tmp_path / "fed-site"  # the source's own CI build, served over HTTP
    assert ms(repo, "build", "-q", "-o", str(fed_site)).returncode == 0
    url = serve(fed_site) + "api/registry.json"
    hub_site = tmp_path / "hub-site"
    env = {"MODELSHELF_CACHE_DIR": str(tmp_path / "cache")}
    built = run_cli("build", "-q", "--source", f"fed={url}", "--source", f"own={repo.path}", "-o", str(hub_site),
                    cwd=tmp_path, env=env)
    assert built.returncode == 0, built.stderr

    data = json.loads((hub_site / "api" / "registry.json").read_text())
    jsonschema.validate(data, load_schema())
    models = {m["name"]: m for m in data["models"]}
    fed, own = models["fed::churn"], models["own::churn"]
    assert fed["verdicts_claimed_by"] == "fed" and "verdicts_claimed_by" not in own
    assert fed["stage_verdicts"]["prod"]["compliant"] is False  # kept, as the source says
    assert own["stage_verdicts"]["prod"]["compliant"] is False  # the hub's own verdict on its Git source
    fed_events = {e["tag"]: e for e in fed["events"]}
    own_events = {e["tag"]: e for e in own["events"]}
    assert fed_events["churn#staging#1"]["signature"]["identity"] == "alice@example.com"
    assert fed_events["churn#staging#1"]["verdicts_claimed_by"] == "fed"
    assert fed_events["churn#prod#2"]["verdicts_claimed_by"] == "fed"
    assert "verdicts_claimed_by" not in fed_events["churn@v1.0.0"]  # no verdict on it: nothing claimed
    assert own_events["churn#staging#1"]["signature"]["valid"] is True
    assert not any("verdicts_claimed_by" in e for e in own["events"])
    top = [e for e in data["events"] if e["model"] == "fed::churn" and "signature" in e]
    assert top and all(e["verdicts_claimed_by"] == "fed" for e in top)
    sources = {s["name"]: s for s in data["sources"]}
    assert sources["fed"]["claimed_rules"]["stages"]["prod"] == {"after": ["staging"]}
    assert "claimed_rules" not in sources["own"]

    activity = _text(hub_site / "activity" / "index.html")
    assert "signed by alice@example.com (as claimed by source fed)" in activity
    assert "⚠ breaks 1 rule (per source fed)" in activity
    assert activity.count("✔ signed by alice@example.com") == 1  # the Git source's, verified by the hub
    raw = (hub_site / "activity" / "index.html").read_text()
    verified = re.findall(r'<span class="ms-verified"[^>]*>[^<]*</span>', raw)
    assert len(verified) == 1 and "as claimed" not in verified[0]

    home = _text(hub_site / "index.html")
    assert re.search(r"prod: v1\.1\.0\s*⚠ breaks 1 rule \(per source fed\)", home), home[:3000]
    assert re.search(r"prod: v1\.1\.0\s*⚠ breaks 1 rule(?! \(per)", home)  # own::churn: the hub's verdict
    stages = _text(hub_site / "stages" / "index.html")
    assert "⚠ breaks 1 rule (per source fed)" in stages


def test_the_home_pages_compact_rows_carry_the_warning_and_its_claimant() -> None:
    """Rows past the first 100 (modelshelf.js) get the broken rules and the claiming source; others keep their bytes."""
    badges = [StageBadge("prod", "v1.1.0", "#000", ("stages.prod.after: never held staging",), "fed"),
              StageBadge("dev", "v1.0.0", "#000", ("stages.dev.signers: unsigned",)),
              StageBadge("staging", "v1.0.0", "#000")]
    row = ModelRow("fed::churn", "fed/churn/", None, [], "", "v1.1.0", badges, None, True, False, 2, "fed")
    assert home_list_row(row, "fed/churn/")[6] == [
        ["prod", "v1.1.0", ["stages.prod.after: never held staging"], "fed"],
        ["dev", "v1.0.0", ["stages.dev.signers: unsigned"]],
        ["staging", "v1.0.0"]]
