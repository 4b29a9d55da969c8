"""Cart writes take the cart's lock (orders.lock_objects, slot 6): concurrent writes to one
cart take turns instead of losing units or failing on the one-line-per-SKU constraint.

The schedule is forced (``tests.locking.run_interleaved``): the first write pauses holding
the cart's lock, the second is seen waiting for it.
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from orders.models import Cart, CartLine
from orders.services import cart_add, cart_for_user, cart_merge
from tests.factories import UserFactory
from tests.locking import run_interleaved
from tests.orders.conftest import make_world

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_adds_to_the_same_line_give_the_summed_quantity():
    assert connection.vendor == "postgresql"
    world = make_world()
    cart = Cart.objects.create()

    def add(quantity):
        return lambda: cart_add(
            cart=cart, sku_id=world.honey.pk, quantity=quantity, destination="CN"
        )

    run = run_interleaved(add(2), add(3))
    assert run.second_waited
    assert run.first.error is None and run.second.error is None
    assert CartLine.objects.get(cart=cart).quantity == 5


def test_two_adds_of_an_existing_line_give_the_summed_quantity():
    world = make_world()
    cart = Cart.objects.create()
    cart_add(cart=cart, sku_id=world.balm.pk, quantity=1, destination="CN")

    def add():
        return cart_add(cart=cart, sku_id=world.balm.pk, quantity=2, destination="CN")

    run = run_interleaved(add, add)
    assert run.second_waited and run.second.error is None
    assert CartLine.objects.get(cart=cart).quantity == 5


def test_an_add_to_the_anonymous_cart_during_the_merge_is_not_lost():
    world = make_world()
    shopper = UserFactory()
    cart_for_user(user=shopper)
    anonymous = Cart.objects.create()
    cart_add(cart=anonymous, sku_id=world.honey.pk, quantity=1, destination="CN")

    run = run_interleaved(
        lambda: cart_merge(user=shopper, token=anonymous.token, destination="CN"),
        lambda: cart_add(cart=anonymous, sku_id=world.honey.pk, quantity=1, destination="CN"),
    )
    assert run.second_waited
    # the add waited for the merge; the anonymous cart was merged and deleted, so the add
    # found its cart gone: refused with a reason, never a server error
    assert isinstance(run.second.error, ValidationError)
    assert run.second.error.error_dict["cart"][0].code == "cart_gone"
    assert Cart.objects.get(user=shopper).lines.get().quantity == 1
    assert not Cart.objects.filter(pk=anonymous.pk).exists()
