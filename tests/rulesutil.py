"""Real keys and signed tags for the rules tests: ``ssh-keygen`` keys made in the test,
an allowed-signers file, and Git's own ``tag -s`` with ``gpg.format=ssh``."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import require_tool
from tests.gitutil import GitBuilder


@dataclass(frozen=True)
class Key:
    principal: str
    private: Path

    @property
    def public(self) -> str:
        """``ssh-ed25519 AAAA...`` (without the comment), as allowed-signers lines take it."""
        return " ".join(Path(f"{self.private}.pub").read_text().split()[:2])

    def line(self, options: str = "") -> str:
        return f"{self.principal} {options + ' ' if options else ''}{self.public}\n"

    def signing_env(self) -> dict[str, str]:
        """Git config through the environment: sign tags with this key (SSH)."""
        return {"GIT_CONFIG_COUNT": "2", "GIT_CONFIG_KEY_0": "gpg.format", "GIT_CONFIG_VALUE_0": "ssh",
                "GIT_CONFIG_KEY_1": "user.signingkey", "GIT_CONFIG_VALUE_1": str(self.private)}


def make_key(folder: Path, principal: str) -> Key:
    require_tool("ssh-keygen")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / principal.split("@")[0]
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", principal, "-f", str(path)],
                   check=True, capture_output=True)
    return Key(principal, path)


def signed_tag(repo: GitBuilder, key: Key, name: str, rev: str = "HEAD", message: str | None = None) -> None:
    """``git tag -s`` with the key (the message ends with a newline, as a signed tag needs)."""
    saved = dict(repo.env)
    repo.env.update(key.signing_env())
    try:
        repo.git("tag", "-s", "--cleanup=verbatim", name, rev, "-m", (message or name) + "\n")
    finally:
        repo.env.clear()
        repo.env.update(saved)


DVC_YAML = "artifacts:\n  churn:\n    path: model.pkl\n    type: model\n"


def model_commit(repo: GitBuilder, auc: float, latency: float = 10.0, message: str = "train") -> str:
    """A commit declaring ``churn`` with its metrics."""
    return repo.commit(message, {
        "dvc.yaml": DVC_YAML + "metrics:\n  - metrics.json\n",
        "model.pkl": f"weights {auc}",
        "metrics.json": {"auc": auc, "latency_ms": latency},
    })
