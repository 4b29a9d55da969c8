"""Stored duty assessments (税费核算): requested now, computed by a Celery task, then frozen.

Lifecycle (``ASSESSMENT_FLOW``; each move writes a DutyAssessmentEvent)::

    pending --compute--> computed --freeze--> frozen
    pending --fail-----> failed
    computed, failed --recompute--> pending

``duty_assessment_request`` validates the order, freezes its FX rates and writes the pending
row; the task ``customs.tasks.compute_duty_assessment`` calls ``duty_assessment_compute``
once the row is committed. A frozen assessment never changes. A final assessment made from
an estimate is compared with it once both are computed: if the figures differ, both are kept
and the final one is flagged (``differs_from_estimate``, ``differences``) for operators.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from enum import Enum

from django.db import transaction
from django.utils import timezone

from customs.codec import request_from_json, request_to_json, result_to_json
from customs.engine import (
    ENGINE_VERSION,
    ClearanceMode,
    EngineError,
    LineItem,
    NoRegimeError,
    QuoteRequest,
    QuoteResult,
    RateBook,
    quote,
)
from customs.lock_objects import lock_assessment
from customs.models import DutyAssessment, DutyAssessmentEvent
from customs.selectors import quota_used_by_digest, ratebook_current_versioned
from marketplace.transitions import Transition, Workflow

from .quotes import ZERO, duty_quote_prepare

Status = DutyAssessment.Status

ASSESSMENT_FLOW = Workflow(
    field="status",
    transitions={
        "compute": Transition(sources={Status.PENDING}, target=Status.COMPUTED),
        "fail": Transition(sources={Status.PENDING}, target=Status.FAILED),
        "freeze": Transition(sources={Status.COMPUTED}, target=Status.FROZEN),
        "recompute": Transition(sources={Status.COMPUTED, Status.FAILED}, target=Status.PENDING),
    },
)


def _enqueue(assessment_id: int) -> None:
    from customs.tasks import compute_duty_assessment

    compute_duty_assessment.delay(assessment_id)


@transaction.atomic
def duty_assessment_request(
    *,
    destination: str,
    mode: ClearanceMode | str,
    lines: Sequence[LineItem],
    currency: str | None = None,
    freight: Decimal = ZERO,
    insurance: Decimal = ZERO,
    order_discount: Decimal = ZERO,
    non_cash_deductions: Decimal = ZERO,
    id_number: str | None = None,
    fx_rates: Mapping[str, Decimal] | None = None,
    order_date: date | None = None,
    reference: str = "",
    estimate: DutyAssessment | None = None,
    freeze: bool = True,
) -> DutyAssessment:
    """Write a pending assessment of the order and have a worker compute it after commit.

    The arguments are those of ``duty_quote``; the request is checked now (the engine's
    errors and ValidationError are raised and nothing is written), and the FX rates are
    frozen now: the operator's current ones unless ``fx_rates`` is given. The identity number
    is not stored, only its ledger digest, so the worker reads the buyer's year-to-date total
    when it computes. ``estimate`` is the assessment this one is made from (the checkout's
    estimate for a final one); ``freeze`` False leaves the result open to recomputation.
    """
    prepared = duty_quote_prepare(
        destination=destination,
        mode=mode,
        lines=lines,
        currency=currency,
        freight=freight,
        insurance=insurance,
        order_discount=order_discount,
        non_cash_deductions=non_cash_deductions,
        id_number=id_number,
        fx_rates=fx_rates,
        order_date=order_date,
    )
    assessment = DutyAssessment.objects.create(
        reference=(reference or "")[:64],
        request=request_to_json(prepared.request),
        fx_rates={code: str(rate) for code, rate in sorted(prepared.request.fx_rates.items())},
        buyer_digest=prepared.buyer_digest,
        estimate=estimate,
        freeze_when_computed=freeze,
    )
    transaction.on_commit(lambda: _enqueue(assessment.pk))
    return assessment


def _json_value(value):
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, frozenset):
        return sorted(str(v) for v in value)
    return value


def _row_json(row) -> dict:
    return {f.name: _json_value(getattr(row, f.name)) for f in dataclasses.fields(row)}


def _rates_used(request: QuoteRequest, result: QuoteResult, book: RateBook) -> dict:
    """The regime version, standard VAT rate and rate row each line was priced with."""
    regime = book.regime_by_code(result.regime.code, request.order_date)
    vat = book.standard_vat(request.destination, request.order_date)
    return {
        "regime": _row_json(regime),
        "standard_vat": None if vat is None else str(vat),
        "lines": [
            _row_json(book.rate_for(regime.rate_table, line.hs_code, line.attributes))
            for line in request.lines
        ],
    }


def _differences(estimate: Mapping, final: Mapping) -> list[dict]:
    """What a final result changed from its estimate: regime, blocking, totals, line taxes."""
    out: list[dict] = []

    def note(field: str, before, after) -> None:
        if before != after:
            out.append({"field": field, "estimate": before, "final": after})

    note("regime", estimate["regime"]["code"], final["regime"]["code"])
    note("currency", estimate["currency"], final["currency"])
    note("blocked", estimate["blocked"], final["blocked"])
    for kind in sorted(set(estimate["totals"]) | set(final["totals"])):
        note(
            f"totals.{kind}",
            estimate["totals"].get(kind, "0.00"),
            final["totals"].get(kind, "0.00"),
        )
    note("tax_total", estimate["tax_total"], final["tax_total"])
    note("dutiable_value", estimate["dutiable_value"], final["dutiable_value"])
    before_lines, after_lines = estimate["lines"], final["lines"]
    note("lines", len(before_lines), len(after_lines))
    for i, (before, after) in enumerate(zip(before_lines, after_lines, strict=False)):
        note(f"lines[{i}].tax_total", before["tax_total"], after["tax_total"])
    # Decimal strings compare by text: "29.1" and "29.10" would count as different, but both
    # sides come from the same engine, which always quantizes money to the minor unit.
    return out


def _compare_with_estimate(final: DutyAssessment) -> None:
    estimate = final.estimate
    if estimate is None or estimate.result is None or final.result is None:
        return
    differences = _differences(estimate.result, final.result)
    final.differences = differences
    final.differs_from_estimate = bool(differences)
    final.save(update_fields=["differences", "differs_from_estimate"])


def _event(assessment: DutyAssessment, name: str, *, by=None, reason: str = "") -> None:
    ASSESSMENT_FLOW.apply(
        assessment, name, by=by, event_model=DutyAssessmentEvent, reason=reason[:2000]
    )


@transaction.atomic
def duty_assessment_compute(*, assessment_id: int) -> DutyAssessment:
    """Compute a pending assessment (the task's body); anything else is left as it is.

    Engine errors (no regime, a missing FX rate, inconsistent rate data) fail the assessment
    with the reason; database or cache outages propagate so the task retries.
    """
    assessment = lock_assessment(assessment_id)
    if assessment is None:
        raise DutyAssessment.DoesNotExist(f"duty assessment {assessment_id} does not exist")
    if assessment.status != Status.PENDING:
        return assessment
    assessment.attempts += 1
    try:
        current = ratebook_current_versioned()
        year = date.fromisoformat(assessment.request["order_date"]).year
        year_to_date = (
            quota_used_by_digest(digest=assessment.buyer_digest, year=year)
            if assessment.buyer_digest
            else ZERO
        )
        request = request_from_json(assessment.request, buyer_year_to_date=year_to_date)
        result = quote(request, current.book)
        rates_used = _rates_used(request, result, current.book)
    except EngineError as exc:
        reason = exc.message.en if isinstance(exc, NoRegimeError) else str(exc)
        assessment.error = reason
        assessment.save(update_fields=["attempts", "error"])
        _event(assessment, "fail", reason=reason)
        return assessment
    now = timezone.now()
    assessment.buyer_year_to_date = year_to_date if assessment.buyer_digest else None
    assessment.result = result_to_json(result)
    assessment.rates_used = rates_used
    assessment.engine_version = ENGINE_VERSION
    assessment.ratebook_version = current.version
    assessment.regime_code = result.regime.code
    assessment.currency = result.currency
    assessment.tax_total = result.tax_total
    assessment.blocked = result.blocked
    assessment.error = ""
    assessment.computed_at = now
    assessment.save(
        update_fields=[
            "attempts",
            "buyer_year_to_date",
            "result",
            "rates_used",
            "engine_version",
            "ratebook_version",
            "regime_code",
            "currency",
            "tax_total",
            "blocked",
            "error",
            "computed_at",
        ]
    )
    _event(assessment, "compute")
    if assessment.freeze_when_computed:
        _freeze(assessment)
    _compare_with_estimate(assessment)
    for final in assessment.finals.exclude(result__isnull=True):
        final.estimate = assessment
        _compare_with_estimate(final)
    return assessment


def _freeze(assessment: DutyAssessment, *, by=None) -> None:
    _event(assessment, "freeze", by=by)
    assessment.frozen_at = timezone.now()
    assessment.save(update_fields=["frozen_at"])


@transaction.atomic
def duty_assessment_freeze(*, assessment: DutyAssessment, by=None) -> DutyAssessment:
    """Freeze a computed assessment: its figures are final and never recomputed.

    Raises IllegalTransition unless it is computed.
    """
    _freeze(assessment, by=by)
    return assessment


@transaction.atomic
def duty_assessment_recompute(
    *, assessment: DutyAssessment, by=None, reason: str = ""
) -> DutyAssessment:
    """Compute a computed or failed assessment again, with the rate data in force now.

    The request and its frozen FX rates stay; the worker re-reads the rate data and the
    buyer's year-to-date total. Raises IllegalTransition for a pending or frozen one.
    """
    _event(assessment, "recompute", by=by, reason=reason)
    transaction.on_commit(lambda: _enqueue(assessment.pk))
    return assessment


@transaction.atomic
def duty_assessment_fail(*, assessment_id: int, reason: str) -> DutyAssessment | None:
    """Fail a still-pending assessment after the task gave up retrying (an outage)."""
    assessment = lock_assessment(assessment_id)
    if assessment is None or assessment.status != Status.PENDING:
        return assessment
    assessment.error = reason[:2000]
    assessment.save(update_fields=["error"])
    _event(assessment, "fail", reason=reason)
    return assessment


def duty_assessments_requeue(*, ids: Sequence[int]) -> int:
    """Enqueue the computation of pending assessments again (the sweeper); returns how many."""
    for assessment_id in ids:
        _enqueue(assessment_id)
    return len(ids)
