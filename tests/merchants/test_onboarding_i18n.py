"""The merchants pages in Chinese carry no English UI text (data such as emails, bank names
and codes is removed before the check), and the demo data is in place."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from marketplace.demo import seed_demo
from merchants.models import Membership, Merchant, MerchantApplication, PayoutDetails
from tests.marketplace.test_i18n import english_words

pytestmark = pytest.mark.django_db

# Bank and payment codes Chinese pages use as they are.
ACRONYMS = {"SWIFT", "BIC", "IBAN", "PDF", "JPEG", "PNG", "MB"}
DATA = [
    r"[\w.+-]+@[\w.-]+",  # email addresses
    "Sydney Daigou Co.",
    "Commonwealth Bank of Australia",
    "Sydney Daigou Pty Ltd",
    "Alpine Outdoor GmbH",
    "Anna Berger",
    "Commerzbank",
    "HRB",
    "CTBAAU2S",  # SWIFT codes
]


def chinese_page_english(html: str) -> set[str]:
    for pattern in DATA:
        html = re.sub(pattern, "", html)
    return english_words(html) - ACRONYMS


@pytest.fixture
def demo(db):
    seed_demo()


def login(client, email):
    client.force_login(User.objects.get(email=email))
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/zh-hans/seller/",
        "/zh-hans/seller/profile/",
        "/zh-hans/seller/team/",
        "/zh-hans/seller/team/invite/",
        "/zh-hans/seller/commission/",
        "/zh-hans/seller/payout/",
        "/zh-hans/seller/payout/edit/",
    ],
)
def test_seller_merchant_pages_in_chinese(client, demo, path):
    html = login(client, "agent@sydney-daigou.example").get(path).content.decode()
    assert chinese_page_english(html) == set(), path


def test_application_pages_in_chinese(client, demo):
    assert chinese_page_english(client.get("/zh-hans/apply/").content.decode()) == set()
    applicant = login(client, "apply@alpine-outdoor.example")
    application = MerchantApplication.objects.get(applicant__email="apply@alpine-outdoor.example")
    status = applicant.get(f"/zh-hans/apply/{application.pk}/").content.decode()
    assert "阿尔卑斯户外" in status
    assert chinese_page_english(status) == set()


def test_invitation_pages_in_chinese(client, demo):
    from merchants import services

    invitation = services.invitation_create(
        by=User.objects.get(email="agent@sydney-daigou.example"),
        merchant=Merchant.objects.get(slug="sydney-daigou"),
        email="new@sydney-daigou.example",
        role="staff",
    )
    token = services.invitation_token(invitation)
    html = client.get(f"/zh-hans/seller/join/{token}/").content.decode()
    assert chinese_page_english(html) == set()
    owner = login(client, "agent@sydney-daigou.example")
    detail = owner.get(f"/zh-hans/seller/team/invitations/{invitation.pk}/").content.decode()
    assert chinese_page_english(detail) == set()
    assert (
        chinese_page_english(client.get("/zh-hans/seller/join/nonsense/").content.decode()) == set()
    )


def test_demo_has_a_purchasing_agent_and_a_pending_application(demo, capsys):
    agent = Merchant.objects.get(slug="sydney-daigou")
    assert agent.kind == Merchant.Kind.PURCHASING_AGENT and agent.status == "approved"
    roles = dict(Membership.objects.filter(merchant=agent).values_list("user__email", "role"))
    assert roles == {
        "agent@sydney-daigou.example": "owner",
        "agent-staff@sydney-daigou.example": "staff",
    }
    assert PayoutDetails.objects.get(merchant=agent).payout_account_masked.endswith("5678")
    pending = MerchantApplication.objects.get(status="submitted")
    assert pending.company_name_en == "Alpine Outdoor GmbH"
    assert pending.licence_file.read().startswith(b"%PDF-")
    # Seeding again changes nothing, and the new logins are printed with the others.
    counts = (
        Merchant.objects.count(),
        MerchantApplication.objects.count(),
        Membership.objects.count(),
    )
    call_command("seed_demo")
    assert counts == (
        Merchant.objects.count(),
        MerchantApplication.objects.count(),
        Membership.objects.count(),
    )
    out = capsys.readouterr().out
    for email in (
        "agent@sydney-daigou.example",
        "agent-staff@sydney-daigou.example",
        "apply@alpine-outdoor.example",
    ):
        assert email in out


def test_demo_agent_owner_sees_the_portal(client, demo):
    html = login(client, "agent@sydney-daigou.example").get(reverse("seller:commission"))
    assert "8.50%" in html.content.decode() and "6.00%" in html.content.decode()
