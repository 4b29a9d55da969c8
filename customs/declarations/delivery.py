"""Signed for: the CEB513 (运单状态, logisticsStatus ``S``) of a delivered order
(docs/CUSTOMS.md, "Signed for (CEB513)").

When the last parcel of an order is delivered, fulfilment moves the order through
``ORDER_FLOW`` "deliver", which writes an ``OrderEvent``; ``receivers.py`` answers that row by
writing ``declarations.signed_for`` on the outbox in the same transaction (so nothing here runs
under the order's and parcels' locks). The handler, after commit, builds the CEB513 from the
order's declared waybill (the same logistics company and ``logisticsNo`` as its CEB511), stores
it as a ``delivery`` document and puts it on the ordinary send path (``declarations.send``:
the same sealing, signing, XSD validation, transport and CEB514 receipts as every document).

``logisticsTime`` is when the platform recorded the delivery (the "deliver" event): the
declarations layer does not read fulfilment's parcels [decision]. Idempotent: one CEB513 per
declaration; orders never declared (not 9610/1210), and declarations whose waybill customs
refused or that were stopped, send none.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from customs.ceb import messages
from customs.ceb import types as t
from customs.ceb.messages import new_guid
from customs.profiles.services import transfer_for
from marketplace.outbox import outbox_enqueue, outbox_handler

from . import documents as stored
from .lock_objects import lock_file
from .models import Declaration, OrderDeclaration
from .services import _enqueue_send

log = logging.getLogger(__name__)

SIGNED_FOR = "declarations.signed_for"
Kind, State = Declaration.Kind, Declaration.State
NOT_SIGNABLE = {State.REJECTED, State.STOPPED, State.DEAD}


def signed_for_enqueue(*, order_id: int, delivered_at: datetime) -> None:
    """In the transaction that delivered the order: declare it signed for once that commits."""
    outbox_enqueue(
        kind=SIGNED_FOR,
        payload={"order_id": order_id, "delivered_at": delivered_at.isoformat()},
        key=f"signed-for:{order_id}",
    )


def delivery_declare(*, order_id: int, delivered_at: datetime) -> Declaration | None:
    """Store and send the CEB513 of order ``order_id``'s declared waybill (lock slot 12)."""
    file_id = (
        OrderDeclaration.objects.filter(order_id=order_id).values_list("pk", flat=True).first()
    )
    if file_id is None:
        return None
    with transaction.atomic():
        file = lock_file(file_id)
        existing = next((r for r in file.locked_documents if r.kind == Kind.DELIVERY), None)
        if existing is not None:
            return existing
        waybill = next((r for r in file.locked_documents if r.kind == Kind.WAYBILL), None)
        if waybill is None or waybill.state in NOT_SIGNABLE:
            log.warning("order %s delivered: its waybill was not declared, no CEB513", order_id)
            return None
        declared = stored.load(waybill.document)
        doc = t.DeliveryDoc(
            guid=new_guid(),
            app_time=timezone.now().replace(microsecond=0),
            logistics=declared.logistics,
            logistics_no=declared.logistics_no,
            logistics_time=delivered_at.replace(microsecond=0),
        )
        row = Declaration.objects.create(
            file=file,
            kind=Kind.DELIVERY,
            doc_key=messages.document_key(doc)[1],
            guid=doc.guid,
            document=stored.dump(doc, transfer=transfer_for(file.profile)),
        )
        _enqueue_send(row)
    return row


@outbox_handler(SIGNED_FOR, queue="customs")
def declare_signed_for(payload: dict) -> bool:
    row = delivery_declare(
        order_id=payload["order_id"], delivered_at=parse_datetime(payload["delivered_at"])
    )
    return row is not None
