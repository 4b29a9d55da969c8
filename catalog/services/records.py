"""Customs product records (商品备案) of SKUs: submitted by the merchant, set by the gateway.

A SKU sold bonded (1210) needs a *recorded* product record (``sku_bonded_needs_record``).
Nobody types the status or the number in: they move only through ``RECORD_FLOW`` here —

- ``product_record_submit`` (the merchant, portal or API): ``none``/``rejected`` →
  ``submitted``; writes a ``ProductRecordSubmission`` (the customs fields as sent) and the
  outbox message ``declarations.product_record_send`` in the same transaction. A worker of
  the declarations layer seals it as Silkway's SWR101 message and sends it to the gateway
  (docs/CUSTOMS.md, "Product records");
- ``product_record_answer`` (the gateway's SWR102 answer, applied by the declarations layer):
  ``submitted`` → ``recorded`` with customs' record number, or → ``rejected`` with customs'
  reason. Monotonic and idempotent: answers rank (accepted < recorded/rejected), an answer
  that ranks no higher than the one applied, a repeat, or an answer to a submission that is
  no longer the SKU's latest changes nothing (the raw message is kept on the receipt);
- ``product_record_void``: the SKU's HS code changed, so the record no longer describes it
  (→ ``none``; bonded import must be off, see ``sku_upsert``);
- ``product_record_override`` (an operator in the back office, reason required): sets
  ``recorded`` with a number, or revokes to ``rejected`` (bonded import is turned off).

Every move writes one ``ProductRecordEvent``. Rows: the SKU is locked under its product
(``lock_product``, slot 5); submissions are written only under that lock.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import require_operator
from catalog.lock_objects import lock_product
from catalog.models import (
    SKU,
    ProductRecordEvent,
    ProductRecordStatus,
    ProductRecordSubmission,
)
from marketplace.outbox import outbox_enqueue
from marketplace.rules import field_error
from marketplace.transitions import IllegalTransition, Transition, Workflow
from merchants.roles import Capability
from merchants.services import require_capability

Status = ProductRecordStatus
Answer = ProductRecordSubmission.Answer

# The outbox kind the declarations layer handles (customs/declarations/records.py): catalog
# sits below it, so it names the kind and the layer above delivers it.
RECORD_SEND = "declarations.product_record_send"

RECORD_FLOW = Workflow(
    field="product_record_status",
    transitions={
        "submit": Transition(sources={Status.NONE, Status.REJECTED}, target=Status.SUBMITTED),
        "record": Transition(sources={Status.SUBMITTED}, target=Status.RECORDED),
        "reject": Transition(sources={Status.SUBMITTED}, target=Status.REJECTED),
        "void": Transition(
            sources={Status.SUBMITTED, Status.RECORDED, Status.REJECTED}, target=Status.NONE
        ),
        "operator_record": Transition(
            sources={Status.NONE, Status.SUBMITTED, Status.REJECTED},
            target=Status.RECORDED,
            reason_required=True,
        ),
        "operator_revoke": Transition(
            sources={Status.SUBMITTED, Status.RECORDED},
            target=Status.REJECTED,
            reason_required=True,
        ),
    },
)

# How far an answer goes: a later answer must rank higher to change anything.
ANSWER_RANK = {Answer.WAITING: 0, Answer.ACCEPTED: 1, Answer.RECORDED: 2, Answer.REJECTED: 2}


def can_submit(sku: SKU) -> bool:
    """Whether the merchant may submit ``sku``'s product record now (the button shows)."""
    return RECORD_FLOW.can(sku, "submit")


def _locked_sku(sku: SKU):
    locks = lock_product(sku.product_id, revision=False, sku_ids=[sku.pk])
    locked = locks.skus.get(sku.pk)
    if locked is None:
        raise SKU.DoesNotExist(f"SKU {sku.pk} does not exist")
    return locks.product, locked


def _event(sku: SKU, name: str, *, by, reason: str = "", submission=None, number: str = ""):
    return RECORD_FLOW.apply(
        sku,
        name,
        by=by,
        event_model=ProductRecordEvent,
        reason=reason,
        submission=submission,
        record_number=number,
    )


def _set(sku: SKU, **values) -> None:
    for name, value in values.items():
        setattr(sku, name, value)
    SKU.objects.filter(pk=sku.pk).update(**values)


@transaction.atomic
def product_record_submit(*, sku: SKU, by) -> ProductRecordSubmission:
    """Submit ``sku``'s product record to customs (``none``/``rejected`` → ``submitted``):
    the customs fields as they are now go to the gateway through the outbox. Raises
    ``IllegalTransition`` from another status."""
    require_capability(by=by, merchant=sku.merchant_id, capability=Capability.MANAGE_CATALOG)
    product, locked = _locked_sku(sku)
    if not RECORD_FLOW.can(locked, "submit"):
        raise IllegalTransition("submit", locked.product_record_status)
    submission = ProductRecordSubmission.objects.create(
        merchant_id=locked.merchant_id,
        sku=locked,
        guid=str(uuid.uuid4()).upper(),
        hs_code=locked.hs_code,
        gname=(product.name_zh_hans or "").strip()[:250],
        origin_country=locked.origin_country,
        submitted_by=by if getattr(by, "is_authenticated", False) else None,
    )
    _event(locked, "submit", by=by, submission=submission)
    _set(locked, product_record_number="", product_record_reason="")
    outbox_enqueue(
        kind=RECORD_SEND,
        payload={"submission_id": submission.pk},
        key=f"product-record:{submission.guid}",
    )
    sku.product_record_status = locked.product_record_status
    sku.product_record_number = sku.product_record_reason = ""
    return submission


def product_record_sent(*, submission_id: int) -> None:
    """The worker handed the submission to the gateway (when, for the merchant's page)."""
    ProductRecordSubmission.objects.filter(pk=submission_id, sent_at__isnull=True).update(
        sent_at=timezone.now()
    )


@transaction.atomic
def product_record_answer(
    *, guid: str, answer: str, status: str, info: str, record_number: str, message: bytes
) -> tuple[bool, str]:
    """Apply the gateway's answer to submission ``guid``: ``answer`` is an ``Answer``
    (accepted, recorded, rejected), ``status``/``info`` customs' code and text, ``message``
    the raw answer. Returns (whether anything moved, a note for the receipt)."""
    found = ProductRecordSubmission.objects.filter(guid=guid).values_list("sku_id", flat=True)
    sku_id = found.first()
    if sku_id is None:
        return False, f"product record {guid}: not ours"
    sku = SKU.objects.only("pk", "product_id").get(pk=sku_id)
    _product, locked = _locked_sku(sku)
    submission = ProductRecordSubmission.objects.get(guid=guid)
    if ANSWER_RANK[answer] <= ANSWER_RANK[submission.answer]:
        return False, f"product record {guid}: {answer or 'waiting'} after {submission.answer}"
    if answer == Answer.RECORDED and not record_number.strip():
        return False, f"product record {guid}: recorded without a number, ignored"
    submission.answer, submission.answer_status = answer, status[:10]
    submission.answer_info, submission.answer_message = info[:1000], message
    submission.answered_at = timezone.now()
    submission.record_number = record_number.strip()[:64] if answer == Answer.RECORDED else ""
    submission.save(
        update_fields=[
            "answer",
            "answer_status",
            "answer_info",
            "answer_message",
            "answered_at",
            "record_number",
        ]
    )
    latest = (
        ProductRecordSubmission.objects.filter(sku_id=locked.pk).order_by("-pk").values("pk")[:1]
    )
    current = latest[0]["pk"] == submission.pk
    if answer == Answer.ACCEPTED or not current or locked.product_record_status != Status.SUBMITTED:
        why = "" if current else " (superseded)"
        return answer == Answer.ACCEPTED and current, f"product record {guid}: {answer}{why}"
    if answer == Answer.RECORDED:
        _event(locked, "record", by=None, submission=submission, number=submission.record_number)
        _set(locked, product_record_number=submission.record_number, product_record_reason="")
    else:
        _event(locked, "reject", by=None, reason=info[:1000], submission=submission)
        _set(locked, product_record_reason=info[:1000])
    return True, f"product record {guid}: {answer}"


def product_record_void(*, sku: SKU, by, reason: str) -> None:
    """The SKU's customs description changed (its HS code): its record no longer describes
    it, so it goes back to ``none`` and must be submitted again. Call under the product's
    lock, with bonded import off (the DB constraint refuses a bonded SKU without a record)."""
    if sku.product_record_status == Status.NONE:
        return
    if sku.allow_bonded:
        raise ValueError("turn bonded import off before voiding the product record")
    # the edit that voids turns bonded off: the row must say so before the status moves
    SKU.objects.filter(pk=sku.pk).update(allow_bonded=False)
    _event(sku, "void", by=by, reason=reason)
    _set(sku, product_record_number="", product_record_reason="")


@transaction.atomic
def product_record_override(
    *, sku: SKU, status: str, number: str = "", reason: str, by
) -> ProductRecordEvent:
    """An operator sets ``sku``'s record: ``recorded`` with ``number``, or ``rejected``
    (revoked; bonded import is turned off, since it needs a record). ``reason`` is required
    and kept on the event. Raises ``IllegalTransition`` when the SKU already has that status."""
    require_operator(by)
    if not (reason or "").strip():
        raise field_error("reason", _("Please give a reason."), "reason_required")
    _product, locked = _locked_sku(sku)
    number = (number or "").strip()
    if status == Status.RECORDED:
        if not number:
            raise field_error(
                "number",
                _("A recorded product record needs its record number."),
                "record_number_required",
            )
        event = _event(locked, "operator_record", by=by, reason=reason.strip(), number=number)
        _set(locked, product_record_number=number, product_record_reason="")
    elif status == Status.REJECTED:
        if not RECORD_FLOW.can(locked, "operator_revoke"):
            raise IllegalTransition("operator_revoke", locked.product_record_status)
        if locked.allow_bonded:
            _set(locked, allow_bonded=False)
        event = _event(locked, "operator_revoke", by=by, reason=reason.strip())
        _set(locked, product_record_number="", product_record_reason=reason.strip()[:1000])
    else:
        raise ValidationError(
            {"status": [ValidationError(_("Pick Recorded or Rejected."), code="record_status")]}
        )
    sku.product_record_status = locked.product_record_status
    sku.product_record_number = locked.product_record_number
    sku.allow_bonded = locked.allow_bonded
    return event
