"""Paid cross-border orders for declaration tests, made directly (the checkout's services
are another engineer's; the rows are the same ones ``checkout_pay`` leaves behind): a
checkout with the payer's identity, an order of one merchant's goods shipped 9610 from
Auckland (or 1210 from a bonded warehouse) with its frozen, computed duty assessment, moved
to paid through ``ORDER_FLOW``; and the payment facts customs is told about."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

from django.utils import timezone

from customs.declarations.adapter import PaymentFacts
from customs.engine import LineItem
from customs.profiles.demo import seed_customs_profiles_demo
from customs.profiles.models import CustomsCompany, CustomsProfile
from customs.services import duty_assessment_compute, duty_assessment_request
from logistics.models import Warehouse
from orders.flow import ORDER_FLOW
from orders.models import Checkout, Order, OrderEvent, OrderLine
from tests.factories import (
    MerchantFactory,
    ProductFactory,
    SKUFactory,
    UserFactory,
    WarehouseFactory,
)
from tests.logistics.shipping_helpers import carrier, method

BUYER_ID = "11010519491231002X"  # a well-formed sample number (GB 11643), nobody's
_numbers = itertools.count(1)


def profile(*, gateway_url: str, transport: str = "http", prefix: str = "ceb") -> CustomsProfile:
    """The platform profile (the demo's: SM2 software key) sending to ``gateway_url``."""
    p = seed_customs_profiles_demo()
    p.gateway_url, p.transport, p.queue_prefix = gateway_url, transport, prefix
    p.save(update_fields=["gateway_url", "transport", "queue_prefix"])
    return p


def bonded_profile(p: CustomsProfile) -> CustomsProfile:
    zone = CustomsCompany.objects.create(
        role=CustomsCompany.Role.BONDED_ZONE, code="3122480063", name="保税区仓储有限公司"
    )
    p.bonded_zone, p.ems_no = zone, "T2923W000001"
    p.save(update_fields=["bonded_zone", "ems_no"])
    return p


def _shipping():
    from logistics.shipping.models import ShippingMethod

    found = ShippingMethod.objects.filter(code="test-ems").first()
    if found is not None:
        return found
    return method("test-ems", carrier("test-post"))


def paid_order(
    *,
    unit_price: D = D("199.00"),
    quantity: int = 2,
    freight: D = D("20.00"),
    buyer_id: str = BUYER_ID,
    bonded: bool = False,
    consignee: str = "张三",
    user=None,
    discount: D = D("0"),
) -> tuple[Order, PaymentFacts]:
    """One paid order and the facts of its payment (not yet declared); ``discount`` is a
    real price cut on its line (a spend-and-save or coupon, as the checkout records it)."""
    n = next(_numbers)
    user = user or UserFactory()
    merchant = MerchantFactory(name_en="Kiwi Nature", name_zh_hans="奇异自然", country="NZ")
    kind = Warehouse.Kind.BONDED if bonded else Warehouse.Kind.OVERSEAS
    warehouse = WarehouseFactory(kind=kind, country="CN" if bonded else "NZ")
    sku = SKUFactory(
        product=ProductFactory(
            merchant=merchant, name_en="Manuka Honey", name_zh_hans="麦卢卡蜂蜜"
        ),
        price=unit_price,
        allow_bonded=bonded,
        product_record_status="recorded" if bonded else "none",
        product_record_number="HZ2026-0001" if bonded else "",
    )
    mode = "bonded" if bonded else "direct"
    assessment = duty_assessment_request(
        destination="CN",
        mode=mode,
        lines=[LineItem(sku.code, sku.hs_code, quantity, unit_price, "CNY", discount=discount)],
        freight=freight,
        id_number=buyer_id,
        reference=f"TEST-{n}",
    )
    assessment = duty_assessment_compute(assessment_id=assessment.pk)
    goods = unit_price * quantity
    duty = D(assessment.result["tax_total"])
    total = goods - discount + freight + duty
    address = {
        "name": consignee,
        "phone": "13800000000",
        "country": "CN",
        "province": "CN-BJ",
        "city": "北京市",
        "district": "朝阳区",
        "lines": "建国路1号",
        "postcode": "100020",
    }
    checkout = Checkout.objects.create(
        user=user,
        email=user.email,
        language="zh-hans",
        idempotency_key=f"key-{n}",
        currency="CNY",
        total=total,
        address=address,
        payer_name="张三",
        payer_phone="13800000000",
        payer_id_number=buyer_id,
        expires_at=timezone.now() + timedelta(minutes=15),
    )
    ship = _shipping()
    order = Order.objects.create(
        checkout=checkout,
        user=user,
        merchant=merchant,
        warehouse=warehouse,
        clearance_mode=mode,
        customs_code="1210" if bonded else "9610",
        currency="CNY",
        listing_currency="CNY",
        goods_total=goods,
        discount_total=discount,
        shipping_total=freight,
        duty_total=duty,
        total=total,
        shipping_method=ship,
        shipping={"method": ship.code},
        assessment=assessment,
    )
    OrderLine.objects.create(
        order=order,
        sku=sku,
        sku_code=sku.code,
        name_en="Manuka Honey",
        name_zh_hans="麦卢卡蜂蜜",
        hs_code=sku.hs_code,
        quantity=quantity,
        unit_price=unit_price,
        unit_price_charged=unit_price,
        line_total=goods,
        discount=discount,
    )
    paid_at = datetime(2026, 12, 1, 8, 0, tzinfo=UTC) + timedelta(seconds=n)
    Checkout.objects.filter(pk=checkout.pk).update(status=Checkout.Status.PAID, paid_at=paid_at)
    ORDER_FLOW.apply(order, "pay", by=None, event_model=OrderEvent)
    Order.objects.filter(pk=order.pk).update(paid_at=paid_at)
    order.refresh_from_db()
    facts = PaymentFacts(
        transaction_id=f"pi_test_{n:08d}",
        paid_at=paid_at,
        raw_request='{"method":"POST","url":"https://api.stripe.com/v1/payment_intents"}',
        raw_response='{"id":"pi_test","status":"succeeded"}',
    )
    return order, facts
