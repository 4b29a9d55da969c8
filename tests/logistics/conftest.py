import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The seller-page stories sign several people in; the real hasher would dominate.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


from tests.merchants.conftest import cast  # noqa: E402, F401 - re-exported fixture


@pytest.fixture
def frozen_local_caches(monkeypatch):
    """Stop the clock of the kernel's in-process caches for one test.

    Their copies (offered currencies, FX for display) live for seconds and outlive a test,
    while each test empties Redis behind them: a copy that expires between two measurements
    of one test then costs its SQL reads in the second one only. Query-count comparisons
    freeze that clock so both measurements see the same caches.
    """
    from types import SimpleNamespace

    from marketplace import localcache

    frozen = localcache.time.monotonic()
    monkeypatch.setattr(localcache, "time", SimpleNamespace(monotonic=lambda: frozen))
