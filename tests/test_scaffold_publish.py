"""The publish-model jobs `init` writes, run step by step in a clone of a real repository.

Everything runs for real (git, `modelshelf check-ref`, `modelshelf download`, sha256sum,
tar) up to the platform call: `gh` (GitHub) and `curl` (GitLab) are fakes on PATH that
record their arguments and keep a copy of what they were asked to upload, so the test
can check that the published bytes are the version's committed bytes.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml

from modelshelf.scaffold import GITHUB_WORKFLOW

from .gitutil import GitBuilder
from .test_scaffold import _modelshelf_on_path
from .gitutil import ms

V1 = bytes(range(256)) * 3 + b"churn v1"
HEAD_BYTES = b"churn v2, never registered"

# A fake `gh`: logs its argv; `release view` fails until `release create` ran; `release
# upload` copies the files. A fake `curl`: logs its argv, copies the --upload-file.
FAKE = r'''#!{python}
import json, os, shutil, sys
from pathlib import Path
record = Path(os.environ["FAKE_RECORD"])
args = sys.argv[1:]
with open(record / "calls.jsonl", "a") as log:
    log.write(json.dumps([Path(sys.argv[0]).name, *args]) + "\n")
uploads = record / "uploads"
uploads.mkdir(exist_ok=True)
if Path(sys.argv[0]).name == "gh":
    if args[:2] == ["release", "view"]:
        sys.exit(0 if (record / "released").exists() else 1)
    if args[:2] == ["release", "create"]:
        (record / "released").touch()
    if args[:2] == ["release", "upload"]:
        for name in args[3:]:
            if not name.startswith("-"):
                shutil.copy(name, uploads / os.path.basename(name))
else:
    source = args[args.index("--upload-file") + 1]
    shutil.copy(source, uploads / args[-1].rsplit("/", 1)[1])
'''


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def ci(tmp_path: Path) -> dict:
    """An origin with a registered, then changed, model; a CI clone; modelshelf and the fakes on PATH."""
    origin = GitBuilder(tmp_path / "origin")
    origin.commit("models", {
        "dvc.yaml": "artifacts:\n  churn:\n    path: models/churn.pkl\n    type: model\n"
                    "  bundle:\n    path: models/bundle\n    type: model\n",
        "models/churn.pkl": V1,
        "models/bundle/config.json": '{"layers": 3}',
        "models/bundle/weights/w.bin": b"\x00\x01weights",
        "vision/dvc.yaml": "artifacts:\n  detector:\n    path: detector.onnx\n    type: model\n",
        "vision/detector.onnx": b"onnx bytes",
    })
    ms(origin, "init", "--install", "modelshelf==0.1.0", "--deploy-stages", "prod,staging")
    origin.commit("scaffold")
    ms(origin, "register", "churn", "--version", "v1.0.0")
    ms(origin, "register", "bundle", "--version", "v2.0.0-rc.1")
    ms(origin, "register", "vision:detector", "--version", "v0.1.0")
    origin.commit("retrain", {"models/churn.pkl": HEAD_BYTES})  # HEAD's bytes are not v1.0.0's
    ms(origin, "assign", "churn", "--version", "v1.0.0", "--stage", "prod")
    ms(origin, "assign", "churn", "--version", "v1.0.0", "--stage", "dev")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(origin.path), str(clone)], check=True)
    bin_dir = tmp_path / "bin"
    _modelshelf_on_path(bin_dir)
    for name in ("gh", "curl"):
        fake = bin_dir / name
        fake.write_text(FAKE.replace("{python}", sys.executable))
        fake.chmod(0o755)
    record = tmp_path / "record"
    record.mkdir()
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "FAKE_RECORD": str(record)}
    return {"origin": origin, "clone": clone, "env": env, "record": record}


def calls(record: Path) -> list[list[str]]:
    log = record / "calls.jsonl"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def read_outputs(path: Path) -> dict[str, str]:
    """A $GITHUB_OUTPUT file: key=value lines and key<<DELIMITER heredocs."""
    outputs: dict[str, str] = {}
    lines = iter(path.read_text().splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            key, delimiter = line.split("<<", 1)
            body = []
            for body_line in lines:
                if body_line == delimiter:
                    break
                body.append(body_line)
            outputs[key] = "\n".join(body)
        elif line:
            key, value = line.split("=", 1)
            outputs[key] = value
    return outputs


CI_CONTEXT = {"github.event.repository.default_branch": "main",
              "secrets.MODELSHELF_WEBHOOK_URL": "", "secrets.MODELSHELF_WEBHOOK_SECRET": ""}
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def resolve(value: object, context: dict[str, str]) -> str:
    """Fill ``${{ ... }}`` the way GitHub would, from ``context`` (an unknown expression fails)."""

    def one(match: re.Match[str]) -> str:
        if match.group(1).startswith("steps.") and ".outputs." in match.group(1):
            return context.get(match.group(1), "")  # GitHub: an output a step did not set is empty
        assert match.group(1) in context, f"no value for ${{{{ {match.group(1)} }}}}"
        return context[match.group(1)]

    return EXPRESSION.sub(one, str(value))


def run_github_tag(ci: dict, tag: str) -> tuple[dict[str, str], subprocess.CompletedProcess | None]:
    """The registry-event and publish-model jobs of a push of ``tag``: the step outputs, and the deploy step."""
    clone, env = ci["clone"], dict(ci["env"])
    # What actions/checkout does on a tag push: the pushed tag becomes lightweight.
    subprocess.run(["git", "tag", "-f", tag, f"{tag}^{{commit}}"], cwd=clone, check=True, capture_output=True)
    jobs = yaml.safe_load((clone / GITHUB_WORKFLOW).read_text())["jobs"]
    github_output = clone.parent / f"output-{len(calls(ci['record']))}-{tag.replace('/', '_')}"
    env.update({"GITHUB_REF": f"refs/tags/{tag}", "GITHUB_OUTPUT": str(github_output)})

    def run_steps(job: str, context: dict[str, str]) -> subprocess.CompletedProcess | None:
        last = None
        for step in jobs[job]["steps"]:
            if "run" not in step or step.get("id") == "install":
                continue  # `uses:` actions run on GitHub; modelshelf is installed here already
            if "if" in step:
                assert step["if"] == "steps.publish.outputs.MODEL_PATH != ''"
                if not context.get("steps.publish.outputs.MODEL_PATH"):
                    continue
            github_output.write_text("")
            step_env = {**env, **{k: resolve(v, context) for k, v in step.get("env", {}).items()}}
            last = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=clone, env=step_env,
                                  capture_output=True, text=True)
            assert last.returncode == 0, f"{job}: {step['run']}: {last.stdout}{last.stderr}"
            for key, value in read_outputs(github_output).items():
                context[f"steps.{step.get('id')}.outputs.{key}"] = value
        return last

    # Secrets not set (no webhook): the notify step sends nothing.
    event_context: dict[str, str] = {"github.token": "token", **CI_CONTEXT}
    run_steps("registry-event", event_context)
    outputs = {key: resolve(value, event_context) for key, value in jobs["registry-event"]["outputs"].items()}
    publish = jobs["publish-model"]
    assert publish["needs"] == "registry-event"
    if outputs["event"] not in ("registration", "assignment"):  # the job's `if:`
        return outputs, None
    context = {"github.token": "token", "github.repository": "acme/models", **CI_CONTEXT,
               **{f"needs.registry-event.outputs.{k}": v for k, v in outputs.items()}}
    deploy = run_steps("publish-model", context)
    return {**outputs, **{k.rsplit(".", 1)[1]: v for k, v in context.items() if k.startswith("steps.publish.")}}, deploy


def test_github_registration_publishes_the_committed_bytes_as_a_release_asset(ci: dict) -> None:
    outputs, deploy = run_github_tag(ci, "churn@v1.0.0")
    asset = "churn-v1.0.0-churn.pkl"
    staged = ".modelshelf-publish/asset/" + asset
    assert calls(ci["record"]) == [
        ["gh", "release", "view", "churn@v1.0.0"],
        ["gh", "release", "create", "churn@v1.0.0", "--verify-tag", "--title", "churn v1.0.0",
         "--notes", "Model churn v1.0.0, published by modelshelf from tag churn@v1.0.0."],
        ["gh", "release", "upload", "churn@v1.0.0", staged, staged + ".sha256", "--clobber"],
    ]
    uploads = ci["record"] / "uploads"
    blob = subprocess.run(["git", "show", "churn@v1.0.0:models/churn.pkl"], cwd=ci["clone"],
                          capture_output=True, check=True).stdout
    assert blob == V1 and sha256((uploads / asset).read_bytes()) == sha256(blob) != sha256(HEAD_BYTES)
    assert (uploads / (asset + ".sha256")).read_text() == f"{sha256(V1)}  {asset}\n"
    subprocess.run(["sha256sum", "-c", "--quiet", asset + ".sha256"], cwd=uploads, check=True)
    # The team's deploy step: the verified file, its version and checksum in its environment.
    assert outputs["MODEL_SHA256"] == sha256(V1) and outputs["MODEL_VERSION"] == "v1.0.0"
    assert (ci["clone"] / outputs["MODEL_PATH"]).read_bytes() == V1
    assert deploy is not None
    assert deploy.stdout == f"deploy churn v1.0.0 (stage none) from {outputs['MODEL_PATH']}\n"


def test_github_assignment_to_a_deploy_stage_publishes_and_deploys_another_does_not(ci: dict) -> None:
    outputs, deploy = run_github_tag(ci, "churn#prod#1")
    assert outputs["event"] == "assignment" and outputs["stage"] == "prod"
    assert [c[:3] for c in calls(ci["record"])] == [["gh", "release", "view"], ["gh", "release", "create"],
                                                     ["gh", "release", "upload"]]
    assert calls(ci["record"])[2][3] == "churn@v1.0.0"  # the version's tag, not the assignment's
    assert deploy is not None and "deploy churn v1.0.0 (stage prod)" in deploy.stdout
    assert sha256((ci["record"] / "uploads" / "churn-v1.0.0-churn.pkl").read_bytes()) == sha256(V1)

    before = len(calls(ci["record"]))
    outputs, deploy = run_github_tag(ci, "churn#dev#2")
    assert outputs["stage"] == "dev" and "MODEL_PATH" not in outputs
    assert len(calls(ci["record"])) == before and deploy is not None
    assert deploy.args[-1] == "sh ci/modelshelf-publish.sh"  # the last step run: the deploy step was skipped
    assert deploy.stdout == "stage 'dev' is not a deploy stage (prod staging): nothing to publish\n"


def test_a_folder_model_is_published_as_a_reproducible_archive(ci: dict) -> None:
    outputs, _ = run_github_tag(ci, "bundle@v2.0.0-rc.1")
    create = calls(ci["record"])[1]
    assert "--prerelease" in create  # a SemVer prerelease is a prerelease on GitHub too
    archive = (ci["record"] / "uploads" / "bundle-v2.0.0-rc.1-bundle.tar.gz").read_bytes()
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        files = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}  # type: ignore[union-attr]
        assert {m.mtime for m in tar.getmembers()} == {0} and {m.uid for m in tar.getmembers()} == {0}
    assert files == {"bundle/config.json": b'{"layers": 3}', "bundle/weights/w.bin": b"\x00\x01weights"}
    assert outputs["MODEL_SHA256"] == sha256(archive)
    assert (ci["clone"] / outputs["MODEL_PATH"] / "weights" / "w.bin").read_bytes() == b"\x00\x01weights"


@pytest.mark.parametrize("tag, package, version, asset, data", [
    ("churn@v1.0.0", "churn", "v1.0.0", "churn-v1.0.0-churn.pkl", V1),
    ("vision=detector@v0.1.0", "vision_detector", "v0.1.0", "vision_detector-v0.1.0-detector.onnx", b"onnx bytes"),
])
def test_gitlab_registration_uploads_to_the_generic_package_registry(
        ci: dict, tag: str, package: str, version: str, asset: str, data: bytes) -> None:
    clone, env = ci["clone"], dict(ci["env"])
    pipeline = yaml.safe_load((clone / ".gitlab-ci.yml").read_text())
    event, publish = pipeline["registry-event"], pipeline["publish-model"]
    assert publish["needs"] == ["registry-event"] and publish["stage"] in pipeline["stages"]
    api = "https://gitlab.example.com/api/v4"
    env.update({"CI_COMMIT_TAG": tag, "CI_API_V4_URL": api, "CI_PROJECT_ID": "42", "CI_JOB_TOKEN": "job-token",
                "CI_DEFAULT_BRANCH": "main"})

    def job(definition: dict, extra: dict[str, str]) -> subprocess.CompletedProcess:
        lines = [line for line in pipeline[".modelshelf"]["before_script"] if not line.startswith("pip ")]
        script = "\n".join([*lines, *definition["script"]])
        result = subprocess.run(["bash", "-e", "-c", script], cwd=clone, capture_output=True, text=True,
                                env={**env, **{k: str(v) for k, v in definition.get("variables", {}).items()}, **extra})
        assert result.returncode == 0, result.stdout + result.stderr
        return result

    job(event, {})
    dotenv = clone / event["artifacts"]["reports"]["dotenv"]
    # GitLab's dotenv rule: KEY=VALUE per line, the value taken as is.
    variables = dict(line.split("=", 1) for line in dotenv.read_text().splitlines())
    result = job(publish, variables)

    url = f"{api}/projects/42/packages/generic/{package}/{version}/{asset}"
    uploads = [c for c in calls(ci["record"]) if c[0] == "curl"]
    assert [c[-1] for c in uploads] == [url, url + ".sha256"]
    assert all(c[c.index("--header") + 1] == "JOB-TOKEN: job-token" for c in uploads)
    assert sha256((ci["record"] / "uploads" / asset).read_bytes()) == sha256(data)
    assert f"deploy {variables['MODELSHELF_NAME']} {version} (stage none) from .modelshelf-publish/model/" \
        in result.stdout


@pytest.mark.parametrize("changes, message", [
    ({"MODELSHELF_NAME": "churn$(touch pwned)"}, "unexpected character"),
    ({"MODELSHELF_VERSION": "0123abcd"}, "no registered version"),
    ({"MODELSHELF_VERSION": "v9.9.9"}, "tag churn@v9.9.9 not found"),
    ({"MODELSHELF_PLATFORM": "bitbucket"}, "MODELSHELF_PLATFORM"),
])
def test_publish_script_refuses_bad_input_before_any_platform_call(ci: dict, changes: dict, message: str) -> None:
    env = {**ci["env"], "MODELSHELF_EVENT": "registration", "MODELSHELF_NAME": "churn", "MODELSHELF_VERSION": "v1.0.0",
           "MODELSHELF_PLATFORM": "github", **changes}
    result = subprocess.run(["sh", "ci/modelshelf-publish.sh"], cwd=ci["clone"], env=env, capture_output=True, text=True)
    assert result.returncode == 1 and message in result.stderr
    assert calls(ci["record"]) == [] and not (ci["clone"] / "pwned").exists()


def test_init_refuses_a_deploy_stage_outside_the_grammar(repo: GitBuilder) -> None:
    result = ms(repo, "init", "--install", "modelshelf==0.1.0", "--deploy-stages", "prod,stage$(id)", check=False)
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "stage$(id)" in result.stderr
    assert not (repo.path / "mkdocs.yml").exists()
