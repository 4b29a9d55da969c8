"""Query counts of the customs endpoint and back-office screens are pinned, and none grows
with the lines of a quote or the rows a screen lists."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from customs.models import DutyAssessment, QuotaLedger
from customs.services import duty_assessment_compute, duty_assessment_request, quota_record_usage
from tests.customs.helpers import line
from tests.customs.test_admin import try_quote_form
from tests.customs.test_quote_api import order
from tests.querycounts import assert_queries, count_queries

pytestmark = pytest.mark.django_db


def test_a_quote_costs_the_same_queries_for_one_line_or_ten(client, rate_tables):
    one = order()
    ten = order(lines=one["lines"] * 10)
    url = "/api/v1/duties/quote"

    def quote(body):
        return count_queries(
            client, url, method="post", data=json.dumps(body), content_type="application/json"
        )

    quote(one)  # the rate book is built once per process and version, then reused
    # the rate book is cached and the quote reads nothing else: no query at all
    assert quote(one) == quote(ten) == 0


@pytest.fixture
def ops(client_for, operator):
    return client_for(operator)


@pytest.fixture
def more_assessments(rate_tables):
    def grow():
        for n in range(3):
            assessment = duty_assessment_request(
                destination="CN",
                mode="direct",
                lines=[line("680.00", hs="3304990099"), line("69.90", currency="USD")],
                order_date=date(2026, 11, 22),
                reference=f"SO-{DutyAssessment.objects.count() + n}",
                fx_rates={"USD": Decimal("7.10")},
            )
            duty_assessment_compute(assessment_id=assessment.pk)

    return grow


@pytest.fixture
def more_ledgers(rate_tables, id_number):
    serial = iter(range(1, 100))

    def grow():
        for _ in range(3):
            quota_record_usage(
                id_number=id_number(next(serial)),
                year=2026,
                amount=Decimal("10"),
                reference="SO-1",
            )

    return grow


@pytest.mark.parametrize(
    ("name", "pin"),
    [("regime", 6), ("hsrate", 6), ("postalcategory", 4), ("vatrate", 5)],
)
def test_rate_table_screens(ops, rate_tables, name, pin):
    assert_queries(ops, reverse(f"admin:customs_{name}_changelist"), pin=pin)


def test_the_assessment_list_and_lifecycle(ops, more_assessments):
    assert_queries(
        ops, reverse("admin:customs_dutyassessment_changelist"), pin=7, grow=more_assessments
    )
    assessment = DutyAssessment.objects.first()
    assert_queries(ops, reverse("admin:customs_dutyassessment_change", args=[assessment.pk]), pin=5)


def test_the_quota_ledger_list(ops, more_ledgers):
    assert_queries(ops, reverse("admin:customs_quotaledger_changelist"), pin=4, grow=more_ledgers)
    ledger = QuotaLedger.objects.first()
    assert_queries(ops, reverse("admin:customs_quotaledger_change", args=[ledger.pk]), pin=4)


def test_try_a_quote(ops, rate_tables):
    url = reverse("admin:customs_try_quote")
    assert_queries(ops, url, pin=3)
    assert_queries(ops, url, method="post", data=try_quote_form(), pin=1)
