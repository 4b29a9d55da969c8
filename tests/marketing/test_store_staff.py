"""The store-only staff role (O2O, docs/MERCHANTS.md "Roles"): a team member with the role
``store_staff`` sees only the offline stores they are assigned to — the list, each store's
page with its figures and orders, its QR codes and poster — gets a 404 for the merchant's
other stores (like another merchant's), and a 403 for every other page of the seller portal
and every seller API endpoint. Owners assign them (``manage_team``)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import LocalePrefixPattern
from django.utils.translation import override

from marketing.o2o.models import StoreOrder
from marketing.o2o.services import offline_store_create, offline_store_staff_set
from merchants.roles import CAPABILITIES, Capability, Role
from tests.factories import MembershipFactory
from tests.querycounts import assert_queries
from tests.tenancy import assert_cross_tenant_404

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(tenants, client_for):
    """Merchant A with two stores; a store-staff member assigned to the first only."""
    a = tenants.a
    mall = offline_store_create(merchant=a.merchant, name="Mall counter", address="1 Nanjing Rd")
    airport = offline_store_create(merchant=a.merchant, name="Airport kiosk")
    member = MembershipFactory(merchant=a.merchant, role=Role.STORE_STAFF)
    offline_store_staff_set(store=mall, membership_ids=[member.pk])
    StoreOrder.objects.create(
        store=mall,
        order_id=90_001,
        order_number="O90001",
        checkout_number="C90001",
        store_code=mall.code,
        paid=Decimal("88.00"),
        currency="CNY",
    )
    return a, mall, airport, member, client_for(member.user)


def test_the_role_sees_only_offline_stores():
    assert CAPABILITIES[Role.STORE_STAFF] == frozenset({Capability.VIEW_STORES})
    for role in (Role.OWNER, Role.MANAGER, Role.STAFF):
        assert Capability.VIEW_STORES in CAPABILITIES[role]


def test_store_staff_see_their_store_its_figures_qr_and_poster(shop):
    _a, mall, airport, _member, staff = shop
    listing = staff.get(reverse("seller_stores:list"))
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "Mall counter" in page and "Airport kiosk" not in page
    assert "Add a store" not in page  # no manage_catalog

    detail = staff.get(reverse("seller_stores:detail", args=[mall.pk])).content.decode()
    assert 'data-figure="orders">1<' in detail and "88.00" in detail
    assert "O90001" in detail and "/seller/orders/O90001/" not in detail  # no order page for them
    assert "Edit the store" not in detail
    assert staff.get(reverse("seller_stores:qr", args=[mall.pk])).status_code == 200
    poster = staff.get(reverse("seller_stores:poster", args=[mall.pk]))
    assert poster.status_code == 200 and poster["Content-Type"] == "application/pdf"
    # the menu offers them their stores and nothing else
    assert reverse("seller_orders:list") not in detail
    assert reverse("seller_catalog:products") not in detail


def test_another_store_of_the_same_merchant_is_a_404(shop):
    a, _mall, airport, _member, staff = shop
    for name in ("detail", "qr", "poster"):
        url = reverse(f"seller_stores:{name}", args=[airport.pk])
        assert_cross_tenant_404(url, owner=a.client, intruder=staff)
    # a write is refused before the store is looked up: they may write to no store
    refused = staff.post(reverse("seller_stores:detail", args=[airport.pk]), {"name": "mine"})
    assert refused.status_code == 403
    airport.refresh_from_db()
    assert airport.name == "Airport kiosk"


def test_another_merchant_s_store_staff_get_a_404(shop, tenants, client_for):
    _a, mall, _airport, _member, _staff = shop
    theirs = MembershipFactory(merchant=tenants.b.merchant, role=Role.STORE_STAFF)
    intruder = client_for(theirs.user)
    for name in ("detail", "qr", "poster"):
        url = reverse(f"seller_stores:{name}", args=[mall.pk])
        assert_cross_tenant_404(url, owner=tenants.a.client, intruder=intruder)


def test_store_staff_cannot_edit_their_store_or_assign_staff(shop):
    _a, mall, _airport, member, staff = shop
    edit = staff.post(reverse("seller_stores:detail", args=[mall.pk]), {"name": "renamed"})
    assert edit.status_code == 403
    assign = staff.post(reverse("seller_stores:staff", args=[mall.pk]), {"staff": [member.pk]})
    assert assign.status_code == 403
    mall.refresh_from_db()
    assert mall.name == "Mall counter"


def _seller_routes() -> list[str]:
    """Every seller-portal and seller-API URL that takes no argument (from the URL conf)."""
    found = []

    def text(pattern) -> str:
        if isinstance(pattern, LocalePrefixPattern):
            return pattern.language_prefix
        return str(pattern).removeprefix("^").removesuffix("$")

    def walk(patterns, prefix=""):
        for p in patterns:
            route = prefix + text(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern) and not any(c in route for c in "<(?[\\"):
                found.append("/" + route)

    with override("en"):
        walk(get_resolver().url_patterns)
    return sorted({r for r in found if r.startswith(("/en/seller/", "/api/v1/seller/"))})


def test_every_other_seller_page_and_api_is_a_403(shop):
    a, _mall, _airport, _member, staff = shop
    routes = _seller_routes()
    assert "/en/seller/orders/" in routes and "/api/v1/seller/products/" in routes
    allowed = {reverse("seller_stores:list"), reverse("seller:choose")}
    checked = 0
    for url in routes:
        if url in allowed or url.endswith(("/choose/", "/apply/")):
            continue
        if url == reverse("seller:dashboard"):
            # the portal's front door sends them to their stores
            landing = staff.get(url, HTTP_X_MERCHANT=str(a.merchant.pk))
            assert landing.status_code == 302
            assert landing["Location"] == reverse("seller_stores:list")
            continue
        response = staff.get(url, HTTP_X_MERCHANT=str(a.merchant.pk))
        assert response.status_code in (403, 405), (url, response.status_code)
        checked += 1
    assert checked > 20


def test_owners_assign_store_staff_and_only_store_staff(shop, tenants):
    a, mall, airport, member, staff = shop
    page = a.client.get(reverse("seller_stores:staff", args=[airport.pk]))
    assert page.status_code == 200 and str(member.user) in page.content.decode()
    a.client.post(reverse("seller_stores:staff", args=[airport.pk]), {"staff": [member.pk]})
    assert "Airport kiosk" in staff.get(reverse("seller_stores:list")).content.decode()

    manager = MembershipFactory(merchant=a.merchant, role=Role.MANAGER)
    other = MembershipFactory(merchant=tenants.b.merchant, role=Role.STORE_STAFF)
    for wrong in (manager, other):
        with pytest.raises(Exception) as refused:
            offline_store_staff_set(store=mall, membership_ids=[wrong.pk])
        assert "store_staff_unknown" in str(refused.value.error_dict["staff"][0].code)
    refused = a.client.post(reverse("seller_stores:staff", args=[mall.pk]), {"staff": [other.pk]})
    assert refused.status_code == 200  # not a choice: the form says so
    assert list(mall.staff.values_list("pk", flat=True)) == [member.pk]
    # the assignment page is the merchant's own
    assert_cross_tenant_404(
        reverse("seller_stores:staff", args=[mall.pk]), owner=a.client, intruder=tenants.b.client
    )


def test_the_pages_query_counts(shop):
    _a, mall, _airport, _member, staff = shop
    assert_queries(staff, reverse("seller_stores:list"), pin=5)
    assert_queries(staff, reverse("seller_stores:detail", args=[mall.pk]), pin=5)
