"""Cart services: the rules a shopper meets when adding, changing and merging."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from catalog.models import Product
from merchants.models import Merchant
from orders.models import Cart, CartLine
from orders.selectors import Problem, cart_view
from orders.services import cart_add, cart_for_user, cart_merge, cart_remove, cart_set_quantity
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def codes(exc: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in exc.error_dict.items()}


@pytest.fixture
def cart(world):
    return Cart.objects.create()


def test_add_twice_adds_up_on_one_line(world, cart):
    cart_add(cart=cart, sku_id=world.honey.pk, quantity=2, destination="CN")
    line = cart_add(cart=cart, sku_id=world.honey.pk, quantity=3, destination="CN")
    assert line.quantity == 5
    assert CartLine.objects.filter(cart=cart).count() == 1


def test_more_than_the_stock_is_refused_with_what_is_left(world, cart):
    cart_add(cart=cart, sku_id=world.honey.pk, quantity=8, destination="CN")
    with pytest.raises(ValidationError) as caught:
        cart_add(cart=cart, sku_id=world.honey.pk, quantity=3, destination="CN")
    assert codes(caught.value) == {"quantity": [Problem.INSUFFICIENT_STOCK]}
    assert "Only 10 available" in caught.value.messages[0]
    assert CartLine.objects.get(cart=cart).quantity == 8


def test_reserved_units_are_not_available(world, cart):
    world.stock["balm"].reserved = 5
    world.stock["balm"].save()
    with pytest.raises(ValidationError) as caught:
        cart_add(cart=cart, sku_id=world.balm.pk, quantity=2, destination="CN")
    assert "Only 1 available" in caught.value.messages[0]


def test_stock_counts_only_where_it_can_ship_to_the_destination(world, cart):
    # bonded goods stay in China: for France the honey's 10 bonded units do not count
    with pytest.raises(ValidationError) as caught:
        cart_add(cart=cart, sku_id=world.honey.pk, quantity=1, destination="FR")
    assert codes(caught.value) == {"sku": [Problem.NOT_SHIPPABLE]}
    assert "only be delivered in China" in caught.value.messages[0]


def test_minimum_order_quantity(world, cart):
    with pytest.raises(ValidationError) as caught:
        cart_add(cart=cart, sku_id=world.serum.pk, quantity=1, destination="CN")
    assert codes(caught.value) == {"quantity": [Problem.BELOW_MINIMUM]}
    assert "minimum order is 2" in caught.value.messages[0]
    line = cart_add(cart=cart, sku_id=world.serum.pk, quantity=2, destination="CN")
    with pytest.raises(ValidationError):
        cart_set_quantity(cart=cart, line_id=line.pk, quantity=1, destination="CN")


def test_wholesale_tier_sets_the_unit_price_by_quantity(world, cart):
    line = cart_add(cart=cart, sku_id=world.serum.pk, quantity=2, destination="CN")
    assert cart_view(cart, "CN").lines[0].unit_price == Decimal("120.00")
    cart_set_quantity(cart=cart, line_id=line.pk, quantity=3, destination="CN")
    shown = cart_view(cart, "CN").lines[0]
    assert shown.unit_price == Decimal("100.00") and shown.total == Decimal("300.00")
    assert shown.price_was is None  # a tier reached is not a price change


def test_delisted_product_is_shown_as_such_and_cannot_be_checked_out(world, cart):
    cart_add(cart=cart, sku_id=world.honey.pk, quantity=1, destination="CN")
    Product.objects.filter(pk=world.honey.product_id).update(status=Product.Status.DELISTED)
    shown = cart_view(cart, "CN")
    assert shown.lines[0].problem == Problem.DELISTED
    assert "no longer sold" in shown.lines[0].problem_text
    assert not shown.can_check_out
    with pytest.raises(ValidationError) as caught:
        cart_add(cart=cart, sku_id=world.honey.pk, quantity=1, destination="CN")
    assert codes(caught.value) == {"sku": [Problem.DELISTED]}


def test_inactive_sku_counts_as_delisted(world, cart):
    cart_add(cart=cart, sku_id=world.balm.pk, quantity=1, destination="CN")
    world.balm.is_active = False
    world.balm.save()
    assert cart_view(cart, "CN").lines[0].problem == Problem.DELISTED


def test_suspended_merchant(world, cart):
    cart_add(cart=cart, sku_id=world.serum.pk, quantity=2, destination="CN")
    cart_add(cart=cart, sku_id=world.balm.pk, quantity=1, destination="CN")
    Merchant.objects.filter(pk=world.tokyo.pk).update(status=Merchant.Status.SUSPENDED)
    shown = {line.sku.pk: line for line in cart_view(cart, "CN").lines}
    assert shown[world.serum.pk].problem == Problem.MERCHANT_SUSPENDED
    assert "not selling at the moment" in shown[world.serum.pk].problem_text
    assert shown[world.balm.pk].can_check_out


def test_went_out_of_stock(world, cart):
    cart_add(cart=cart, sku_id=world.balm.pk, quantity=2, destination="CN")
    world.stock["balm"].reserved = world.stock["balm"].on_hand
    world.stock["balm"].save()
    line = cart_view(cart, "CN").lines[0]
    assert line.problem == Problem.OUT_OF_STOCK and line.available == 0


def test_less_stock_than_the_line_now(world, cart):
    cart_add(cart=cart, sku_id=world.balm.pk, quantity=5, destination="CN")
    world.stock["balm"].reserved = 3
    world.stock["balm"].save()
    line = cart_view(cart, "CN").lines[0]
    assert line.problem == Problem.INSUFFICIENT_STOCK
    assert "Only 3 available" in line.problem_text


def test_price_change_since_adding_is_shown_until_the_shopper_changes_the_line(world, cart):
    line = cart_add(cart=cart, sku_id=world.honey.pk, quantity=1, destination="CN")
    world.honey.price = Decimal("219.00")
    world.honey.save()
    shown = cart_view(cart, "CN").lines[0]
    assert (shown.price_was, shown.unit_price) == (Decimal("199.00"), Decimal("219.00"))
    assert shown.can_check_out  # a price change informs, it does not block
    cart_set_quantity(cart=cart, line_id=line.pk, quantity=2, destination="CN")
    assert cart_view(cart, "CN").lines[0].price_was is None


def test_set_quantity_zero_and_remove(world, cart):
    one = cart_add(cart=cart, sku_id=world.honey.pk, quantity=1, destination="CN")
    two = cart_add(cart=cart, sku_id=world.balm.pk, quantity=1, destination="CN")
    cart_set_quantity(cart=cart, line_id=one.pk, quantity=0, destination="CN")
    cart_remove(cart=cart, line_id=two.pk)
    cart_remove(cart=cart, line_id=two.pk)  # gone already: not an error
    assert not CartLine.objects.filter(cart=cart).exists()


def test_another_carts_line_cannot_be_changed(world, cart):
    theirs = Cart.objects.create()
    line = cart_add(cart=theirs, sku_id=world.honey.pk, quantity=1, destination="CN")
    with pytest.raises(ValidationError):
        cart_set_quantity(cart=cart, line_id=line.pk, quantity=5, destination="CN")
    cart_remove(cart=cart, line_id=line.pk)
    assert CartLine.objects.get(pk=line.pk).quantity == 1


def test_merge_adds_quantities_and_moves_new_lines(world):
    shopper = UserFactory()
    own = cart_for_user(user=shopper)
    cart_add(cart=own, sku_id=world.honey.pk, quantity=2, destination="CN")
    anonymous = Cart.objects.create()
    cart_add(cart=anonymous, sku_id=world.honey.pk, quantity=3, destination="CN")
    cart_add(cart=anonymous, sku_id=world.balm.pk, quantity=1, destination="CN")
    merged = cart_merge(user=shopper, token=anonymous.token, destination="CN")
    assert merged == own
    assert dict(own.lines.values_list("sku_id", "quantity")) == {
        world.honey.pk: 5,
        world.balm.pk: 1,
    }
    assert not Cart.objects.filter(pk=anonymous.pk).exists()


def test_merge_caps_the_sum_at_the_stock(world):
    shopper = UserFactory()
    own = cart_for_user(user=shopper)
    cart_add(cart=own, sku_id=world.honey.pk, quantity=7, destination="CN")
    anonymous = Cart.objects.create()
    cart_add(cart=anonymous, sku_id=world.honey.pk, quantity=6, destination="CN")
    cart_merge(user=shopper, token=anonymous.token, destination="CN")
    assert own.lines.get().quantity == 10  # 13 asked, 10 in stock


def test_merge_keeps_a_price_change_visible(world):
    shopper = UserFactory()
    anonymous = Cart.objects.create()
    cart_add(cart=anonymous, sku_id=world.honey.pk, quantity=1, destination="CN")
    world.honey.price = Decimal("189.00")
    world.honey.save()
    cart_merge(user=shopper, token=anonymous.token, destination="CN")
    line = cart_view(Cart.objects.get(user=shopper), "CN").lines[0]
    assert (line.price_was, line.unit_price) == (Decimal("199.00"), Decimal("189.00"))


def test_merge_without_an_anonymous_cart_does_nothing(world):
    shopper = UserFactory()
    assert cart_merge(user=shopper, token="no-such-token", destination="CN") is None
    assert not Cart.objects.filter(user=shopper).exists()


def test_a_users_cart_token_is_not_an_anonymous_cart(world):
    shopper, other = UserFactory(), UserFactory()
    own = cart_for_user(user=shopper)
    cart_add(cart=own, sku_id=world.honey.pk, quantity=1, destination="CN")
    assert cart_merge(user=other, token=own.token, destination="CN") is None
    assert own.lines.count() == 1


def test_the_products_minimum_applies_when_higher_than_the_skus(world, cart):
    Product.objects.filter(pk=world.balm.product_id).update(min_order_quantity=3)
    with pytest.raises(ValidationError) as caught:
        cart_add(cart=cart, sku_id=world.balm.pk, quantity=2, destination="CN")
    assert "minimum order is 3" in caught.value.messages[0]
    assert cart_add(cart=cart, sku_id=world.balm.pk, quantity=3, destination="CN").quantity == 3


def test_merge_does_not_cap_below_the_minimum(world):
    shopper = UserFactory()
    anonymous = Cart.objects.create()
    cart_add(cart=anonymous, sku_id=world.serum.pk, quantity=3, destination="CN")
    world.stock["serum"].reserved = 3  # 1 left, the minimum is 2
    world.stock["serum"].save()
    cart_merge(user=shopper, token=anonymous.token, destination="CN")
    line = cart_view(Cart.objects.get(user=shopper), "CN").lines[0]
    assert line.quantity == 3 and line.problem == Problem.INSUFFICIENT_STOCK
