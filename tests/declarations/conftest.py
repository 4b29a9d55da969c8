"""The real gateway simulator for declaration tests (the docking tests' own starter)."""

from __future__ import annotations

import pytest

from customs.declarations import services
from tests.customs.docking.conftest import start_simulator


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


@pytest.fixture(autouse=True)
def _fresh_transports():
    services.transports_reset()
    yield
    services.transports_reset()
