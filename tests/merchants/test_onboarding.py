"""Onboarding: a company applies, the application is checked, stored safely and reviewed;
approval makes a merchant with the applicant as owner."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import translation

from marketplace.transitions import IllegalTransition
from merchants import selectors, services
from merchants.models import (
    Membership,
    Merchant,
    MerchantApplication,
    MerchantEvent,
    PayoutDetails,
)
from merchants.roles import Role
from tests.factories import OperatorFactory, UserFactory
from tests.merchants.conftest import form_data, pdf_upload, png_bytes

pytestmark = pytest.mark.django_db


def raw_column(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


# --- submitting ----------------------------------------------------------------------------


def test_submit_stores_a_clean_application_with_its_first_event(details):
    applicant = UserFactory()
    application = services.application_submit(applicant=applicant, details=details())

    assert application.status == MerchantApplication.Status.SUBMITTED
    assert application.country == "NZ"
    assert application.payout_swift == "ANZBNZ22"
    assert application.payout_account_number == "010123045678900"
    assert sorted(application.categories.values_list("slug", flat=True)) == ["beauty", "health"]
    event = application.events.get()
    assert (event.transition, event.to_state, event.actor) == ("submit", "submitted", applicant)
    # The stored file is named by its content type, not by what the browser called it.
    assert application.licence_file.name.startswith("private/merchant-licences/")
    assert application.licence_file.name.endswith(".pdf")


def test_the_account_number_is_encrypted_at_rest_and_masked(details):
    application = services.application_submit(applicant=UserFactory(), details=details())
    raw = raw_column("merchants_merchantapplication", "payout_account_number", application.pk)
    assert "0123" not in raw and "8900" not in raw
    assert application.payout_account_masked == "***********8900"


def test_one_open_application_per_person(details):
    applicant = UserFactory()
    services.application_submit(applicant=applicant, details=details())
    with pytest.raises(ValidationError, match="already have an application"):
        services.application_submit(applicant=applicant, details=details())
    assert MerchantApplication.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("payout_swift", "ANZB", "SWIFT/BIC code has 8 or 11"),
        ("payout_account_number", "GB82WEST12345698765431", "check digits are wrong"),
        ("payout_account_number", "12", "4 to 34 letters and digits"),
        ("contact_phone", "call me", "phone number"),
        ("country", "New Zealand", "two-letter ISO"),
        ("trade_modes", [], "at least one trade mode"),
        ("trade_modes", ["smuggling"], "Unknown trade mode"),
        ("categories", [], "at least one category"),
        ("company_name_en", "", "cannot be blank"),
    ],
)
def test_bad_input_is_refused_naming_the_field(details, field, value, message):
    with pytest.raises(ValidationError) as caught:
        services.application_submit(applicant=UserFactory(), details=details(**{field: value}))
    assert field in caught.value.message_dict
    assert message in " ".join(caught.value.message_dict[field])
    assert MerchantApplication.objects.count() == 0


def test_a_valid_iban_is_accepted(details):
    application = services.application_submit(
        applicant=UserFactory(),
        details=details(payout_account_number="GB82 WEST 1234 5698 7654 32"),
    )
    assert application.payout_account_number == "GB82WEST12345698765432"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("licence.pdf", b"<html><script>alert(1)</script></html>"),  # HTML renamed .pdf
        ("licence.png", b"\x89PNG\r\n\x1a\n" + b"not really an image"),  # PNG header only
        ("licence.pdf", b"%PDF-1.4\n no end of file marker"),  # truncated PDF
        ("licence.exe", b"MZ\x90\x00"),
    ],
)
def test_the_licence_type_is_judged_by_content(details, name, content):
    upload = SimpleUploadedFile(name, content, "application/pdf")
    with pytest.raises(ValidationError) as caught:
        services.application_submit(applicant=UserFactory(), details=details(licence_file=upload))
    assert "PDF, JPEG or PNG" in caught.value.message_dict["licence_file"][0]


def test_an_image_named_pdf_is_stored_as_the_image_it_is(details):
    upload = SimpleUploadedFile("scan.pdf", png_bytes(), "application/pdf")
    application = services.application_submit(
        applicant=UserFactory(), details=details(licence_file=upload)
    )
    assert application.licence_file.name.endswith(".png")


def test_the_licence_file_size_is_limited(details, monkeypatch):
    monkeypatch.setattr("merchants.validators.LICENCE_MAX_BYTES", 100)
    with pytest.raises(ValidationError) as caught:
        services.application_submit(applicant=UserFactory(), details=details())
    assert "too large" in caught.value.message_dict["licence_file"][0]


# --- reviewing -----------------------------------------------------------------------------


def test_approval_creates_the_merchant_with_the_applicant_as_owner(details):
    applicant, operator = UserFactory(), OperatorFactory()
    application = services.application_submit(
        applicant=applicant, details=details(kind="purchasing_agent")
    )
    merchant = services.application_approve(application=application, by=operator)

    assert merchant.status == Merchant.Status.APPROVED
    assert merchant.kind == Merchant.Kind.PURCHASING_AGENT
    assert (merchant.name_en, merchant.name_zh_hans) == ("Kiwi Fruit Trading Ltd", "奇异果贸易")
    assert merchant.slug == "kiwi-fruit-trading-ltd" and merchant.country == "NZ"
    assert sorted(merchant.categories.values_list("slug", flat=True)) == ["beauty", "health"]
    assert merchant.trade_modes == ["direct", "bonded"]
    membership = Membership.objects.get(merchant=merchant)
    assert (membership.user, membership.role, membership.is_active) == (
        applicant,
        Role.OWNER,
        True,
    )
    payout = PayoutDetails.objects.get(merchant=merchant)
    assert payout.payout_account_number == "010123045678900"
    assert payout.payout_swift == "ANZBNZ22"
    raw = raw_column("merchants_payoutdetails", "payout_account_number", payout.pk)
    assert "010123045678900" not in raw
    application.refresh_from_db()
    assert application.status == "approved" and application.merchant == merchant
    approve = MerchantEvent.objects.get(subject=merchant)
    assert (approve.transition, approve.from_state, approve.to_state, approve.actor) == (
        "approve",
        "applied",
        "approved",
        operator,
    )


def test_two_companies_with_the_same_name_get_distinct_slugs(details):
    operator = OperatorFactory()
    first = services.application_submit(applicant=UserFactory(), details=details())
    second = services.application_submit(applicant=UserFactory(), details=details())
    a = services.application_approve(application=first, by=operator)
    b = services.application_approve(application=second, by=operator)
    assert (a.slug, b.slug) == ("kiwi-fruit-trading-ltd", "kiwi-fruit-trading-ltd-2")


def test_reject_needs_a_reason_and_the_reason_is_kept(details):
    application = services.application_submit(applicant=UserFactory(), details=details())
    operator = OperatorFactory()
    with pytest.raises(ValidationError) as caught:
        services.application_reject(application=application, by=operator, reason="  ")
    assert "reason" in caught.value.message_dict
    application.refresh_from_db()
    assert application.status == "submitted"

    services.application_reject(
        application=application, by=operator, reason="The licence has expired."
    )
    application.refresh_from_db()
    assert application.status == "rejected"
    assert application.events.last().reason == "The licence has expired."
    assert not Merchant.objects.exists()


def test_request_info_then_the_applicant_updates_and_it_returns_to_the_queue(details):
    applicant, operator = UserFactory(), OperatorFactory()
    application = services.application_submit(applicant=applicant, details=details())
    services.application_request_info(
        application=application, by=operator, message="Please send a colour scan."
    )
    application.refresh_from_db()
    assert application.status == "info_requested"

    # Nobody else may answer, and blank account number / no file keep the stored ones.
    with pytest.raises(PermissionDenied):
        services.application_update(
            application=application, by=UserFactory(), details=details(licence_file=None)
        )
    old_file = application.licence_file.name
    services.application_update(
        application=application,
        by=applicant,
        details=details(licence_file=None, payout_account_number="", contact_name="Aroha Ngata"),
    )
    application.refresh_from_db()
    assert application.status == "submitted"
    assert application.contact_name == "Aroha Ngata"
    assert application.licence_file.name == old_file
    assert application.payout_account_number == "010123045678900"
    assert [e.transition for e in application.events.all()] == [
        "submit",
        "request_info",
        "resubmit",
    ]


def test_illegal_moves_are_refused(details):
    operator = OperatorFactory()
    application = services.application_submit(applicant=UserFactory(), details=details())
    services.application_approve(application=application, by=operator)
    with pytest.raises(IllegalTransition):
        services.application_approve(application=application, by=operator)
    with pytest.raises(IllegalTransition):
        services.application_reject(application=application, by=operator, reason="late")
    assert Merchant.objects.count() == 1


def test_only_operators_review(details):
    application = services.application_submit(applicant=UserFactory(), details=details())
    with pytest.raises(PermissionDenied):
        services.application_approve(application=application, by=application.applicant)
    application.refresh_from_db()
    assert application.status == "submitted"


def test_the_applicant_is_emailed_each_decision(
    details, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://silkway.example"
    applicant = UserFactory(email="aroha@kiwifruit.example")
    application = services.application_submit(applicant=applicant, details=details())
    with django_capture_on_commit_callbacks(execute=True):
        services.application_request_info(
            application=application,
            by=OperatorFactory(),
            message="Which bonded zone will you use?",
        )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["aroha@kiwifruit.example"]
    assert "Which bonded zone will you use?" in message.body
    assert f"https://silkway.example/en/apply/{application.pk}/" in message.body


def test_the_decision_email_is_in_the_applicants_language(
    details, django_capture_on_commit_callbacks
):
    applicant = UserFactory(preferred_language="zh-hans")
    application = services.application_submit(applicant=applicant, details=details())
    with django_capture_on_commit_callbacks(execute=True):
        services.application_reject(
            application=application, by=OperatorFactory(), reason="执照已过期"
        )
    body = mail.outbox[0].body
    assert "/zh-hans/apply/" in body and "执照已过期" in body
    assert "Your application" not in body


# --- the pages -----------------------------------------------------------------------------


def test_a_visitor_applies_and_gets_an_account_on_the_way(client, categories):
    data = form_data(categories)
    data.update(
        {
            "account-email": "Founder@Kiwifruit.example",
            "account-password1": "long-enough-passphrase-42",
            "account-password2": "long-enough-passphrase-42",
        }
    )
    response = client.post(reverse("apply:start"), data)
    application = MerchantApplication.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("apply:status", args=[application.pk])
    assert application.applicant.email == "founder@kiwifruit.example"
    assert application.applicant.check_password("long-enough-passphrase-42")
    status = client.get(response.url).content.decode()
    assert "Submitted, awaiting review" in status
    assert "*" * 11 + "8900" in status and "010123045678900" not in status


def test_a_visitor_whose_email_has_an_account_is_asked_to_log_in(client, categories):
    UserFactory(email="taken@example.com")
    data = form_data(categories)
    data.update(
        {
            "account-email": "taken@example.com",
            "account-password1": "long-enough-passphrase-42",
            "account-password2": "long-enough-passphrase-42",
        }
    )
    response = client.post(reverse("apply:start"), data)
    assert response.status_code == 400
    assert "An account with this email address exists: log in first." in response.content.decode()
    assert not MerchantApplication.objects.exists()


def test_a_signed_in_user_applies_and_sees_the_status(client_for, categories):
    user = UserFactory()
    client = client_for(user)
    page = client.get(reverse("apply:start")).content.decode()
    assert 'name="account-email"' not in page  # they already have an account
    assert user.email in page  # contact email prefilled
    response = client.post(reverse("apply:start"), form_data(categories))
    application = MerchantApplication.objects.get(applicant=user)
    assert response.url == reverse("apply:status", args=[application.pk])
    # Coming back to /apply/ leads to the open application instead of a second form.
    again = client.get(reverse("apply:start"))
    assert again.url == reverse("apply:status", args=[application.pk])


def test_form_errors_are_shown_next_to_the_field(client_for, categories):
    client = client_for(UserFactory())
    response = client.post(
        reverse("apply:start"),
        form_data(
            categories,
            payout_swift="XX",
            licence_file=SimpleUploadedFile("licence.pdf", b"GIF89a....", "application/pdf"),
        ),
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "A SWIFT/BIC code has 8 or 11 letters and digits" in html
    assert "The licence must be a PDF, JPEG or PNG file" in html
    assert not MerchantApplication.objects.exists()


def test_errors_are_translated_on_the_chinese_form(client_for, categories):
    client = client_for(UserFactory())
    response = client.post(
        "/zh-hans/apply/", form_data(categories, payout_swift="XX", trade_modes=None)
    )
    html = response.content.decode()
    with translation.override("zh-hans"):
        expected = [
            str(translation.gettext("Choose at least one trade mode.")),
            str(
                translation.gettext(
                    "A SWIFT/BIC code has 8 or 11 letters and digits, for example DEUTDEFF or "
                    "BKCHCNBJ110."
                )
            ),
        ]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in text) for text in expected)
    for text in expected:
        assert text in html


def test_status_shows_the_rejection_reason(client_for, details):
    application = services.application_submit(applicant=UserFactory(), details=details())
    services.application_reject(
        application=application, by=OperatorFactory(), reason="We cannot verify the licence."
    )
    html = (
        client_for(application.applicant)
        .get(reverse("apply:status", args=[application.pk]))
        .content.decode()
    )
    assert "Rejected" in html and "We cannot verify the licence." in html
    assert "Silkway operator" in html  # the operator's own address is not shown


def test_the_applicant_answers_a_request_for_information_through_the_page(
    client_for, details, categories
):
    application = services.application_submit(applicant=UserFactory(), details=details())
    services.application_request_info(
        application=application, by=OperatorFactory(), message="Add the Chinese company name."
    )
    client = client_for(application.applicant)
    status = client.get(reverse("apply:status", args=[application.pk])).content.decode()
    assert "Add the Chinese company name." in status
    assert reverse("apply:edit", args=[application.pk]) in status

    edit = client.get(reverse("apply:edit", args=[application.pk])).content.decode()
    assert "Add the Chinese company name." in edit and "***********8900" in edit
    response = client.post(
        reverse("apply:edit", args=[application.pk]),
        form_data(
            categories,
            company_name_zh_hans="新西兰奇异果贸易有限公司",
            licence_file=None,
            payout_account_number="",
        ),
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "submitted"
    assert application.company_name_zh_hans == "新西兰奇异果贸易有限公司"
    assert application.payout_account_number == "010123045678900"


def test_another_persons_application_is_404(client_for, details):
    application = services.application_submit(applicant=UserFactory(), details=details())
    services.application_request_info(application=application, by=OperatorFactory(), message="?")
    intruder = client_for(UserFactory())
    for name in ("apply:status", "apply:edit", "apply:licence"):
        assert intruder.get(reverse(name, args=[application.pk])).status_code == 404, name


def test_the_applicant_downloads_their_licence_with_its_real_type(client_for, details):
    upload = SimpleUploadedFile("scan.pdf", png_bytes(), "application/pdf")
    application = services.application_submit(
        applicant=UserFactory(), details=details(licence_file=upload)
    )
    response = client_for(application.applicant).get(
        reverse("apply:licence", args=[application.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == png_bytes()


def test_status_page_query_count_is_constant(client_for, details, django_assert_max_num_queries):
    application = services.application_submit(applicant=UserFactory(), details=details())
    client = client_for(application.applicant)
    url = reverse("apply:status", args=[application.pk])
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200


def test_selectors_only_return_the_users_own_applications(details):
    mine = services.application_submit(applicant=UserFactory(), details=details())
    other = UserFactory()
    assert list(selectors.applications_of(other)) == []
    assert selectors.application_open_of(mine.applicant) == mine


def test_a_pdf_licence_is_accepted_from_the_form(client_for, categories):
    client = client_for(UserFactory())
    client.post(reverse("apply:start"), form_data(categories, licence_file=pdf_upload("a.PDF")))
    assert MerchantApplication.objects.get().licence_kind == "pdf"


@pytest.mark.parametrize(
    ("lang", "shown"),
    [
        ("en", "Direct purchase import (9610), Bonded import (1210)"),
        ("zh-hans", "直购进口（9610）, 保税进口（1210）"),
    ],
)
def test_the_applicants_summary_shows_the_trade_modes_they_chose(client_for, details, lang, shown):
    """The summary listed everything the applicant sent except the trade modes."""
    application = services.application_submit(
        applicant=UserFactory(), details=details(trade_modes=["direct", "bonded"])
    )
    url = reverse("apply:status", args=[application.pk]).replace("/en/", f"/{lang}/")
    html = client_for(application.applicant).get(url).content.decode()
    assert f'<dd data-field="trade_modes">{shown}</dd>' in html
