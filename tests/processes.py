"""Stand-in processes that tests start (the customs gateway simulator, localstripe): each
prints ``listening on <url>`` once it accepts connections, on a port it picked itself."""

from __future__ import annotations

import os
import subprocess
import sys
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


def embedded_default_env(tmp_path: Path, *, drop: tuple[str, ...] = (), **extra: str) -> dict:
    """The environment of ``make run``: none of the test run's database, broker, Celery,
    pytest or Django variables (nor those named in ``drop``), a fresh SQLite file and media
    folder in ``tmp_path``, and ``extra``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "REDIS_URL", "CELERY_", "PYTEST_", "DJANGO_", *drop))
    }
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    env["MEDIA_ROOT"] = str(tmp_path / "media")
    env.update(extra)
    return env


def manage(env: dict, *args: str, timeout: float = 500) -> str:
    """``manage.py *args`` in its own process with ``env``; its stdout (fails on an error)."""
    done = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout
