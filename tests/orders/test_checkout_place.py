"""Placing a checkout: the split into orders, what is frozen, identities, refusals,
idempotency, and a cost that does not grow with the cart."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Stock, StockAdjustment
from customs.models import DutyAssessment
from customs.services import buyer_identity_save, quota_record_usage
from marketplace.models import PersonalDataAccess
from orders.models import Allocation, CartLine, Checkout, Order
from orders.plan import group_key
from orders.selectors import cart_view
from orders.services import cart_add
from orders.split import plan as split_plan
from tests.factories import SKUFactory, StockFactory, UserFactory, WarehouseFactory
from tests.orders.checkout_helpers import ADDRESS_CN, id_number, identity, place, shopper_with

pytestmark = pytest.mark.django_db


def codes(exc: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in exc.error_dict.items()}


def test_one_merchants_bonded_and_direct_goods_and_another_merchant_make_three_orders(world):
    user, cart = shopper_with((world.honey, 2), (world.balm, 1), (world.serum, 2))
    checkout = place(user, cart)
    orders = {(o.merchant_id, o.clearance_mode): o for o in checkout.orders.all()}
    assert set(orders) == {
        (world.kiwi.pk, "bonded"),  # kiwi's honey from the bonded warehouse: 1210
        (world.kiwi.pk, "direct"),  # kiwi's balm from Auckland: 9610
        (world.tokyo.pk, "direct"),  # tokyo's serum
    }
    bonded = orders[(world.kiwi.pk, "bonded")]
    assert bonded.customs_code == "1210" and bonded.warehouse_id == world.bonded.pk
    assert orders[(world.kiwi.pk, "direct")].customs_code == "9610"
    assert [(line.sku_code, line.quantity) for line in bonded.lines.all()] == [
        (world.honey.code, 2)
    ]
    assert all(o.status == Order.Status.AWAITING_PAYMENT for o in orders.values())
    assert checkout.total == sum(o.total for o in orders.values())
    assert checkout.status == Checkout.Status.AWAITING_PAYMENT
    # the cart's lines went into the orders
    assert not CartLine.objects.filter(cart=cart).exists()


def test_every_figure_is_frozen_on_the_order(world, settings):
    settings.ORDERS_RESERVATION_MINUTES = 20
    user, cart = shopper_with((world.honey, 2))
    checkout = place(user, cart)
    order = checkout.orders.get()
    line = order.lines.get()
    # prices in the listing and the checkout currency, the names, the HS code
    assert (line.unit_price, line.unit_price_charged, line.line_total) == (
        Decimal("199.00"),
        Decimal("199.00"),
        Decimal("398.00"),
    )
    assert (line.name_en, line.name_zh_hans, line.hs_code) == (
        "Manuka Honey",
        "麦卢卡蜂蜜",
        world.honey.hs_code,
    )
    assert order.goods_total == Decimal("398.00")
    # shipping: the cheapest option, frozen with its names, carrier, price and window
    assert order.shipping["method_code"] == order.shipping_method.code
    assert order.shipping_total == Decimal(order.shipping["price"]["amount"]) > 0
    assert order.shipping["min_days"] <= order.shipping["max_days"]
    # duties: the estimate assessment is computed and frozen now, and agrees with the order
    assessment = order.assessment
    assert assessment.status == DutyAssessment.Status.FROZEN
    assert assessment.reference == order.number
    assert assessment.tax_total == order.duty_total == line.duty > 0
    assert order.duties["regime"]["code"] == "CN_CBEC_1210"
    assert order.duties["collected_at_checkout"] is True
    assert order.total == order.goods_total + order.shipping_total + order.duty_total
    # FX rates and the address
    assert order.fx_rates == checkout.fx_rates and "USD" in checkout.fx_rates
    assert checkout.address["province"] == "CN-ZJ" and checkout.address["name"] == "王小明"
    # the reservation: one allocation per line, held for the operator's minutes
    allocation = Allocation.objects.get(line=line)
    assert (allocation.status, allocation.quantity) == (Allocation.Status.RESERVED, 2)
    assert allocation.stock_id == world.stock["honey"].pk
    assert allocation.expires_at == checkout.expires_at
    assert (
        timedelta(minutes=19) < checkout.expires_at - checkout.created_at <= timedelta(minutes=20)
    )
    stock = Stock.objects.get(pk=world.stock["honey"].pk)
    assert (stock.on_hand, stock.reserved) == (10, 2)
    reservation = StockAdjustment.objects.get(stock=stock, reason="reservation")
    assert reservation.note == checkout.number and reservation.reserved_after == 2


def test_figures_in_another_currency_use_the_frozen_rates(world):
    domestic = SKUFactory(product__merchant=world.kiwi, allow_general_trade=True)
    StockFactory(sku=domestic, warehouse__kind="domestic", warehouse__country="CN", on_hand=5)
    user, cart = shopper_with((domestic, 1), destination="US")
    address = {
        "name": "Ann Lee",
        "phone": "+1 415 555 0100",
        "country": "US",
        "province": "CA",
        "city": "San Francisco",
        "lines": "1 Market St",
        "postcode": "94105",
    }
    checkout = place(user, cart, address=address, ident=None, currency="USD")
    order = checkout.orders.get()
    assert order.clearance_mode == "export_retail" and order.customs_code == "9610"
    assert checkout.currency == order.currency == "USD" and order.listing_currency == "CNY"
    line = order.lines.get()
    usd = Decimal(checkout.fx_rates["USD"])  # CNY per USD
    assert line.unit_price == Decimal("199.00")
    assert line.unit_price_charged == (Decimal("199.00") / usd).quantize(Decimal("0.01"))
    assert order.shipping["price"]["currency"] == "USD"
    assert checkout.payer_id_number == "" and checkout.payer_name == ""


def test_a_chinese_address_is_charged_in_yuan_whatever_the_display_currency(world):
    user, cart = shopper_with((world.balm, 1))
    checkout = place(user, cart, currency="USD")
    assert checkout.currency == "CNY"


def test_an_import_into_china_needs_the_payers_identity(world):
    user, cart = shopper_with((world.balm, 1))
    with pytest.raises(ValidationError) as caught:
        place(user, cart, ident=None)
    assert codes(caught.value) == {"identity": ["identity_required"]}
    bad = identity()
    bad["id_number"] = bad["id_number"][:-1] + ("0" if bad["id_number"][-1] != "0" else "1")
    with pytest.raises(ValidationError) as caught:
        place(user, cart, ident=bad)
    assert codes(caught.value) == {"identity": ["invalid_id_number"]}
    with pytest.raises(ValidationError) as caught:
        place(user, cart, ident={"name": "", "id_number": id_number()})
    assert codes(caught.value) == {"identity": ["identity_name_required"]}
    assert not Checkout.objects.exists()


def test_the_identity_is_stored_encrypted_and_masked(world):
    user, cart = shopper_with((world.balm, 1))
    checkout = place(user, cart)
    assert checkout.payer_name == "王小明"
    assert checkout.payer_id_masked == "1*************" + id_number()[-4:]
    with connection.cursor() as cursor:
        cursor.execute("SELECT payer_id_number FROM orders_checkout WHERE id = %s", [checkout.pk])
        stored = cursor.fetchone()[0]
    assert id_number() not in stored
    assert Checkout.objects.get(pk=checkout.pk).payer_id_number == id_number()


def test_a_saved_identity_must_be_the_shoppers_own(world):
    user, cart = shopper_with((world.balm, 1))
    other = UserFactory()
    theirs = buyer_identity_save(user=other, name="李四", id_number=id_number("002"))
    with pytest.raises(ValidationError) as caught:
        place(user, cart, ident={"saved_id": theirs.pk})
    assert codes(caught.value) == {"identity": ["unknown_identity"]}
    mine = buyer_identity_save(user=user, name="王小明", id_number=id_number("003"))
    checkout = place(user, cart, ident={"saved_id": mine.pk})
    assert checkout.payer_id_number == id_number("003") and checkout.payer_name == "王小明"
    # reading the saved number for the checkout is audited
    assert PersonalDataAccess.objects.filter(
        subject_type="customs.BuyerIdentity", subject_id=str(mine.pk), actor=user
    ).exists()


def test_a_line_with_a_problem_is_refused_and_nothing_is_reserved(world):
    user, cart = shopper_with((world.honey, 3), (world.balm, 1))
    Stock.objects.filter(pk=world.stock["honey"].pk).update(reserved=8)  # 2 left
    with pytest.raises(ValidationError) as caught:
        place(user, cart)
    assert codes(caught.value) == {"lines": ["insufficient_stock"]}
    assert "Manuka Honey" in caught.value.messages[0]
    assert not Checkout.objects.exists() and not Allocation.objects.exists()
    assert CartLine.objects.filter(cart=cart).count() == 2


def test_the_yearly_limit_of_the_payer_is_refused_with_what_is_left(world):
    user, cart = shopper_with((world.honey, 2))
    quota_record_usage(
        id_number=id_number(),
        year=2026,
        amount=Decimal("25900.00"),
        reference="EARLIER-1",
    )
    with pytest.raises(ValidationError) as caught:
        place(user, cart)
    assert codes(caught.value) == {"lines": ["cbec_yearly_limit"]}
    message = caught.value.messages[0]
    assert "100.00" in message and "yearly allowance" in message
    # the same cart under another payer goes through
    assert place(user, cart, ident=identity(serial="004")).orders.count() == 1


def test_over_the_single_purchase_limit_is_refused(world):
    Stock.objects.filter(pk=world.stock["honey"].pk).update(on_hand=40)
    user, cart = shopper_with((world.honey, 26))  # 26 × 199 = 5,174 CNY > 5,000
    with pytest.raises(ValidationError) as caught:
        place(user, cart, language="zh-hans")
    assert codes(caught.value) == {"lines": ["cbec_transaction_limit"]}
    assert "单次交易限值" in caught.value.messages[0]


def test_an_excise_good_the_destination_refuses_is_refused(world):
    whisky = SKUFactory(
        product__merchant=world.kiwi,
        hs_code="2208300000",
        excise_category="alcohol",
        allow_general_trade=True,
        price=Decimal("200.00"),
    )
    StockFactory(sku=whisky, warehouse__kind="domestic", warehouse__country="CN", on_hand=5)
    user, cart = shopper_with((whisky, 1), destination="GB")
    address = {
        "name": "Ann Lee",
        "phone": "+44 20 7946 0000",
        "country": "GB",
        "city": "London",
        "lines": "1 Strand",
        "postcode": "WC2N 5DN",
    }
    with pytest.raises(ValidationError) as caught:
        place(user, cart, address=address, ident=None, currency="USD")
    assert codes(caught.value) == {"lines": ["excise_not_allowed"]}
    assert "Remove this item" in caught.value.messages[0]


def test_the_chosen_shipping_method_is_used_and_an_unknown_one_refused(world):
    user, cart = shopper_with((world.balm, 1))
    view = cart_view(cart, "CN")
    line = view.lines[0]
    key = group_key(
        split_plan([line.offer.plan_line(line.id, 1)], line.offer.places, "CN").groups[0]
    )
    with pytest.raises(ValidationError) as caught:
        place(user, cart, shipping={key: "no-such-method"})
    assert codes(caught.value) == {"shipping": ["unknown_shipping_method"]}
    with pytest.raises(ValidationError) as caught:
        place(user, cart, shipping={"999-direct-999": "ems-direct-mail"})
    assert codes(caught.value) == {"shipping": ["plan_changed"]}
    from orders.plan import cart_plan

    options = cart_plan(view, currency="CNY", province="CN-ZJ").groups[0].shipping.options
    assert len(options) >= 2
    dearest = options[-1]
    order = place(user, cart, shipping={key: dearest.method_code}).orders.get()
    assert order.shipping["method_code"] == dearest.method_code
    assert order.shipping_total == dearest.price_shopper.amount
    # the duties were quoted with the chosen freight
    assert order.duties["freight"] == str(dearest.price_shopper.amount)


def test_an_empty_cart_and_someone_elses_cart_are_refused(world):
    user, cart = shopper_with()
    with pytest.raises(ValidationError) as caught:
        place(user, cart)
    assert codes(caught.value) == {"cart": ["cart_empty"]}
    _other, theirs = shopper_with((world.balm, 1))
    with pytest.raises(ValidationError) as caught:
        place(user, theirs)
    assert codes(caught.value) == {"cart": ["cart_not_yours"]}


def test_a_chinese_address_needs_province_and_district(world):
    user, cart = shopper_with((world.balm, 1))
    address = {**ADDRESS_CN, "province": "", "district": "", "postcode": "31000"}
    with pytest.raises(ValidationError) as caught:
        place(user, cart, address=address)
    assert codes(caught.value) == {
        "province": ["address_field_required"],
        "district": ["address_field_required"],
        "postcode": ["invalid_postcode"],
    }
    checkout = place(user, cart, address={**ADDRESS_CN, "province": "浙江"})
    assert checkout.address["province"] == "CN-ZJ"


def test_submitting_twice_with_one_key_places_one_checkout(world):
    user, cart = shopper_with((world.balm, 1))
    first = place(user, cart, key="double-click")
    again = place(user, cart, key="double-click")
    assert again.pk == first.pk
    assert Checkout.objects.count() == 1 and Order.objects.count() == 1
    assert Stock.objects.get(pk=world.stock["balm"].pk).reserved == 1
    # another key is another checkout (and this cart is empty now)
    with pytest.raises(ValidationError):
        place(user, cart, key="second")


def test_placing_costs_the_same_for_ten_lines_as_for_one(world):
    def cost(count: int) -> int:
        user, cart = shopper_with()
        for _ in range(count):
            sku = SKUFactory(
                product__merchant=world.kiwi,
                allow_bonded=True,
                product_record_status="recorded",
                product_record_number="R",
                price=Decimal("10.00"),
            )
            StockFactory(sku=sku, warehouse=world.bonded, on_hand=5)
            cart_add(cart=cart, sku_id=sku.pk, quantity=1, destination="CN")
        with CaptureQueriesContext(connection) as queries:
            checkout = place(user, cart, key=f"n{count}")
        assert checkout.orders.get().lines.count() == count
        return len(queries)

    one, ten = cost(1), cost(10)
    assert ten <= one + 2, (one, ten)


def test_two_merchants_and_a_second_warehouse_of_one_merchant(world):
    sydney = WarehouseFactory(kind="overseas", country="AU")
    cream = SKUFactory(product__merchant=world.kiwi, origin_country="AU")
    StockFactory(sku=cream, warehouse=sydney, on_hand=3)
    user, cart = shopper_with((world.balm, 1), (cream, 1), (world.serum, 2))
    checkout = place(user, cart)
    groups = sorted((o.merchant_id, o.warehouse_id) for o in checkout.orders.all())
    assert groups == sorted(
        [
            (world.kiwi.pk, world.auckland.pk),
            (world.kiwi.pk, sydney.pk),
            (world.tokyo.pk, world.auckland.pk),
        ]
    )


def test_bonded_checkout_sells_only_what_customs_recorded(world):
    """The record checkout reads is the gateway's: a SKU recorded by customs' answer is
    placed as a 1210 order; once an operator revokes the record, it no longer sells bonded."""
    from catalog.services import records
    from tests.catalog.listing_helpers import recorded_by_customs
    from tests.factories import OperatorFactory

    sku = SKUFactory(product__merchant=world.kiwi, price=Decimal("50.00"))
    recorded_by_customs(sku, "31052026R000000077")
    type(sku).objects.filter(pk=sku.pk).update(allow_bonded=True)
    StockFactory(sku=sku, warehouse=world.bonded, on_hand=5)
    user, cart = shopper_with((sku, 1))
    order = place(user, cart, key="recorded").orders.get()
    assert (order.clearance_mode, order.customs_code) == ("bonded", "1210")

    sku.refresh_from_db()
    records.product_record_override(
        sku=sku, status="rejected", reason="备案已被海关撤销", by=OperatorFactory()
    )
    sku.refresh_from_db()
    assert (sku.allow_bonded, sku.product_record_status) == (False, "rejected")
    user, cart = shopper_with()
    with pytest.raises(ValidationError):
        cart_add(cart=cart, sku_id=sku.pk, quantity=1, destination="CN")
        place(user, cart, key="revoked")
