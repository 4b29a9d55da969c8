"""Operators suspend and reinstate merchants (reason required); the history is shown on the
merchant's admin page and on the seller portal's merchant profile page."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from marketplace.transitions import IllegalTransition
from merchants import services
from merchants.models import Merchant, MerchantEvent
from tests.factories import ProductFactory
from tests.merchants.conftest import PAGE_NON_MEMBERS, WHO, page_outcome
from tests.tenancy import assert_cross_tenant_404

pytestmark = pytest.mark.django_db


def test_suspend_and_reinstate_need_a_reason_and_write_events(cast):
    operator, merchant = cast.users["operator"], cast.merchant
    with pytest.raises(ValidationError):
        services.merchant_suspend(merchant=merchant, by=operator, reason="")
    services.merchant_suspend(merchant=merchant, by=operator, reason="Counterfeit reports")
    merchant.refresh_from_db()
    assert merchant.status == Merchant.Status.SUSPENDED
    with pytest.raises(IllegalTransition):
        services.merchant_suspend(merchant=merchant, by=operator, reason="again")
    services.merchant_reinstate(merchant=merchant, by=operator, reason="Documents checked")
    merchant.refresh_from_db()
    assert merchant.status == Merchant.Status.APPROVED
    rows = list(
        MerchantEvent.objects.filter(subject=merchant).values_list(
            "transition", "from_state", "to_state", "reason", "actor"
        )
    )
    assert rows == [
        ("suspend", "approved", "suspended", "Counterfeit reports", operator.pk),
        ("reinstate", "suspended", "approved", "Documents checked", operator.pk),
    ]


def test_merchant_staff_cannot_suspend_themselves_or_others(cast):
    with pytest.raises(PermissionDenied):
        services.merchant_suspend(merchant=cast.other_merchant, by=cast.users["owner"], reason="x")


def test_a_suspended_merchants_staff_cannot_act_and_are_told_why(cast):
    services.merchant_suspend(
        merchant=cast.merchant, by=cast.users["operator"], reason="Unpaid duties"
    )
    owner = cast["owner"]
    assert page_outcome(owner.get(reverse("seller:dashboard"))) == "choose"
    assert owner.get("/api/v1/seller/merchant/").status_code == 403
    choose = owner.get(reverse("seller:choose")).content.decode()
    assert "Alpha Trading is suspended" in choose and "Unpaid duties" in choose


def test_a_suspended_merchants_products_leave_the_storefront(cast):
    from catalog.services.moderation import product_is_visible

    product = ProductFactory(merchant=cast.merchant)
    assert product_is_visible(product)
    services.merchant_suspend(merchant=cast.merchant, by=cast.users["operator"], reason="x")
    product.refresh_from_db()
    assert not product_is_visible(product)


def test_operator_suspends_and_reinstates_in_the_back_office(cast):
    ops, merchant = cast["operator"], cast.merchant
    change = reverse("admin:merchants_merchant_change", args=[merchant.pk])
    status = reverse("admin:merchants_merchant_status", args=[merchant.pk])
    page = ops.get(change).content.decode()
    assert 'value="suspend"' in page and 'value="reinstate"' not in page

    refused = ops.post(status, {"action": "suspend", "reason": ""}, follow=True)
    assert "Please give a reason." in refused.content.decode()
    merchant.refresh_from_db()
    assert merchant.status == "approved"

    ops.post(status, {"action": "suspend", "reason": "Fake licence reported"})
    merchant.refresh_from_db()
    assert merchant.status == "suspended"
    page = ops.get(change).content.decode()
    assert "Fake licence reported" in page and 'value="reinstate"' in page

    ops.post(status, {"action": "reinstate", "reason": "Licence verified"})
    merchant.refresh_from_db()
    assert merchant.status == "approved"


def test_only_operators_change_status_in_the_back_office(cast):
    status = reverse("admin:merchants_merchant_status", args=[cast.merchant.pk])
    cast["owner"].post(status, {"action": "suspend", "reason": "self-harm"})
    cast.merchant.refresh_from_db()
    assert cast.merchant.status == "approved"


def test_operator_creates_a_self_operated_store_with_its_owner(cast):
    ops = cast["operator"]
    owner = cast.users["shopper"]
    response = ops.post(
        reverse("admin:merchants_merchant_add"),
        {
            "name_en": "Silkway Japan Store",
            "name_zh_hans": "丝路日本自营店",
            "slug": "silkway-japan",
            "kind": "self_operated",
            "country": "JP",
            "commission_rate": "",
            # inlines: commission by category (-1), the team (-2), new team members (-3)
            **_management("-1", 0),
            **_management("-2", 0),
            **_management("-3", 1),
            "-3-0-user": owner.pk,
            "-3-0-role": "owner",
        },
    )
    assert response.status_code == 302, re.findall(
        r"errorlist[^<]*<li>([^<]*)|errornote[^>]*>([^<]*)", response.content.decode()
    )
    store = Merchant.objects.get(slug="silkway-japan")
    assert store.status == "approved" and store.is_self_operated
    assert store.events.get().actor == cast.users["operator"]
    owner_client = cast["shopper"]
    dashboard = owner_client.get(reverse("seller:dashboard"))
    assert dashboard.status_code == 200 and "Silkway Japan Store" in dashboard.content.decode()


def _management(prefix: str, total: int) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


# --- the merchant profile page -------------------------------------------------------------


def test_profile_shows_the_history_without_naming_operators(cast):
    services.merchant_suspend(merchant=cast.merchant, by=cast.users["operator"], reason="Audit")
    services.merchant_reinstate(merchant=cast.merchant, by=cast.users["operator"], reason="OK")
    html = cast["staff"].get(reverse("seller:profile")).content.decode()
    assert "Merchant profile" in html and "Alpha Trading" in html and "阿尔法贸易" in html
    assert "Suspended" in html and "Audit" in html and "Reinstated" in html
    assert "Silkway operator" in html and cast.users["operator"].email not in html


@pytest.mark.parametrize("who", WHO)
def test_profile_roles_matrix(cast, who):
    expected = {
        **PAGE_NON_MEMBERS,
        "staff": "ok",
        "manager": "ok",
        "owner": "ok",
        "other_merchant": "ok",
    }
    response = cast[who].get(reverse("seller:profile"))
    assert page_outcome(response) == expected[who]
    if who == "other_merchant":
        html = response.content.decode()
        assert "Beta Goods" in html and "Alpha Trading" not in html


def test_merchant_events_api_roles_and_isolation(cast):
    services.merchant_suspend(merchant=cast.merchant, by=cast.users["operator"], reason="Audit")
    services.merchant_reinstate(merchant=cast.merchant, by=cast.users["operator"], reason="OK")
    rows = cast["staff"].get("/api/v1/seller/merchant/events/").json()["results"]
    assert [(r["transition"], r["reason"], r["by"]) for r in rows] == [
        ("suspend", "Audit", "operator"),
        ("reinstate", "OK", "operator"),
    ]
    assert cast["other_merchant"].get("/api/v1/seller/merchant/events/").json()["results"] == []
    for who in ("anonymous", "shopper", "operator"):
        assert cast[who].get("/api/v1/seller/merchant/events/").status_code in (401, 403)


def test_profile_and_events_are_scoped_by_the_merchant_header(cast):
    # Naming merchant A while being a member of B only: nothing resolves (403, not A's data).
    response = cast["other_merchant"].get(
        "/api/v1/seller/merchant/events/", headers={"X-Merchant": str(cast.merchant.pk)}
    )
    assert response.status_code == 403


def test_profile_query_count(cast, django_assert_max_num_queries):
    for n in range(5):
        services.merchant_suspend(
            merchant=cast.merchant, by=cast.users["operator"], reason=f"round {n}"
        )
        services.merchant_reinstate(
            merchant=cast.merchant, by=cast.users["operator"], reason=f"round {n}"
        )
    with django_assert_max_num_queries(10):
        assert cast["owner"].get(reverse("seller:profile")).status_code == 200


def test_cross_tenant_member_page_with_history(tenants):
    # The profile page has no id; the team member page that links from it does.
    url = reverse("seller:team_member", args=[tenants.a.membership.pk])
    assert_cross_tenant_404(url, owner=tenants.a.client, intruder=tenants.b.client)
