"""Stand-in processes that tests start (the customs gateway simulator, localstripe): each
prints ``listening on <url>`` once it accepts connections, on a port it picked itself."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start_announcing(
    argv: list[str], *, what: str, timeout: float = 30
) -> tuple[subprocess.Popen, str]:
    """Start ``argv`` in the project folder and wait for its ``listening on <url>`` line.
    Returns the process (its stdout still open: the caller reads or drains the rest) and
    the URL; a process that exits or stays silent is killed and reported."""
    process = subprocess.Popen(  # noqa: S603 - fixed argv
        argv,
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
    raise RuntimeError(f"{what} did not start: {line!r}")


def stop_process(process: subprocess.Popen) -> None:
    """Terminate, then kill if it does not go within 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)
