"""Product records (商品备案) on the wire: Silkway's SWR101 request out, SWR102 answers in
(docs/CUSTOMS.md, "Product records"; the message is Silkway's own, not an official CEB one).

The catalog decides (``catalog.services.records``: the merchant submits, the SKU moves to
``submitted``, the outbox row ``declarations.product_record_send`` is written in the same
transaction); this layer, above it, does the docking:

- ``product_record_send`` (the outbox handler, ``customs`` queue): seal the submission as a
  signed SWR101 with the merchant's customs profile (the platform's when it has none), send
  it through the profile's transport, keep the ``SentMessage``. Idempotent: a submission
  sent or answered already is not sent again. An outage is retried with backoff and jitter
  (``TransportUnavailable`` propagates); an envelope the gateway refuses outright is the
  gateway's answer: the record is rejected with the gateway's code and text;
- ``record_receipt_apply``: an SWR102 that arrived on the ordinary receipt path
  (``services.receipt_apply``, stored raw first) is applied answer by answer through
  ``catalog.services.records.product_record_answer`` (monotonic, idempotent).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction

from catalog.models import SKU, ProductRecordStatus, ProductRecordSubmission
from catalog.services import records as catalog_records
from customs.ceb.codec import CebFormatError
from customs.ceb.schema import SchemaError
from customs.gateway import receiving
from customs.gateway.records import RecordRequest
from customs.gateway.sealing import seal_records
from customs.gateway.transports import TransportRejected
from customs.profiles.models import CustomsProfile
from customs.profiles.services import profile_for, profiles_for, route_for, transfer_for
from marketplace.outbox import outbox_handler

from . import services
from .lock_objects import signing_key_lock
from .models import Receipt, SentMessage

log = logging.getLogger(__name__)

RECORD_SEND = catalog_records.RECORD_SEND


def _request(submission: ProductRecordSubmission, profile: CustomsProfile) -> RecordRequest:
    sku = submission.sku
    attributes = sku.attributes_zh_hans or sku.attributes_en or {}
    return RecordRequest(
        guid=submission.guid,
        app_time=submission.created_at.replace(microsecond=0),
        ebc_code=profile.ecommerce.code,
        ebc_name=profile.ecommerce.name[:100],
        customs_code=profile.customs_code,
        cop_g_no=sku.code,
        gcode=submission.hs_code,
        gname=submission.gname,
        gmodel=";".join(f"{k}:{v}" for k, v in attributes.items())[:510],
        country=submission.origin_country,
        unit=sku.customs_unit,
        net_weight=sku.net_weight_kg,
    )


def product_record_send(*, submission_id: int) -> bool:
    """Send submission ``submission_id`` to the gateway as an SWR101 (see the module)."""
    submission = (
        ProductRecordSubmission.objects.select_related("sku")
        .filter(pk=submission_id, sent_at__isnull=True, answer="")
        .first()
    )
    if submission is None:
        return False
    profile = profile_for(submission.merchant_id)
    try:
        with transaction.atomic():
            signing_key_lock(profile.signing_key_id)
            (sealed,) = seal_records(
                [_request(submission, profile)],
                signer=services._signer(profile),
                route=route_for(profile),
                transfer=transfer_for(profile),
            )
            services._transport(profile).send(sealed)
            SentMessage.objects.create(
                cop_msg_id=sealed.cop_msg_id,
                message_type=sealed.message_type,
                message_guid=sealed.message_guid,
                message=sealed.message,
                envelope=sealed.envelope,
                documents=1,
                key_name=profile.signing_key.cert_no,
                transport=profile.transport,
            )
            catalog_records.product_record_sent(submission_id=submission.pk)
    except TransportRejected as exc:
        catalog_records.product_record_answer(
            guid=submission.guid,
            answer=ProductRecordSubmission.Answer.REJECTED,
            status=exc.code,
            info=str(exc),
            record_number="",
            message=b"",
        )
        return False
    except Exception:
        services.transports_reset()
        raise
    return True


@outbox_handler(
    RECORD_SEND,
    queue="customs",
    max_attempts=settings.DECLARATIONS_SEND_MAX_ATTEMPTS,
    backoff_seconds=settings.DECLARATIONS_RETRY_SECONDS,
    jitter=0.5,
)
def send_product_record(payload: dict) -> bool:
    return product_record_send(submission_id=payload["submission_id"])


def record_receipt_apply(receipt: Receipt) -> Receipt:
    """Apply a stored SWR102 answer message: each answer moves its SKU's record forward
    only (``product_record_answer``); the receipt keeps the raw message and what it did."""
    try:
        received = receiving.read_records(bytes(receipt.envelope))
    except (CebFormatError, SchemaError, ValueError) as exc:
        receipt.outcome, receipt.note = Receipt.Outcome.INVALID, str(exc)[:2000]
        receipt.save(update_fields=["outcome", "note"])
        return receipt
    applied, ours, notes = False, False, []
    for answer in received.answers:
        moved, note = catalog_records.product_record_answer(
            guid=answer.ori_guid,
            answer=answer.outcome,
            status=answer.return_status,
            info=answer.return_info,
            record_number=answer.item_record_no,
            message=received.raw,
        )
        applied |= moved
        ours |= not note.endswith("not ours")
        notes.append(note)
    receipt.cop_msg_id = received.info.cop_msg_id
    receipt.message_type = received.info.msg_type[:20]
    receipt.message = received.raw
    if applied:
        receipt.outcome = Receipt.Outcome.APPLIED
    else:
        receipt.outcome = Receipt.Outcome.IGNORED if ours else Receipt.Outcome.UNKNOWN
    receipt.note = "; ".join(notes)[:4000]
    receipt.save(update_fields=["cop_msg_id", "message_type", "message", "outcome", "note"])
    return receipt


def profiles_waiting_for_records() -> set[int]:
    """Ids of the profiles whose merchants have product records waiting for customs (the
    receipt poll fetches for them too)."""
    merchants = set(
        SKU.objects.filter(product_record_status=ProductRecordStatus.SUBMITTED)
        .values_list("merchant_id", flat=True)
        .distinct()
    )
    if not merchants:
        return set()

    return {p.pk for p in profiles_for(merchants).values() if p is not None}
