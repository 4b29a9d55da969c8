"""The return pages, driven as people use them (plain forms, no JavaScript): the shopper asks
on their order page and follows the status there; the merchant's team lists, approves or
declines, prints the return label, receives and inspects, refunds in full or in part, and
edits the return policy shoppers read on the store and product pages and in the API; the
shopper is emailed in the language they checked out in. Another merchant reaches none of it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail

from logistics.returns.models import ReturnRequest
from merchants.roles import Role
from orders.models import Checkout
from tests.factories import MembershipFactory
from tests.marketplace.test_i18n import english_words
from tests.orders.checkout_helpers import shopper_with
from tests.tenancy import assert_cross_tenant_404

pytestmark = pytest.mark.django_db


def _order_page(order, lang="en") -> str:
    return f"/{lang}/account/orders/{order.number}/"


def _ask_on_the_page(shopper, order, units: dict, reason="too small"):
    body = {f"line_{line.pk}": q for line, q in units.items()} | {"reason": reason}
    return shopper.post(f"/en/account/orders/{order.number}/returns/", body)


@pytest.fixture
def team(client_for, world):
    return client_for(MembershipFactory(merchant=world.kiwi, role=Role.OWNER).user)


@pytest.fixture
def intruder(client_for, world):
    return client_for(MembershipFactory(merchant=world.tokyo, role=Role.OWNER).user)


def test_the_shopper_asks_on_the_order_page_and_sees_the_status(
    delivered, client_for, django_assert_max_num_queries
):
    user, order, balm_line, soap_line, _soap = delivered
    shopper = client_for(user)
    # the returns block reads the delivery time, the policy (window and text) and whether
    # customs released the order once each, however many questions ask them: 20 -> 17
    with django_assert_max_num_queries(17):
        page = shopper.get(_order_page(order))
    body = page.content.decode()
    assert "Return some items" in body and f'name="line_{balm_line.pk}"' in body
    assert 'max="3"' in body  # at most the units bought

    nothing = _ask_on_the_page(shopper, order, {balm_line: 0})
    assert "Pick at least one line to return." in shopper.get(nothing.url).content.decode()
    assert not ReturnRequest.objects.exists()

    sent = _ask_on_the_page(shopper, order, {balm_line: 2, soap_line: 0})
    assert sent.status_code == 302 and sent.url == _order_page(order)
    body = shopper.get(sent.url).content.decode()
    assert "Your return request is sent" in body
    request = ReturnRequest.objects.get()
    assert f'data-return="{request.pk}" data-status="requested"' in body
    assert [(rl.order_line_id, rl.quantity) for rl in request.lines.all()] == [(balm_line.pk, 2)]
    # only one balm is left to return
    assert 'max="1"' in body
    zh = shopper.get(_order_page(order, "zh-hans")).content.decode()
    assert "退货" in zh


def test_the_merchant_approves_prints_the_label_receives_and_refunds_in_part(
    delivered,
    client_for,
    team,
    world,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    user, order, balm_line, soap_line, _soap = delivered
    Checkout.objects.filter(pk=order.checkout_id).update(language="zh-hans")
    mail.outbox.clear()
    shopper = client_for(user)
    _ask_on_the_page(shopper, order, {balm_line: 2, soap_line: 1})
    request = ReturnRequest.objects.get()

    with django_assert_max_num_queries(25):
        listing = team.get("/en/seller/returns/")
    assert f"R{request.pk}" in listing.content.decode()
    assert "/en/seller/returns/" in team.get("/en/seller/").content.decode()  # header link
    for path in ("/zh-hans/seller/returns/", "/zh-hans/seller/returns/policy/"):
        assert english_words(team.get(path).content.decode()) == set(), path
    with django_assert_max_num_queries(30):
        detail = team.get(f"/en/seller/returns/{request.pk}/")
    assert (
        "too small" in detail.content.decode() and "Approve the return" in detail.content.decode()
    )

    with django_capture_on_commit_callbacks(execute=True):
        approved = team.post(f"/en/seller/returns/{request.pk}/approve/")
    assert approved.status_code == 302
    request.refresh_from_db()
    assert request.status == "approved" and request.waybill_number
    (email,) = mail.outbox
    assert email.to == [order.checkout.email] and "退货" in email.subject
    assert f"/account/orders/{order.number}/returns/{request.pk}/label.pdf" in email.body
    assert request.waybill_number in email.body

    for client, url in (
        (team, f"/en/seller/returns/{request.pk}/label.pdf"),
        (shopper, f"/en/account/orders/{order.number}/returns/{request.pk}/label.pdf"),
    ):
        label = client.get(url)
        assert label.status_code == 200 and label["Content-Type"] == "application/pdf"
        assert label.content.startswith(b"%PDF")
    assert "Print the return label" in shopper.get(_order_page(order)).content.decode()

    lines = {rl.order_line_id: rl.pk for rl in request.lines.all()}
    too_much = team.post(
        f"/en/seller/returns/{request.pk}/receive/",
        {
            f"outcome_{lines[balm_line.pk]}": "restock",
            f"outcome_{lines[soap_line.pk]}": "write_off",
            "refund": "99999.00",
        },
    )
    assert too_much.status_code == 400 and "at most" in too_much.content.decode()
    assert ReturnRequest.objects.get(pk=request.pk).status == "approved"
    with django_capture_on_commit_callbacks(execute=True):
        received = team.post(
            f"/en/seller/returns/{request.pk}/receive/",
            {
                f"outcome_{lines[balm_line.pk]}": "restock",
                f"outcome_{lines[soap_line.pk]}": "write_off",
                "refund": "30.00",
            },
        )
    assert received.status_code == 302
    request.refresh_from_db()
    assert request.status == "received" and request.refunded == Decimal("30.00")
    order.refresh_from_db()
    assert order.refunded_total == Decimal("30.00")
    refunded = mail.outbox[-1]
    assert "退款" in refunded.subject and "30" in refunded.body
    page = shopper.get(_order_page(order)).content.decode()
    assert 'data-status="received"' in page and "Written off" in page


def test_declining_needs_a_reason_the_shopper_is_emailed(
    delivered, client_for, team, django_capture_on_commit_callbacks
):
    user, order, balm_line, _soap_line, _soap = delivered
    _ask_on_the_page(client_for(user), order, {balm_line: 1})
    request = ReturnRequest.objects.get()
    mail.outbox.clear()
    empty = team.post(f"/en/seller/returns/{request.pk}/decline/", {"reason": ""})
    assert empty.status_code == 400 and "This field is required" in empty.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        team.post(f"/en/seller/returns/{request.pk}/decline/", {"reason": "opened and used"})
    request.refresh_from_db()
    assert request.status == "declined"
    (email,) = mail.outbox
    assert "declined" in email.subject and "opened and used" in email.body
    assert "opened and used" in client_for(user).get(_order_page(order)).content.decode()


def test_another_merchant_or_shopper_reaches_no_return_page(
    delivered, client_for, team, intruder, world
):
    user, order, balm_line, _soap_line, _soap = delivered
    _ask_on_the_page(client_for(user), order, {balm_line: 1})
    request = ReturnRequest.objects.get()
    base = f"/en/seller/returns/{request.pk}/"
    assert_cross_tenant_404(base, owner=team, intruder=intruder)
    for action in ("approve/", "decline/", "receive/"):
        response = intruder.post(base + action, {"reason": "x"})
        assert response.status_code == 404, action
    assert base not in intruder.get("/en/seller/returns/").content.decode()  # no link to it
    team.post(base + "approve/")
    assert_cross_tenant_404(base + "label.pdf", owner=team, intruder=intruder)
    assert ReturnRequest.objects.get(pk=request.pk).status == "approved"
    stranger = client_for(shopper_with((world.balm, 1))[0])
    assert stranger.post(f"/en/account/orders/{order.number}/returns/", {}).status_code == 404
    label = f"/en/account/orders/{order.number}/returns/{request.pk}/label.pdf"
    assert stranger.get(label).status_code == 404
    assert client_for(user).get(label).status_code == 200


def test_the_merchant_edits_the_policy_shoppers_read(
    delivered, client, client_for, team, intruder, world, django_assert_max_num_queries
):
    page = team.get("/en/seller/returns/policy/")
    assert page.status_code == 200 and 'value="7"' in page.content.decode()
    bad = team.post("/en/seller/returns/policy/", {"window_days": "91", "policy": ""})
    assert bad.status_code == 400
    saved = team.post(
        "/en/seller/returns/policy/",
        {"window_days": "14", "policy": "Unopened goods only; we pay the postage."},
    )
    assert saved.status_code == 302
    # another merchant's policy is their own: theirs is unchanged
    assert 'value="7"' in intruder.get("/en/seller/returns/policy/").content.decode()

    with django_assert_max_num_queries(15):
        store = client.get(f"/en/store/{world.kiwi.slug}/returns/")
    body = store.content.decode()
    assert "within 14 days of delivery" in body and "we pay the postage" in body
    zh = client.get(f"/zh-hans/store/{world.kiwi.slug}/returns/").content.decode()
    assert "14" in zh and "退货" in zh
    product = client.get(f"/en/p/{world.balm.product_id}/")
    if product.status_code == 301 or product.status_code == 302:
        product = client.get(product.url)
    assert f"/en/store/{world.kiwi.slug}/returns/" in product.content.decode()

    api = client.get(f"/api/v1/stores/{world.kiwi.slug}/return-policy/").json()
    assert api["window_days"] == 14 and api["customs_return_days"] == 30
    assert api["policy"].startswith("Unopened")
    put = team.put(
        "/api/v1/seller/return-policy/", {"window_days": 0}, content_type="application/json"
    )
    assert put.status_code == 200 and put.json()["window_days"] == 0
    staff = client_for(MembershipFactory(merchant=world.kiwi, role=Role.STAFF).user)
    assert staff.get("/api/v1/seller/return-policy/").status_code == 200
    # with no returns accepted, the shopper's order page offers no form
    user, order, *_ = delivered
    page = client_for(user).get(_order_page(order)).content.decode()
    assert "Return some items" not in page and "return window of 0 days" in page
