"""Distribution: one-click sign-up, share links and their QR codes, last-click attribution
inside the window (kept across log-in), commission on what the buyer paid through the real
checkout, self-referral refused, the dashboard."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from marketing.distribution.ledger import commissions_confirm
from marketing.distribution.rates import commission_rate_set
from marketing.distribution.services import distributor_signup, share_click_record
from marketing.models import Distributor, Referral, ShareClick
from orders.services import checkouts_expire
from tests.factories import PASSWORD, UserFactory
from tests.marketing.conftest import spend_and_save_299_30
from tests.orders.checkout_helpers import place, shopper_with
from tests.querycounts import assert_queries

pytestmark = pytest.mark.django_db
D = Decimal


def test_one_click_sign_up_shows_the_link_and_qr_code(client_for, user):
    shopper = client_for(user)
    page = shopper.get(reverse("distribution:dashboard")).content.decode()
    assert "Become a distributor" in page

    shopper.post(reverse("distribution:dashboard"))
    shopper.post(reverse("distribution:dashboard"))  # a second click changes nothing

    distributor = Distributor.objects.get(user=user)
    page = shopper.get(reverse("distribution:dashboard")).content.decode()
    assert f"/r/{distributor.code}/?next=" in page
    qr = shopper.get(reverse("distribution:qr", args=[distributor.code]) + "?next=/en/")
    assert qr["Content-Type"] == "image/svg+xml"
    assert qr.content.startswith(b"<svg") and b"<path" in qr.content
    png = shopper.get(reverse("distribution:qr", args=[distributor.code]) + "?format=png")
    assert png.content.startswith(b"\x89PNG")


def test_the_share_link_records_a_click_and_goes_on_safely(client, user):
    distributor = distributor_signup(user=user)
    response = client.get(
        reverse("distribution:share", args=[distributor.code]) + "?next=/en/p/1/x/"
    )
    assert response.status_code == 302 and response["Location"] == "/en/p/1/x/"
    evil = client.get(
        reverse("distribution:share", args=[distributor.code]) + "?next=https://evil.example/"
    )
    assert evil["Location"] == reverse("storefront:home")
    assert ShareClick.objects.filter(distributor=distributor).count() == 2


def test_a_purchase_after_the_click_earns_commission_on_what_was_paid(world, client_for):
    distributor = distributor_signup(user=UserFactory())
    spend_and_save_299_30()
    buyer, cart = shopper_with((world.honey, 2))
    client_for(buyer).get(reverse("distribution:share", args=[distributor.code]))

    checkout = place(buyer, cart)

    referral = Referral.objects.get()
    assert referral.checkout_number == checkout.number and referral.distributor == distributor
    assert referral.paid == D("368.00")  # 398 less the spend-and-save, no duties, no shipping
    assert referral.commission == D("18.40")  # 5 %
    assert referral.status == Referral.Status.PENDING


def test_the_referral_is_confirmed_when_its_last_order_s_commission_is(world):
    """Two merchants' goods make two orders; the referral stays pending while either order's
    commission is frozen, and turns confirmed with the last (docs/MARKETING.md, "Freeze,
    confirmation"): each order's by its own completion."""
    distributor = distributor_signup(user=UserFactory())
    buyer, cart = shopper_with((world.honey, 1), (world.balm, 1))
    share_click_record(code=distributor.code, user=buyer)
    checkout = place(buyer, cart)
    first, second = checkout.orders.order_by("pk")
    referral = Referral.objects.get()

    assert commissions_confirm(order_id=first.pk) >= 1  # that order completed
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING  # the other order's is still frozen

    assert commissions_confirm(order_id=second.pk) >= 1  # the other completed too
    referral.refresh_from_db()
    assert referral.status == Referral.Status.CONFIRMED


def test_the_click_made_before_log_in_counts_after_it(world, client):
    distributor = distributor_signup(user=UserFactory())
    buyer, cart = shopper_with((world.balm, 1))
    client.get(reverse("distribution:share", args=[distributor.code]))
    assert ShareClick.objects.get().user is None
    response = client.post(
        reverse("accounts:login"), {"username": buyer.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert ShareClick.objects.get().user == buyer
    place(buyer, cart)
    assert Referral.objects.get().distributor == distributor


def test_self_referral_and_stale_clicks_earn_nothing(world):
    buyer, cart = shopper_with((world.balm, 1))
    own = distributor_signup(user=buyer)
    assert share_click_record(code=own.code, user=buyer) is None  # own link: no click
    other = distributor_signup(user=UserFactory())
    share_click_record(code=other.code, user=buyer, now=timezone.now() - timedelta(days=8))
    place(buyer, cart)
    assert not Referral.objects.exists()


def test_an_unpaid_checkout_reverses_its_commission(world):
    distributor = distributor_signup(user=UserFactory())
    buyer, cart = shopper_with((world.balm, 1))
    share_click_record(code=distributor.code, user=buyer)
    checkout = place(buyer, cart)
    checkouts_expire(now=checkout.expires_at + timedelta(seconds=1))
    assert Referral.objects.get().status == Referral.Status.REVERSED


def test_the_dashboard_counts(client_for, world):
    owner = UserFactory()
    distributor = distributor_signup(user=owner)
    buyer, cart = shopper_with((world.balm, 1))
    share_click_record(code=distributor.code, user=buyer)
    share_click_record(code=distributor.code)
    place(buyer, cart)
    page = client_for(owner).get(reverse("distribution:dashboard")).content.decode()
    assert 'data-figure="clicks">2<' in page
    assert 'data-figure="orders">1<' in page
    assert 'data-figure="pending">1.95<' in page  # 5 % of 39.00
    assert_queries(client_for(owner), reverse("distribution:dashboard"), pin=12)


def test_a_paid_referral_that_earned_no_commission_is_closed_not_left_pending(
    world, client_for, localstripe, pay
):
    """The operator set Kiwi's commission, level 2 and rebate to 0 %: a friend buys a jar of
    balm (¥39.00) through the link. Unpaid, the referral waits (it may still expire); once
    paid it is closed as "no commission" at once — no completion could ever confirm
    anything — and the dashboard counts the order and says so, with nothing pending."""
    commission_rate_set(
        merchant=world.kiwi, rate=D("0"), level2_rate=D("0"), rebate_rate=D("0"), by_operator=True
    )
    owner = UserFactory()
    distributor = distributor_signup(user=owner)
    buyer, cart = shopper_with((world.balm, 1))
    share_click_record(code=distributor.code, user=buyer)
    checkout = place(buyer, cart)
    referral = Referral.objects.get()
    assert (referral.commission, referral.status) == (D("0.00"), Referral.Status.PENDING)

    pay(checkout)

    referral.refresh_from_db()
    assert referral.status == Referral.Status.NO_COMMISSION
    en = client_for(owner).get(reverse("distribution:dashboard")).content.decode()
    assert f'data-referral="{checkout.number}" data-status="no_commission"' in en
    assert "No commission" in en
    assert 'data-figure="orders">1<' in en and 'data-figure="pending">0.00<' in en
    zh = client_for(owner).get("/zh-hans/distribution/").content.decode()
    assert "无佣金" in zh
    # the orders completing later change nothing; all cancelled would reverse it
    assert commissions_confirm(order_id=checkout.orders.get().pk) == 0
    referral.refresh_from_db()
    assert referral.status == Referral.Status.NO_COMMISSION


def test_a_paid_referral_with_commission_stays_pending_until_its_orders_complete(
    world, localstripe, pay
):
    distributor = distributor_signup(user=UserFactory())
    buyer, cart = shopper_with((world.balm, 1))
    share_click_record(code=distributor.code, user=buyer)
    checkout = place(buyer, cart)

    pay(checkout)

    assert Referral.objects.get().status == Referral.Status.PENDING  # 5 % of 39.00 frozen
    commissions_confirm(order_id=checkout.orders.get().pk)
    assert Referral.objects.get().status == Referral.Status.CONFIRMED
