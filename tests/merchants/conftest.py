"""Fixtures for the merchants tests: everyone who might knock on a seller page, and a
private media folder so uploaded licences do not land in the checkout."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from merchants.roles import Role
from tests.factories import MembershipFactory, MerchantFactory, OperatorFactory, UserFactory


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Every story here signs several people in; the real hasher would dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Cast:
    merchant: object
    other_merchant: object
    users: dict
    clients: dict
    memberships: dict

    def __getitem__(self, who: str) -> Client:
        return self.clients[who]


WHO = ("anonymous", "shopper", "operator", "staff", "manager", "owner", "other_merchant")


@pytest.fixture
def cast(db, client_for) -> Cast:
    """Merchant A with an owner, a manager and a staff member; merchant B's owner; a shopper
    with no merchant; an operator; and an anonymous visitor — each with their own client."""
    merchant = MerchantFactory(name_en="Alpha Trading", name_zh_hans="阿尔法贸易")
    other = MerchantFactory(name_en="Beta Goods", name_zh_hans="贝塔商品")
    memberships = {
        "owner": MembershipFactory(merchant=merchant, role=Role.OWNER),
        "manager": MembershipFactory(merchant=merchant, role=Role.MANAGER),
        "staff": MembershipFactory(merchant=merchant, role=Role.STAFF),
        "other_merchant": MembershipFactory(merchant=other, role=Role.OWNER),
    }
    users = {who: m.user for who, m in memberships.items()}
    users["shopper"] = UserFactory()
    users["operator"] = OperatorFactory()
    clients = {who: client_for(user) for who, user in users.items()}
    clients["anonymous"] = Client()
    return Cast(merchant, other, users, clients, memberships)


def page_outcome(response) -> str:
    """What a person sees: 'ok', 'login' (sent to log in), 'choose' (asked to pick a merchant
    they work for), 'forbidden', 'not found', or the status code."""
    if response.status_code == 200:
        return "ok"
    if response.status_code == 302:
        if "/accounts/login/" in response.url:
            return "login"
        if response.url.endswith("/seller/choose/"):
            return "choose"
        return f"redirect {response.url}"
    return {403: "forbidden", 404: "not found"}.get(response.status_code, response.status_code)


def api_outcome(response) -> str:
    if response.status_code in (200, 201):
        return "ok"
    return {401: "forbidden", 403: "forbidden", 404: "not found"}.get(
        response.status_code, response.status_code
    )


PAGE_NON_MEMBERS = {"anonymous": "login", "shopper": "choose", "operator": "choose"}
API_NON_MEMBERS = {"anonymous": "forbidden", "shopper": "forbidden", "operator": "forbidden"}


def pdf_upload(name: str = "licence.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from merchants.demo import licence_pdf

    return SimpleUploadedFile(name, licence_pdf("Licence 91310000"), "application/pdf")


def png_bytes() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def categories(db):
    from tests.factories import CategoryFactory

    return [
        CategoryFactory(name_en="Beauty", name_zh_hans="美妆", slug="beauty"),
        CategoryFactory(name_en="Health", name_zh_hans="保健", slug="health"),
    ]


@pytest.fixture
def details(categories):
    """A factory of complete, valid application details (override any field)."""
    from merchants.services import ApplicationDetails

    def make(**overrides) -> ApplicationDetails:
        values = {
            "kind": "third_party",
            "company_name_zh_hans": "奇异果贸易",
            "company_name_en": "Kiwi Fruit Trading Ltd",
            "country": "nz",
            "licence_number": "NZBN 9429041234567",
            "licence_file": pdf_upload(),
            "contact_name": "Aroha Smith",
            "contact_email": "aroha@kiwifruit.example",
            "contact_phone": "+64 9 123 4567",
            "categories": list(categories),
            "trade_modes": ["direct", "bonded"],
            "payout_bank_name": "ANZ Bank New Zealand",
            "payout_account_holder": "Kiwi Fruit Trading Ltd",
            "payout_account_number": "01-0123-0456789-00",
            "payout_swift": "anzbnz22",
        }
        values.update(overrides)
        return ApplicationDetails(**values)

    return make


def form_data(categories, **overrides) -> dict:
    """What a browser posts from the application form."""
    data = {
        "kind": "third_party",
        "company_name_zh_hans": "奇异果贸易",
        "company_name_en": "Kiwi Fruit Trading Ltd",
        "country": "NZ",
        "licence_number": "NZBN 9429041234567",
        "licence_file": pdf_upload(),
        "contact_name": "Aroha Smith",
        "contact_email": "aroha@kiwifruit.example",
        "contact_phone": "+64 9 123 4567",
        "categories": [c.pk for c in categories],
        "trade_modes": ["direct", "bonded"],
        "payout_bank_name": "ANZ Bank New Zealand",
        "payout_account_holder": "Kiwi Fruit Trading Ltd",
        "payout_account_number": "01-0123-0456789-00",
        "payout_swift": "ANZBNZ22",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
