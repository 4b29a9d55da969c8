"""Paid orders to pack and track, arranged directly in the tables (the checkout's services
are another engineer's; these rows are what they write: a paid checkout, an order with its
lines, and allocations holding reserved stock)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from catalog.services.stock import StockLine, stock_reserve
from logistics.fulfilment.models import CarrierFeed
from logistics.fulfilment.services.tracking import signature_of
from logistics.shipping.models import Carrier, ShippingMethod
from marketplace.clearance import ClearanceMode
from orders.models import Allocation, Checkout, Order, OrderLine
from tests.factories import (
    MembershipFactory,
    MerchantFactory,
    ProductFactory,
    SKUFactory,
    StockFactory,
    UserFactory,
    WarehouseFactory,
)
from tests.logistics.shipping_helpers import carrier, method

SECRET = "carrier-secret-for-tests"
T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def at(hours: float) -> str:
    return (T0 + timedelta(hours=hours)).isoformat()


def simex(code: str = "simex", *, secret: str = SECRET, **feed):
    c = carrier(code)
    CarrierFeed.objects.create(carrier=c, webhook_secret=secret, **feed)
    return c


def paid_order(
    *,
    carrier_obj=None,
    merchant=None,
    warehouse=None,
    quantities=(2, 1),
    mode=ClearanceMode.DIRECT,
    status=Order.Status.PAID,
) -> Order:
    merchant = merchant or MerchantFactory(country="NZ")
    warehouse = warehouse or WarehouseFactory(kind="overseas", country="NZ")
    # a merchant's second order reuses its carrier and method
    carrier_obj = (
        carrier_obj
        or Carrier.objects.filter(code=f"c{merchant.pk}").first()
        or simex(f"c{merchant.pk}")
    )
    code = f"m{merchant.pk}-{carrier_obj.pk}"
    shipping = ShippingMethod.objects.filter(code=code).first() or method(code, carrier_obj)
    shopper = UserFactory()
    checkout = Checkout.objects.create(
        user=shopper,
        email=shopper.email,
        language="zh-hans",
        status=Checkout.Status.PAID,
        idempotency_key=f"k{merchant.pk}-{timezone.now().timestamp()}",
        currency="CNY",
        total=Decimal("100.00"),
        address={"name": "王小明", "country": "CN", "city": "上海"},
        expires_at=timezone.now() + timedelta(minutes=15),
        paid_at=timezone.now(),
    )
    order = Order.objects.create(
        checkout=checkout,
        user=shopper,
        merchant=merchant,
        warehouse=warehouse,
        clearance_mode=mode,
        status=status,
        currency="CNY",
        listing_currency="CNY",
        goods_total=Decimal("90.00"),
        shipping_total=Decimal("10.00"),
        duty_total=Decimal("0"),
        total=Decimal("100.00"),
        shipping_method=shipping,
        shipping={"min_days": 3, "max_days": 5},
        paid_at=timezone.now(),
    )
    for i, quantity in enumerate(quantities):
        sku = SKUFactory(product=ProductFactory(merchant=merchant))
        stock = StockFactory(sku=sku, warehouse=warehouse, on_hand=10)
        stock_reserve(lines=[StockLine(stock_id=stock.pk, quantity=quantity)])
        line = OrderLine.objects.create(
            order=order,
            sku=sku,
            sku_code=sku.code,
            name_en=f"Thing {i}",
            name_zh_hans=f"东西{i}",
            quantity=quantity,
            unit_price=Decimal("30.00"),
            unit_price_charged=Decimal("30.00"),
            line_total=Decimal("30.00") * quantity,
        )
        Allocation.objects.create(
            line=line, stock=stock, quantity=quantity, status=Allocation.Status.ALLOCATED
        )
    return order


def staff_of(merchant, role="staff"):
    return MembershipFactory(merchant=merchant, role=role).user


def push(client, carrier_code: str, events: list[dict], *, secret: str = SECRET, signature=None):
    body = json.dumps({"events": events}).encode()
    sig = signature if signature is not None else signature_of(secret, body)
    return client.post(
        f"/tracking/webhooks/{carrier_code}/",
        data=body,
        content_type="application/json",
        HTTP_X_SILKWAY_SIGNATURE=sig,
    )


def event(waybill: str, status: str, hours: float, location: str = "Auckland", text: str = ""):
    return {
        "waybill": waybill,
        "status": status,
        "time": at(hours),
        "location": location,
        "text": text or status,
    }
