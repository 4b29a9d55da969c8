"""Demo content for the duty & tax back office: the rate tables (seeded by migration; topped
up here), one buyer's quota ledger, and an estimate with a final assessment that differs from
it, so an operator sees the "differs from estimate" flag after `make run`.

Idempotent: the ledger usage is keyed by its order reference and the assessments by theirs.
Assessments are computed in process here, so the demo does not depend on a running worker.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from customs.engine import LineItem
from customs.models import DutyAssessment
from customs.profiles.demo import seed_customs_profiles_demo
from customs.services import (
    duty_assessment_compute,
    duty_assessment_request,
    quota_record_usage,
    rate_tables_seed,
)
from marketplace.demo import DemoStep

# A well-formed sample identity number (GB 11643 check character), not a real person's.
DEMO_BUYER_ID = "11010519491231002X"
DEMO_DATE = date(2026, 11, 22)


def _lines(usd_price: str) -> list[LineItem]:
    return [
        LineItem(
            "DEMO-SERUM",
            "3304990099",
            1,
            Decimal("680.00"),
            "CNY",
            attributes=frozenset({"high_end_cosmetic"}),
        ),
        LineItem("DEMO-EARBUDS", "8518300000", 1, Decimal(usd_price), "USD"),
    ]


def seed_customs_demo() -> None:
    """Rate tables, a buyer with 3,200 CNY used this year, an estimate and a differing final,
    and the platform's customs profile (SM2 software key, HTTP to the gateway simulator)."""
    rate_tables_seed()
    seed_customs_profiles_demo()
    quota_record_usage(
        id_number=DEMO_BUYER_ID,
        year=DEMO_DATE.year,
        amount=Decimal("3200.00"),
        reference="DEMO-ORDER-1001",
    )
    if DutyAssessment.objects.filter(reference="DEMO-ORDER-1002").exists():
        return
    # The cart's estimate froze USD at 7.10; by payment the operator's rate was 7.25.
    estimate = duty_assessment_request(
        destination="CN",
        mode="direct",
        lines=_lines("69.90"),
        freight=Decimal("25.00"),
        id_number=DEMO_BUYER_ID,
        fx_rates={"USD": Decimal("7.10")},
        order_date=DEMO_DATE,
        reference="DEMO-ORDER-1002",
        freeze=False,
    )
    duty_assessment_compute(assessment_id=estimate.pk)
    final = duty_assessment_request(
        destination="CN",
        mode="direct",
        lines=_lines("69.90"),
        freight=Decimal("25.00"),
        id_number=DEMO_BUYER_ID,
        fx_rates={"USD": Decimal("7.25")},
        order_date=DEMO_DATE,
        reference="DEMO-ORDER-1002",
        estimate=estimate,
    )
    duty_assessment_compute(assessment_id=final.pk)


DEMO_STEPS = [DemoStep("customs.rates", lambda demo: seed_customs_demo())]
