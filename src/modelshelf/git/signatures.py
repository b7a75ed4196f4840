"""Verifying tag signatures with Git's own machinery: ``git verify-tag --raw``.

Git hands SSH signatures to ``ssh-keygen -Y verify`` with the allowed-signers
file and the tag's own time (so ``valid-after``/``valid-before`` are honoured:
a retired key stops verifying newer tags), and GPG ones to gpg. The
allowed-signers file is given as bytes (read from the default branch's tip by
the caller) and written to a private temporary file for the run; ``None``
leaves Git's own ``gpg.ssh.allowedSignersFile`` setting in charge.

One verification costs a few processes (~5-9 ms); ``verify_many`` runs them on
a thread pool as wide as the machine, since the work is in the subprocesses.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..core.compliance import Signature
from ..core.events import TagRecord
from .objects import text

_SSH_GOOD = re.compile(r'^Good "git" signature for (?P<principal>.+) with (?P<key>\S+ key \S+)$')
_GPG_VALIDSIG = re.compile(r"^\[GNUPG:\] VALIDSIG (?P<fpr>[0-9A-Fa-f]+) ")
_GPG_STATUS = re.compile(r"^\[GNUPG:\] (?P<code>BADSIG|ERRSIG|EXPKEYSIG|REVKEYSIG|NO_PUBKEY|EXPSIG)\b")


class TagVerifier:
    """Verifies tags of one repository against one allowed-signers file (a context manager)."""

    def __init__(self, root: Path, allowed_signers: bytes | None = None, signers_name: str = "",
                 missing_reason: str = "") -> None:
        """``allowed_signers``: the file's bytes, or None for Git's config;
        ``signers_name``: how reasons name the file; ``missing_reason``: set when the
        rules name a file that does not exist, so SSH signatures cannot verify."""
        self.root = root
        self.signers_name = signers_name
        self.missing_reason = missing_reason
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._signers_path: str | None = None
        if allowed_signers is not None:
            self._tmp = tempfile.TemporaryDirectory(prefix="modelshelf-signers-")
            self._signers_path = os.path.join(self._tmp.name, "allowed_signers")
            Path(self._signers_path).write_bytes(allowed_signers)

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> "TagVerifier":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def verify(self, record: TagRecord) -> Signature:
        """Git's verdict on one tag (unsigned tags cost nothing)."""
        if not record.signature:
            return Signature(signed=False, reason="not signed")
        if record.signature == "ssh" and self.missing_reason:
            return Signature(True, False, None, self.missing_reason, "ssh")
        command = ["git"]
        if self._signers_path is not None:
            command += ["-c", f"gpg.ssh.allowedSignersFile={self._signers_path}"]
        command += ["verify-tag", "--raw", record.object_id or f"refs/tags/{record.name}"]
        done = subprocess.run(command, cwd=self.root, capture_output=True, check=False, stdin=subprocess.DEVNULL)
        output = text(done.stderr) + text(done.stdout)
        if self._signers_path is not None:
            output = output.replace(self._signers_path, self.signers_name or "allowed-signers file")
        return parse_verdict(record.signature, done.returncode, output)

    def verify_many(self, records: list[TagRecord], jobs: int | None = None) -> dict[str, Signature]:
        """Tag name -> verdict, for every record, verified in parallel."""
        signed = [r for r in records if r.signature]
        verdicts = {r.name: self.verify(r) for r in records if not r.signature}
        workers = max(1, min(jobs or os.cpu_count() or 1, len(signed) or 1))
        if workers == 1:
            verdicts.update({r.name: self.verify(r) for r in signed})
        else:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                verdicts.update(zip((r.name for r in signed), pool.map(self.verify, signed)))
        return verdicts


def parse_verdict(kind: str, returncode: int, output: str) -> Signature:
    """A ``Signature`` from ``git verify-tag --raw``'s exit code and output."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    if kind == "ssh":
        for line in lines:
            good = _SSH_GOOD.match(line)
            if good and returncode == 0:
                return Signature(True, True, good["principal"], f"good SSH signature ({good['key']})", kind)
        problems = [line for line in lines if not line.startswith('Good "git" signature with')]
        return Signature(True, False, None, "; ".join(problems) or f"git verify-tag exit {returncode}", kind)
    fingerprint = next((m["fpr"] for m in map(_GPG_VALIDSIG.match, lines) if m), None)
    if returncode == 0 and fingerprint:
        return Signature(True, True, fingerprint.upper(), "good GPG signature", kind)
    statuses = [m["code"] for m in map(_GPG_STATUS.match, lines) if m]
    others = [line for line in lines if not line.startswith("[GNUPG:]")]
    reason = ", ".join(statuses) or "; ".join(others[-2:]) or f"git verify-tag exit {returncode}"
    return Signature(True, False, fingerprint.upper() if fingerprint else None, reason, kind)
