"""A command's stderr read through a real pseudo-terminal: what a person sees (tqdm draws
bars only on a terminal)."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import termios


def stderr_on_a_terminal(cmd: list[str], env: dict[str, str] | None = None, columns: int = 100,
                         timeout: float = 120) -> tuple[int, str]:
    """Run ``cmd`` with stderr on a ``columns``-wide terminal; its exit code and what it drew."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=follower, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    code = proc.wait(timeout=timeout)
    os.close(leader)
    return code, b"".join(chunks).decode(errors="replace")


def command_stderr(cmd: list[str], tty: bool) -> str:
    """stderr of a command that must succeed, 100 columns wide: on a terminal when ``tty``
    (what a person sees), else through a pipe (what a CI log gets)."""
    env = {**os.environ, "COLUMNS": "100"}
    if not tty:
        return subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stderr
    code, drawn = stderr_on_a_terminal(cmd, env)
    assert code == 0, drawn
    return drawn
