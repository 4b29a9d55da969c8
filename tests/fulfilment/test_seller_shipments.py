"""Seller doors of fulfilment: the pick list per warehouse, packing an order into parcels
(page, "mark packed", seller API), the merchant's shipments and parcels with tracking. Every
page and endpoint is a 404 for another merchant; anonymous people, shoppers and operators
(who use the back office) get nothing; query counts are pinned."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from logistics.fulfilment.models import Parcel, ParcelException, Shipment
from logistics.fulfilment.services import ParcelSpec, shipment_create
from marketplace.clearance import ClearanceMode
from merchants.roles import Role
from orders.models import Order
from tests.factories import MembershipFactory, OperatorFactory, UserFactory
from tests.fulfilment.helpers import event, paid_order, push
from tests.querycounts import assert_queries
from tests.tenancy import assert_cross_tenant_404

pytestmark = pytest.mark.django_db


def page(name, *args, lang="en"):
    return f"/{lang}" + reverse(f"seller_shipments:{name}", args=args)[len("/en") :]


@pytest.fixture
def order(tenants):
    return paid_order(merchant=tenants.a.merchant, quantities=(2, 1))


def split_post(order, parcels):
    """The split form's POST body: ``parcels`` is a list of {line index: units}."""
    lines = list(order.lines.order_by("pk"))
    data = {"parcels": str(len(parcels))}
    for i, contents in enumerate(parcels):
        for j, line in enumerate(lines):
            data[f"p{i}_line{line.pk}"] = str(contents.get(j, 0))
        data[f"p{i}_weight"] = "1.2"
        data[f"p{i}_length"], data[f"p{i}_width"], data[f"p{i}_height"] = "30", "20", "10"
        data[f"p{i}_waybill"] = "order" if i == 0 else "new"
    return data


def test_the_pick_list_groups_packable_orders_by_warehouse(tenants, order):
    other_wh = paid_order(merchant=tenants.a.merchant, quantities=(3,))
    bonded = paid_order(merchant=tenants.a.merchant, mode=ClearanceMode.BONDED)  # not cleared
    theirs = paid_order(merchant=tenants.b.merchant)
    html = tenants.a.client.get(page("picklist")).content.decode()
    assert order.number in html and other_wh.number in html
    assert bonded.number not in html and theirs.number not in html
    assert f'data-warehouse="{order.warehouse.code}"' in html
    assert f'data-warehouse="{other_wh.warehouse.code}"' in html
    sku = order.lines.order_by("pk").first().sku_code
    assert f'data-sku="{sku}"' in html
    zh = tenants.a.client.get(page("picklist", lang="zh-hans")).content.decode()
    assert "拣货单" in zh


def test_packing_an_order_into_two_parcels_from_the_portal(tenants, order):
    browser = tenants.a.client
    form = browser.get(page("create", order.number) + "?parcels=2").content.decode()
    assert 'data-parcel="2"' in form
    response = browser.post(page("create", order.number), split_post(order, [{0: 2}, {1: 1}]))
    shipment = Shipment.objects.get(order=order)
    assert response.status_code == 302
    assert response["Location"].endswith(reverse("seller_shipments:detail", args=[shipment.pk])[3:])
    first, second = shipment.parcels.order_by("pk")
    assert first.weight_kg == second.weight_kg and str(first.length_cm) == "30.0"
    assert first.waybill_number != second.waybill_number
    assert first.route == "direct_china"
    order.refresh_from_db()
    assert order.status == Order.Status.PACKED and order.accepted_at is not None
    detail = browser.get(page("detail", shipment.pk)).content.decode()
    assert first.waybill_number in detail and second.waybill_number in detail


def test_a_split_that_does_not_add_up_is_shown_on_the_form_and_nothing_is_packed(tenants, order):
    response = tenants.a.client.post(
        page("create", order.number, lang="zh-hans"), split_post(order, [{0: 1}, {1: 1}])
    )
    assert response.status_code == 200
    assert not Shipment.objects.filter(order=order).exists()
    html = response.content.decode()
    assert "errors" in html and order.lines.order_by("pk").first().sku_code in html


def test_mark_packed_on_the_order_page_is_one_parcel_of_everything(tenants, order):
    browser = tenants.a.client
    detail = browser.get(f"/en/seller/orders/{order.number}/").content.decode()
    assert page("pack", order.number) in detail and page("create", order.number) in detail
    response = browser.post(page("pack", order.number), follow=True)
    assert "Order marked as packed." in response.content.decode()
    (parcel,) = Parcel.objects.filter(order=order)
    assert parcel.lines.count() == 2


def test_the_shipments_list_and_detail_show_parcels_and_tracking(tenants, order, client):
    shipment = shipment_create(order=order, by=tenants.a.owner)
    parcel = shipment.parcels.get()
    push(client, parcel.carrier.code, [event(parcel.waybill_number, "in_transit", 1)])
    listed = tenants.a.client.get(page("list")).content.decode()
    assert parcel.waybill_number in listed and 'data-status="in_transit"' in listed
    detail = tenants.a.client.get(page("detail", shipment.pk, lang="zh-hans")).content.decode()
    assert "运输中" in detail and "data-tracking" in detail


def test_every_shipment_page_and_action_is_a_404_for_another_merchant(tenants, order):
    other = paid_order(merchant=tenants.a.merchant)
    shipment = shipment_create(order=other, by=tenants.a.owner)
    for url, methods in (
        (page("create", order.number), ("get", "post")),
        (page("detail", shipment.pk), ("get",)),
    ):
        assert_cross_tenant_404(
            url, owner=tenants.a.client, intruder=tenants.b.client, methods=methods
        )
    assert tenants.b.client.post(page("pack", order.number)).status_code == 404
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    for name in ("list", "picklist"):
        html = tenants.b.client.get(page(name)).content.decode()
        assert order.number not in html and other.number not in html


@pytest.mark.parametrize("who", ["anonymous", "shopper", "operator"])
def test_people_outside_the_merchant_get_no_shipment_page(who, client_for, order):
    client = (
        Client()
        if who == "anonymous"
        else client_for(UserFactory() if who == "shopper" else OperatorFactory())
    )
    for url in (page("list"), page("picklist"), page("exceptions"), page("create", order.number)):
        response = client.get(url)
        assert response.status_code in (302, 403), (url, response.status_code)
        assert order.number not in response.content.decode()
    assert client.post(page("pack", order.number)).status_code in (302, 403)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_every_staff_role_packs(tenants):
    for role in (Role.OWNER, Role.MANAGER, Role.STAFF):
        order = paid_order(merchant=tenants.a.merchant)
        user = MembershipFactory(merchant=tenants.a.merchant, role=role).user
        shipment_create(order=order, by=user)
        assert Order.objects.get(pk=order.pk).status == Order.Status.PACKED


def test_query_counts_of_the_seller_pages(tenants):
    merchant = tenants.a.merchant
    client = tenants.a.client

    def more_orders():
        paid_order(merchant=merchant)
        paid_order(merchant=merchant)

    def more_shipments():
        for _ in range(2):
            shipment_create(order=paid_order(merchant=merchant), by=None)

    def more_exceptions():
        for _ in range(2):
            parcel = shipment_create(order=paid_order(merchant=merchant), by=None).parcels.get()
            ParcelException.objects.create(
                merchant=merchant, parcel=parcel, order=parcel.order, reason="quiet"
            )

    assert_queries(client, page("picklist"), grow=more_orders, pin=4)
    assert_queries(client, page("list"), grow=more_shipments, pin=7)
    shipment = Shipment.objects.for_merchant(merchant).first()
    assert_queries(client, page("detail", shipment.pk), pin=8)
    assert_queries(client, page("exceptions"), grow=more_exceptions, pin=5)


# --- the seller API ---------------------------------------------------------------------


def test_the_api_packs_lists_and_shows_shipments(tenants, order):
    lines = list(order.lines.order_by("pk"))
    body = {
        "order": order.number,
        "parcels": [
            {"lines": [{"line": lines[0].pk, "quantity": 2}], "weight_kg": "1.5"},
            {
                "lines": [{"line": lines[1].pk, "quantity": 1}],
                "weight_kg": "0.4",
                "length_cm": "20",
                "width_cm": "10",
                "height_cm": "5",
                "waybill": "new",
            },
        ],
    }
    made = tenants.a.client.post("/api/v1/seller/shipments/", body, content_type="application/json")
    assert made.status_code == 201, made.content
    data = made.json()
    assert data["order"] == order.number and len(data["parcels"]) == 2
    assert data["parcels"][1]["height_cm"] == "5.0"
    listed = tenants.a.client.get("/api/v1/seller/shipments/").json()
    assert [s["id"] for s in listed["results"]] == [data["id"]]
    one = tenants.a.client.get(f"/api/v1/seller/shipments/{data['id']}/").json()
    assert one["parcels"][0]["lines"] == [
        {"line": lines[0].pk, "sku": lines[0].sku_code, "quantity": 2}
    ]


def test_the_api_names_the_rule_a_split_breaks(tenants, order):
    line = order.lines.order_by("pk").first()
    response = tenants.a.client.post(
        "/api/v1/seller/shipments/",
        {"order": order.number, "parcels": [{"lines": [{"line": line.pk, "quantity": 1}]}]},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    codes = {e["code"] for e in response.json()["error"]["errors"]}
    assert "parcel_lines_mismatch" in codes
    assert not Shipment.objects.exists()


def test_every_shipment_endpoint_is_a_404_for_another_merchant(tenants, order):
    shipment = shipment_create(order=paid_order(merchant=tenants.a.merchant), by=None)
    assert_cross_tenant_404(
        f"/api/v1/seller/shipments/{shipment.pk}/",
        owner=tenants.a.client,
        intruder=tenants.b.client,
    )
    response = tenants.b.client.post(
        "/api/v1/seller/shipments/", {"order": order.number}, content_type="application/json"
    )
    assert response.status_code == 404
    assert tenants.b.client.get("/api/v1/seller/shipments/").json()["results"] == []
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


@pytest.mark.parametrize("who", ["anonymous", "shopper", "operator"])
def test_the_shipment_api_refuses_people_outside_the_merchant(who, client_for, order):
    client = (
        Client()
        if who == "anonymous"
        else client_for(UserFactory() if who == "shopper" else OperatorFactory())
    )
    assert client.get("/api/v1/seller/shipments/").status_code in (401, 403)
    assert client.get("/api/v1/seller/parcel-exceptions/").status_code in (401, 403)
    response = client.post(
        "/api/v1/seller/shipments/", {"order": order.number}, content_type="application/json"
    )
    assert response.status_code in (401, 403)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_the_api_list_query_count_is_pinned(tenants):
    merchant = tenants.a.merchant

    def more():
        for _ in range(2):
            shipment_create(
                order=paid_order(merchant=merchant),
                by=None,
                parcels=None,
            )

    assert_queries(tenants.a.client, "/api/v1/seller/shipments/", grow=more, pin=7)


def test_the_schema_documents_the_shipment_endpoints(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in ("/api/v1/seller/shipments/", "/api/v1/seller/shipments/{id}/"):
        assert path in schema
    assert "/api/v1/seller/parcel-exceptions/" in schema
    assert ParcelSpec  # the API builds the service's own ParcelSpec
