"""Shoppers report listings; operators work the queue in the back office."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from catalog.models import ListingReport, ListingReportEvent, Product
from catalog.services import moderation
from catalog.services.moderation import IllegalTransition
from tests.factories import OperatorFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def product():
    return ProductFactory(name_en="Luxury Handbag", name_zh_hans="奢侈手袋")


def test_the_report_page_is_where_the_storefront_links(product):
    assert reverse("catalog_report:create", args=[product.pk]) == f"/en/report/{product.pk}/"


def test_a_signed_in_shopper_reports_a_listing(client_for, product):
    shopper = UserFactory()
    client = client_for(shopper)
    url = reverse("catalog_report:create", args=[product.pk])
    page = client.get(url).content.decode()
    assert "Luxury Handbag" in page and "Counterfeit" in page
    response = client.post(url, {"reason": "counterfeit", "details": "Logo is misprinted"})
    assert response.url == reverse("catalog_report:sent", args=[product.pk])
    assert "Thank you for your report" in client.get(response.url).content.decode()
    report = ListingReport.objects.get()
    assert (report.product, report.reporter, report.reason, report.status) == (
        product,
        shopper,
        "counterfeit",
        "open",
    )
    assert report.merchant == product.merchant


def test_anonymous_visitors_are_asked_to_log_in(product):
    response = Client().get(reverse("catalog_report:create", args=[product.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    Client().post(reverse("catalog_report:create", args=[product.pk]), {"reason": "other"})
    assert not ListingReport.objects.exists()


def test_only_listings_on_sale_can_be_reported(client_for):
    client = client_for(UserFactory())
    hidden = ProductFactory(status=Product.Status.PENDING_REVIEW)
    assert client.get(reverse("catalog_report:create", args=[hidden.pk])).status_code == 404
    suspended = ProductFactory(merchant__status="suspended")
    assert client.get(reverse("catalog_report:create", args=[suspended.pk])).status_code == 404
    assert client.get(reverse("catalog_report:create", args=[999999])).status_code == 404


def test_other_needs_details_and_a_second_open_report_is_refused(client_for, product):
    client = client_for(UserFactory())
    url = reverse("catalog_report:create", args=[product.pk])
    html = client.post(url, {"reason": "other", "details": "  "}).content.decode()
    assert "Tell us what is wrong with this listing." in html
    client.post(url, {"reason": "prohibited", "details": "Contains CBD"})
    html = client.post(url, {"reason": "counterfeit"}).content.decode()
    assert "You have already reported this listing" in html
    assert ListingReport.objects.count() == 1


def test_report_page_in_chinese(client_for, product):
    from tests.marketplace.test_i18n import english_words

    client = client_for(UserFactory())
    html = client.get(f"/zh-hans/report/{product.pk}/").content.decode()
    assert "奢侈手袋" in html
    assert english_words(html.replace(product.merchant.name_en, "")) == set()


def test_upholding_a_report_can_delist_through_the_workflow(product):
    operator = OperatorFactory()
    report = moderation.report_create(
        product=product, reporter=UserFactory(), reason="counterfeit", details="fake"
    )
    moderation.report_uphold(
        report=report, by=operator, resolution="Brand owner confirmed fake", delist=True
    )
    report.refresh_from_db()
    assert report.status == "upheld" and report.resolution == "Brand owner confirmed fake"
    assert report.handled_by == operator and report.handled_at is not None
    product.refresh_from_db()
    assert product.status == Product.Status.DELISTED
    event = product.events.get()
    assert (event.transition, event.reason) == ("delist", "Brand owner confirmed fake")
    assert ListingReportEvent.objects.get(subject=report).transition == "uphold"
    with pytest.raises(IllegalTransition):
        moderation.report_dismiss(report=report, by=operator, resolution="changed my mind")


def test_dismissing_needs_a_resolution_and_an_operator(product):
    report = moderation.report_create(
        product=product, reporter=UserFactory(), reason="other", details="Looks odd"
    )
    with pytest.raises(PermissionDenied):
        moderation.report_dismiss(report=report, by=UserFactory(), resolution="no")
    with pytest.raises(ValidationError):
        moderation.report_dismiss(report=report, by=OperatorFactory(), resolution="")
    moderation.report_dismiss(report=report, by=OperatorFactory(), resolution="Genuine item")
    report.refresh_from_db()
    assert report.status == "dismissed"
    assert Product.objects.get(pk=product.pk).status == Product.Status.APPROVED


def test_the_back_office_queue_shows_open_reports_and_resolves_them(client_for, product):
    operator = OperatorFactory()
    ops = client_for(operator)
    open_report = moderation.report_create(
        product=product, reporter=UserFactory(), reason="counterfeit", details="fake"
    )
    closed = moderation.report_create(
        product=ProductFactory(name_en="Closed case"),
        reporter=UserFactory(),
        reason="prohibited",
        details="x",
    )
    moderation.report_dismiss(report=closed, by=operator, resolution="ok")
    queue = ops.get(reverse("admin:catalog_listingreport_changelist")).content.decode()
    assert "Luxury Handbag" in queue and "Closed case" not in queue
    everything = ops.get(reverse("admin:catalog_listingreport_changelist") + "?status=all")
    assert "Closed case" in everything.content.decode()

    changelist = reverse("admin:catalog_listingreport_changelist")
    ask = ops.post(
        changelist,
        {"action": "uphold_selected", "_selected_action": [open_report.pk], "index": "0"},
    )
    assert "Uphold: record the resolution" in ask.content.decode()
    ops.post(
        changelist,
        {
            "action": "uphold_selected",
            "_selected_action": [open_report.pk],
            "index": "0",
            "apply": "1",
            "reason": "Confirmed with the brand",
            "delist": "on",
        },
    )
    open_report.refresh_from_db()
    assert open_report.status == "upheld"
    assert Product.objects.get(pk=product.pk).status == Product.Status.DELISTED
    detail = ops.get(reverse("admin:catalog_listingreport_change", args=[open_report.pk]))
    assert "Confirmed with the brand" in detail.content.decode()


def test_shoppers_and_sellers_cannot_open_the_queue(client_for, tenants):
    url = reverse("admin:catalog_listingreport_changelist")
    for user in (UserFactory(), tenants.a.owner):
        response = client_for(user).get(url)
        assert response.status_code == 302 and "/ops/login/" in response.url
