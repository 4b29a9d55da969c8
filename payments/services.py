"""Payments' writes: start a payment (a Stripe PaymentIntent), apply what Stripe says about
it, confirm or cancel it, refund it, and receive Stripe's webhooks.

Every state change happens under ``lock_payment`` (slot 7 of the lock order) and moves
through ``payments.workflow.PAYMENT_FLOW``; what the layers above must hear about (paid,
failed, refunded) is written to the kernel outbox in the same transaction
(``payments.outbox``), never sent from here. See docs/PAYMENTS.md.

Calls to Stripe: one idempotency key per thing (``payment:<reference>:…``,
``refund:<payment>:<reference>:<amount>``), so a retried call never charges or refunds
twice; our own unique rows (one payment per reference, one refund per payment, order and
amount) make the same promise where the provider does not keep keys (localstripe).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.crypto import identifier_digest, mask
from marketplace.money import Money, minor_unit
from marketplace.outbox import outbox_enqueue
from marketplace.rules import field_error

from .lock_objects import lock_payment
from .models import Payment, PaymentEvent, Refund, StripeEvent
from .provider import charge_id, recording, stripe_client
from .selectors import payment_refundable
from .workflow import PAYMENT_FLOW, STRIPE_MOVES

log = logging.getLogger(__name__)

SUCCEEDED = "payments.succeeded"
FAILED = "payments.failed"
REFUNDED = "payments.refunded"
# China's customs may ask for the raw payment records for three years (2018 No. 179).
RAW_RETENTION = timedelta(days=3 * 365 + 1)


class WebhookRejected(Exception):
    """A webhook whose signature (or body) does not verify: answered 400, nothing stored."""


# --- amounts ---------------------------------------------------------------------------


def minor_units(money: Money) -> int:
    """``money`` in the currency's smallest unit, as Stripe counts it (CNY 12.34 -> 1234,
    JPY 500 -> 500), rounded half-up to the minor unit first."""
    rounded = money.rounded()
    return int(rounded.amount.scaleb(minor_unit(rounded.currency)))


def _from_minor(amount: int, currency: str) -> Money:
    return Money(Decimal(amount).scaleb(-minor_unit(currency)), currency).rounded()


def _unavailable(exc: stripe.StripeError):
    log.warning("stripe call failed: %s", exc)
    return field_error(
        "payment",
        _("The payment service did not answer. Please try again in a moment."),
        "payment_unavailable",
    )


def _parsed(exchanges: list[dict]) -> dict:
    """The last raw response body, parsed (what we store as a refund's raw response)."""
    if not exchanges:
        return {}
    try:
        return json.loads(exchanges[-1]["response"]["body"])
    except (ValueError, KeyError):
        return {"body": exchanges[-1]["response"].get("body", "")}


# --- start -----------------------------------------------------------------------------


def payment_start(
    *,
    reference: str,
    amount: Money,
    description: str,
    email: str,
    payer_name: str = "",
    payer_id_number: str = "",
    keep_raw: bool = False,
    metadata: dict | None = None,
) -> Payment:
    """The payment of checkout ``reference``: a PaymentIntent for ``amount`` (rounded to
    the currency's minor unit), created once.

    A second call with the same reference returns the same payment (and intent); with a
    different amount or currency it is refused (``payment_amount_changed``). ``payer_name``
    and ``payer_id_number`` (the customs identity of a China import) are stored encrypted,
    with a masked copy and a lookup digest. ``keep_raw`` (China imports) keeps every raw
    request sent to Stripe about this payment and its raw response, for three years
    (``keep_until``). ``metadata`` (small strings) goes to Stripe with the intent.
    """
    if not isinstance(amount, Money):
        raise TypeError("amount must be Money")
    money = amount.rounded()
    if money.amount <= 0:
        raise field_error(
            "amount", _("A payment must be for more than zero."), "payment_amount_positive"
        )
    if not reference:
        raise ValueError("a payment needs its checkout reference")
    with transaction.atomic():
        try:
            with transaction.atomic():
                payment, created = Payment.objects.get_or_create(
                    reference=reference,
                    defaults={"amount": money.amount, "currency": money.currency},
                )
        except IntegrityError:  # created by a concurrent call between the get and the create
            payment, created = Payment.objects.get(reference=reference), False
        payment = lock_payment(payment.pk)
        if payment.money != money:
            raise field_error(
                "amount",
                _("This checkout's payment is for %(amount)s; its amount cannot change.")
                % {"amount": payment.money},
                "payment_amount_changed",
            )
        if payment.intent_id:
            return payment
        if created or not payment.description:
            payment.description = (description or "")[:200]
            payment.email = email or ""
            payment.keep_raw = keep_raw
            payment.metadata = {str(k): str(v) for k, v in (metadata or {}).items()}
            if payer_name:
                payment.payer_name = payer_name
            if payer_id_number:
                payment.payer_id_number = payer_id_number
                payment.payer_id_masked = mask(payer_id_number)
                payment.payer_id_digest = identifier_digest(payer_id_number)
        params = {
            "amount": minor_units(money),
            "currency": money.currency.lower(),
            # localstripe refuses ``description`` and ``receipt_email``; Stripe shows
            # metadata on the payment too, and Silkway sends its own receipts.
            "metadata": {
                **payment.metadata,
                "reference": reference,
                "description": payment.description,
                "email": payment.email,
            },
        }
        key = f"payment:{reference}:{params['amount']}:{params['currency']}"
        try:
            with recording() as exchanges:
                intent = stripe_client().v1.payment_intents.create(params, {"idempotency_key": key})
        except stripe.StripeError as exc:
            raise _unavailable(exc) from exc
        payment.intent_id = intent.id
        payment.client_secret = intent.client_secret or ""
        if payment.keep_raw:
            payment.raw_exchanges = [*payment.raw_exchanges, *exchanges]
            payment.keep_until = timezone.now() + RAW_RETENTION
        payment.save()
    return payment


# --- applying the provider's state -------------------------------------------------------


def _attempt_of(error: dict) -> str:
    """What identifies one failed attempt: its charge, else its code and payment method."""
    method = error.get("payment_method") or {}
    method_id = method.get("id", "") if isinstance(method, dict) else str(method)
    return error.get("charge") or f"{error.get('code', '')}:{method_id}"


def _charge_time(intent) -> datetime:
    charge = intent.get("latest_charge")
    created = charge.get("created") if isinstance(charge, dict) else None
    if isinstance(created, int):
        return datetime.fromtimestamp(created, tz=UTC)
    return timezone.now()


def _apply_intent(payment_id: int, intent, *, exchanges: list[dict], by=None) -> Payment:
    """Move payment ``payment_id`` to what ``intent`` (Stripe's PaymentIntent) says,
    monotonically: a final payment never moves, the same state seen again changes nothing,
    a new failed attempt is recorded once."""
    intent = intent.to_dict() if hasattr(intent, "to_dict") else intent
    with transaction.atomic():
        payment = lock_payment(payment_id)
        changed: list[str] = []
        if payment.keep_raw and exchanges:
            payment.raw_exchanges = [*payment.raw_exchanges, *exchanges]
            changed.append("raw_exchanges")
        status = intent.get("status")
        error = intent.get("last_payment_error") or None
        move = STRIPE_MOVES.get(status)
        if status == "requires_payment_method" and error:
            move = "fail"
            attempt = _attempt_of(error)
            if payment.status == Payment.Status.FAILED and payment.failure_attempt == attempt:
                move = None  # the failure we already recorded
        target = PAYMENT_FLOW.transitions[move].target if move else None
        if move and target == payment.status and move != "fail":
            move = None
        if move and not PAYMENT_FLOW.can(payment, move):
            log.info("payment %s: %s ignored in %s", payment.pk, status, payment.status)
            move = None
        if move == "succeed":
            payment.transaction_id = charge_id(intent)
            payment.paid_at = _charge_time(intent)
            payment.failure_code = payment.failure_message = ""
            changed += ["transaction_id", "paid_at", "failure_code", "failure_message"]
            if payment.keep_raw:
                payment.keep_until = payment.paid_at + RAW_RETENTION
                changed.append("keep_until")
        elif move == "fail":
            payment.failure_code = (error.get("decline_code") or error.get("code") or "")[:100]
            payment.failure_message = error.get("message") or ""
            payment.failure_attempt = _attempt_of(error)[:255]
            changed += ["failure_code", "failure_message", "failure_attempt"]
        if changed:
            payment.save(update_fields=[*changed, "updated_at"])
        if move:
            event = PAYMENT_FLOW.apply(
                payment, move, by=by, event_model=PaymentEvent, reason=f"stripe: {status}"
            )
            if move == "succeed":
                outbox_enqueue(
                    kind=SUCCEEDED,
                    payload={"payment_id": payment.pk},
                    key=f"payment:{payment.pk}:succeeded",
                )
            elif move == "fail":
                outbox_enqueue(
                    kind=FAILED,
                    payload={"payment_id": payment.pk},
                    key=f"payment:{payment.pk}:failed:{event.pk}",
                )
    payment.refresh_from_db()
    return payment


def payment_sync(*, payment: Payment, by=None) -> Payment:
    """Ask Stripe for the payment's intent and apply its state (the return page after
    Stripe.js confirmation calls it, so the shopper sees the result before the webhook;
    every webhook about the intent calls it too). Returns the payment as it now is."""
    if not payment.intent_id:
        return payment
    try:
        with recording() as exchanges:
            intent = stripe_client().v1.payment_intents.retrieve(
                payment.intent_id, {"expand": ["latest_charge"]}
            )
    except stripe.StripeError as exc:
        raise _unavailable(exc) from exc
    return _apply_intent(payment.pk, intent, exchanges=exchanges, by=by)


def payment_confirm(*, payment: Payment, payment_method: str, by=None) -> Payment:
    """Attach ``payment_method`` (a ``pm_``/``card_`` id from Stripe.js) to the intent and
    confirm it on the server, then apply the result (``requires_action`` means the page
    finishes 3-D Secure with ``stripe.confirmCardPayment(client_secret)``).

    The page can instead confirm with Stripe.js alone and call ``payment_sync``; this door
    exists for flows without Stripe.js' own confirmation (localstripe's Stripe.js cannot
    attach a card: docs/PAYMENTS.md)."""
    if payment.status in (Payment.Status.SUCCEEDED, Payment.Status.CANCELED):
        return payment
    client = stripe_client()
    try:
        with recording() as exchanges:
            client.v1.payment_intents.update(payment.intent_id, {"payment_method": payment_method})
            try:
                intent = client.v1.payment_intents.confirm(payment.intent_id)
            except stripe.CardError:
                # Stripe answers a decline with 402; the intent holds the reason
                intent = client.v1.payment_intents.retrieve(
                    payment.intent_id, {"expand": ["latest_charge"]}
                )
    except stripe.StripeError as exc:
        raise _unavailable(exc) from exc
    return _apply_intent(payment.pk, intent, exchanges=exchanges, by=by)


def payment_cancel(*, payment: Payment, by=None, reason: str = "") -> Payment:
    """Cancel an unpaid payment's intent (the checkout expired or was abandoned), so it can
    no longer be paid. A payment that turns out to be paid already stays paid: the caller
    reads the returned status."""
    if payment.status in (Payment.Status.SUCCEEDED, Payment.Status.CANCELED):
        return payment
    if not payment.intent_id:
        return payment
    try:
        with recording() as exchanges:
            intent = stripe_client().v1.payment_intents.cancel(payment.intent_id)
    except stripe.InvalidRequestError:
        return payment_sync(payment=payment, by=by)  # not cancellable: it moved meanwhile
    except stripe.StripeError as exc:
        raise _unavailable(exc) from exc
    return _apply_intent(payment.pk, intent, exchanges=exchanges, by=by)


# --- refunds ---------------------------------------------------------------------------


REFUND_STATUSES = {s.value for s in Refund.Status}


def _apply_refund(refund_id: int, data: dict) -> Refund:
    """Record what Stripe says about a refund: its id and status (pending -> succeeded |
    failed | canceled; a final status never changes), announcing a success once."""
    with transaction.atomic():
        refund = Refund.objects.get(pk=refund_id)
        lock_payment(refund.payment_id)
        refund.refresh_from_db()
        status = data.get("status")
        fields = ["raw_response", "updated_at"]
        refund.raw_response = data
        if data.get("id") and not refund.provider_refund_id:
            refund.provider_refund_id = data["id"]
            fields.append("provider_refund_id")
        if status in REFUND_STATUSES and refund.status == Refund.Status.PENDING:
            refund.status = status
            fields.append("status")
            if status == Refund.Status.SUCCEEDED:
                refund.refunded_at = timezone.now()
                fields.append("refunded_at")
            elif data.get("failure_reason"):
                refund.failure_reason = str(data["failure_reason"])[:255]
                fields.append("failure_reason")
        refund.save(update_fields=fields)
        if refund.status == Refund.Status.SUCCEEDED:
            outbox_enqueue(
                kind=REFUNDED, payload={"refund_id": refund.pk}, key=f"refund:{refund.pk}:succeeded"
            )
    return refund


def payment_refund(*, payment: Payment, amount: Money, reference: str, reason: str = "") -> Refund:
    """Refund ``amount`` of a paid payment for order ``reference`` (all of it or part).

    Never more than was paid minus what earlier refunds (pending or done) took
    (``refund_exceeds_payment``); only a paid payment (``payment_not_paid``), in its
    currency (``refund_currency``), for more than zero (``refund_amount_positive``).
    Idempotent per order and amount: the same call again returns the same refund (and, if
    Stripe was not reached the first time, asks it again with the same idempotency key).
    The refund row is written (pending) before Stripe is called, so a concurrent refund
    counts it."""
    if not isinstance(amount, Money):
        raise TypeError("amount must be Money")
    money = amount.rounded()
    with transaction.atomic():
        locked = lock_payment(payment.pk)
        if money.currency != locked.currency:
            raise field_error(
                "amount",
                _("This payment was made in %(currency)s; refund it in %(currency)s.")
                % {"currency": locked.currency},
                "refund_currency",
            )
        if money.amount <= 0:
            raise field_error(
                "amount", _("A refund must be for more than zero."), "refund_amount_positive"
            )
        refund = Refund.objects.filter(
            payment=locked, reference=reference, amount=money.amount
        ).first()
        if refund is None:
            if not locked.is_paid:
                raise field_error(
                    "payment",
                    _("This payment has not been paid, so nothing can be refunded."),
                    "payment_not_paid",
                )
            left = payment_refundable(locked)
            if money.amount > left.amount:
                raise field_error(
                    "amount",
                    _("At most %(left)s of this payment is left to refund.")
                    % {"left": left.rounded()},
                    "refund_exceeds_payment",
                )
            refund = Refund.objects.create(
                payment=locked,
                reference=reference,
                amount=money.amount,
                currency=money.currency,
                reason=(reason or "")[:500],
            )
    if refund.status != Refund.Status.PENDING or refund.provider_refund_id:
        return refund
    units = minor_units(money)
    params = {
        "charge": locked.transaction_id,
        "amount": units,
        # localstripe refuses ``reason`` (and Stripe's is an enum): ours goes in metadata
        "metadata": {
            "payment": locked.reference,
            "reference": reference,
            "reason": refund.reason,
        },
    }
    try:
        with recording() as exchanges:
            stripe_client().v1.refunds.create(
                params, {"idempotency_key": f"refund:{locked.pk}:{reference}:{units}"}
            )
    except (stripe.InvalidRequestError, stripe.CardError) as exc:
        Refund.objects.filter(pk=refund.pk, status=Refund.Status.PENDING).update(
            status=Refund.Status.FAILED, failure_reason=str(exc)[:255], updated_at=timezone.now()
        )
        raise field_error(
            "amount", _("The payment service refused this refund."), "refund_refused"
        ) from exc
    except stripe.StripeError as exc:
        raise _unavailable(exc) from exc  # left pending: the same call again retries it
    return _apply_refund(refund.pk, _parsed(exchanges))


def _refund_seen(data: dict) -> str:
    """Apply a refund object Stripe sent or returned (webhooks): find our row by its id,
    else by the payment's charge and the order reference and amount in its metadata."""
    refund = Refund.objects.filter(provider_refund_id=data.get("id")).first()
    if refund is None:
        payment = Payment.objects.filter(transaction_id=data.get("charge") or "x").first()
        reference = (data.get("metadata") or {}).get("reference")
        if payment is None or not reference:
            return "unknown refund"
        amount = _from_minor(int(data.get("amount") or 0), payment.currency)
        refund = Refund.objects.filter(
            payment=payment, reference=reference, amount=amount.amount
        ).first()
        if refund is None:
            # made at Stripe by a call whose transaction rolled back here: record it
            refund, _created = Refund.objects.get_or_create(
                payment=payment,
                reference=reference,
                amount=amount.amount,
                defaults={"currency": payment.currency},
            )
    _apply_refund(refund.pk, data)
    return "refund applied"


# --- webhooks --------------------------------------------------------------------------


def stripe_webhook_receive(*, payload: bytes, signature: str) -> StripeEvent:
    """Verify, store once and apply one webhook event from Stripe.

    ``stripe.Webhook.construct_event`` checks the signature against
    ``STRIPE_WEBHOOK_SECRET`` (and its timestamp's age): a bad one raises
    ``WebhookRejected`` and nothing is stored. The event is stored by its id once; a
    duplicate or replay only counts a delivery. Applying it does not trust the event's
    copy of the object: the intent (or refund) is read again from Stripe and applied
    monotonically (``payment_sync``), so events in any order change nothing twice. An event
    is marked processed only once applied, so if Stripe cannot be read the error goes back
    to Stripe, which sends the event again later.
    """
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        raise WebhookRejected("STRIPE_WEBHOOK_SECRET is not set")
    try:
        stripe.Webhook.construct_event(payload, signature or "", secret)
        data = json.loads(payload)
    except (stripe.SignatureVerificationError, ValueError) as exc:
        raise WebhookRejected(str(exc)) from exc
    if not isinstance(data, dict) or not data.get("id") or not data.get("type"):
        raise WebhookRejected("not a Stripe event")
    obj = (data.get("data") or {}).get("object") or {}
    with transaction.atomic():
        event, created = StripeEvent.objects.get_or_create(
            event_id=data["id"],
            defaults={
                "type": data["type"],
                "object_id": str(obj.get("id", ""))[:255],
                "payload": data,
            },
        )
        if not created:
            StripeEvent.objects.filter(pk=event.pk).update(deliveries=F("deliveries") + 1)
            event.refresh_from_db()
    if event.processed_at:
        return event
    outcome = _apply_event(data["type"], obj)
    StripeEvent.objects.filter(pk=event.pk, processed_at__isnull=True).update(
        processed_at=timezone.now(), outcome=outcome
    )
    event.refresh_from_db()
    return event


def _apply_event(kind: str, obj: dict) -> str:
    if kind.startswith("payment_intent."):
        payment = Payment.objects.filter(intent_id=obj.get("id") or "x").first()
        if payment is None:
            return "unknown payment intent"
        payment = payment_sync(payment=payment)
        return f"payment {payment.status}"
    if kind.startswith("refund."):
        try:
            data = stripe_client().v1.refunds.retrieve(obj["id"])
        except stripe.StripeError as exc:
            raise _unavailable(exc) from exc
        return _refund_seen(data.to_dict())
    if kind == "charge.refunded":
        try:
            refunds = stripe_client().v1.refunds.list({"charge": obj.get("id")})
        except stripe.StripeError as exc:
            raise _unavailable(exc) from exc
        return "; ".join(_refund_seen(r.to_dict()) for r in refunds.data) or "no refunds"
    return "ignored"


# --- retention -------------------------------------------------------------------------


def payment_raw_purge(*, now=None) -> int:
    """Empty the raw provider records of payments whose ``keep_until`` has passed (the
    daily beat task ``payments.tasks.payments_purge_raw`` calls it). Returns how many."""
    now = now or timezone.now()
    return (
        Payment.objects.filter(keep_until__lt=now)
        .exclude(raw_exchanges=[])
        .update(raw_exchanges=[], updated_at=now)
    )
