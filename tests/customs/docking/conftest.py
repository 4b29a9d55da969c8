"""Fixtures for the customs docking library: keys, signers, and the real gateway simulator.

The simulator runs as its own process (``manage.py customs_gateway``) on a free port with its
own state directory, exactly as an operator starts it; tests talk to it over HTTP or AMQP.
AMQP tests use RabbitMQ at CUSTOMS_AMQP_URL (``make test`` starts it) with queue names unique
to the run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from django.conf import settings

from customs.gateway.sealing import Route
from customs.signing import keys, signers
from customs.signing.algorithms import SignatureAlgorithm
from tests.processes import start_announcing, stop_process

from .documents import TRANSFER

ROOT = Path(__file__).resolve().parents[3]
AMQP_URL = settings.CUSTOMS_AMQP_URL


def make_signer(algorithm: SignatureAlgorithm, key_name: str = "0001") -> signers.SoftwareSigner:
    key = keys.generate_key(algorithm)
    cert = keys.self_signed_certificate(key, common_name="丝路跨境平台 Silkway test")
    return signers.SoftwareSigner(key, certificate_der=cert, key_name=key_name)


@pytest.fixture(scope="session")
def sm2_signer() -> signers.SoftwareSigner:
    return make_signer(SignatureAlgorithm.SM2_SM3, "SM2-0001")


@pytest.fixture(scope="session")
def rsa_signer() -> signers.SoftwareSigner:
    return make_signer(SignatureAlgorithm.RSA_SHA1, "RSA-0001")


@pytest.fixture(params=list(SignatureAlgorithm), ids=lambda a: a.value)
def any_signer(request, sm2_signer, rsa_signer):
    return sm2_signer if request.param is SignatureAlgorithm.SM2_SM3 else rsa_signer


@pytest.fixture
def route() -> Route:
    return Route(sender_id=TRANSFER.dxp_id)


@dataclass
class SimulatorProcess:
    """A running ``manage.py customs_gateway`` and helpers to steer and read it."""

    process: subprocess.Popen
    url: str
    state_dir: Path
    prefix: str

    def faults(self, **values) -> dict:
        return requests.post(f"{self.url}/_faults", json=values, timeout=5).json()

    def state(self) -> dict:
        return requests.get(f"{self.url}/_state", timeout=5).json()

    def documents(self, kind: str) -> dict[str, dict]:
        return {d["key"]: d for d in self.state()["documents"] if d["kind"] == kind}

    def register_certificate(self, cert_no: str, der: bytes) -> None:
        import base64

        requests.post(
            f"{self.url}/_certificates",
            json={"cert_no": cert_no, "certificate": base64.b64encode(der).decode()},
            timeout=5,
        ).raise_for_status()

    def stop(self) -> None:
        stop_process(self.process)


def start_simulator(
    state_dir: Path,
    *,
    amqp: bool = False,
    prefix: str = "",
    step: float = 0.05,
    extra: tuple[str, ...] = (),
) -> SimulatorProcess:
    prefix = prefix or f"ceb-test-{uuid.uuid4().hex[:10]}"
    argv = [
        sys.executable,
        "manage.py",
        "customs_gateway",
        "--port",
        "0",
        "--state-dir",
        str(state_dir),
        "--step",
        str(step),
        "--prefix",
        prefix,
        "--seed",
        "7",
        *extra,
    ]
    if amqp:
        argv += ["--amqp", AMQP_URL]
    process, url = start_announcing(argv, what="the simulator")
    return SimulatorProcess(process, url, state_dir, prefix)


@pytest.fixture
def simulator(tmp_path):
    sim = start_simulator(tmp_path / "simulator")
    yield sim
    sim.stop()


@pytest.fixture
def amqp_simulator(tmp_path):
    sim = start_simulator(tmp_path / "simulator", amqp=True)
    yield sim
    sim.stop()


def wait_for(predicate, *, timeout: float = 15.0, interval: float = 0.05):
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {predicate}")


def dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
