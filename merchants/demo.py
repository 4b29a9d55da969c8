"""Demo content of the merchants app, added by ``marketplace.demo.seed_demo``: a purchasing
agent (approved, with owner and staff logins, payout details and commission rates) and one
application waiting in the operators' review queue. Idempotent: natural keys decide."""

from __future__ import annotations

from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction

from catalog.models import Category, TradeMode

from .models import Merchant, MerchantApplication
from .roles import Role
from .services import (
    ApplicationDetails,
    application_submit,
    category_commission_set,
    membership_add,
    merchant_commission_set,
    merchant_create,
    payout_details_set,
)

AGENT_SLUG = "sydney-daigou"
AGENT_OWNER = "agent@sydney-daigou.example"
AGENT_STAFF = "agent-staff@sydney-daigou.example"
APPLICANT = "apply@alpine-outdoor.example"


def licence_pdf(title: str) -> bytes:
    """A small, valid one-page PDF (a stand-in for a scanned business licence)."""
    text = title.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _categories(*slugs: str) -> list[Category]:
    return list(Category.objects.filter(slug__in=slugs))


@transaction.atomic
def seed_merchants_demo(*, make_user, operator, login_factory) -> list:
    """Add the purchasing agent and the pending application; returns their demo logins.

    ``make_user(email)`` gets or creates a demo user (password ``DEMO_PASSWORD``),
    ``login_factory(email, role, where)`` builds the login line ``seed_demo`` prints.
    """
    logins = []
    agent = Merchant.objects.filter(slug=AGENT_SLUG).first()
    if agent is None:
        agent = merchant_create(
            name_en="Sydney Daigou Co.",
            name_zh_hans="悉尼代购社",
            slug=AGENT_SLUG,
            kind=Merchant.Kind.PURCHASING_AGENT,
            country="AU",
            by=operator,
        )
        agent.trade_modes = [TradeMode.PERSONAL_PARCEL.value, TradeMode.DIRECT.value]
        agent.save(update_fields=["trade_modes"])
        agent.categories.set(_categories("health", "mother-baby", "beauty"))
        owner = make_user(AGENT_OWNER)
        membership_add(merchant=agent, user=owner, role=Role.OWNER)
        payout_details_set(
            by=owner,
            merchant=agent,
            bank_name="Commonwealth Bank of Australia",
            account_holder="Sydney Daigou Pty Ltd",
            account_number="062000 12345678",
            swift="CTBAAU2S",
        )
        merchant_commission_set(merchant=agent, by=operator, rate=Decimal("6.00"))
        beauty = Category.objects.filter(slug="beauty").first()
        if beauty is not None:
            category_commission_set(
                merchant=agent, category=beauty, by=operator, rate=Decimal("8.50")
            )
    membership_add(merchant=agent, user=make_user(AGENT_STAFF), role=Role.STAFF)
    logins.append(login_factory(AGENT_OWNER, "owner of Sydney Daigou Co.", "/en/seller/"))
    logins.append(login_factory(AGENT_STAFF, "staff of Sydney Daigou Co.", "/en/seller/"))

    applicant = make_user(APPLICANT)
    if not MerchantApplication.objects.filter(applicant=applicant).exists():
        application_submit(
            applicant=applicant,
            details=ApplicationDetails(
                kind=MerchantApplication.Kind.THIRD_PARTY,
                company_name_zh_hans="阿尔卑斯户外",
                company_name_en="Alpine Outdoor GmbH",
                country="DE",
                licence_number="HRB 123456",
                licence_file=ContentFile(
                    licence_pdf("Alpine Outdoor GmbH - Handelsregister HRB 123456"),
                    name="licence.pdf",
                ),
                contact_name="Anna Berger",
                contact_email=APPLICANT,
                contact_phone="+49 89 1234567",
                categories=_categories("fashion", "electronics") or _categories("beauty"),
                trade_modes=[TradeMode.DIRECT.value, TradeMode.BONDED.value],
                payout_bank_name="Commerzbank",
                payout_account_holder="Alpine Outdoor GmbH",
                payout_account_number="DE89 3704 0044 0532 0130 00",
                payout_swift="COBADEFFXXX",
            ),
        )
    logins.append(login_factory(APPLICANT, "applicant (application awaiting review)", "/en/apply/"))
    return logins
