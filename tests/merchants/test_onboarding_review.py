"""The operators' review queue in the back office (/<lang>/ops/), driven as an operator."""

import pytest
from django.urls import reverse

from merchants import services
from merchants.models import Membership, Merchant, MerchantApplication
from tests.factories import OperatorFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(details):
    """Three applications: one waiting, one waiting for the applicant, one rejected."""
    operator = OperatorFactory()
    waiting = services.application_submit(applicant=UserFactory(), details=details())
    asked = services.application_submit(
        applicant=UserFactory(), details=details(company_name_en="Tui Honey Ltd")
    )
    services.application_request_info(application=asked, by=operator, message="More photos")
    rejected = services.application_submit(
        applicant=UserFactory(), details=details(company_name_en="Shady Imports")
    )
    services.application_reject(application=rejected, by=operator, reason="Counterfeits")
    return waiting, asked, rejected


@pytest.fixture
def ops(client_for):
    return client_for(OperatorFactory())


LIST = reverse("admin:merchants_merchantapplication_changelist")


def change_url(application) -> str:
    return reverse("admin:merchants_merchantapplication_change", args=[application.pk])


def review_url(application) -> str:
    return reverse("admin:merchants_merchantapplication_review", args=[application.pk])


def test_the_queue_filters_by_status(ops, queue, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        everything = ops.get(LIST).content.decode()
    assert all(name in everything for name in ("Kiwi Fruit", "Tui Honey", "Shady Imports"))
    waiting = ops.get(LIST + "?status__exact=submitted").content.decode()
    assert "Kiwi Fruit" in waiting and "Tui Honey" not in waiting and "Shady" not in waiting


def test_the_detail_shows_the_licence_link_masked_account_and_history(ops, queue):
    waiting = queue[0]
    html = ops.get(change_url(waiting)).content.decode()
    licence = reverse("admin:merchants_merchantapplication_licence", args=[waiting.pk])
    assert licence in html
    assert "***********8900" in html and "010123045678900" not in html
    assert "Submitted" in html  # history row
    assert 'value="approve"' in html and 'value="reject"' in html
    assert 'value="request_info"' in html
    response = ops.get(licence)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_approve_button_creates_the_merchant(ops, queue):
    waiting = queue[0]
    response = ops.post(review_url(waiting), {"decision": "approve", "reason": ""})
    assert response.status_code == 302 and response.url == change_url(waiting)
    waiting.refresh_from_db()
    assert waiting.status == "approved"
    merchant = waiting.merchant
    assert merchant.status == Merchant.Status.APPROVED
    assert Membership.objects.get(merchant=merchant).user == waiting.applicant
    page = ops.get(response.url).content.decode()
    assert "is open for business" in page
    assert reverse("admin:merchants_merchant_change", args=[merchant.pk]) in page


def test_reject_without_a_reason_is_refused_and_says_why(ops, queue):
    waiting = queue[0]
    response = ops.post(review_url(waiting), {"decision": "reject", "reason": ""}, follow=True)
    assert "Please give a reason." in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == "submitted"


def test_reject_with_a_reason(ops, queue):
    waiting = queue[0]
    ops.post(review_url(waiting), {"decision": "reject", "reason": "Licence number unknown"})
    waiting.refresh_from_db()
    assert waiting.status == "rejected"
    assert waiting.events.last().reason == "Licence number unknown"


def test_request_more_information(ops, queue):
    waiting = queue[0]
    ops.post(review_url(waiting), {"decision": "request_info", "reason": "Which bonded zone?"})
    waiting.refresh_from_db()
    assert waiting.status == "info_requested"


def test_a_decided_application_offers_no_decision(ops, queue):
    rejected = queue[2]
    html = ops.get(change_url(rejected)).content.decode()
    assert "This application has been decided." in html
    ops.post(review_url(rejected), {"decision": "approve"})
    rejected.refresh_from_db()
    assert rejected.status == "rejected" and rejected.merchant is None


def test_bulk_approve_skips_what_is_not_waiting(ops, queue):
    response = ops.post(
        LIST,
        {
            "action": "approve_selected",
            "_selected_action": [a.pk for a in queue],
        },
        follow=True,
    )
    assert "1 approved, 2 skipped" in response.content.decode()
    assert [a.status for a in MerchantApplication.objects.order_by("pk")] == [
        "approved",
        "info_requested",
        "rejected",
    ]


def test_operators_cannot_edit_what_the_applicant_sent(ops, queue):
    waiting = queue[0]
    ops.post(change_url(waiting), {"company_name_en": "Changed by ops"})
    waiting.refresh_from_db()
    assert waiting.company_name_en == "Kiwi Fruit Trading Ltd"


@pytest.mark.parametrize("who", ["anonymous", "shopper", "owner"])
def test_only_operators_reach_the_queue(client, client_for, queue, cast, who):
    waiting = queue[0]
    visitor = cast[who]
    assert visitor.get(LIST).status_code == 302  # sent to the back-office login
    assert (
        visitor.get(
            reverse("admin:merchants_merchantapplication_licence", args=[waiting.pk])
        ).status_code
        == 302
    )
    visitor.post(review_url(waiting), {"decision": "approve"})
    waiting.refresh_from_db()
    assert waiting.status == "submitted"


def test_the_queue_in_chinese(ops, queue):
    html = ops.get("/zh-hans/ops/merchants/merchantapplication/").content.decode()
    assert "商家申请" in html
