"""The customs return of a released cross-border import (CEB625 / CEB626), against the real
customs gateway simulator: received back within 30 days of release, the return declares
exactly its lines and units; customs' CEB626 (399) gives the buyer's yearly quota back by
those lines' share, once; the refund gives nothing back for a released list. After the
window the return is refused with the reason, to the shopper and to the merchant."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from customs.declarations import documents as stored
from customs.declarations import services as declarations
from customs.declarations.models import Declaration, OrderDeclaration
from customs.selectors import quota_used
from customs.services import quota_record_usage
from logistics.returns import services
from logistics.returns.models import ReturnRequest
from merchants.roles import Role
from orders.flow import ORDER_FLOW
from orders.models import Order, OrderEvent
from tests.customs.docking.conftest import wait_for
from tests.declarations.conftest import simulator  # noqa: F401 - fixture
from tests.declarations.helpers import BUYER_ID, paid_order, profile
from tests.factories import MembershipFactory

from .test_returns import ask, code


def _released_and_delivered(p, quantity: int):
    order, facts = paid_order(quantity=quantity)
    counted = Decimal("199.00") * quantity
    Order.objects.filter(pk=order.pk).update(duties={"yearly_counted": str(counted)})
    quota_record_usage(id_number=BUYER_ID, year=2026, amount=counted, reference=order.number)
    with transaction.atomic():
        declarations.declarations_open(order, payment=facts)

    def cleared():
        declarations.receipts_fetch(profile=p, timeout=0.2)
        return Order.objects.get(pk=order.pk).status == Order.Status.CLEARED

    wait_for(cleared, timeout=30)
    order = Order.objects.get(pk=order.pk)
    for move in ("pack", "ship", "deliver"):
        ORDER_FLOW.apply(order, move, by=None, event_model=OrderEvent)
    return order, counted


def _return(order, owner, units: int) -> ReturnRequest:
    line = order.lines.get()
    request = services.return_request_create(
        order=order, by=order.user, lines={line.pk: units}, reason="七天无理由退货"
    )
    services.return_approve(request=request, by=owner)
    outcomes = {rl.pk: "restock" for rl in request.lines.all()}
    services.return_receive(request=request, by=owner, outcomes=outcomes)
    return ReturnRequest.objects.get(pk=request.pk)


def _accepted(p, request):
    def done():
        declarations.receipts_fetch(profile=p, timeout=0.2)
        row = Declaration.objects.get(pk=request.customs_declaration_id)
        restored = ReturnRequest.objects.get(pk=request.pk).quota_restored_at
        return row.state == Declaration.State.DONE and restored and row

    return wait_for(done, timeout=30)


@pytest.mark.django_db(transaction=True)
def test_a_partial_customs_return_declares_its_units_and_its_receipt_restores_their_quota(
    simulator,  # noqa: F811
):
    p = profile(gateway_url=simulator.url)
    order, counted = _released_and_delivered(p, quantity=3)
    owner = MembershipFactory(merchant=order.merchant, role=Role.OWNER).user

    first = _return(order, owner, 1)
    row = first.customs_declaration
    assert row.kind == Declaration.Kind.RETURN
    doc = stored.load(row.document)
    assert [(ln.gnum, ln.qty) for ln in doc.lines] == [(1, Decimal(1))]  # not all 3 units
    assert first.quota_amount == Decimal("199.00")
    # refunded, but the quota waits for customs
    assert Order.objects.get(pk=order.pk).refunded_total > 0
    assert quota_used(id_number=BUYER_ID, year=2026) == counted

    row = _accepted(p, first)
    assert (row.return_status, row.return_info) == ("399", "退货审结")
    assert quota_used(id_number=BUYER_ID, year=2026) == counted - Decimal("199.00")
    # a repeated receipt or delivery gives nothing more
    assert services.return_quota_restore(declaration_id=row.pk) is False
    assert quota_used(id_number=BUYER_ID, year=2026) == counted - Decimal("199.00")

    second = _return(order, owner, 2)
    doc = stored.load(second.customs_declaration.document)
    assert [(ln.gnum, ln.qty) for ln in doc.lines] == [(1, Decimal(2))]
    assert doc.cop_no.endswith("-2")  # the list's second return
    _accepted(p, second)
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    # the last units were refunded (the whole order) and customs took them back: the quota
    # came back once, from the customs returns only
    assert quota_used(id_number=BUYER_ID, year=2026) == 0
    assert OrderDeclaration.objects.get(order=order).status == OrderDeclaration.Status.CLEARED


@pytest.mark.django_db
def test_after_30_days_from_release_the_return_is_refused_with_the_reason(
    delivered, client_for, world
):
    user, order, balm_line, _soap_line, _soap = delivered
    shopper = client_for(user)
    clear = OrderEvent.objects.create(
        subject=order, transition="clear", from_state="declared", to_state="cleared"
    )
    asked = ask(shopper, order, [(balm_line, 1)])
    assert asked.status_code == 201  # within 30 days of release
    OrderEvent.objects.filter(pk=clear.pk).update(created_at=timezone.now() - timedelta(days=31))
    refused = ask(shopper, order, [(balm_line, 1)])
    assert refused.status_code == 400 and code(refused) == "return_customs_window_closed"
    message = refused.json()["error"]["errors"][0]["message"]
    assert "30" in message and "supervised site" in message
    # the merchant is told the same when approving the request made in time
    team = client_for(MembershipFactory(merchant=world.kiwi, role=Role.OWNER).user)
    late = team.post(f"/api/v1/seller/returns/{asked.json()['id']}/approve/")
    assert late.status_code == 400 and code(late) == "return_customs_window_closed"
    page = client_for(user).get(f"/en/account/orders/{order.number}/")
    assert "within 30 days of release" in page.content.decode()
