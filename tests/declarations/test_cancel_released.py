"""Cancelling a paid order after customs released its list (a cleared bonded order), against
the real gateway simulator: the cancellation is declared to customs (CEB623, through the
outbox) and the buyer's yearly quota comes back only when customs' CEB624 accepts it, once;
a refused cancellation leaves the quota counted and its reason on the file for operators."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import transaction

from customs.ceb import schema
from customs.declarations import documents as stored
from customs.declarations import services as declarations
from customs.declarations.models import Declaration, OrderDeclaration, SentMessage
from customs.selectors import quota_used
from customs.services import quota_record_usage
from orders.models import Order
from orders.services import order_cancel, order_quota_restore_cancelled
from tests.customs.docking.conftest import wait_for
from tests.declarations.conftest import simulator  # noqa: F401 - fixture
from tests.declarations.helpers import BUYER_ID, paid_order, profile

pytestmark = pytest.mark.django_db(transaction=True)


def _cleared_bonded(p):
    order, facts = paid_order(quantity=2, bonded=True)
    counted = Decimal("398.00")
    Order.objects.filter(pk=order.pk).update(duties={"yearly_counted": str(counted)})
    quota_record_usage(id_number=BUYER_ID, year=2026, amount=counted, reference=order.number)
    with transaction.atomic():
        declarations.declarations_open(order, payment=facts)

    def cleared():
        declarations.receipts_fetch(profile=p, timeout=0.2)
        return Order.objects.get(pk=order.pk).status == Order.Status.CLEARED

    wait_for(cleared, timeout=30)
    return Order.objects.get(pk=order.pk), counted


def _answered(p, file):
    def done():
        declarations.receipts_fetch(profile=p, timeout=0.2)
        row = file.documents.filter(kind=Declaration.Kind.CANCEL).first()
        return row is not None and row.return_status in {"399"} | {"-623005"} and row

    return wait_for(done, timeout=30)


def test_a_cleared_order_cancelled_declares_ceb623_and_its_receipt_restores_the_quota(
    simulator,  # noqa: F811
):
    p = profile(gateway_url=simulator.url)
    order, counted = _cleared_bonded(p)
    order_cancel(order=order, by=None, reason="买家取消")
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    # not at once: customs counted the list, customs gives it back
    assert quota_used(id_number=BUYER_ID, year=2026) == counted
    file = OrderDeclaration.objects.get(order=order)
    cancel = file.documents.get(kind=Declaration.Kind.CANCEL)
    doc = stored.load(cancel.document)
    assert doc.invt_no == file.invt_no and doc.reason == "买家取消"
    row = _answered(p, file)
    assert (row.state, row.return_status) == (Declaration.State.DONE, "399")
    sent = SentMessage.objects.get(declarations=row)
    assert "623" in sent.message_type
    # the CEB623 we signed and sent is valid against the official import XSD
    # (../shared/reference/ceb/xsd/)
    repo = Path(__file__).resolve().parents[2]
    official = [up / "shared/reference/ceb/xsd/ceb-import-202205.xsd" for up in repo.parents[:2]]
    xsd = next((path for path in official if path.exists()), schema.IMPORT_XSD)
    schema.validate(schema.parse_xml(bytes(sent.message)), xsd=xsd)

    def restored():
        return quota_used(id_number=BUYER_ID, year=2026) == 0

    wait_for(restored, timeout=10)
    file.refresh_from_db()
    assert file.status == OrderDeclaration.Status.CANCELLED
    # a repeated receipt or delivery gives nothing more
    assert order_quota_restore_cancelled(order_id=order.pk) is False
    assert declarations.cancelled_quota_restore(declaration_id=row.pk) is False
    assert quota_used(id_number=BUYER_ID, year=2026) == 0
    # the outbox delivering the cancellation again declares nothing more
    assert declarations.cancelled_order_declare(order_id=order.pk, reason="x") is None
    assert file.documents.filter(kind=Declaration.Kind.CANCEL).count() == 1


def test_a_refused_cancellation_leaves_the_quota_counted_and_tells_operators_why(
    simulator,  # noqa: F811
):
    p = profile(gateway_url=simulator.url)
    order, counted = _cleared_bonded(p)
    # customs no longer holds the list as released (here: set so in its own records), so
    # it refuses the cancellation (-623005)
    db = sqlite3.connect(simulator.state_dir / "state.sqlite3")
    db.execute("UPDATE documents SET status = '500' WHERE kind = 'inventory'")
    db.commit()
    db.close()
    order_cancel(order=order, by=None, reason="买家取消")
    file = OrderDeclaration.objects.get(order=order)
    row = _answered(p, file)
    assert (row.state, row.return_status) == (Declaration.State.REJECTED, "-623005")
    file.refresh_from_db()
    assert "-623005" in file.reason and row.return_info in file.reason
    assert quota_used(id_number=BUYER_ID, year=2026) == counted
