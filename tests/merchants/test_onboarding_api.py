"""The onboarding API (/api/v1/onboarding/applications/): apply, follow the review and answer
a request for information without the form, with the form's rules and messages, only ever
seeing your own applications. Before, applying worked only through the /apply/ form."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from merchants import services
from merchants.models import MerchantApplication
from tests.factories import OperatorFactory, UserFactory
from tests.merchants.conftest import form_data

pytestmark = pytest.mark.django_db

URL = "/api/v1/onboarding/applications/"


def _api_post(client, data, language="en"):
    # multipart, as a client uploading the licence sends it
    return client.post(URL, data, headers={"Accept-Language": language})


def _page_errors(client, data, language="en") -> dict:
    """What the /apply/ form says about the same input, field by field."""
    response = client.post(f"/{language}/apply/", data)
    assert response.status_code == 400
    form = response.context["form"]
    return {
        ("non_field_errors" if name == "__all__" else name): list(errors)
        for name, errors in form.errors.items()
    }


def test_a_signed_in_user_applies_with_a_licence_and_sees_it(client_for, categories):
    user = UserFactory()
    client = client_for(user)
    response = _api_post(client, form_data(categories))
    assert response.status_code == 201, response.content
    body = response.json()
    application = MerchantApplication.objects.get(applicant=user)
    assert body["id"] == application.pk
    assert body["status"] == "submitted" and body["status_label"] == "Submitted, awaiting review"
    assert body["trade_modes"] == ["direct", "bonded"]
    assert sorted(body["categories"]) == sorted(c.pk for c in categories)
    assert body["payout_account_masked"] == "***********8900"
    assert "010123045678900" not in response.content.decode()  # never in full
    assert body["payout_swift"] == "ANZBNZ22"
    assert [e["transition"] for e in body["events"]] == ["submit"]
    assert application.licence_file.name.endswith(".pdf")

    listed = client.get(URL).json()
    assert [a["id"] for a in listed["results"]] == [application.pk]
    assert client.get(f"{URL}{application.pk}/").json() == body
    licence = client.get(f"{URL}{application.pk}/licence/")
    assert licence.status_code == 200 and licence["Content-Type"] == "application/pdf"
    assert b"".join(licence.streaming_content).startswith(b"%PDF")


def test_the_page_shows_what_the_api_filed(client_for, categories):
    user = UserFactory()
    client = client_for(user)
    pk = _api_post(client, form_data(categories)).json()["id"]
    html = client.get(reverse("apply:status", args=[pk])).content.decode()
    assert "Kiwi Fruit Trading Ltd" in html and "Direct purchase import (9610)" in html


# Every rule of the form, each answered with the form's own message on the same field.
RULES = [
    ("payout_swift", "ANZB"),
    ("payout_account_number", "GB82WEST12345698765431"),
    ("payout_account_number", "12"),
    ("payout_account_number", None),
    ("contact_phone", "call me"),
    ("contact_email", "not an email"),
    ("country", "New Zealand"),
    ("trade_modes", None),
    ("trade_modes", ["smuggling"]),
    ("categories", None),
    ("categories", [999999]),
    ("company_name_en", ""),
    ("company_name_zh_hans", ""),
    ("licence_number", ""),
    ("kind", "smuggler"),
    ("licence_file", None),
    ("licence_file", "html"),
    ("licence_file", "exe"),
]
BAD_FILES = {
    "html": ("licence.pdf", b"<html><script>alert(1)</script></html>"),
    "exe": ("licence.exe", b"MZ\x90\x00"),
}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(("field", "value"), RULES)
def test_every_rule_answers_with_the_forms_message(client_for, categories, field, value, language):
    if isinstance(value, str) and value in BAD_FILES:
        name, content = BAD_FILES[value]
        value = SimpleUploadedFile(name, content, "application/pdf")
    client = client_for(UserFactory())

    def posted():
        data = form_data(categories)
        data.pop(field)
        if value is not None:
            if isinstance(value, SimpleUploadedFile):
                value.seek(0)
            data[field] = value
        return data

    page = _page_errors(client, posted(), language)
    response = _api_post(client, posted(), language)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"] == page
    assert field in error["fields"]
    assert not MerchantApplication.objects.exists()


def test_a_rule_of_the_service_gives_its_message_too(client_for, categories, details):
    """One open application per person: the service's rule, the same sentence."""
    user = UserFactory()
    services.application_submit(applicant=user, details=details())
    response = _api_post(client_for(user), form_data(categories), "zh-hans")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["fields"] == {"non_field_errors": ["您已有一份正在审核的申请，请修改该申请。"]}
    assert MerchantApplication.objects.count() == 1


def test_a_body_that_is_not_an_object_is_refused_not_a_server_error(client_for, categories):
    client = client_for(UserFactory())
    response = client.post(URL, ["kind", "third_party"], content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
    assert not MerchantApplication.objects.exists()


def test_anonymous_callers_must_sign_in_first(categories):
    response = _api_post(Client(), form_data(categories))
    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] == "not_authenticated"
    assert Client().get(URL).status_code in (401, 403)
    assert not MerchantApplication.objects.exists()


def test_submissions_are_throttled_per_user(client_for, categories, settings):
    settings.REST_FRAMEWORK = {
        **django_settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "applications": "2/hour",
        },
    }
    client = client_for(UserFactory())
    codes = [_api_post(client, form_data(categories, country="??")).status_code for _ in range(3)]
    assert codes == [400, 400, 429]
    error = _api_post(client, form_data(categories)).json()["error"]
    assert error["status"] == 429 and error["code"] == "throttled" and error["retry_after"] > 0
    assert client.get(URL).status_code == 200  # reading is not counted
    # another person has their own count
    assert _api_post(client_for(UserFactory()), form_data(categories)).status_code == 201


def test_an_applicant_sees_only_their_own_application(client_for, categories):
    owner, other = UserFactory(), UserFactory()
    pk = _api_post(client_for(owner), form_data(categories)).json()["id"]
    stranger = client_for(other)
    for response in (
        stranger.get(f"{URL}{pk}/"),
        stranger.get(f"{URL}{pk}/licence/"),
        stranger.put(f"{URL}{pk}/", {}, content_type="application/json"),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert stranger.get(URL).json()["results"] == []
    # an operator is no applicant either: the review happens in the back office
    assert client_for(OperatorFactory()).get(f"{URL}{pk}/").status_code == 404


def test_the_applicant_answers_a_request_for_information(client_for, categories, details):
    user = UserFactory()
    application = services.application_submit(applicant=user, details=details())
    client = client_for(user)
    data = form_data(categories, company_name_en="Kiwi Fruit Trading Limited")
    del data["licence_file"], data["payout_account_number"]  # kept when left out

    refused = client.put(f"{URL}{application.pk}/", data, content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"] == {
        "non_field_errors": [
            "This application can only be changed after the operator asks for information."
        ]
    }

    services.application_request_info(
        application=application, by=OperatorFactory(), message="Add the full legal name."
    )
    shown = client.get(f"{URL}{application.pk}/").json()
    assert shown["status"] == "info_requested"
    assert shown["events"][-1]["reason"] == "Add the full legal name."
    assert shown["events"][-1]["by"] == "operator"

    response = client.put(f"{URL}{application.pk}/", data, content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "submitted" and body["company_name_en"] == "Kiwi Fruit Trading Limited"
    assert body["payout_account_masked"] == "***********8900"
    assert [e["transition"] for e in body["events"]] == ["submit", "request_info", "resubmit"]
    application.refresh_from_db()
    assert application.licence_file.name.endswith(".pdf")


def test_the_schema_describes_the_upload(client):
    schema = client.get("/api/schema/?format=json").json()
    post = schema["paths"][URL]["post"]
    body = post["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert body["properties"]["licence_file"] == {"type": "string", "format": "binary"}
    assert "direct" in body["properties"]["trade_modes"]["items"]["enum"]
    assert "licence_file" in body["required"]
    assert set(schema["paths"]) >= {f"{URL}{{id}}/", f"{URL}{{id}}/licence/"}
    licence = schema["paths"][f"{URL}{{id}}/licence/"]["get"]["responses"]["200"]["content"]
    assert set(licence) == {"application/pdf", "image/jpeg", "image/png"}
    put = schema["paths"][f"{URL}{{id}}/"]["put"]["requestBody"]["content"]
    assert "licence_file" not in put["application/json"]["schema"]["properties"]
