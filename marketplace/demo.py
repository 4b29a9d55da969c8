"""Demo data for the embedded default: who and what a newcomer sees after `make run`.

Every step is idempotent (get-or-create on natural keys), so seeding twice changes nothing.
Apps add their own demo content by extending ``seed_demo`` with their services.
"""

from dataclasses import dataclass

from django.db import transaction

from accounts.models import User
from catalog.demo import seed_catalog_demo
from catalog.models import Category
from customs.demo import seed_customs_demo
from logistics.demo import seed_logistics_demo
from merchants.demo import seed_merchants_demo
from merchants.models import Merchant
from merchants.roles import Role
from merchants.services import membership_add, merchant_create

DEMO_PASSWORD = "silkway-demo-2026"
OPERATOR_EMAIL = "ops@silkway.local"

MERCHANTS = [
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

CATEGORIES = [
    ("beauty", "Beauty & Personal Care", "美妆个护"),
    ("mother-baby", "Mother & Baby", "母婴用品"),
    ("health", "Health & Supplements", "营养保健"),
    ("food-wine", "Food & Wine", "食品酒水"),
    ("fashion", "Fashion & Bags", "服饰箱包"),
    ("electronics", "Electronics", "数码家电"),
]


@dataclass
class DemoLogin:
    email: str
    role: str
    where: str


def _user(email: str, *, operator: bool = False) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        if operator:
            user = User.objects.create_superuser(email=email, password=DEMO_PASSWORD)
        else:
            user = User.objects.create_user(email=email, password=DEMO_PASSWORD)
    return user


@transaction.atomic
def seed_demo() -> list[DemoLogin]:
    """Create (or leave as they are) the demo operator, merchants, staff and categories."""
    logins = [DemoLogin(OPERATOR_EMAIL, "operator", "/en/ops/")]
    _user(OPERATOR_EMAIL, operator=True)
    for slug, en, zh, kind, country, staff in MERCHANTS:
        merchant = Merchant.objects.filter(slug=slug).first() or merchant_create(
            name_en=en,
            name_zh_hans=zh,
            slug=slug,
            kind=kind,
            country=country,
            status=Merchant.Status.APPROVED,
        )
        for email, role in staff:
            membership_add(merchant=merchant, user=_user(email), role=role)
            logins.append(DemoLogin(email, f"{role} of {en}", "/en/seller/"))
    for position, (slug, en, zh) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            slug=slug, defaults={"name_en": en, "name_zh_hans": zh, "position": position}
        )
    logins += seed_merchants_demo(
        make_user=_user, operator=_user(OPERATOR_EMAIL, operator=True), login_factory=DemoLogin
    )
    seed_customs_demo()  # duty & tax rate tables, a quota ledger, assessments
    seed_catalog_demo(operator=_user(OPERATOR_EMAIL, operator=True))  # brands, 63 products
    seed_logistics_demo()  # warehouses, then stock for the approved SKUs: keep it last
    return logins
