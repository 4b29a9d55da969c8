"""Stored duty assessments: requested, computed by the task (and by a real worker), frozen,
recomputed, failed, and compared with the estimate they were made from."""

import time
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from customs.engine import ENGINE_VERSION, InvalidRequestError, NoRegimeError
from customs.models import DutyAssessment, HsRate, Regime
from customs.selectors import ratebook_invalidate
from customs.services import (
    duty_assessment_compute,
    duty_assessment_freeze,
    duty_assessment_recompute,
    duty_assessment_request,
    quota_record_usage,
)
from customs.tasks import compute_duty_assessment, sweep_duty_assessments
from marketplace.transitions import IllegalTransition
from tests.customs.helpers import HS_COSMETIC, line

S = DutyAssessment.Status
DAY = date(2026, 11, 22)


def example_one(**kwargs):
    """Worked example 1 of taxes.md: 300 + freight 20, ordinary goods, 9610."""
    arguments = {
        "destination": "CN",
        "mode": "direct",
        "lines": [line("300.00", sku="TEE")],
        "freight": Decimal("20.00"),
        "order_date": DAY,
        "reference": "SO-1",
    }
    return duty_assessment_request(**(arguments | kwargs))


@pytest.mark.django_db
class TestLifecycle:
    def test_a_request_writes_a_pending_row_and_enqueues_after_commit(
        self, rate_tables, fx, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            assessment = example_one()
        assert assessment.status == S.PENDING and assessment.result is None
        assert assessment.request["lines"][0]["unit_price"] == "300.00"
        assert Decimal(assessment.fx_rates["USD"]) == Decimal(
            "7.10"
        )  # frozen now: the operator's rate into CNY
        assert len(callbacks) == 1  # the task is only sent once the row is committed

    def test_the_task_computes_and_freezes_with_the_breakdown_rates_and_versions(
        self, rate_tables, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            assessment = example_one()  # eager: the task runs on commit
        assessment.refresh_from_db()
        assert assessment.status == S.FROZEN
        assert assessment.tax_total == Decimal("29.12")
        assert assessment.regime_code == "CN_CBEC_9610" and assessment.currency == "CNY"
        vat = assessment.result["lines"][0]["taxes"][-1]
        assert vat == {
            "kind": "vat",
            "base": "320.00",
            "rate": "0.13",
            "factor": "0.7",
            "amount": "29.12",
            "waived": False,
            "due": "29.12",
        }
        assert assessment.rates_used["regime"]["code"] == "CN_CBEC_9610"
        assert assessment.rates_used["regime"]["yearly_limit"] == "26000.00"
        assert assessment.rates_used["lines"][0]["hs_prefix"] == "61"
        assert assessment.rates_used["standard_vat"] == "0.13"
        assert assessment.engine_version == ENGINE_VERSION and assessment.ratebook_version
        assert assessment.computed_at and assessment.frozen_at
        assert list(assessment.events.values_list("transition", flat=True)) == [
            "compute",
            "freeze",
        ]

    def test_running_the_task_again_changes_nothing(self, rate_tables):
        assessment = example_one()
        duty_assessment_compute(assessment_id=assessment.pk)
        first = DutyAssessment.objects.get(pk=assessment.pk)
        assert compute_duty_assessment.apply(args=[assessment.pk]).get() == S.FROZEN
        again = DutyAssessment.objects.get(pk=assessment.pk)
        assert (again.computed_at, again.attempts, again.events.count()) == (
            first.computed_at,
            1,
            2,
        )

    def test_a_frozen_assessment_is_never_recomputed(self, rate_tables):
        assessment = example_one()
        duty_assessment_compute(assessment_id=assessment.pk)
        assessment.refresh_from_db()
        with pytest.raises(IllegalTransition):
            duty_assessment_recompute(assessment=assessment)

    def test_an_open_one_is_recomputed_with_the_rates_in_force(
        self, rate_tables, operator, django_capture_on_commit_callbacks
    ):
        assessment = example_one(freeze=False)
        duty_assessment_compute(assessment_id=assessment.pk)
        assessment.refresh_from_db()
        assert assessment.status == S.COMPUTED
        HsRate.objects.filter(table="CN", hs_prefix="61", flag="").update(vat_rate=Decimal("0.09"))
        ratebook_invalidate()
        with django_capture_on_commit_callbacks(execute=True):
            duty_assessment_recompute(assessment=assessment, by=operator, reason="rate fixed")
        assessment.refresh_from_db()
        assert assessment.status == S.COMPUTED
        assert assessment.tax_total == Decimal("20.16")  # 320 x 9 % x 0.7
        recompute = assessment.events.get(transition="recompute")
        assert (recompute.actor, recompute.reason) == (operator, "rate fixed")
        duty_assessment_freeze(assessment=assessment, by=operator)
        assert DutyAssessment.objects.get(pk=assessment.pk).status == S.FROZEN

    def test_an_assessment_the_rules_no_longer_cover_fails_with_the_reason(self, rate_tables):
        assessment = example_one()
        Regime.objects.filter(code="CN_CBEC_9610").delete()
        ratebook_invalidate()
        duty_assessment_compute(assessment_id=assessment.pk)
        assessment.refresh_from_db()
        assert assessment.status == S.FAILED
        assert "no tax regime is set up" in assessment.error
        assert assessment.events.get().reason == assessment.error

    def test_bad_input_is_refused_before_anything_is_written(self, rate_tables):
        with pytest.raises(NoRegimeError):
            example_one(mode="bonded", destination="DE")
        with pytest.raises(InvalidRequestError):
            example_one(order_discount=Decimal("-1"))
        with pytest.raises(ValidationError):
            example_one(id_number="123")
        assert not DutyAssessment.objects.exists()

    def test_the_buyers_year_so_far_is_read_when_computing(self, rate_tables, id_number):
        buyer = id_number(3)
        assessment = example_one(id_number=buyer)
        # The identity number itself is not stored with the assessment.
        assert buyer not in str(assessment.request) and assessment.buyer_digest
        quota_record_usage(id_number=buyer, year=2026, amount=Decimal("25800.00"), reference="X")
        duty_assessment_compute(assessment_id=assessment.pk)
        assessment.refresh_from_db()
        assert assessment.buyer_year_to_date == Decimal("25800.00")
        assert assessment.blocked and assessment.tax_total == Decimal("0.00")
        assert assessment.result["blocking"][0]["code"] == "cbec_yearly_limit"
        assert assessment.result["yearly_remaining"] == "200.00"

    def test_the_sweeper_enqueues_what_is_still_pending(self, rate_tables):
        old = example_one()
        DutyAssessment.objects.filter(pk=old.pk).update(
            created_at=timezone.now() - timedelta(hours=1)
        )
        fresh = example_one(reference="SO-2")
        assert sweep_duty_assessments.apply().get() == 1  # eager: computed right away
        assert DutyAssessment.objects.get(pk=old.pk).status == S.FROZEN
        assert DutyAssessment.objects.get(pk=fresh.pk).status == S.PENDING


@pytest.mark.django_db
class TestEstimateAndFinal:
    def order(self, **kwargs):
        arguments = {
            "destination": "CN",
            "mode": "direct",
            "lines": [
                line("680.00", hs=HS_COSMETIC, sku="SERUM", attributes={"high_end_cosmetic"}),
                line("69.90", currency="USD", sku="EARBUDS", hs="8518300000"),
            ],
            "freight": Decimal("25.00"),
            "order_date": DAY,
            "reference": "SO-9",
        }
        return duty_assessment_request(**(arguments | kwargs))

    def test_a_final_with_the_same_figures_is_not_flagged(self, rate_tables):
        estimate = self.order(freeze=False)
        duty_assessment_compute(assessment_id=estimate.pk)
        final = self.order(estimate=estimate)
        duty_assessment_compute(assessment_id=final.pk)
        final.refresh_from_db()
        assert not final.differs_from_estimate and final.differences == []

    def test_a_final_that_differs_keeps_both_and_is_flagged(self, rate_tables):
        estimate = self.order(freeze=False, fx_rates={"USD": Decimal("7.10")})
        duty_assessment_compute(assessment_id=estimate.pk)
        final = self.order(estimate=estimate, fx_rates={"USD": Decimal("7.25")})
        duty_assessment_compute(assessment_id=final.pk)
        final.refresh_from_db()
        estimate.refresh_from_db()
        assert final.differs_from_estimate
        changed = {d["field"]: (d["estimate"], d["final"]) for d in final.differences}
        assert changed["tax_total"] == (estimate.result["tax_total"], final.result["tax_total"])
        assert "lines[1].tax_total" in changed and "lines[0].tax_total" in changed
        assert estimate.tax_total != final.tax_total  # both figures are kept
        assert not estimate.differs_from_estimate

    def test_an_estimate_computed_after_its_final_still_flags_it(self, rate_tables):
        estimate = self.order(freeze=False, fx_rates={"USD": Decimal("7.10")})
        final = self.order(estimate=estimate, fx_rates={"USD": Decimal("7.25")})
        duty_assessment_compute(assessment_id=final.pk)
        assert not DutyAssessment.objects.get(pk=final.pk).differs_from_estimate
        duty_assessment_compute(assessment_id=estimate.pk)
        assert DutyAssessment.objects.get(pk=final.pk).differs_from_estimate


@pytest.mark.worker
@pytest.mark.xdist_group("worker")
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_computes_and_freezes_the_assessment(rate_tables, celery_worker):
    from marketplace.celery import app

    assert not app.conf.task_always_eager  # the task travels through Redis to the worker
    assessment = example_one(reference="SO-WORKER")  # committed: the worker can read it
    deadline = time.monotonic() + 30
    while True:
        assessment.refresh_from_db()
        if assessment.status != S.PENDING or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert assessment.status == S.FROZEN
    assert assessment.tax_total == Decimal("29.12")
    assert assessment.result["regime"]["code"] == "CN_CBEC_9610"
    assert celery_worker.poll() is None


def test_the_assessment_task_goes_to_the_customs_queue():
    from marketplace.celery import app

    route = app.amqp.router.route({}, compute_duty_assessment.name)
    assert route["queue"].name == "customs"
