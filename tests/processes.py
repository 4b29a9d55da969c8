"""Starting a simulator's management command as its own process, for real."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start_listening(command: list[str], *, timeout: float = 30) -> tuple[subprocess.Popen, str]:
    """Run ``manage.py <command…>`` until it prints ``listening on URL``; (process, URL)."""
    process = subprocess.Popen(  # noqa: S603 - fixed argv
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    deadline = time.monotonic() + timeout
    line = ""
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line.startswith("listening on "):
            return process, line.split("listening on ", 1)[1].strip()
        if not line and process.poll() is not None:
            break
    process.kill()
    raise RuntimeError(f"{command[0]} did not start: {line!r}")
