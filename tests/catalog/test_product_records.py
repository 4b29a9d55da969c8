"""The merchant's "Submit product record" (portal button and seller API), what the merchant
sees of customs' answer, and the operator's override with a reason."""

from __future__ import annotations

import pytest
from django.urls import reverse

from catalog.models import SKU, ProductRecordEvent, ProductRecordSubmission
from catalog.services import records
from marketplace.models import OutboxMessage
from tests.catalog.listing_helpers import recorded_by_customs
from tests.factories import ProductFactory, SKUFactory, UserFactory
from tests.tenancy import assert_cross_tenant_404

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_sku(tenants):
    product = ProductFactory(merchant=tenants.a.merchant, name_zh_hans="麦卢卡蜂蜜")
    return SKUFactory(product=product, code="KN-HONEY-1")


def _detail(client, sku, lang="en"):
    url = reverse("seller_catalog:detail", args=[sku.product_id])
    return client.get(url if lang == "en" else "/zh-hans" + url[3:]).content.decode()


def _page_action(sku) -> str:
    return reverse("seller_catalog:sku_record_submit", args=[sku.product_id, sku.pk])


def _api_action(sku) -> str:
    return f"/api/v1/seller/products/{sku.product_id}/skus/{sku.pk}/product-record/"


def test_the_merchant_submits_from_the_product_page_and_sees_it_waiting(
    tenants, a_sku, django_assert_max_num_queries
):
    html = _detail(tenants.a.client, a_sku)
    assert "Submit product record" in html and _page_action(a_sku) in html
    assert 'name="product_record_status"' not in html

    response = tenants.a.client.post(_page_action(a_sku))
    assert response.status_code == 302
    a_sku.refresh_from_db()
    assert a_sku.product_record_status == "submitted"
    submission = ProductRecordSubmission.objects.get(sku=a_sku)
    assert (submission.hs_code, submission.gname) == ("0409000000", "麦卢卡蜂蜜")
    # the outbox message was written in the same transaction
    message = OutboxMessage.objects.get(kind=records.RECORD_SEND)
    assert message.payload == {"submission_id": submission.pk}
    event = ProductRecordEvent.objects.get(subject=a_sku)
    assert (event.transition, event.actor) == ("submit", tenants.a.owner)

    with django_assert_max_num_queries(40):
        html = _detail(tenants.a.client, a_sku)
    assert "Product record of KN-HONEY-1 submitted to customs." in html
    assert "Waiting for customs' answer." in html
    assert _page_action(a_sku) not in html  # nothing to submit while customs decides
    # a second POST is refused with words, not a second submission
    tenants.a.client.post(_page_action(a_sku))
    assert ProductRecordSubmission.objects.filter(sku=a_sku).count() == 1
    assert "there is nothing to submit" in _detail(tenants.a.client, a_sku)


def test_the_merchant_sees_the_record_number_and_customs_reason_and_can_resubmit(tenants, a_sku):
    recorded_by_customs(a_sku, "31052026R000000042")
    html = _detail(tenants.a.client, a_sku)
    assert "No. 31052026R000000042" in html and _page_action(a_sku) not in html

    other = SKUFactory(product=a_sku.product, code="KN-HONEY-2")
    submission = records.product_record_submit(sku=other, by=tenants.a.owner)
    records.product_record_answer(
        guid=submission.guid,
        answer="rejected",
        status="100",
        info="商品编码[040900]不是10位海关商品编码",
        record_number="",
        message=b"<SWR102Message/>",
    )
    html = _detail(tenants.a.client, other)
    assert "Customs' reason: 商品编码[040900]不是10位海关商品编码" in html
    assert "Resubmit product record" in html
    zh = _detail(tenants.a.client, other, "zh-hans")
    assert "海关退回原因：" in zh and "重新提交商品备案" in zh
    tenants.a.client.post(_page_action(other))
    assert SKU.objects.get(pk=other.pk).product_record_status == "submitted"


def test_the_seller_api_submits_and_the_record_fields_are_read_only(tenants, a_sku):
    response = tenants.a.client.post(_api_action(a_sku))
    assert response.status_code == 202
    assert response.json()["product_record_status"] == "submitted"
    again = tenants.a.client.post(_api_action(a_sku))
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "illegal_transition"
    # typing the record in through the product update changes nothing
    detail = tenants.a.client.get(f"/api/v1/seller/products/{a_sku.product_id}/").json()
    sku = next(s for s in detail["skus"] if s["code"] == "KN-HONEY-1")
    assert sku["product_record_status"] == "submitted" and sku["product_record_reason"] == ""
    sku.update(product_record_status="recorded", product_record_number="FAKE-9")
    tenants.a.client.patch(
        f"/api/v1/seller/products/{a_sku.product_id}/",
        {"skus": [{k: v for k, v in sku.items() if k not in {"id"}}]},
        content_type="application/json",
    )
    a_sku.refresh_from_db()
    assert (a_sku.product_record_status, a_sku.product_record_number) == ("submitted", "")


def test_the_submit_page_and_endpoint_are_404_for_another_merchant(tenants, a_sku):
    assert_cross_tenant_404(
        _page_action(a_sku),
        owner=tenants.a.client,
        intruder=tenants.b.client,
        methods=("get", "post"),
        content_type="application/x-www-form-urlencoded",
    )
    # the API action answers POST only: the owner's GET is 405, the intruder's POST 404
    assert tenants.b.client.post(_api_action(a_sku)).status_code == 404
    assert SKU.objects.get(pk=a_sku.pk).product_record_status == "none"
    assert not ProductRecordSubmission.objects.exists()


def test_who_may_submit(tenants, a_sku, client, client_for):
    assert client.post(_api_action(a_sku)).status_code in (401, 403)
    assert client.post(_page_action(a_sku)).status_code == 302  # to the log-in page
    shopper = client_for(UserFactory())
    assert shopper.post(_api_action(a_sku)).status_code in (403, 404)
    # a signed-in shopper with no merchant is sent to pick one
    assert shopper.post(_page_action(a_sku)).status_code in (302, 403, 404)
    assert not ProductRecordSubmission.objects.exists()


# --- the operator's override -----------------------------------------------------------------


def _override(client, sku, **data):
    url = reverse("admin:catalog_productrecordsubmission_override", args=[sku.pk])
    return client.post(url, data)


def test_an_operator_overrides_with_a_reason_and_one_event_row(client_for, operator, a_sku):
    admin = client_for(operator)
    page = admin.get(reverse("admin:catalog_productrecordsubmission_override", args=[a_sku.pk]))
    assert page.status_code == 200 and "Override the product record of KN-HONEY-1" in (
        page.content.decode()
    )
    # no reason: refused, nothing moves
    response = _override(admin, a_sku, status="recorded", number="31052026R1", reason="")
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    # recorded without a number: the service's rule on the number field
    response = _override(admin, a_sku, status="recorded", number="", reason="海关纸质批复")
    assert "needs its record number" in response.content.decode()
    assert SKU.objects.get(pk=a_sku.pk).product_record_status == "none"

    response = _override(
        admin, a_sku, status="recorded", number="31052026R1", reason="海关纸质批复"
    )
    assert response.status_code == 302
    a_sku.refresh_from_db()
    assert (a_sku.product_record_status, a_sku.product_record_number) == ("recorded", "31052026R1")
    (event,) = ProductRecordEvent.objects.filter(subject=a_sku)
    assert (event.transition, event.reason, event.actor, event.record_number) == (
        "operator_record",
        "海关纸质批复",
        operator,
        "31052026R1",
    )


def test_revoking_turns_bonded_off_and_the_merchant_sees_why(tenants, client_for, operator, a_sku):
    recorded_by_customs(a_sku)
    SKU.objects.filter(pk=a_sku.pk).update(allow_bonded=True)
    response = _override(client_for(operator), a_sku, status="rejected", reason="备案已注销")
    assert response.status_code == 302
    a_sku.refresh_from_db()
    assert (a_sku.product_record_status, a_sku.allow_bonded) == ("rejected", False)
    assert a_sku.record_events.last().transition == "operator_revoke"
    assert "备案已注销" in _detail(tenants.a.client, a_sku)


def test_merchants_cannot_override(tenants, a_sku):
    with pytest.raises(Exception) as raised:
        records.product_record_override(
            sku=a_sku, status="recorded", number="X", reason="me", by=tenants.a.owner
        )
    assert type(raised.value).__name__ == "PermissionDenied"
    url = reverse("admin:catalog_productrecordsubmission_override", args=[a_sku.pk])
    assert (
        tenants.a.client.post(url, {"status": "recorded", "number": "X", "reason": "r"}).status_code
        == 302
    )
    assert SKU.objects.get(pk=a_sku.pk).product_record_status == "none"
