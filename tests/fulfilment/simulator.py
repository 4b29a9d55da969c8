"""Starting the carrier simulator for real (``manage.py carrier_simulator``, its own process)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class CarrierProcess:
    process: subprocess.Popen
    url: str

    def get(self, path: str) -> dict:
        return requests.get(self.url + path, timeout=5).json()

    def post(self, path: str, body: dict | None = None) -> dict:
        return requests.post(self.url + path, json=body or {}, timeout=5).json()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_carrier(state_dir: Path, *, platform_url: str, args: tuple[str, ...]) -> CarrierProcess:
    argv = [
        sys.executable,
        "manage.py",
        "carrier_simulator",
        "--port",
        "0",
        "--state-dir",
        str(state_dir),
        "--platform-url",
        platform_url,
        "--seed",
        "11",
        *args,
    ]
    process = subprocess.Popen(  # noqa: S603 - fixed argv
        argv,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    deadline = time.monotonic() + 30
    line = ""
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line.startswith("listening on "):
            return CarrierProcess(process, line.split("listening on ", 1)[1].strip())
        if not line and process.poll() is not None:
            break
    process.kill()
    raise RuntimeError(f"the carrier simulator did not start: {line!r}")


def wait_for(predicate, *, timeout: float = 30.0, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"not within {timeout} s")
