"""The team pages and API: who may see and do what (roles matrix), the last-owner rule, and
isolation between merchants for every page and endpoint."""

import pytest
from django.urls import reverse

from merchants import services
from merchants.models import Invitation, Membership
from merchants.roles import CAPABILITIES, Capability, Role
from tests.merchants.conftest import (
    API_NON_MEMBERS,
    PAGE_NON_MEMBERS,
    WHO,
    api_outcome,
    page_outcome,
)
from tests.tenancy import assert_cross_tenant_404

pytestmark = pytest.mark.django_db

OWNERS_ONLY = {"staff": "forbidden", "manager": "forbidden", "owner": "ok"}


def invitation_for(cast, email="pending@alpha.example"):
    return services.invitation_create(
        by=cast.users["owner"],
        merchant=cast.merchant,
        email=email,
        role=Role.STAFF,
    )


def test_the_roles_table_is_what_the_issue_asks():
    # Staff cannot change payout details or invite others; owners can do everything.
    for role in (Role.STAFF, Role.MANAGER):
        assert Capability.MANAGE_TEAM not in CAPABILITIES[role]
        assert Capability.MANAGE_PAYOUT not in CAPABILITIES[role]
    assert CAPABILITIES[Role.OWNER] == frozenset(Capability.values)


# --- pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", WHO)
def test_team_page_matrix(cast, who):
    invitation_for(cast)
    expected = {
        **PAGE_NON_MEMBERS,
        "staff": "ok",
        "manager": "ok",
        "owner": "ok",
        "other_merchant": "ok",
    }
    response = cast[who].get(reverse("seller:team"))
    assert page_outcome(response) == expected[who]
    if response.status_code == 200:
        html = response.content.decode()
        # Pending invitations and the invite button are for those who manage the team.
        assert ("pending@alpha.example" in html) == (who == "owner")
        assert (reverse("seller:invite") in html) == (who in ("owner", "other_merchant"))


@pytest.mark.parametrize("who", WHO)
def test_invite_page_matrix(cast, who):
    expected = {**PAGE_NON_MEMBERS, **OWNERS_ONLY, "other_merchant": "ok"}
    assert page_outcome(cast[who].get(reverse("seller:invite"))) == expected[who]
    response = cast[who].post(
        reverse("seller:invite"), {"email": f"{who}@x.example", "role": "staff"}
    )
    made = Invitation.objects.filter(email=f"{who}@x.example").first()
    if who in ("owner", "other_merchant"):
        assert response.status_code == 302 and made is not None
        expected_merchant = cast.merchant if who == "owner" else cast.other_merchant
        assert made.merchant == expected_merchant
    else:
        assert made is None


@pytest.mark.parametrize("who", WHO)
def test_invitation_page_matrix(cast, who):
    invitation = invitation_for(cast)
    url = reverse("seller:invitation", args=[invitation.pk])
    expected = {**PAGE_NON_MEMBERS, **OWNERS_ONLY, "other_merchant": "not found"}
    assert page_outcome(cast[who].get(url)) == expected[who]
    cast[who].post(url)
    invitation.refresh_from_db()
    assert (invitation.revoked_at is not None) == (who == "owner")


@pytest.mark.parametrize("who", WHO)
def test_team_member_actions_matrix(cast, who):
    target = cast.memberships["staff"]
    url = reverse("seller:team_member", args=[target.pk])
    expected = {
        **PAGE_NON_MEMBERS,
        "staff": "ok",
        "manager": "ok",
        "owner": "ok",
        "other_merchant": "not found",
    }
    assert page_outcome(cast[who].get(url)) == expected[who]
    cast[who].post(url, {"action": "role", "role": Role.MANAGER})
    target.refresh_from_db()
    assert (target.role == Role.MANAGER) == (who == "owner")


def test_owner_revokes_from_the_team_page(cast):
    invitation = invitation_for(cast)
    page = cast["owner"].get(reverse("seller:team")).content.decode()
    assert reverse("seller:invitation", args=[invitation.pk]) in page
    response = cast["owner"].post(reverse("seller:invitation", args=[invitation.pk]))
    assert response.url == reverse("seller:team")
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.REVOKED
    team = cast["owner"].get(reverse("seller:team")).content.decode()
    assert "No pending invitations." in team


def test_invite_form_errors(cast):
    response = cast["owner"].post(
        reverse("seller:invite"), {"email": cast.users["staff"].email, "role": "staff"}
    )
    assert response.status_code == 200
    assert "This person is already on the team." in response.content.decode()
    response = cast["owner"].post(reverse("seller:invite"), {"email": "nope", "role": "boss"})
    html = response.content.decode()
    assert "Enter a valid email address." in html and "Select a valid choice." in html


def test_owner_removes_and_brings_back_a_member(cast):
    staff = cast.memberships["staff"]
    url = reverse("seller:team_member", args=[staff.pk])
    cast["owner"].post(url, {"action": "deactivate"})
    staff.refresh_from_db()
    assert not staff.is_active
    # Removed: they can no longer reach the portal or the API for this merchant.
    assert page_outcome(cast["staff"].get(reverse("seller:dashboard"))) == "choose"
    assert cast["staff"].get("/api/v1/seller/team/").status_code == 403
    cast["owner"].post(url, {"action": "reactivate"})
    staff.refresh_from_db()
    assert staff.is_active


def test_the_last_owner_cannot_be_removed(cast):
    owner = cast.memberships["owner"]
    response = cast["owner"].post(
        reverse("seller:team_member", args=[owner.pk]), {"action": "deactivate"}, follow=True
    )
    assert "The last owner cannot be removed" in response.content.decode()
    owner.refresh_from_db()
    assert owner.is_active
    # With a second owner, the first may leave.
    services.membership_change_role(
        by=cast.users["owner"], membership=cast.memberships["manager"], role=Role.OWNER
    )
    services.membership_deactivate(by=cast.users["manager"], membership=owner)
    owner.refresh_from_db()
    assert not owner.is_active


def test_team_page_query_count(cast, django_assert_max_num_queries):
    from tests.factories import MembershipFactory

    for _ in range(10):
        MembershipFactory(merchant=cast.merchant, role=Role.STAFF)
    for n in range(5):
        invitation_for(cast, email=f"p{n}@alpha.example")
    with django_assert_max_num_queries(10):
        assert cast["owner"].get(reverse("seller:team")).status_code == 200


# --- API -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", WHO)
def test_invitations_api_matrix(cast, who):
    invitation_for(cast)
    expected = {**API_NON_MEMBERS, **OWNERS_ONLY, "other_merchant": "ok"}
    listing = cast[who].get("/api/v1/seller/invitations/")
    assert api_outcome(listing) == expected[who]
    if who == "owner":
        assert [row["email"] for row in listing.json()["results"]] == ["pending@alpha.example"]
    if who == "other_merchant":
        assert listing.json()["results"] == []
    created = cast[who].post(
        "/api/v1/seller/invitations/",
        {"email": f"api-{who}@x.example", "role": "manager"},
        content_type="application/json",
    )
    assert api_outcome(created) == ("ok" if expected[who] == "ok" else expected[who])


def test_invitations_api_create_validate_and_revoke(cast):
    owner = cast["owner"]
    bad = owner.post(
        "/api/v1/seller/invitations/",
        {"email": "x", "role": "boss"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"email", "role"}
    dup = owner.post(
        "/api/v1/seller/invitations/",
        {"email": cast.users["staff"].email},
        content_type="application/json",
    )
    assert dup.status_code == 400
    assert dup.json()["error"]["fields"]["email"] == ["This person is already on the team."]
    made = owner.post(
        "/api/v1/seller/invitations/",
        {"email": "api@alpha.example", "role": "manager"},
        content_type="application/json",
    )
    assert made.status_code == 201
    body = made.json()
    assert body["status"] == "pending" and body["role"] == "manager"
    assert body["invited_by"] == cast.users["owner"].email
    revoked = owner.delete(f"/api/v1/seller/invitations/{body['id']}/")
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    again = owner.delete(f"/api/v1/seller/invitations/{body['id']}/")
    assert again.status_code == 400


def test_invitation_api_cross_tenant(tenants):
    invitation = services.invitation_create(
        by=tenants.a.owner,
        merchant=tenants.a.merchant,
        email="x@a.example",
        role="staff",
    )
    assert_cross_tenant_404(
        f"/api/v1/seller/invitations/{invitation.pk}/",
        owner=tenants.a.client,
        intruder=tenants.b.client,
        methods=("get", "delete"),
    )
    invitation.refresh_from_db()
    assert invitation.is_pending


def test_invitation_page_cross_tenant(tenants):
    invitation = services.invitation_create(
        by=tenants.a.owner,
        merchant=tenants.a.merchant,
        email="x@a.example",
        role="staff",
    )
    assert_cross_tenant_404(
        reverse("seller:invitation", args=[invitation.pk]),
        owner=tenants.a.client,
        intruder=tenants.b.client,
        methods=("get", "post"),
    )
    invitation.refresh_from_db()
    assert invitation.is_pending


def test_team_member_page_actions_cross_tenant(tenants):
    assert_cross_tenant_404(
        reverse("seller:team_member", args=[tenants.a.membership.pk]),
        owner=tenants.a.client,
        intruder=tenants.b.client,
        methods=("get", "post"),
        data={"action": "deactivate"},
        content_type="application/x-www-form-urlencoded",
    )


def test_team_api_deactivate_cross_tenant_and_roles(cast, tenants):
    staff = cast.memberships["staff"]
    for who in ("staff", "manager"):
        assert cast[who].post(f"/api/v1/seller/team/{staff.pk}/deactivate/").status_code == 403
    assert (
        cast["other_merchant"].post(f"/api/v1/seller/team/{staff.pk}/deactivate/").status_code
        == 404
    )
    staff.refresh_from_db()
    assert staff.is_active
    done = cast["owner"].post(f"/api/v1/seller/team/{staff.pk}/deactivate/")
    assert done.status_code == 200 and done.json()["is_active"] is False
    back = cast["owner"].post(f"/api/v1/seller/team/{staff.pk}/reactivate/")
    assert back.json()["is_active"] is True
    last = cast["owner"].post(f"/api/v1/seller/team/{cast.memberships['owner'].pk}/deactivate/")
    assert last.status_code == 400 and "is_active" in last.json()["error"]["fields"]


@pytest.mark.parametrize("action", ["deactivate", "reactivate"])
def test_team_api_actions_are_404_for_another_merchant(tenants, action):
    response = tenants.b.client.post(f"/api/v1/seller/team/{tenants.a.membership.pk}/{action}/")
    assert response.status_code == 404
    assert Membership.objects.get(pk=tenants.a.membership.pk).is_active


def test_chinese_api_errors(cast):
    response = cast["owner"].post(
        "/api/v1/seller/invitations/",
        {"email": cast.users["staff"].email},
        content_type="application/json",
        headers={"Accept-Language": "zh-hans"},
    )
    assert response.json()["error"]["fields"]["email"] == ["此人已在团队中。"]
