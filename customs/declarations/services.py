"""Declaration services (docs/CUSTOMS.md, "The declaration layer").

- ``declarations_open(order, payment=)``: in the payment's transaction, allocate the waybill
  number, build the four documents, match them, store one ``Declaration`` per document and
  put the order, payment and waybill on the outbox (the list waits for their receipts).
- ``declarations_send(declaration_id=)``: what the outbox handler runs — a batch of up to 100
  pending documents of one kind and profile, sealed (signed, validated) and handed to the
  profile's transport, one worker per signing key.
- ``receipts_fetch(profile=)`` / ``receipt_store`` / ``receipt_apply``: every receipt stored
  raw first, then applied monotonically (``customs.ceb.codes.moves_forward``), moving the
  order through ``ORDER_FLOW`` (declare, clear, reject_customs).
- ``tax_bill_reconcile``: a CEB816 against the order's assessment, line by line.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customs.ceb import codes, messages
from customs.ceb import types as t
from customs.ceb.codec import CebFormatError
from customs.ceb.matching import match_documents
from customs.ceb.messages import new_guid
from customs.ceb.rules import CebRuleError
from customs.ceb.schema import SchemaError
from customs.gateway import receiving
from customs.gateway.sealing import seal
from customs.gateway.transports import TransportRejected
from customs.profiles.models import CustomsProfile
from customs.profiles.services import (
    profiles_for,
    route_for,
    signer_for,
    transfer_for,
    transport_for,
)
from logistics.shipping.waybills import waybill_allocate
from marketplace.outbox import outbox_enqueue
from marketplace.transitions import IllegalTransition
from orders.flow import ORDER_FLOW
from orders.lock_objects import lock_orders
from orders.models import Order, OrderEvent, OrderLine
from payments.models import Payment

from . import documents as stored
from .adapter import Documents, NotDeclarable, Numbers, PaymentFacts, build_documents
from .lock_objects import lock_document, lock_file, lock_pending, signing_key_lock
from .models import (
    Declaration,
    OrderDeclaration,
    Receipt,
    SentMessage,
    TaxBillCheck,
    WaybillNumber,
)

log = logging.getLogger(__name__)

SEND = "declarations.send"
CUSTOMS_REJECTED = "declarations.customs_rejected"
RETURNED = "declarations.returned"  # a CEB625 accepted (CEB626 399): {"declaration_id"}
CANCELLED = "declarations.cancelled"  # a CEB623 accepted (CEB624 399): {"declaration_id"}
DECLARED_MODES = {"direct", "bonded"}
BATCH = 100  # documents per CEB message (the XSD's limit)
DRAIN_LIMIT = 2000  # documents one delivery sends at most before it lets other work run
State = Declaration.State
Kind = Declaration.Kind
FIRST_THREE = (Kind.ORDER, Kind.PAYMENT, Kind.WAYBILL)
# Receipts that finish a document: stored by customs for the three, released for the list.
DONE_AT = {
    Kind.ORDER: "120",
    Kind.PAYMENT: "120",
    Kind.WAYBILL: "120",
    Kind.INVENTORY: "800",
    Kind.CANCEL: "399",
    Kind.RETURN: "399",
    Kind.DELIVERY: "120",
    Kind.MANIFEST: "120",
}
FOUR = (Kind.ORDER, Kind.PAYMENT, Kind.WAYBILL, Kind.INVENTORY)


def needs_declaring(order: Order) -> bool:
    """Imports into China declared through the unified system: 9610 direct and 1210 bonded."""
    return order.clearance_mode in DECLARED_MODES


# --------------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------------


def waybill_number_allocate(*, order: Order) -> str:
    """The order's waybill number (``logisticsNo``) from its carrier's numbering
    (``logistics.shipping.waybills.waybill_allocate``, the one allocator fulfilment uses too),
    kept per order in ``WaybillNumber``: idempotent per order."""
    return _waybill_numbers([order])[order.pk]


def _waybill_numbers(orders: list[Order]) -> dict[int, str]:
    """``waybill_number_allocate`` for several orders: one read, one counter update per
    order without a number, one insert."""
    numbers = dict(WaybillNumber.objects.filter(order__in=orders).values_list("order_id", "number"))
    new = [
        WaybillNumber(
            carrier=order.shipping_method.carrier,
            order=order,
            number=waybill_allocate(carrier=order.shipping_method.carrier),
        )
        for order in orders
        if order.pk not in numbers
    ]
    WaybillNumber.objects.bulk_create(new)
    numbers |= {row.order_id: row.number for row in new}
    # the same number on the order, where the parcels packed later read it (one statement)
    stale = [order for order in orders if order.waybill_number != numbers[order.pk]]
    for order in stale:
        order.waybill_number = numbers[order.pk]
    Order.objects.bulk_update(stale, ["waybill_number"])
    return numbers


def cop_no_for(order: Order) -> str:
    """The list's own number (``copNo``): the order number, fixed for every resend."""
    return f"L{order.number}"


# --------------------------------------------------------------------------------------------
# Opening a declaration (in the payment's transaction)
# --------------------------------------------------------------------------------------------


def payment_facts_for(order: Order) -> PaymentFacts | None:
    """The payment of ``order``'s checkout as customs is told about it: the payments app's
    ``Payment`` (found by the checkout number, its ``reference``; payments sits below this
    layer, so a plain import),
    its provider transaction id and time, and the last raw exchange with the provider (the
    179 upload's initalRequest / initalResponse). None when no paid payment is there."""
    payment = (
        Payment.objects.filter(reference=order.checkout.number, paid_at__isnull=False)
        .order_by("-pk")
        .first()
    )
    if payment is None or not payment.transaction_id:
        return None
    exchanges = list(getattr(payment, "raw_exchanges", None) or [])
    last = exchanges[-1] if exchanges else {}
    return PaymentFacts(
        transaction_id=payment.transaction_id,
        paid_at=payment.paid_at,
        raw_request=_json_text(last.get("request", "")),
        raw_response=_json_text((last.get("response") or {}).get("body", "")),
    )


def _json_text(value) -> str:
    import json

    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _stop(file: OrderDeclaration, reason: str, mismatches: list | None = None) -> None:
    file.status = OrderDeclaration.Status.STOPPED
    file.reason = reason
    file.mismatches = mismatches or []
    file.save(update_fields=["status", "reason", "mismatches", "updated_at"])
    file.documents.exclude(state__in=[State.DONE, State.REJECTED]).update(
        state=State.STOPPED, last_error=reason[:2000]
    )


def _mismatch_json(mismatches) -> list[dict]:
    return [
        {
            "code": m.code,
            "field": m.field,
            "expected": m.expected,
            "actual": m.actual,
            "en": m.en,
            "zh_hans": m.zh_hans,
        }
        for m in mismatches
    ]


def _mismatch_reason(mismatches) -> str:
    return "; ".join(
        f"{m.en} ({m.zh_hans}): {m.field} is “{m.actual}”, expected “{m.expected}”"
        for m in mismatches
    )


def _enqueue_send(declaration: Declaration, tag: str = "") -> None:
    outbox_enqueue(
        kind=SEND,
        payload={"declaration_id": declaration.pk},
        key=f"declaration:{declaration.pk}:{declaration.attempts}{tag}",
    )


def declarations_open(
    order: Order, *, payment: PaymentFacts | None = None, orders_in_payment: int | None = None
) -> OrderDeclaration | None:
    """Open ``order``'s declaration in the caller's (the payment's) transaction.

    Returns None for an order nobody declares, or when no customs profile or payment is
    there (logged: the operator sets docking up). Idempotent: a second call returns the
    declaration opened first. A document that cannot be built, or four that do not match,
    leave the declaration *stopped* with the reason and nothing is sent.
    """
    opened = declarations_open_many([(order, payment)], orders_in_payment=orders_in_payment)
    return opened[0]


OPEN_CHUNK = DRAIN_LIMIT // 3  # files per outbox message: one delivery drains them all


def declarations_open_many(
    paid: list[tuple[Order, PaymentFacts | None]], *, orders_in_payment: int | None = None
) -> list[OrderDeclaration | None]:
    """``declarations_open`` for several paid orders at once (one per pair, same order):
    the same documents, numbers and checks, read and written in a constant number of
    statements (plus one counter update per order) instead of some twenty per order — a
    checkout of several orders, the sweeper, a burst of payments. One outbox message per
    profile (per ``OPEN_CHUNK`` files) sends them: its delivery drains the profile."""
    result: dict[int, OrderDeclaration | None] = {}
    declared = [(order, facts) for order, facts in paid if needs_declaring(order)]
    existing = OrderDeclaration.objects.in_bulk(
        [order.pk for order, _ in declared], field_name="order_id"
    )
    result |= existing
    opening = [(order, facts) for order, facts in declared if order.pk not in result]
    profiles = profiles_for({order.merchant_id for order, _ in opening}) if opening else {}
    todo: list[tuple[int, PaymentFacts]] = []
    for order, facts in opening:
        if profiles[order.merchant_id] is None:
            log.warning("order %s: no customs profile, not declared", order.number)
            continue
        facts = facts or payment_facts_for(order)
        if facts is None:
            log.warning("order %s: no payment found, not declared", order.number)
            continue
        todo.append((order.pk, facts))
    if not todo:
        return [result.get(order.pk) for order, _ in paid]
    loaded = (
        Order.objects.select_related("checkout", "assessment", "shipping_method__carrier")
        .prefetch_related(Prefetch("lines", OrderLine.objects.select_related("sku")))
        .in_bulk([pk for pk, _ in todo])
    )
    with transaction.atomic():
        numbers = _waybill_numbers([loaded[pk] for pk, _ in todo])
        files = OrderDeclaration.objects.bulk_create(
            [
                OrderDeclaration(
                    order=loaded[pk],
                    profile=profiles[loaded[pk].merchant_id],
                    logistics_no=numbers[pk],
                    cop_no=cop_no_for(loaded[pk]),
                    payment=facts.as_json(),
                    payment_exchange=_exchange_json(facts),
                )
                for pk, facts in todo
            ]
        )
        rows, sending = [], {}
        for file, (pk, facts) in zip(files, todo, strict=True):
            result[pk] = file
            built = _documents_of(file, loaded[pk], facts, orders_in_payment)
            if built is None:
                continue  # stopped with its reason
            docs, dumped = built
            rows += [
                Declaration(
                    file=file,
                    kind=kind,
                    doc_key=messages.document_key(doc)[1],
                    guid=doc.guid,
                    document=dumped[kind],
                    state=State.HELD if kind == Kind.INVENTORY else State.PENDING,
                )
                for kind, doc in docs.by_kind().items()
            ]
            mismatches = match_documents(docs.order, docs.payment, docs.waybill, docs.inventory)
            if mismatches:
                file.mismatches = _mismatch_json(mismatches)
                file.reason = _mismatch_reason(mismatches)
            else:
                sending.setdefault(file.profile_id, []).append(file)
        Declaration.objects.bulk_create(rows)
        for file in files:
            if file.mismatches:
                _stop(file, file.reason, file.mismatches)
        for profile_files in sending.values():
            for start in range(0, len(profile_files), OPEN_CHUNK):
                # one message for these orders' documents; its delivery sends them with
                # whatever else is pending for the profile, up to 100 per signed message
                first = profile_files[start]
                outbox_enqueue(
                    kind=SEND, payload={"file_id": first.pk}, key=f"declaration-file:{first.pk}"
                )
    return [result.get(order.pk) for order, _ in paid]


def _documents_of(
    file: OrderDeclaration, order: Order, facts: PaymentFacts, orders_in_payment: int | None
) -> tuple[Documents, dict[str, bytes]] | None:
    """The four documents of a new declaration and their stored form, or None after
    stopping it (a document that cannot be built or breaks a rule of the spec)."""
    if orders_in_payment is None:
        orders_in_payment = order.checkout.orders.filter(clearance_mode__in=DECLARED_MODES).count()
    numbers = Numbers(
        logistics_no=file.logistics_no,
        cop_no=file.cop_no,
        guids={kind: new_guid() for kind in ("order", "payment", "waybill", "inventory")},
        app_time=timezone.now().replace(microsecond=0),
    )
    try:
        docs = build_documents(
            order,
            profile=file.profile,
            facts=facts,
            numbers=numbers,
            orders_in_payment=orders_in_payment,
        )
        transfer = transfer_for(file.profile)
        dumped = {kind: stored.dump(doc, transfer=transfer) for kind, doc in docs.by_kind().items()}
    except NotDeclarable as exc:
        _stop(file, f"{exc.field}: {exc.reason}")
        return None
    except (CebRuleError, CebFormatError) as exc:
        _stop(file, str(exc))
        return None
    return docs, dumped


def _exchange_json(facts: PaymentFacts) -> str:
    import json

    return json.dumps(
        {"request": facts.raw_request, "response": facts.raw_response}, ensure_ascii=False
    )


def stored_documents(file: OrderDeclaration, rows=None) -> Documents:
    rows = rows if rows is not None else list(file.documents.all())
    by_kind = {row.kind: stored.load(row.document) for row in rows if row.kind in FOUR}
    return Documents(by_kind["order"], by_kind["payment"], by_kind["waybill"], by_kind["inventory"])


# --------------------------------------------------------------------------------------------
# Sending (the outbox handler's work)
# --------------------------------------------------------------------------------------------

_local = threading.local()


def _cached(kind: str, key, make):
    """Signers and transports live as long as the worker process (an agent signer keeps its
    one connection, an AMQP transport its channel)."""
    cache = getattr(_local, kind, None)
    if cache is None:
        cache = {}
        setattr(_local, kind, cache)
    if key not in cache:
        cache[key] = make()
    return cache[key]


def _signer(profile: CustomsProfile):
    key = profile.signing_key
    return _cached("signers", (key.pk, key.cert_no, key.certificate), lambda: signer_for(key))


def _transport(profile: CustomsProfile):
    marker = (profile.pk, profile.transport, profile.gateway_url, profile.queue_prefix)
    return _cached("transports", marker, lambda: transport_for(profile))


def transports_reset() -> None:
    """Forget the cached transports (after a broken connection, and in tests)."""
    for transport in getattr(_local, "transports", {}).values():
        try:
            transport.close()
        except Exception:  # noqa: BLE001 - closing a broken transport may fail; it is dropped
            log.debug("closing a transport failed", exc_info=True)
    _local.transports = {}


def declarations_send(*, declaration_id: int | None = None, file_id: int | None = None) -> int:
    """Send what is pending for the profile of ``declaration_id`` (or of the order
    declaration ``file_id``): one signed message per batch of up to 100 documents of one
    kind, the triggering documents first, then every other pending document of the profile,
    until none is left (or ``DRAIN_LIMIT``). Returns how many went; 0 when they were sent in
    another delivery already (idempotent). ``TransportUnavailable`` and ``SignerUnavailable``
    propagate (the outbox retries with backoff and jitter); after
    ``DECLARATIONS_SEND_MAX_ATTEMPTS`` the document is *dead* for an operator."""
    rows = Declaration.objects.select_related(
        "file__profile__signing_key", "profile__signing_key", *_profile_parties()
    )
    if file_id is not None:
        firsts = list(rows.filter(file_id=file_id, state=State.PENDING).order_by("pk"))
    else:
        firsts = list(rows.filter(pk=declaration_id, state=State.PENDING))
    if not firsts:
        return 0
    profile = firsts[0].file.profile if firsts[0].file_id else firsts[0].profile
    queue = [(row.kind, row.pk) for row in firsts]
    total, touched = 0, set()
    while total < DRAIN_LIMIT:
        if queue:
            kind, first_id = queue.pop(0)
        else:
            following = (
                Declaration.objects.filter(
                    Q(file__profile_id=profile.pk) | Q(file__isnull=True, profile_id=profile.pk),
                    state=State.PENDING,
                )
                .order_by("pk")
                .values_list("kind", "pk")
                .first()
            )
            if following is None:
                break
            kind, first_id = following
        try:
            with transaction.atomic():
                signing_key_lock(profile.signing_key_id)
                batch = lock_pending(
                    kind=kind, profile_id=profile.pk, first_id=first_id, limit=BATCH
                )
                if not batch:
                    if queue:
                        continue
                    break  # what is left is held by another worker
                sent = _seal_and_send(batch, profile)
        except TransportRejected as exc:
            _send_failed(Declaration(pk=first_id), exc, final=True)
            continue
        except Exception as exc:
            transports_reset()
            _send_failed(Declaration(pk=first_id), exc, final=False)
            raise
        total += len(sent)
        touched |= {row.file_id for row in sent if row.file_id}
    for touched_id in sorted(touched):
        declaration_follow(file_id=touched_id)
    return total


def _profile_parties() -> list[str]:
    return [
        f"file__profile__{name}"
        for name in ("platform", "ecommerce", "payment", "logistics", "guarantor", "agent")
    ]


def _seal_and_send(batch: list[Declaration], profile: CustomsProfile) -> list[Declaration]:
    try:
        docs = [stored.load(row.document) for row in batch]
        sealed = seal(
            docs, signer=_signer(profile), route=route_for(profile), transfer=transfer_for(profile)
        )
    except (CebRuleError, CebFormatError, SchemaError) as exc:
        # Each document validated when it was built; a batch that fails now is stopped with
        # the reason rather than retried forever.
        now = timezone.now()
        for row in batch:
            row.state, row.last_error, row.updated_at = State.STOPPED, str(exc)[:2000], now
        Declaration.objects.bulk_update(batch, ["state", "last_error", "updated_at"])
        return []
    transport = _transport(profile)
    now = timezone.now()
    for message in sealed:
        transport.send(message)
        row = SentMessage.objects.create(
            cop_msg_id=message.cop_msg_id,
            message_type=message.message_type,
            message_guid=message.message_guid,
            message=message.message,
            envelope=message.envelope,
            documents=len(message.document_guids),
            key_name=profile.signing_key.cert_no,
            transport=profile.transport,
        )
        guids = set(message.document_guids)
        for decl in batch:
            if decl.guid in guids:
                decl.state, decl.sent_at, decl.message = State.SENT, now, row
                decl.attempts += 1
                decl.last_error = ""
                decl.updated_at = now
    Declaration.objects.bulk_update(
        batch, ["state", "sent_at", "message", "attempts", "last_error", "updated_at"]
    )
    return batch


def _send_failed(declaration: Declaration, exc: Exception, *, final: bool) -> None:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    with transaction.atomic():
        row = lock_document(declaration.pk)
        if row is None or row.state != State.PENDING:
            return
        row.attempts += 1
        row.last_error = error
        if final or row.attempts >= settings.DECLARATIONS_SEND_MAX_ATTEMPTS:
            row.state = State.DEAD
            log.error("declaration %s is dead: %s", row.pk, error)
        row.save(update_fields=["attempts", "last_error", "state", "updated_at"])


def declarations_sweep(*, older_than_seconds: int | None = None) -> int:
    """Periodic: open the declarations of paid orders that have none (the payment's receiver
    failed), and put pending documents nobody is sending back on the outbox (a batch that
    rolled back after their own message was delivered, a lost message). Returns how many."""
    age = (
        older_than_seconds
        if older_than_seconds is not None
        else settings.DECLARATIONS_SWEEP_SECONDS
    )
    before = timezone.now() - timedelta(seconds=age)
    count = 0
    unopened = (
        Order.objects.filter(
            status=Order.Status.PAID, clearance_mode__in=DECLARED_MODES, paid_at__lt=before
        )
        .exclude(pk__in=OrderDeclaration.objects.values("order_id"))
        .order_by("pk")[:200]
    )
    for order in unopened:
        try:
            with transaction.atomic():
                count += declarations_open(order) is not None
        except Exception:  # noqa: BLE001 - one order's error stops no other; logged
            log.exception("order %s: declaration still not opened", order.number)
    stuck = Declaration.objects.filter(state=State.PENDING, updated_at__lt=before)
    for row in stuck.order_by("pk")[:1000]:
        with transaction.atomic():
            Declaration.objects.filter(pk=row.pk).update(updated_at=timezone.now())
            outbox_enqueue(
                kind=SEND,
                payload={"declaration_id": row.pk},
                key=f"declaration:{row.pk}:sweep:{timezone.now():%Y%m%d%H%M%S}",
            )
        count += 1
    return count


# --------------------------------------------------------------------------------------------
# Following the documents: the list after the other three, and the order's moves
# --------------------------------------------------------------------------------------------


def declaration_follow(*, file_id: int) -> None:
    """Lock the order, then its declaration (lock order 8 → 12), and draw the consequences
    of where the documents stand."""
    order_id = (
        OrderDeclaration.objects.filter(pk=file_id).values_list("order_id", flat=True).first()
    )
    if order_id is None:
        return
    with transaction.atomic():
        order = lock_orders([order_id])[order_id]
        file = lock_file(file_id)
        _follow(order, file, file.locked_documents)


def _move(order: Order, name: str, reason: str = "") -> bool:
    if not ORDER_FLOW.can(order, name):
        return False
    try:
        ORDER_FLOW.apply(order, name, by=None, event_model=OrderEvent, reason=reason)
    except IllegalTransition:
        return False
    return True


def _follow(order: Order, file: OrderDeclaration, rows: list[Declaration]) -> None:
    cancel = next((r for r in rows if r.kind == Kind.CANCEL and r.state == State.DONE), None)
    if cancel is not None and file.status == OrderDeclaration.Status.CLEARED:
        file.status = OrderDeclaration.Status.CANCELLED
        file.save(update_fields=["status", "updated_at"])
    rows = [row for row in rows if row.kind in FOUR]
    by_kind = {row.kind: row for row in rows}
    if file.status != OrderDeclaration.Status.OPEN:
        return
    rejected = [row for row in rows if row.state == State.REJECTED]
    if rejected:
        row = rejected[0]
        reason = f"{row.get_kind_display()}: {row.return_status} {row.return_info}".strip()
        file.status, file.reason = OrderDeclaration.Status.REJECTED, reason
        file.save(update_fields=["status", "reason", "updated_at"])
        _move(order, "declare")
        if _move(order, "reject_customs", reason):
            outbox_enqueue(
                kind=CUSTOMS_REJECTED,
                payload={"order_id": order.pk, "reason": reason},
                key=f"customs-rejected:{order.pk}",
            )
        return
    if any(row.state in {State.SENT, State.ACCEPTED, State.DONE} for row in rows):
        _move(order, "declare")
    inventory = by_kind.get(Kind.INVENTORY)
    if inventory is None:
        return
    if inventory.state == State.HELD and all(
        by_kind[k].state in {State.ACCEPTED, State.DONE} for k in FIRST_THREE if k in by_kind
    ):
        docs = stored_documents(file, rows)
        mismatches = match_documents(docs.order, docs.payment, docs.waybill, docs.inventory)
        if mismatches:
            _stop(file, _mismatch_reason(mismatches), _mismatch_json(mismatches))
            return
        inventory.state = State.PENDING
        inventory.save(update_fields=["state", "updated_at"])
        _enqueue_send(inventory)
    if inventory.state == State.DONE:
        file.status = OrderDeclaration.Status.CLEARED
        file.save(update_fields=["status", "updated_at"])
        _move(order, "clear")


# --------------------------------------------------------------------------------------------
# Receipts
# --------------------------------------------------------------------------------------------


def receipts_fetch(*, profile: CustomsProfile, limit: int = 100, timeout: float = 1.0) -> int:
    """Take up to ``limit`` receipt envelopes from the profile's transport: each is stored
    raw (and only then acknowledged), then applied. Returns how many arrived."""
    transport = _transport(profile)
    try:
        inbound = transport.receive(limit=limit, timeout=timeout)
    except Exception:
        transports_reset()
        raise
    for item in inbound:
        receipt = receipt_store(envelope=item.envelope)
        item.ack()
        receipt_apply(receipt_id=receipt.pk)
    return len(inbound)


def receipt_store(*, envelope: bytes) -> Receipt:
    """Keep a receipt envelope exactly as it arrived (before anything reads it)."""
    return Receipt.objects.create(envelope=envelope)


def receipt_apply(*, receipt_id: int) -> Receipt:
    """Apply a stored receipt: read it (envelope and message against the XSDs), then move each
    document it names forward — never backward: a late, repeated or overtaken receipt is
    kept and changes nothing."""
    receipt = Receipt.objects.get(pk=receipt_id)
    if receiving.is_record_answer(bytes(receipt.envelope)):
        # Silkway's product-record answer (SWR102) on the same receipt path: records.py
        # imports this module, so it is reached lazily.
        from .records import record_receipt_apply

        return record_receipt_apply(receipt)
    try:
        received = receiving.read(bytes(receipt.envelope))
    except (CebFormatError, SchemaError, ValueError) as exc:
        receipt.outcome, receipt.note = Receipt.Outcome.INVALID, str(exc)[:2000]
        receipt.save(update_fields=["outcome", "note"])
        return receipt
    receipt.cop_msg_id = received.info.cop_msg_id
    receipt.message_type = received.parsed.type.root
    receipt.message = received.raw
    notes, applied, touched = [], False, []
    for doc in received.documents:
        if isinstance(doc, t.TaxBill):
            done, note, decls = tax_bill_reconcile(bill=doc)
        elif isinstance(doc, t.FormatFailure):
            done, note, decls = _format_failure(doc)
        else:
            done, note, decls = _apply_status(doc)
        applied |= done
        notes.append(note)
        touched += decls
    if applied:
        receipt.outcome = Receipt.Outcome.APPLIED
    else:
        receipt.outcome = Receipt.Outcome.IGNORED if touched else Receipt.Outcome.UNKNOWN
    receipt.note = "; ".join(n for n in notes if n)[:4000]
    receipt.save(update_fields=["cop_msg_id", "message_type", "message", "outcome", "note"])
    if touched:
        receipt.declarations.add(*touched)
    return receipt


def _state_after(row: Declaration, code: str) -> str:
    meaning = codes.status(code)
    if meaning.outcome in {codes.Outcome.REJECTED, codes.Outcome.FAILED, codes.Outcome.RETURNED}:
        return State.REJECTED
    done_at = DONE_AT.get(row.kind)
    if done_at is not None and meaning.rank >= codes.status(done_at).rank:
        return State.DONE
    return State.ACCEPTED


def _apply_status(doc) -> tuple[bool, str, list[Declaration]]:
    kind, key = messages.document_key(doc)
    found = Declaration.objects.filter(kind=kind, doc_key=key).select_related("file").first()
    if found is None:
        return False, f"{kind} {key}: not ours", []
    if found.file_id is None:  # a document of no order: the manifest of a consignment
        from .manifests import manifest_receipt_apply

        return manifest_receipt_apply(found, doc)
    code = doc.return_status
    with transaction.atomic():
        order = lock_orders([found.file.order_id])[found.file.order_id]
        file = lock_file(found.file_id)
        row = next(r for r in file.locked_documents if r.pk == found.pk)
        if not codes.moves_forward(row.return_status or None, code):
            return False, f"{kind} {key}: {code} after {row.return_status or '-'}, ignored", [row]
        row.return_status = code
        row.return_info = doc.return_info or ""
        row.return_time = doc.return_time
        if row.state not in {State.STOPPED, State.DEAD}:
            row.state = _state_after(row, code)
        row.save(
            update_fields=["return_status", "return_info", "return_time", "state", "updated_at"]
        )
        if kind == Kind.RETURN and row.state == State.DONE:
            # customs accepted the goods back (CEB626 399): the after-sales layer, above
            # this one, restores the buyer's quota (logistics/returns/outbox.py)
            outbox_enqueue(
                kind=RETURNED, payload={"declaration_id": row.pk}, key=f"returned:{row.pk}"
            )
        if kind == Kind.CANCEL and row.state == State.DONE:
            # customs cancelled the released list (CEB624 399): the buyer's quota comes back
            # (``order_quota_restore_cancelled``, after commit, once)
            outbox_enqueue(
                kind=CANCELLED, payload={"declaration_id": row.pk}, key=f"cancelled:{row.pk}"
            )
        elif kind == Kind.CANCEL and row.state == State.REJECTED:
            # a refused cancellation: the quota stays counted; operators see why on the file
            file.reason = f"{row.get_kind_display()}: {code} {row.return_info}".strip()[:500]
            file.save(update_fields=["reason", "updated_at"])
        invt_no = getattr(doc, "invt_no", None)
        if kind == Kind.INVENTORY and invt_no and not file.invt_no:
            file.invt_no = invt_no
            file.save(update_fields=["invt_no", "updated_at"])
        _follow(order, file, file.locked_documents)
    return True, f"{kind} {key}: {code}", [row]


def _format_failure(doc: t.FormatFailure) -> tuple[bool, str, list[Declaration]]:
    sent = SentMessage.objects.filter(cop_msg_id=doc.ori_cop_msg_id).first()
    if sent is None:
        return False, f"CEB900 for {doc.ori_cop_msg_id}: not ours", []
    rows = list(sent.declarations.all())
    for found in rows:
        with transaction.atomic():
            order = lock_orders([found.file.order_id])[found.file.order_id]
            file = lock_file(found.file_id)
            row = next(r for r in file.locked_documents if r.pk == found.pk)
            if codes.moves_forward(row.return_status or None, doc.return_status):
                row.return_status, row.return_info = doc.return_status, doc.return_info
                row.return_time, row.state = doc.return_time, State.REJECTED
                row.save(
                    update_fields=[
                        "return_status",
                        "return_info",
                        "return_time",
                        "state",
                        "updated_at",
                    ]
                )
                _follow(order, file, file.locked_documents)
    return bool(rows), f"CEB900 {doc.return_status} {doc.return_info}", rows


# --------------------------------------------------------------------------------------------
# CEB816 tax bills
# --------------------------------------------------------------------------------------------

CUSTOMS_TAX_KINDS = {
    "customs_tax": ("duty",),
    "value_added_tax": ("vat",),
    "consumption_tax": ("consumption_tax",),
}


def tax_bill_reconcile(*, bill: t.TaxBill) -> tuple[bool, str, list[Declaration]]:
    """Compare customs' tax bill with the taxes computed at checkout, line by line (by
    ``gnum``, the order's line order) and per tax; a difference is flagged with both
    figures. Idempotent per tax bill number."""
    file = (
        OrderDeclaration.objects.filter(invt_no=bill.invt_no)
        .select_related("order__assessment")
        .first()
    )
    if file is None:
        return False, f"tax bill {bill.tax_no}: no list {bill.invt_no}", []
    inventory = list(file.documents.filter(kind=Kind.INVENTORY))
    if TaxBillCheck.objects.filter(tax_no=bill.tax_no).exists():
        return False, f"tax bill {bill.tax_no}: already reconciled", inventory
    result = (file.order.assessment.result or {}) if file.order.assessment else {}
    ours_lines = result.get("lines", [])
    lines, differs = [], False
    for bill_line in bill.lines:
        ours = ours_lines[bill_line.gnum - 1] if bill_line.gnum - 1 < len(ours_lines) else None
        row = {"gnum": bill_line.gnum, "gcode": bill_line.gcode, "taxes": []}
        for field, kinds in CUSTOMS_TAX_KINDS.items():
            theirs = getattr(bill_line, field)
            mine = Decimal("0")
            if ours is not None:
                mine = sum(
                    (Decimal(tax["due"]) for tax in ours["taxes"] if tax["kind"] in kinds),
                    Decimal("0"),
                )
            diff = theirs.quantize(Decimal("0.01")) != mine.quantize(Decimal("0.01"))
            differs |= diff
            row["taxes"].append(
                {"tax": field, "customs": str(theirs), "ours": str(mine), "differs": diff}
            )
        row["missing"] = ours is None
        differs |= ours is None
        lines.append(row)
    customs_total = bill.customs_tax + bill.value_added_tax + bill.consumption_tax
    assessed = Decimal(result.get("tax_total", "0"))
    differs |= customs_total.quantize(Decimal("0.01")) != assessed.quantize(Decimal("0.01"))
    TaxBillCheck.objects.create(
        file=file,
        tax_no=bill.tax_no,
        invt_no=bill.invt_no,
        customs_total=customs_total,
        assessed_total=assessed,
        lines=lines,
        differs=differs,
    )
    return True, f"tax bill {bill.tax_no}: {'differs' if differs else 'agrees'}", inventory


def customs_rejection_settle(*, order_id: int, reason: str) -> bool:
    """Cancel an order customs rejected: ``orders.services.order_cancel`` refunds the shopper
    and releases the stock and quota (the checkout's one way to do that). Idempotent: an order
    no longer in ``customs_rejected`` is left alone."""
    from orders import services as order_services

    order = Order.objects.get(pk=order_id)
    if order.status != Order.Status.CUSTOMS_REJECTED:
        return False
    cancel = getattr(order_services, "order_cancel", None)
    if cancel is None:  # the checkout's services have not landed: retried until they have
        raise RuntimeError("orders.services.order_cancel is not available")
    cancel(order=order, by=None, reason=reason)
    return True


# --------------------------------------------------------------------------------------------
# Operators: resend, cancel (CEB623), return (CEB625)
# --------------------------------------------------------------------------------------------


class NotPossible(ValueError):
    """An operator action the declaration's state does not allow (the message says why)."""


def declaration_resend(*, declaration: Declaration, by=None) -> Declaration:
    """Send a dead or stopped document again: the same stored document (same guid and
    numbers), a fresh set of attempts. Refused once customs has answered it."""
    if declaration.file_id is None:  # a document of no order (a consignment's manifest)
        with transaction.atomic():
            row = lock_document(declaration.pk)
            if row.state not in {State.DEAD, State.STOPPED}:
                raise NotPossible(
                    _("Only a document that could not be sent or was stopped is sent again.")
                )
            row.state, row.last_error = State.PENDING, ""
            row.save(update_fields=["state", "last_error", "updated_at"])
            _enqueue_send(row, f":resend:{timezone.now():%Y%m%d%H%M%S%f}")
        return row
    with transaction.atomic():
        file = lock_file(declaration.file_id)
        row = next(r for r in file.locked_documents if r.pk == declaration.pk)
        if row.state not in {State.DEAD, State.STOPPED}:
            raise NotPossible(
                _("Only a document that could not be sent or was stopped is sent again.")
            )
        if file.status in {OrderDeclaration.Status.REJECTED, OrderDeclaration.Status.CANCELLED}:
            raise NotPossible(_("This declaration is closed."))
        if file.status == OrderDeclaration.Status.STOPPED:
            file.status, file.reason, file.mismatches = OrderDeclaration.Status.OPEN, "", []
            file.save(update_fields=["status", "reason", "mismatches", "updated_at"])
        row.state = State.HELD if row.kind == Kind.INVENTORY else State.PENDING
        row.last_error = ""
        row.save(update_fields=["state", "last_error", "updated_at"])
        if row.state == State.PENDING:
            _enqueue_send(row, f":resend:{timezone.now():%Y%m%d%H%M%S%f}")
    declaration_follow(file_id=file.pk)
    row.refresh_from_db()
    return row


def _return_lines(invt, already: list[Declaration], lines) -> tuple:
    """The CEB625 lines: every line of the list (``lines`` None), or ``lines`` (gnum -> units)
    — never more units of a line than the list has, less what earlier returns of the list
    (not rejected) declared."""
    listed = {ln.gnum: ln for ln in invt.lines}
    if lines is None:
        if already:
            raise NotPossible(_("This was declared already."))
        picked = {ln.gnum: ln.qty for ln in invt.lines}
    else:
        returned: dict[int, Decimal] = {}
        for row in already:
            for ln in stored.load(row.document).lines:
                returned[ln.gnum] = returned.get(ln.gnum, Decimal(0)) + ln.qty
        picked = {}
        for gnum, qty in sorted(dict(lines).items()):
            qty = Decimal(qty)
            if gnum not in listed or qty <= 0 or qty > listed[gnum].qty - returned.get(gnum, 0):
                raise NotPossible(
                    _("Line %(gnum)s of the list: at most its units not returned yet.")
                    % {"gnum": gnum}
                )
            picked[gnum] = qty
        if not picked:
            raise NotPossible(_("Name the lines that come back."))
    return tuple(
        t.ReturnLine(
            gnum=gnum,
            gcode=listed[gnum].gcode,
            gname=listed[gnum].gname,
            qty=qty,
            unit=listed[gnum].unit,
        )
        for gnum, qty in picked.items()
    )


def _after_release(
    file: OrderDeclaration, kind: str, reason: str, lines: dict | None = None
) -> Declaration:
    """A cancellation or a return of ``file``'s released list: the list's parties, numbers
    and buyer, its own ``copNo`` (C/R + order number + how many came before), the reason.
    A return names its lines (``lines``: gnum -> units; None: all of them)."""
    if not reason.strip():
        raise NotPossible(_("Please give a reason."))
    with transaction.atomic():
        file = lock_file(file.pk)
        if file.status != OrderDeclaration.Status.CLEARED or not file.invt_no:
            raise NotPossible(_("Only a list customs released can be cancelled or returned."))
        already = [r for r in file.locked_documents if r.kind == kind and r.state != State.REJECTED]
        if already and (kind == Kind.CANCEL or lines is None):
            raise NotPossible(_("This was declared already."))
        invt = stored.load(
            next(r for r in file.locked_documents if r.kind == Kind.INVENTORY).document
        )
        before = sum(1 for r in file.locked_documents if r.kind == kind)
        common = {
            "guid": new_guid(),
            "app_time": timezone.now().replace(microsecond=0),
            "customs_code": invt.customs_code,
            "order_no": invt.order_no,
            "ebp": invt.ebp,
            "ebc": invt.ebc,
            "logistics_no": invt.logistics_no,
            "logistics": invt.logistics,
            "cop_no": f"{'C' if kind == Kind.CANCEL else 'R'}{invt.order_no}-{before + 1}",
            "invt_no": file.invt_no,
            "buyer_id_number": invt.buyer_id_number,
            "buyer_name": invt.buyer_name,
            "buyer_telephone": invt.buyer_telephone,
            "agent": invt.agent,
            "reason": reason.strip()[:500],
        }
        if kind == Kind.CANCEL:
            doc = t.CancelDoc(**common)
        else:
            doc = t.ReturnDoc(**common, lines=_return_lines(invt, already, lines))
        row = Declaration.objects.create(
            file=file,
            kind=kind,
            doc_key=messages.document_key(doc)[1],
            guid=doc.guid,
            document=stored.dump(doc, transfer=transfer_for(file.profile)),
        )
        _enqueue_send(row)
    return row


def declaration_cancel(*, file: OrderDeclaration, reason: str, by=None) -> Declaration:
    """Ask customs to cancel a released list (CEB623, 撤销申请单), e.g. the parcel never left.
    Its CEB624 at 399 writes ``CANCELLED`` on the outbox (``_apply_status``): the buyer's
    quota comes back then; a refusal leaves it counted and its reason on the file."""
    return _after_release(file, Kind.CANCEL, reason)


def cancelled_order_declare(*, order_id: int, reason: str) -> Declaration | None:
    """A paid order was cancelled after customs released its list (``orders.cancel_released``
    on the outbox): declare the list's CEB623. Idempotent: a cancellation declared already
    (not refused) is not declared again. None: no released list to cancel."""
    file = OrderDeclaration.objects.filter(order_id=order_id).first()
    if file is None or file.status != OrderDeclaration.Status.CLEARED or not file.invt_no:
        return None
    declared = file.documents.filter(kind=Kind.CANCEL).exclude(state=State.REJECTED).first()
    if declared is not None:
        return declared
    return declaration_cancel(file=file, reason=reason or "订单取消", by=None)


def cancelled_quota_restore(*, declaration_id: int) -> bool:
    """Customs accepted a CEB623 (``CANCELLED``): give the order's quota back through the
    orders' one rule for it (``order_quota_restore_cancelled``), once."""
    from orders.services import order_quota_restore_cancelled

    row = Declaration.objects.select_related("file").get(pk=declaration_id)
    return order_quota_restore_cancelled(order_id=row.file.order_id)


def declaration_return(
    *, file: OrderDeclaration, reason: str, by=None, lines: dict | None = None
) -> Declaration:
    """Declare the goods of a released list coming back (CEB625, 退货申请单): every line
    (``lines`` None, once), or the units of ``lines`` (gnum -> units: a partial return; a
    list may have several, never returning more than it listed). Its CEB626 at 399 writes
    ``RETURNED`` on the outbox (``_apply_status``) for whoever asked for it to act on."""
    return _after_release(file, Kind.RETURN, reason, lines)
