"""In a real browser, with and without JavaScript: a signed-in shopper with a cart gets the
product page from the page cache (kept there by an anonymous visit) with their own name and
cart count in the header, and adds to the cart from it."""

import pytest
from django.test import Client

from orders.services import cart_add, cart_for_user
from tests.factories import UserFactory
from tests.orders.conftest import make_world
from tests.orders.test_shared_pages import stored_pages

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_signed_in_shopper_sees_their_header_on_a_cached_page_and_adds_to_cart(
    signed_in, javascript
):
    world = make_world()
    shopper = UserFactory(display_name="Hana Shopper")
    cart_add(cart=cart_for_user(user=shopper), sku_id=world.balm.pk, quantity=1, destination="CN")
    url = f"/en/p/{world.honey.product_id}/{world.honey.product.slug}/"
    assert Client().get(url).status_code == 200  # an anonymous visit stores the page
    (stored,) = stored_pages()
    assert b"Hana" not in stored

    context, page = signed_in(shopper, java_script_enabled=javascript)
    try:
        page.goto(url)
        assert page.locator(".account-name").inner_text() == "Hana Shopper"
        assert page.locator(".cart-link .cart-count").inner_text() == "1"
        assert page.get_by_role("button", name="Log out").is_visible()
        assert page.get_by_role("link", name="Log in").count() == 0
        assert stored_pages() == [stored]  # served from the cache, not rendered again

        page.get_by_role("button", name="Add to cart").click()
        page.wait_for_url("**/en/cart/")
        assert "Added to your cart." in page.locator(".messages").inner_text()
        assert page.locator(".cart-link .cart-count").inner_text() == "2"

        page.goto(url)
        assert page.locator(".cart-link .cart-count").inner_text() == "2"
        assert page.locator(".account-name").inner_text() == "Hana Shopper"
        assert page.locator(".messages").count() == 0  # shown once, on the cart page

        page.get_by_role("button", name="Log out").click()
        page.wait_for_url("**/en/")
        assert page.get_by_role("link", name="Log in").is_visible()
        page.goto(url)
        assert page.locator(".account-name").count() == 0
        assert page.locator(".cart-link .cart-count").inner_text() == "0"
    finally:
        context.close()
