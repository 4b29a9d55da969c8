"""Project-wide fixtures. Tests run against the real PostgreSQL and Redis (see Makefile)."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from tests.tenancy import tenants  # noqa: F401 - re-exported fixture


@pytest.fixture(autouse=True)
def _clean_cache():
    """Each test starts with an empty cache (only this xdist worker's key space) and nothing
    kept in process memory that a test's data could contradict: the flash sales' terms and
    sold-out items (a flushed database reuses their ids), the carriers' push feeds (tests
    reuse carrier codes with other secrets)."""
    _clear_own_keys()
    _forget_process_memory()
    yield
    _clear_own_keys()
    _forget_process_memory()


def _forget_process_memory() -> None:
    from logistics.fulfilment.selectors import push_feeds_forget
    from marketing.flash.door import sold_out_seen_forget
    from marketing.flash.selectors import flash_terms_forget

    flash_terms_forget()
    sold_out_seen_forget()
    push_feeds_forget()


def _clear_own_keys() -> None:
    backend = cache._cache if hasattr(cache, "_cache") else None
    if backend is not None and hasattr(backend, "get_client"):
        client = backend.get_client(write=True)
        prefix = cache.key_prefix
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()


DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Put back the reference data the migrations seed (currencies and FX rates, duty rate
    tables, the default shipping network) when a transactional test before this one
    flushed the database."""
    if not (
        request.node.get_closest_marker("django_db") or DB_FIXTURES & set(request.fixturenames)
    ):
        return
    from django.apps import apps

    from marketplace.models import Currency

    if not Currency.objects.exists():
        from customs.seeding import seed_rate_tables
        from logistics.shipping.seed import seed_shipping_network
        from marketplace.reference_data import seed_currencies

        seed_currencies(apps.get_model)
        seed_rate_tables(apps.get_model)
        seed_shipping_network(apps.get_model)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path_factory):
    """Uploads and demo files written by tests land in a temporary folder, not the repo."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _links_to_the_test_server(settings):
    """Links in emails start with SITE_URL: the test client's host, so tests follow them."""
    settings.SITE_URL = "http://testserver"


@pytest.fixture(autouse=True)
def _english_by_default():
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def client_for():
    """A logged-in page/API client for ``user`` (session auth, CSRF as in a browser)."""

    def make(user, **kwargs) -> Client:
        client = Client(**kwargs)
        client.force_login(user)
        return client

    return make


@pytest.fixture
def user(db):
    from tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def operator(db):
    from tests.factories import OperatorFactory

    return OperatorFactory()


from tests.payments.localstripe import localstripe, stripe_webhooks  # noqa: E402,F401 - re-exported fixtures
from tests.workers import celery_worker, celery_worker_process  # noqa: E402,F401 - re-exported fixtures
