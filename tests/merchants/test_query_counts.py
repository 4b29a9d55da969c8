"""Query counts of the merchant pages and endpoints are pinned, and none grows with the
rows it lists (team members, invitations, history, commission rates, applications)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from merchants import services
from merchants.models import Invitation
from merchants.roles import Role
from tests.factories import CategoryFactory, MembershipFactory, UserFactory
from tests.querycounts import assert_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def grow_team(cast):
    """Add three staff members, three pending invitations, history lines and commission
    rates to merchant A: everything its team, history and commission pages list."""

    def grow():
        for _ in range(3):
            member = MembershipFactory(merchant=cast.merchant, role=Role.STAFF)
            services.merchant_note(
                merchant=cast.merchant,
                action="role_change",
                by=cast.users["owner"],
                details={"email": member.user.email, "old": "staff", "new": "manager"},
            )
            Invitation.objects.create(
                merchant=cast.merchant,
                email=UserFactory.build().email,
                role=Role.STAFF,
                invited_by=cast.users["owner"],
                expires_at=timezone.now() + timedelta(days=7),
            )
            services.category_commission_set(
                merchant=cast.merchant,
                category=CategoryFactory(),
                by=cast.users["operator"],
                rate=Decimal("7.50"),
            )

    return grow


SELLER_PAGES = [
    ("/en/seller/", 2),
    ("/en/seller/profile/", 6),
    ("/en/seller/team/", 4),
    ("/en/seller/team/invite/", 2),
    ("/en/seller/commission/", 4),
    ("/en/seller/payout/", 3),
]


@pytest.mark.parametrize(("url", "pin"), SELLER_PAGES)
def test_seller_pages(cast, grow_team, url, pin):
    assert_queries(cast["owner"], url, pin=pin, grow=grow_team)


def test_a_team_member_page(cast, grow_team):
    url = f"/en/seller/team/{cast.memberships['staff'].pk}/"
    assert_queries(cast["owner"], url, pin=3, grow=grow_team)


SELLER_API = [
    ("/api/v1/seller/merchant/", 2),
    ("/api/v1/seller/merchant/events/", 4),
    ("/api/v1/seller/team/", 4),
    ("/api/v1/seller/invitations/", 4),
    ("/api/v1/seller/commission/", 4),
    ("/api/v1/seller/payout/", 3),
]


@pytest.mark.parametrize(("url", "pin"), SELLER_API)
def test_seller_api(cast, grow_team, url, pin):
    header = {"HTTP_X_MERCHANT": str(cast.merchant.pk)}
    assert_queries(cast["owner"], url, pin=pin, grow=grow_team, **header)


@pytest.fixture
def applications(details):
    """Submit applications from new applicants (the operators' queue)."""

    def submit(count: int = 3) -> list:
        return [
            services.application_submit(applicant=UserFactory(), details=details())
            for _ in range(count)
        ]

    return submit


def test_the_applicants_status_page(client_for, applications):
    application = applications(1)[0]
    client = client_for(application.applicant)
    assert_queries(client, f"/en/apply/{application.pk}/", pin=5)


def test_the_operators_review_queue_and_review_page(cast, applications):
    first = applications(1)[0]
    operator = cast["operator"]
    assert_queries(
        operator,
        "/en/ops/merchants/merchantapplication/",
        pin=6,
        grow=lambda: applications(3),
    )
    assert_queries(operator, f"/en/ops/merchants/merchantapplication/{first.pk}/change/", pin=7)


def test_the_operators_merchant_list_and_merchant_page(cast, grow_team):
    operator = cast["operator"]
    assert_queries(
        operator,
        "/en/ops/merchants/merchant/",
        pin=5,
        grow=lambda: [MembershipFactory() for _ in range(3)],
    )
    assert_queries(
        operator, f"/en/ops/merchants/merchant/{cast.merchant.pk}/change/", pin=10, grow=grow_team
    )
