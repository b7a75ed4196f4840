"""The catalog shows the rules: a verified badge with the identity on signed events, a warning
(in words, not colour only) on stage badges whose holder broke a rule, a forced assignment on
the activity and model pages, and each stage's rules on the stages page."""

from __future__ import annotations

import html
import re
from pathlib import Path

from tests.gitutil import GitBuilder, ms
from tests.rulesutil import make_key, model_commit, signed_tag

RULES = """\
allowed_signers: allowed_signers
stages:
  staging: {}
  prod:
    after: [staging]
    require: ["auc >= 0.85"]
    not_worse: {auc: higher}
"""


def _text(page: Path) -> str:
    """The page's visible text (tags dropped, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text()))


def test_the_catalog_shows_signatures_violations_and_rules(tmp_path: Path) -> None:
    alice = make_key(tmp_path / "keys", "alice@example.com")
    stranger = make_key(tmp_path / "keys", "stranger@example.com")
    repo = GitBuilder(tmp_path / "repo")
    repo.commit("rules", {".modelshelf.yaml": RULES, "allowed_signers": alice.line()})
    good = model_commit(repo, 0.9)
    repo.tag("churn@v1.0.0", good)
    signed_tag(repo, alice, "churn#staging#1", good)
    signed_tag(repo, stranger, "churn#prod#2", good)
    model_commit(repo, 0.95)
    ms(repo, "register", "churn", "--version", "v1.1.0")
    ms(repo, "assign", "churn", "--version", "v1.1.0", "--stage", "prod", "--force")
    site = tmp_path / "site"
    built = ms(repo, "build", "-o", str(site), "--quiet")
    assert built.returncode == 0, built.stderr

    activity = _text(site / "activity" / "index.html")
    assert "✔ signed by alice@example.com" in activity
    assert "✖ signature does not verify" in activity
    assert "⚠ breaks 1 rule" in activity  # the forced assignment, never staging
    raw = (site / "activity" / "index.html").read_text()
    assert "stages.prod.after: churn v1.1.0 never held stage &#39;staging&#39; before" in raw  # its tooltip

    model = _text(site / "churn" / "index.html")
    assert re.search(r"prod:\s*v1\.1\.0\s*⚠ breaks 1 rule", model), model[:2000]
    assert "staging: v1.0.0⚠" not in model.replace("\u00a0", " ")

    stages = _text(site / "stages" / "index.html")
    assert "Rules for prod (.modelshelf.yaml):" in stages
    for sentence in ("held before: staging", "metrics: auc >= 0.85", "not worse than the holder: auc (higher is better)"):
        assert sentence in stages
    assert "Rules for staging" not in stages  # a stage without rules lists none
    assert re.search(r"v1\.1\.0\s*⚠ breaks 1 rule", stages)

    home = _text(site / "index.html")
    assert "⚠ breaks 1 rule" in home


def test_a_catalog_without_rules_or_signatures_shows_none_of_it(tmp_path: Path) -> None:
    repo = GitBuilder(tmp_path / "repo")
    commit = model_commit(repo, 0.9)
    repo.tag("churn@v1.0.0", commit)
    repo.tag("churn#prod#1", commit)
    site = tmp_path / "site"
    assert ms(repo, "build", "-o", str(site), "--quiet").returncode == 0
    for page in ("index.html", "activity/index.html", "stages/index.html", "churn/index.html"):
        text = (site / page).read_text()
        assert "ms-rule-warning" not in text and "ms-verified" not in text and "ms-stage-rules" not in text
