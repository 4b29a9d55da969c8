"""Tenancy: every seller page and seller API endpoint is scoped to the current merchant."""

import pytest
from django.urls import reverse

from merchants.roles import Role
from tests.factories import MembershipFactory, MerchantFactory, UserFactory
from tests.tenancy import assert_cross_tenant_404

pytestmark = pytest.mark.django_db


def test_seller_team_member_page_is_404_for_another_merchant(tenants):
    url = reverse("seller:team_member", args=[tenants.a.membership.pk])
    assert_cross_tenant_404(url, owner=tenants.a.client, intruder=tenants.b.client)


def test_seller_team_api_is_404_for_another_merchant(tenants):
    url = f"/api/v1/seller/team/{tenants.a.membership.pk}/"
    assert_cross_tenant_404(
        url,
        owner=tenants.a.client,
        intruder=tenants.b.client,
        methods=("get", "patch", "put"),
        data={"role": Role.STAFF},
    )
    tenants.a.membership.refresh_from_db()
    assert tenants.a.membership.role == Role.OWNER


def test_the_helper_catches_a_leak(tenants):
    """The helper must fail when an endpoint answers another merchant with 200 or 403."""
    leaky_url = reverse("seller:team_member", args=[tenants.a.membership.pk])
    # An operator-like client that sees everything stands in for a leaking endpoint.
    with pytest.raises(AssertionError, match="expected 404"):
        assert_cross_tenant_404(leaky_url, owner=tenants.a.client, intruder=tenants.a.client)


def test_lists_show_only_the_current_merchants_rows(tenants):
    listing = tenants.b.client.get("/api/v1/seller/team/").json()
    emails = {row["email"] for row in listing["results"]}
    assert emails == {tenants.b.owner.email}
    page = tenants.b.client.get(reverse("seller:team")).content.decode()
    assert tenants.a.owner.email not in page and tenants.b.owner.email in page


def test_a_user_in_two_merchants_picks_one(client_for):
    user = UserFactory()
    first, second = MerchantFactory(name_en="Alpha"), MerchantFactory(name_en="Beta")
    MembershipFactory(user=user, merchant=first)
    MembershipFactory(user=user, merchant=second, role=Role.STAFF)
    client = client_for(user)

    # No choice yet: the portal asks, the API refuses and says how to choose.
    assert client.get(reverse("seller:dashboard")).url == reverse("seller:choose")
    refused = client.get("/api/v1/seller/merchant/")
    assert refused.status_code == 403
    assert "X-Merchant" in refused.json()["error"]["message"]

    # API: the header picks the merchant.
    picked = client.get("/api/v1/seller/merchant/", headers={"X-Merchant": str(second.pk)})
    assert picked.json()["slug"] == second.slug and picked.json()["role"] == Role.STAFF

    # Portal: the picker stores the choice in the session.
    client.post(reverse("seller:choose"), {"merchant": first.pk})
    assert "Alpha" in client.get(reverse("seller:dashboard")).content.decode()


def test_header_naming_a_foreign_merchant_gets_nothing(tenants):
    response = tenants.a.client.get(
        "/api/v1/seller/merchant/", headers={"X-Merchant": str(tenants.b.merchant.pk)}
    )
    assert response.status_code == 403


def test_suspended_merchant_staff_cannot_act(tenants):
    tenants.a.merchant.status = "suspended"
    tenants.a.merchant.save()
    assert tenants.a.client.get("/api/v1/seller/merchant/").status_code == 403


def test_staff_cannot_change_roles_but_owner_can(client_for, tenants):
    staff = MembershipFactory(merchant=tenants.a.merchant, role=Role.STAFF)
    staff_client = client_for(staff.user)
    url = f"/api/v1/seller/team/{staff.pk}/"
    denied = staff_client.patch(url, {"role": Role.MANAGER}, content_type="application/json")
    assert denied.status_code == 403
    ok = tenants.a.client.patch(url, {"role": Role.MANAGER}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["role"] == Role.MANAGER


def test_the_last_owner_cannot_be_demoted(tenants):
    url = f"/api/v1/seller/team/{tenants.a.membership.pk}/"
    response = tenants.a.client.patch(url, {"role": Role.STAFF}, content_type="application/json")
    assert response.status_code == 400
    assert "role" in response.json()["error"]["fields"]


def test_anonymous_is_sent_to_log_in(client):
    assert client.get(reverse("seller:dashboard")).status_code == 302
    assert client.get("/api/v1/seller/team/").status_code in (401, 403)
