"""The buyer's yearly quota comes back exactly once for a returned order, in proportion for
a partial return. An order customs never released (no list was declared) gets it back from
the refund (``order_refund``); a released import only from the CEB626 of its customs return
(tests/returns/test_customs_return.py), never from the refund too."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import timezone

from customs.models import QuotaEntry
from customs.selectors import quota_used
from merchants.roles import Role
from orders.models import Order, OrderEvent
from orders.services import order_refund
from tests.factories import MembershipFactory

from .test_returns import ask

pytestmark = pytest.mark.django_db


def _receive_all(team, request_id, capture):
    lines = team.post(f"/api/v1/seller/returns/{request_id}/approve/").json()["lines"]
    with capture(execute=True):
        done = team.post(
            f"/api/v1/seller/returns/{request_id}/receive/",
            {"lines": [{"line": ln["id"], "outcome": "restock"} for ln in lines]},
            content_type="application/json",
        )
    assert done.status_code == 200, done.content
    return done.json()


def test_a_partial_return_gives_back_its_share_and_the_last_one_the_rest_once(
    delivered, client_for, world, django_capture_on_commit_callbacks
):
    user, order, balm_line, soap_line, _soap = delivered
    checkout = order.checkout
    year = timezone.localdate(order.paid_at).year
    counted = Decimal(order.duties["yearly_counted"])
    assert counted > 0  # a cross-border import into China: it counted when paid
    used = quota_used(id_number=checkout.payer_id_number, year=year)
    assert used == counted
    shopper = client_for(user)
    team = client_for(MembershipFactory(merchant=world.kiwi, role=Role.OWNER).user)

    first = ask(shopper, order, [(balm_line, 2), (soap_line, 1)]).json()["id"]
    _receive_all(team, first, django_capture_on_commit_callbacks)
    goods = balm_line.unit_price_charged * 3 + soap_line.unit_price_charged * 2
    returned = balm_line.unit_price_charged * 2 + soap_line.unit_price_charged
    share = (counted * returned / goods).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert quota_used(id_number=checkout.payer_id_number, year=year) == counted - share

    second = ask(shopper, order, [(balm_line, 1), (soap_line, 1)]).json()["id"]
    _receive_all(team, second, django_capture_on_commit_callbacks)
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    # everything back, exactly once: the shares add up to what was counted
    assert quota_used(id_number=checkout.payer_id_number, year=year) == 0
    restores = QuotaEntry.objects.filter(kind="restore", reference=order.number)
    assert sum(r.amount for r in restores) == counted and restores.count() == 2


def test_a_refund_of_a_list_customs_released_gives_nothing_back(
    world, localstripe, pay, delivered, django_capture_on_commit_callbacks
):
    """Customs released it (the order's ``clear`` move): only the customs return restores."""
    user, order, *_ = delivered
    OrderEvent.objects.create(
        subject=order, transition="clear", from_state="declared", to_state="cleared"
    )
    checkout = order.checkout
    year = timezone.localdate(order.paid_at).year
    before = quota_used(id_number=checkout.payer_id_number, year=year)
    with django_capture_on_commit_callbacks(execute=True):
        order_refund(order=order, amount=None, by=None, reason="lost")
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    assert quota_used(id_number=checkout.payer_id_number, year=year) == before > 0
