"""The real gateway simulator for declaration tests: the docking tests' own fixtures."""

from __future__ import annotations

import pytest

from customs.declarations import services
from tests.customs.docking.conftest import amqp_simulator, simulator  # noqa: F401 - fixtures


@pytest.fixture(autouse=True)
def _fresh_transports():
    services.transports_reset()
    yield
    services.transports_reset()
