"""The `votes` command run as an operator runs it: a child process with only the ``VOTES_*``
settings the test gives (none of the test run's own)."""

from __future__ import annotations

import os
import subprocess
import sys


def outside_environment() -> dict[str, str]:
    """This process's environment without its ``VOTES_*`` settings and ``PICCOLO_CONF``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("VOTES_")}
    clean.pop("PICCOLO_CONF", None)
    return clean


def votes(
    *args: str, env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``votes ARGS`` with the settings ``env``; its exit code and output, never raising."""
    return subprocess.run(
        [sys.executable, "-m", "votes.cli", *args],
        env={**outside_environment(), **env},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
