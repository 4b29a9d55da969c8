"""Demo customs profile: the platform declares as itself with an SM2 software key, over HTTP
to the gateway simulator that ``make run`` starts (CUSTOMS_GATEWAY_URL). Idempotent.

The companies' codes are made up in the shape of real ones; the key's certificate is
self-signed (a real one comes from the e-port's CA).
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from customs.signing.algorithms import SignatureAlgorithm

from .models import CustomsCompany, CustomsProfile
from .services import signing_key_generate

DEMO_PROFILE = "丝路跨境平台 (demo)"


@transaction.atomic
def seed_customs_profiles_demo() -> CustomsProfile:
    """The platform-wide demo profile and its companies and key."""
    existing = CustomsProfile.objects.filter(merchant__isnull=True).first()
    if existing is not None:
        return existing
    role = CustomsCompany.Role

    def company(kind: str, code: str, name: str) -> CustomsCompany:
        return CustomsCompany.objects.get_or_create(role=kind, code=code, defaults={"name": name})[
            0
        ]

    platform = company(role.PLATFORM, "3301963K69", "丝路跨境电子商务平台有限公司")
    key = signing_key_generate(
        name="demo SM2 key",
        algorithm=SignatureAlgorithm.SM2_SM3,
        cert_no="DEMO0001",
        common_name=platform.name,
    )
    return CustomsProfile.objects.create(
        name=DEMO_PROFILE,
        platform=platform,
        ecommerce=company(role.ECOMMERCE, "3301963K69", platform.name),
        payment=company(role.PAYMENT, "312226T001", "丝路支付有限公司"),
        logistics=company(role.LOGISTICS, "1101180326", "丝路国际物流有限公司"),
        guarantor=company(role.GUARANTOR, "3301963K69", platform.name),
        agent=company(role.AGENT, "3301963K69", platform.name),
        # the demo's bonded warehouse sits in a bonded zone: its operator and ledger, so bonded
        # (1210) demo orders are declared too
        bonded_zone=company(role.BONDED_ZONE, "3301960B01", "丝路保税仓储有限公司"),
        ems_no="T2923W000001",
        customs_code="2923",
        port_code="2923",
        dxp_id="DXPENT0000458763",
        gateway_url=settings.CUSTOMS_GATEWAY_URL,
        signing_key=key,
    )
