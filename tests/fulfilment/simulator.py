"""Starting the carrier simulator for real (``manage.py carrier_simulator``, its own process)."""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from tests.processes import ROOT, start_listening

__all__ = ["ROOT", "CarrierProcess", "start_carrier", "wait_for"]


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
    process, url = start_listening(
        [
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
    )
    return CarrierProcess(process, url)


def wait_for(predicate, *, timeout: float = 30.0, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"not within {timeout} s")
