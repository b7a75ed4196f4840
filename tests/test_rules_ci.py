"""The scaffolded CI and the rules: ``check-ref --enforce`` stops the publish job before it
publishes or deploys, and ``ci/modelshelf-notify.sh`` posts each event to a webhook, signed
with HMAC-SHA256, only when the secret is set (run for real against a loopback server)."""

from __future__ import annotations

import hashlib
import hmac
import http.server
import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import start_loopback, stop_all
from tests.gitutil import GitBuilder, ms
from tests.rulesutil import model_commit

RULES = "stages:\n  staging: {}\n  prod:\n    after: [staging]\n"


@pytest.fixture
def scaffolded(tmp_path: Path) -> GitBuilder:
    repo = GitBuilder(tmp_path / "repo")
    repo.commit("rules", {".modelshelf.yaml": RULES})
    model_commit(repo, 0.9)
    ms(repo, "init", "--install", "modelshelf==0.1.0")
    repo.commit("scaffold")
    ms(repo, "register", "churn", "--version", "v1.0.0")
    ms(repo, "assign", "churn", "--version", "v1.0.0", "--stage", "staging")
    ms(repo, "assign", "churn", "--version", "v1.0.0", "--stage", "prod")  # churn#prod#2, in order
    model_commit(repo, 0.95)
    ms(repo, "register", "churn", "--version", "v1.1.0")
    ms(repo, "assign", "churn", "--version", "v1.1.0", "--stage", "prod", "--force")  # churn#prod#3, never staging
    return repo


def _step(workflow: dict, job: str, command: str) -> tuple[int, dict]:
    steps = workflow["jobs"][job]["steps"]
    return next((i, s) for i, s in enumerate(steps) if command in s.get("run", ""))


def test_the_github_publish_job_enforces_the_rules_before_publishing(scaffolded: GitBuilder) -> None:
    workflow = yaml.safe_load((scaffolded.path / ".github/workflows/modelshelf.yml").read_text())
    at, enforce = _step(workflow, "publish-model", "check-ref")
    publish_at, _ = _step(workflow, "publish-model", "modelshelf-publish.sh")
    assert enforce["run"] == 'modelshelf check-ref "$GITHUB_REF" --enforce' and at < publish_at
    assert enforce["env"]["MODELSHELF_DEFAULT_BRANCH"] == "${{ github.event.repository.default_branch }}"
    env = {**os.environ, "MODELSHELF_DEFAULT_BRANCH": "main"}
    for ref, code in (("refs/tags/churn#prod#2", 0), ("refs/tags/churn#prod#3", 1)):
        run = subprocess.run(["bash", "-e", "-c", enforce["run"]], cwd=scaffolded.path, capture_output=True,
                             text=True, env={**env, "GITHUB_REF": ref})
        assert run.returncode == code, run.stderr
    assert "stages.prod.after" in run.stderr


def test_the_gitlab_publish_job_enforces_the_rules_first(scaffolded: GitBuilder) -> None:
    pipeline = yaml.safe_load((scaffolded.path / ".gitlab-ci.yml").read_text())
    assert pipeline["publish-model"]["script"][0] == 'modelshelf check-ref "$CI_COMMIT_TAG" --enforce'
    assert pipeline[".modelshelf"]["variables"]["MODELSHELF_DEFAULT_BRANCH"] == "$CI_DEFAULT_BRANCH"


def test_a_named_default_branch_that_the_clone_lacks_is_an_error(scaffolded: GitBuilder) -> None:
    result = subprocess.run(["modelshelf", "check-ref", "churn#prod#3", "--enforce"], cwd=scaffolded.path,
                            capture_output=True, text=True, env={**os.environ, "MODELSHELF_DEFAULT_BRANCH": "develop"})
    assert result.returncode == 2
    assert "MODELSHELF_DEFAULT_BRANCH=develop: this clone has neither origin/develop nor develop" in result.stderr


class _Recorder(http.server.BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Recorder.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def _notify(repo: GitBuilder, ref: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("MODELSHELF_WEBHOOK")}
    return subprocess.run(["sh", "ci/modelshelf-notify.sh", ref], cwd=repo.path, capture_output=True, text=True,
                          env={**base, **env})


def test_each_event_is_posted_signed_when_the_secret_is_set(scaffolded: GitBuilder) -> None:
    servers: list[http.server.ThreadingHTTPServer] = []
    _Recorder.received = []
    url = start_loopback(_Recorder, servers) + "hook"
    try:
        secret = "s3cret with spaces & $igns"
        sent = _notify(scaffolded, "refs/tags/churn#prod#3", MODELSHELF_WEBHOOK_URL=url, MODELSHELF_WEBHOOK_SECRET=secret)
        assert sent.returncode == 0, sent.stderr
        skipped = _notify(scaffolded, "refs/tags/churn#prod#2", MODELSHELF_WEBHOOK_URL=url)
        assert skipped.returncode == 0 and "nothing sent" in skipped.stdout
    finally:
        stop_all(servers)
    ((headers, body),) = _Recorder.received
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["x-modelshelf-signature-256"], expected)
    assert headers["x-modelshelf-event"] == "registry-event" and headers["content-type"] == "application/json"
    payload = json.loads(body)
    assert payload["tag"] == "churn#prod#3" and payload["event"] == "assignment"
    assert payload["verdict"]["passes"] is False
    assert [v["rule"] for v in payload["verdict"]["violations"]] == ["stages.prod.after"]
    assert secret not in sent.stdout + sent.stderr


def test_both_ci_files_run_the_notify_script_with_the_secrets(scaffolded: GitBuilder) -> None:
    workflow = yaml.safe_load((scaffolded.path / ".github/workflows/modelshelf.yml").read_text())
    _, step = _step(workflow, "registry-event", "modelshelf-notify.sh")
    assert step["env"]["MODELSHELF_WEBHOOK_SECRET"] == "${{ secrets.MODELSHELF_WEBHOOK_SECRET }}"
    assert step["env"]["MODELSHELF_WEBHOOK_URL"] == "${{ secrets.MODELSHELF_WEBHOOK_URL }}"
    pipeline = yaml.safe_load((scaffolded.path / ".gitlab-ci.yml").read_text())
    assert 'sh ci/modelshelf-notify.sh "$CI_COMMIT_TAG"' in pipeline["registry-event"]["script"]
