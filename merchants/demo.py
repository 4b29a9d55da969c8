"""Demo content of the merchants app (``DEMO_STEPS``, run by ``marketplace.demo.seed_demo``):
the self-operated store and two third-party merchants with owner and staff logins, a
purchasing agent (with payout details and commission rates) and one application waiting in
the operators' review queue. Idempotent: natural keys decide.

Categories are catalog's rows: the agent's categories and the application's are looked up
by slug through merchants' own relations (``Merchant.categories``), after catalog's
``catalog.categories`` step has made them; merchants imports nothing from catalog."""

from __future__ import annotations

from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction

from marketplace.clearance import ClearanceMode
from marketplace.demo import Demo, DemoStep

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


STORES = [
    # slug, en, zh-hans, kind, country, [(email, role)]
    (
        "silkway-global",
        "Silkway Global Store",
        "丝路全球自营店",
        Merchant.Kind.SELF_OPERATED,
        "CN",
        [("store@silkway.local", Role.OWNER), ("store-staff@silkway.local", Role.STAFF)],
    ),
    (
        "kiwi-nature",
        "Kiwi Nature Co.",
        "奇异自然",
        Merchant.Kind.THIRD_PARTY,
        "NZ",
        [("owner@kiwi-nature.example", Role.OWNER), ("staff@kiwi-nature.example", Role.STAFF)],
    ),
    (
        "tokyo-beauty",
        "Tokyo Beauty House",
        "东京美妆屋",
        Merchant.Kind.THIRD_PARTY,
        "JP",
        [("owner@tokyo-beauty.example", Role.OWNER), ("staff@tokyo-beauty.example", Role.STAFF)],
    ),
]


def _categories(*slugs: str) -> list:
    """Catalog categories by slug, reached through ``Merchant.categories`` (no import)."""
    category_model = Merchant.categories.field.related_model
    return list(category_model.objects.filter(slug__in=slugs))


def seed_stores(demo: Demo) -> None:
    """The approved merchants every demo login belongs to, with their owners and staff."""
    for slug, en, zh, kind, country, staff in STORES:
        merchant = Merchant.objects.filter(slug=slug).first() or merchant_create(
            name_en=en,
            name_zh_hans=zh,
            slug=slug,
            kind=kind,
            country=country,
            status=Merchant.Status.APPROVED,
        )
        for email, role in staff:
            membership_add(merchant=merchant, user=demo.user(email), role=role)
            demo.login(email, f"{role} of {en}", "/en/seller/")


@transaction.atomic
def seed_onboarding(demo: Demo) -> None:
    """The purchasing agent and the application awaiting review, with their logins."""
    make_user, operator = demo.user, demo.operator
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
        agent.trade_modes = [ClearanceMode.PERSONAL_PARCEL.value, ClearanceMode.DIRECT.value]
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
        beauty = next(iter(_categories("beauty")), None)
        if beauty is not None:
            category_commission_set(
                merchant=agent, category=beauty, by=operator, rate=Decimal("8.50")
            )
    membership_add(merchant=agent, user=make_user(AGENT_STAFF), role=Role.STAFF)
    demo.login(AGENT_OWNER, "owner of Sydney Daigou Co.", "/en/seller/")
    demo.login(AGENT_STAFF, "staff of Sydney Daigou Co.", "/en/seller/")

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
                trade_modes=[ClearanceMode.DIRECT.value, ClearanceMode.BONDED.value],
                payout_bank_name="Commerzbank",
                payout_account_holder="Alpine Outdoor GmbH",
                payout_account_number="DE89 3704 0044 0532 0130 00",
                payout_swift="COBADEFFXXX",
            ),
        )
    demo.login(APPLICANT, "applicant (application awaiting review)", "/en/apply/")


DEMO_STEPS = [
    DemoStep("merchants.stores", seed_stores),
    DemoStep("merchants.onboarding", seed_onboarding, after=("catalog.categories",)),
]
