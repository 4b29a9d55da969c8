"""Distribution pages: the merchant's rates in the seller portal (its own rows only, another
merchant's product refused, the platform's bounds shown on the form, both languages, query
count) and a distributor's withdrawal request from the dashboard."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from marketing.distribution.ledger import balance, reward_account
from marketing.distribution.models import CommissionRate, LedgerEntry, Withdrawal
from marketing.distribution.rates import commission_rate_set
from marketing.distribution.services import distributor_signup
from tests.factories import ProductFactory, UserFactory
from tests.querycounts import assert_queries

pytestmark = pytest.mark.django_db
D = Decimal
URL = "seller_distribution:rates"


def _post(client, **data):
    body = {"scope": "merchant", "rate": "8", "level2_rate": "2", "rebate_rate": "1", **data}
    return client.post(reverse(URL), body)


def test_a_merchant_sets_its_rates_within_the_bounds(tenants):
    a = tenants.a
    product = ProductFactory(merchant=a.merchant, name_en="Manuka Honey")
    assert _post(a.client).status_code == 302
    assert _post(a.client, scope="product", product=product.pk, rate="12").status_code == 302
    refused = _post(a.client, rate="45")
    assert refused.status_code == 200
    assert "The platform allows commission from 1 % to 30 %." in refused.content.decode()
    rows = {(r.product_id, r.rate) for r in CommissionRate.objects.filter(merchant=a.merchant)}
    assert rows == {(None, D("8.00")), (product.pk, D("12.00"))}
    page = a.client.get(reverse(URL)).content.decode()
    assert "Manuka Honey" in page and "All my goods" in page


def test_rates_are_the_merchants_own(tenants):
    a, b = tenants.a, tenants.b
    product = ProductFactory(merchant=a.merchant, name_en="A's secret honey")
    commission_rate_set(
        merchant=a.merchant, product=product, rate=D("9"), level2_rate=D("1"),
        rebate_rate=D("0"), by_operator=False,
    )  # fmt: skip
    assert "secret honey" not in b.client.get(reverse(URL)).content.decode()
    intruder = _post(b.client, scope="product", product=product.pk, rate="2")
    assert intruder.status_code == 200  # A's product is no choice of B's
    assert not CommissionRate.objects.filter(merchant=b.merchant).exists()
    assert CommissionRate.objects.get(product=product).rate == D("9.00")


def test_the_rates_page_in_chinese_and_its_query_count(tenants):
    a = tenants.a
    zh = "/zh-hans/seller/marketing/distribution/"
    page = a.client.get(zh)
    assert page.status_code == 200 and "分销佣金比例" in page.content.decode()
    assert "平台允许" not in page.content.decode()
    refused = a.client.post(
        zh, {"scope": "merchant", "rate": "45", "level2_rate": "1", "rebate_rate": "0"}
    )
    assert "平台允许的佣金比例为 1 % 至 30 %。" in refused.content.decode()

    def grow():
        commission_rate_set(
            merchant=a.merchant, product=ProductFactory(merchant=a.merchant), rate=D("5"),
            level2_rate=D("1"), rebate_rate=D("0"), by_operator=False,
        )  # fmt: skip

    assert_queries(a.client, reverse(URL), grow=grow, pin=14)


def test_a_distributor_requests_a_withdrawal_from_the_dashboard(client_for):
    owner = UserFactory()
    distributor_signup(user=owner)
    account = reward_account(owner)
    LedgerEntry.objects.create(
        account=account, bucket="available", kind="confirm", amount=D("20.00"), currency="CNY"
    )
    shopper = client_for(owner)
    too_much = shopper.post(reverse("distribution:withdraw"), {"amount": "25"}, follow=True)
    assert "At most" in too_much.content.decode()
    shopper.post(reverse("distribution:withdraw"), {"amount": "15"})
    assert Withdrawal.objects.get().amount == D("15.00")
    assert balance(account.pk, "CNY", "available") == D("5.00")
    page = shopper.get(reverse("distribution:dashboard")).content.decode()
    assert 'data-figure="in_review">15.00<' in page and 'data-figure="available">5.00<' in page
