"""The points pages: the account page (balance, history) in both languages and its queries,
the menu link, /api/v1/points/, and the checkout page's field with its explanation."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client

from marketing.points.services import EarnLine, points_balance, points_earn
from orders.models import Checkout
from tests.factories import UserFactory
from tests.orders.test_checkout_pages import CHECKOUT, shopper_with_cart
from tests.orders.test_checkout_pay_pages import place_form

pytestmark = pytest.mark.django_db


def give(user, points: int, ref: str = "SW1") -> None:
    points_earn(
        user_id=user.pk,
        order_number=ref,
        lines=[EarnLine(0, None, Decimal(points))],
        kept=Decimal(1),
    )


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_points_page_shows_balance_and_history_in_both_languages(
    django_assert_max_num_queries,
):
    user = UserFactory()
    give(user, 1234)
    client = signed_in(user)
    with django_assert_max_num_queries(12):
        page = client.get("/en/account/points/").content.decode()
    assert 'data-figure="balance">1234<' in page and "12.34 CNY" in page
    assert "Earned" in page and "SW1" in page
    assert 'href="/en/account/points/"' in page  # in the account menu
    zh = client.get("/zh-hans/account/points/").content.decode()
    assert "积分" in zh and "获得" in zh
    for n in range(2, 12):
        give(user, 1, ref=f"SW{n}")
    with django_assert_max_num_queries(12):
        client.get("/en/account/points/")


def test_the_points_page_needs_sign_in():
    response = Client().get("/en/account/points/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_points_api_is_the_callers_own():
    user, other = UserFactory(), UserFactory()
    give(user, 300)
    give(other, 999, ref="SW9")
    body = signed_in(user).get("/api/v1/points/").json()
    assert body["balance"] == 300 and body["value"] == "3.00"
    assert [e["reference"] for e in body["history"]] == ["SW1"]
    assert Client().get("/api/v1/points/").status_code in (401, 403)


def test_the_checkout_page_redeems_points_and_says_why_taxes_do_not_fall(world):
    user, client = shopper_with_cart(world)
    give(user, 2_000)
    page = client.get(CHECKOUT).content.decode()
    assert 'name="address-points"' in page
    assert "the duties and taxes do not fall" in page
    zh = client.get("/zh-hans/checkout/").content.decode()
    assert "积分" in zh and "税费不会因此减少" in zh

    response = client.post(CHECKOUT, place_form(page, **{"address-points": "1500"}))

    assert response.status_code == 302
    checkout = Checkout.objects.get(user=user)
    assert sum(o.discount_total for o in checkout.orders.all()) == Decimal("15.00")
    assert points_balance(user.pk) == 500


def test_too_many_points_are_refused_on_the_field(world):
    user, client = shopper_with_cart(world)
    give(user, 100)
    page = client.get(CHECKOUT).content.decode()
    response = client.post(CHECKOUT, place_form(page, **{"address-points": "101"}))
    assert response.status_code == 200
    assert "redeem at most that many" in response.content.decode()
    assert not Checkout.objects.filter(user=user).exists()


def test_an_operator_sets_a_merchants_rate_and_reads_the_ledger_in_the_back_office(
    client_for, world
):
    from marketing.models import PointsRate
    from tests.factories import OperatorFactory

    ops = client_for(OperatorFactory())
    response = ops.post(
        "/en/ops/marketing/pointsrate/add/",
        {"merchant": world.kiwi.pk, "category": "", "points_per_yuan": "3"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert PointsRate.objects.get().points_per_yuan == Decimal("3")
    user = UserFactory()
    give(user, 10)
    page = ops.get("/en/ops/marketing/pointsentry/").content.decode()
    assert "SW1" in page
    assert ops.get("/en/ops/marketing/pointsentry/add/").status_code == 403


def _figure(page: str, css: str) -> Decimal:
    """The sum of the amounts shown in the elements of class ``css`` (one price each)."""
    texts = re.findall(rf'class="{css}"[^>]*>(.*?)</p>', page, re.S)
    return sum(
        (Decimal(re.findall(r"\d[\d,]*\.\d\d", t)[-1].replace(",", "")) for t in texts),
        Decimal(0),
    )


def test_the_checkout_preview_counts_the_chosen_points_and_the_duties_do_not_fall(
    world, django_assert_max_num_queries
):
    """The page prices the points through the placing pipeline (nothing debited): the
    deduction is shown on the order, the total falls by it, the duties stay; the placed
    checkout charges what the page showed."""
    user, client = shopper_with_cart(world)
    give(user, 2_000)
    page = client.get(CHECKOUT).content.decode()
    update = place_form(page, action="update")
    before = client.post(CHECKOUT, update).content.decode()
    assert 'class="group-points"' not in before
    with django_assert_max_num_queries(21):  # the GET's pin (20) + the balance read
        after = client.post(CHECKOUT, {**update, "address-points": "1500"}).content.decode()
    assert 'class="group-points"' in after and "−" in after
    assert _figure(after, "group-points") == Decimal("15.00")  # over the orders in yuan
    assert "the duties and taxes above do not fall" in after
    assert _figure(after, "total") == _figure(before, "total") - Decimal("15.00")
    duties = re.compile(r'class="duty-total[^"]*">(.*?)</p>', re.S)
    assert duties.findall(after) == duties.findall(before)
    assert points_balance(user.pk) == 2_000  # a preview debits nothing
    zh = client.post("/zh-hans/checkout/", {**update, "address-points": "1500"}).content.decode()
    assert 'class="group-points"' in zh and "非现金" in zh

    client.post(CHECKOUT, place_form(after, **{"address-points": "1500"}))
    checkout = Checkout.objects.get(user=user)
    assert checkout.total == _figure(after, "total")
    assert points_balance(user.pk) == 500
