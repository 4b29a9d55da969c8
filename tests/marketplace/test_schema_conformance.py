"""The OpenAPI schema tells the truth: every operation of /api/schema/ is called with data
generated from the schema (schemathesis, against the WSGI app on the test database), signed
in as a merchant's owner, and every answer must be one the schema documents, in the shape
it documents, and never a server error.

Bounded and deterministic: a fixed number of examples per operation (``EXAMPLES``), a fixed
seed and ``derandomize`` (the same cases on every run), no example database. Each operation is also
called once with the ids of real objects (the merchant's product, image, stock row …), so
success answers are checked too, not only 404s. Throttling is switched off here: its 429 is
documented everywhere and tested in test_api.py.
"""

from __future__ import annotations

from datetime import timedelta

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle

from catalog.models import ImportJob, ProductImage
from merchants.models import Invitation
from merchants.roles import Role
from tests.catalog.listing_helpers import upload
from tests.factories import (
    MembershipFactory,
    ProductFactory,
    SKUFactory,
    StockFactory,
    WarehouseFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(600)]

EXAMPLES = 5
SEED = 20261202
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.response_headers_conformance,
]


@pytest.fixture
def _keep_the_test_connection():
    # The WSGI handler closes the database connection after each request; Django's test
    # client stops that the same way, so the test's transaction (and its rows) survive.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world(db, settings, tmp_path, monkeypatch, _keep_the_test_connection):
    """A merchant with one of everything its API can show, and its owner's token."""
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(SimpleRateThrottle, "allow_request", lambda self, request, view: True)
    owner = MembershipFactory(role=Role.OWNER)
    merchant = owner.merchant
    staff = MembershipFactory(merchant=merchant, role=Role.STAFF)
    product = ProductFactory(merchant=merchant, brand=None)
    sku = SKUFactory(product=product)
    image = ProductImage.objects.create(
        merchant=merchant, product=product, image=upload(), alt="front", position=0
    )
    warehouse = WarehouseFactory(merchant=merchant, kind="overseas", country="JP")
    stock = StockFactory(sku=sku, warehouse=warehouse)
    invitation = Invitation.objects.create(
        merchant=merchant,
        email="new@example.com",
        role=Role.STAFF,
        invited_by=owner.user,
        expires_at=timezone.now() + timedelta(days=7),
    )
    job = ImportJob.objects.create(
        merchant=merchant, kind=ImportJob.Kind.STOCK, filename="stock.csv", created_by=owner.user
    )
    token = Token.objects.create(user=owner.user)
    ids = {
        "/api/v1/seller/products/{id}/": product.pk,
        "/api/v1/seller/products/{id}/images/{image_pk}/": (product.pk, image.pk),
        "/api/v1/seller/stock/{id}/": stock.pk,
        "/api/v1/seller/warehouses/{id}/": warehouse.pk,
        "/api/v1/seller/team/{id}/": staff.pk,
        "/api/v1/seller/invitations/{id}/": invitation.pk,
        "/api/v1/seller/imports/{id}/": job.pk,
        "/api/v1/products/{id}/": product.pk,
    }
    return {"token": token.key, "ids": ids, "merchant": merchant}


# Loaded when the module is collected (the schema view reads no rows), so each operation is
# its own test item.
# The coverage phase (every boundary of every parameter) is left out to keep this in the
# minutes: the fuzzing phase's examples, plus each operation called on real objects.
CONFIG = schemathesis.Config.from_dict({"seed": SEED, "phases": {"coverage": {"enabled": False}}})
schema = schemathesis.openapi.from_wsgi(
    "/api/schema/?format=json", get_wsgi_application(), config=CONFIG
)


def _real_ids(case, ids: dict) -> dict | None:
    """The path parameters of ``case`` pointed at real objects, when the path has any."""
    path = case.operation.path
    params = dict(case.path_parameters or {})
    if not params:
        return None
    for prefix, value in ids.items():
        pattern = prefix.rstrip("/")
        if path.startswith(pattern) or path == prefix:
            names = [name for name in params if name in ("id", "image_pk", "kind")]
            values = value if isinstance(value, tuple) else (value,)
            for name, real in zip((n for n in names if n != "kind"), values, strict=False):
                params[name] = real
            return params
    return None


@schema.parametrize()
@hypothesis.settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_the_schema_says(case, world):
    headers = {"Authorization": f"Token {world['token']}", "Accept-Language": "en"}
    case.call_and_validate(headers=headers, checks=CHECKS)
    real = _real_ids(case, world["ids"])
    if real is not None:
        case.path_parameters = real
        case.call_and_validate(headers=headers, checks=CHECKS)
