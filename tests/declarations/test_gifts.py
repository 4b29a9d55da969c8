"""A gift with purchase (满赠) goes to customs as its own line at price 0, as the spec says:
CEB311 and CEB621 built for an order with a gift validate against the official XSD, the
three documents (and the list) still match, and the real gateway simulator clears it."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db import transaction
from django.utils import timezone

from customs.ceb import messages, schema
from customs.ceb.matching import match_documents
from customs.declarations import services
from customs.declarations.adapter import Numbers, build_documents
from customs.declarations.models import OrderDeclaration
from customs.profiles.services import transfer_for
from customs.signing import xmldsig
from customs.signing.algorithms import SignatureAlgorithm
from orders.models import Order, OrderLine
from tests.customs.docking.conftest import make_signer, wait_for
from tests.factories import ProductFactory, SKUFactory

from .helpers import bonded_profile, paid_order, profile

pytestmark = pytest.mark.django_db(transaction=True)


def with_gift(order: Order, *, bonded: bool = False) -> OrderLine:
    """The order's gift line, as checkout writes it: the merchant's sample at price 0."""
    sample = SKUFactory(
        product=ProductFactory(merchant=order.merchant, name_en="Sample", name_zh_hans="小样"),
        price=D("25.00"),
        allow_bonded=bonded,
        product_record_status="recorded" if bonded else "none",
        product_record_number="HZ2026-0099" if bonded else "",
    )
    return OrderLine.objects.create(
        order=order,
        sku=sample,
        sku_code=sample.code,
        name_en="Sample",
        name_zh_hans="小样",
        hs_code=sample.hs_code,
        quantity=2,
        unit_price=D("0"),
        unit_price_charged=D("0"),
        line_total=D("0"),
        is_gift=True,
    )


def numbers() -> Numbers:
    return Numbers(
        logistics_no="TESTEMS0000000001",
        cop_no="COP0000000001",
        guids={k: messages.new_guid() for k in ("order", "payment", "waybill", "inventory")},
        app_time=timezone.now().replace(microsecond=0),
    )


@pytest.mark.parametrize("bonded", [False, True])
def test_ceb311_and_ceb621_with_a_gift_validate_and_the_documents_match(bonded):
    p = profile(gateway_url="http://127.0.0.1:9")
    if bonded:
        p = bonded_profile(p)
    order, facts = paid_order(bonded=bonded)
    with_gift(order, bonded=bonded)
    order = Order.objects.select_related("checkout", "assessment", "shipping_method__carrier").get(
        pk=order.pk
    )
    docs = build_documents(order, profile=p, facts=facts, numbers=numbers())
    gift = docs.order.lines[1]
    assert (gift.gnum, gift.item_name, gift.qty, gift.price, gift.total_price) == (
        2,
        "小样",
        D("2"),
        D("0"),
        D("0"),
    )
    assert [(x.gnum, x.price, x.total_price) for x in docs.inventory.lines][1] == (2, 0, 0)
    # the goods value is what the goods cost: the gift adds nothing
    assert docs.order.goods_value == D("398.00")
    transfer = transfer_for(p)
    signer = make_signer(SignatureAlgorithm.SM2_SM3, "SM2-0001")
    for doc in (docs.order, docs.inventory):
        root = messages.build([doc], transfer=transfer)  # the spec's rules (total = price × qty)
        xmldsig.sign(root, signer)  # CEB621 requires its signature
        schema.validate(root)  # the official XSD
    assert match_documents(docs.order, docs.payment, docs.waybill, docs.inventory) == ()


def test_an_order_with_a_gift_is_declared_matched_and_released(simulator):
    p = profile(gateway_url=simulator.url)
    order, facts = paid_order()
    with_gift(order)
    with transaction.atomic():
        services.declarations_open(order, payment=facts)

    def cleared():
        services.receipts_fetch(profile=p, timeout=0.2)
        return Order.objects.values_list("status", flat=True).get(pk=order.pk) == "cleared"

    wait_for(cleared, timeout=30.0, interval=0.05)
    file = OrderDeclaration.objects.get(order=order)
    assert file.status == OrderDeclaration.Status.CLEARED
    seen = [d for d in simulator.state()["documents"] if d["kind"] == "order"]
    assert len(seen) == 1
