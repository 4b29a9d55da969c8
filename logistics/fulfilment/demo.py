"""Demo tracking (``DEMO_STEPS``): feeds, a parcel the simulator drives, a stuck parcel.

- **Feeds.** Every seeded carrier pushes signed webhooks, and parcels are booked with the
  carrier simulator ``make run`` starts (``manage.py carrier_simulator``,
  ``CARRIER_SIMULATOR_URL``). The secrets are the demo's own (``demo-<carrier code>``), the
  same ``make run`` gives the simulator.
- **The tracked parcel.** The demo shopper (林小雨) has bought a jar of Kiwi Nature's manuka
  honey, shipped by direct mail (9610) from Christchurch to Hangzhou: placed through the
  checkout, paid (``_pay``: a real PaymentIntent in the localstripe ``make seed`` and
  ``make run`` start, paid with the test card 4242…, so an operator's back-office refund of
  it reaches localstripe like any other; the checkout's payment opens the order's customs
  declaration, which the ``declarations_worker`` sends to the gateway simulator and whose
  receipts clear it), and packed by the merchant
  (one parcel, a waybill, its label). The booking reaches the carrier simulator once it is up
  (the outbox retries it; ``declarations_worker`` sweeps the outbox), and from then on the
  simulator drives it — picked up, departed, hub, customs hold and release, out for
  delivery, delivered — with signed webhooks at ``CARRIER_SPEED``, nobody touching it.
- **The stuck parcel.** The same shopper's Tokyo Beauty order was packed ten days ago and
  booked with its carrier, which scanned it three times and then went quiet: its last event
  is eight days old, past the direct-mail route's 144 h threshold, so stuck detection opens a
  ``quiet`` exception in the operators' queue (run here once; ``tracking_worker`` runs it
  every ``STUCK_DETECT_SECONDS`` beside ``make run``, as beat does in production).

Idempotent: each purchase is keyed by its checkout's idempotency key.
"""

from __future__ import annotations

import logging
import socket
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from logistics.shipping.models import Carrier
from marketplace.demo import OPERATOR_EMAIL, DemoStep

from .models import CarrierFeed
from .services.feeds import carrier_feed_save

log = logging.getLogger(__name__)

TRACKED_KEY = "demo-tracked-parcel"
STUCK_KEY = "demo-stuck-parcel"
# Direct-mail goods (stocked abroad only): what the demo shopper bought, from whom.
TRACKED_SKU = ("KN-MH-400", "kiwi-nature", "owner@kiwi-nature.example")
STUCK_SKU = ("TB-DHC-VC60", "tokyo-beauty", "owner@tokyo-beauty.example")
# The stuck parcel's story, in hours before the seed: packed, booked, three scans, silence.
STUCK_PACKED_HOURS = 240
STUCK_SCANS = (
    ("info_received", 240, "Tokyo, JP", "Shipment information received"),
    ("in_transit", 228, "Tokyo, JP", "Picked up by courier"),
    ("in_transit", 192, "Tokyo, JP", "Departed origin facility"),
)


def demo_secret(code: str) -> str:
    return f"demo-{code}"


def seed_tracking_demo(demo=None) -> None:
    booking = settings.CARRIER_SIMULATOR_URL.rstrip("/") + "/shipments"
    for carrier in Carrier.objects.filter(is_active=True):
        if CarrierFeed.objects.filter(carrier=carrier).exists():
            continue
        carrier_feed_save(
            feed=CarrierFeed(carrier=carrier, booking_url=booking),
            secret=demo_secret(carrier.code),
            by=None,
        )


def _direct_mail_sku(code: str, merchant: str):
    """SKU ``code`` if the demo stocks it abroad and not in a bonded zone, else another of
    ``merchant``'s such SKUs (the catalogue's demo may change), or None."""
    from catalog.models import SKU

    abroad = (
        SKU.objects.filter(
            is_active=True,
            product__status="approved",
            product__merchant__slug=merchant,
            stock__warehouse__kind="overseas",
            stock__on_hand__gt=2,
        )
        .exclude(stock__warehouse__kind="bonded")
        .distinct()
        .order_by("code")
    )
    return abroad.filter(code=code).first() or abroad.first()


def _buy(shopper, sku, *, key: str, paid_at):
    """The demo shopper's paid checkout of one unit of ``sku`` (placed once per ``key``)."""
    from customs.demo import DEMO_BUYER_ID
    from orders.demo import HOME, SHOPPER_NAME
    from orders.models import Checkout
    from orders.services import cart_add, cart_for_user, checkout_pay, checkout_place
    from payments.models import Payment

    checkout = Checkout.objects.filter(user=shopper, idempotency_key=key).first()
    if checkout is not None:
        return checkout
    cart = cart_for_user(user=shopper)
    cart.lines.all().delete()  # the demo's own purchase, not whatever a visitor left
    cart_add(cart=cart, sku_id=sku.pk, quantity=1, destination="CN")
    checkout = checkout_place(
        user=shopper,
        cart=cart,
        address=HOME,
        identity={"name": SHOPPER_NAME, "id_number": DEMO_BUYER_ID, "phone": HOME["phone"]},
        shipping={},
        currency="CNY",
        language="zh-hans",
        idempotency_key=key,
    )
    payment = _pay(checkout, paid_at=paid_at)
    if payment is None:
        # No payment service answered: what localstripe's webhook leaves for a card that
        # paid, so the story still shows; its intent exists nowhere, so a refund of it fails.
        payment = Payment.objects.create(
            reference=checkout.number,
            amount=checkout.total,
            currency=checkout.currency,
            description=f"Silkway {checkout.number}",
            email=checkout.email,
            intent_id=f"pi_demo_{checkout.number}",
            status=Payment.Status.SUCCEEDED,
            transaction_id=f"ch_demo_{checkout.number}",
            paid_at=paid_at,
            payer_name=SHOPPER_NAME,
            payer_id_number=DEMO_BUYER_ID,
            payer_id_masked=DEMO_BUYER_ID[:3] + "*" * 11 + DEMO_BUYER_ID[-4:],
        )
    checkout_pay(checkout=checkout, payment=payment)  # at the payment's (the story's) time
    return checkout


def _provider_answers() -> bool:
    """Whether the demo's payment service — a local stand-in (``STRIPE_API_BASE``: the
    localstripe ``make seed`` starts), never Stripe itself — accepts a connection now: one
    quick try, so a seed without it does not wait on the SDK's retries."""
    if not (settings.STRIPE_API_BASE and settings.STRIPE_SECRET_KEY):
        return False
    base = urlsplit(settings.STRIPE_API_BASE)
    port = base.port or (443 if base.scheme == "https" else 80)
    try:
        socket.create_connection((base.hostname, port), timeout=1).close()
    except OSError:
        return False
    return True


def _pay(checkout, *, paid_at):
    """Pay ``checkout`` for real: its PaymentIntent (``checkout_payment``) confirmed with the
    test card through the SDK (``payments.testing.pay_with_test_card``, as the checkout page
    does after Stripe.js), the payment's time set to the story's. None (and a warning) when
    the payment service does not answer: ``make seed`` and ``make run`` start localstripe
    first, with a state file, so the intents outlive a restart."""
    from orders.services import checkout_payment
    from payments.models import Payment
    from payments.testing import pay_with_test_card

    if not _provider_answers():
        log.warning(
            "demo: no payment service at %s: checkout %s is recorded as paid, but a refund "
            "of it cannot reach Stripe (run make seed or make run, which start localstripe)",
            settings.STRIPE_API_BASE,
            checkout.number,
        )
        return None
    try:
        with transaction.atomic():
            payment = pay_with_test_card(checkout_payment(checkout=checkout))
    except ValidationError as exc:
        log.warning("demo: checkout %s not paid through the payment service: %s", checkout, exc)
        return None
    if payment.status != Payment.Status.SUCCEEDED:
        raise RuntimeError(f"demo payment of {checkout.number} did not succeed: {payment.status}")
    Payment.objects.filter(pk=payment.pk).update(paid_at=paid_at)
    payment.paid_at = paid_at
    return payment


def _pack(checkout, owner_email: str, demo):
    from .services.shipments import shipment_create

    order = checkout.orders.get()
    return shipment_create(order=order, by=demo.user(owner_email)).parcels.get()


def _seeded_parcel(shopper, key: str):
    from .models import Parcel

    return (
        Parcel.objects.filter(order__checkout__user=shopper, order__checkout__idempotency_key=key)
        .select_related("order")
        .first()
    )


def seed_tracked_parcel(demo) -> None:
    from orders.demo import SHOPPER_EMAIL

    shopper = demo.user(SHOPPER_EMAIL)
    parcel = _seeded_parcel(shopper, TRACKED_KEY)
    if parcel is None:
        code, merchant, owner = TRACKED_SKU
        sku = _direct_mail_sku(code, merchant)
        if sku is None:
            return
        checkout = _buy(shopper, sku, key=TRACKED_KEY, paid_at=timezone.now())
        parcel = _pack(checkout, owner, demo)
    demo.login(
        SHOPPER_EMAIL,
        f"shopper: order {parcel.order.number}, parcel {parcel.waybill_number} on its way",
        f"/zh-hans/account/orders/{parcel.order.number}/",
    )


def seed_stuck_parcel(demo) -> None:
    from orders.demo import SHOPPER_EMAIL

    shopper = demo.user(SHOPPER_EMAIL)
    parcel = _seeded_parcel(shopper, STUCK_KEY)
    if parcel is None:
        parcel = _stuck_parcel(shopper, demo)
        if parcel is None:
            return
    demo.login(
        OPERATOR_EMAIL,
        f"operator: stuck parcel {parcel.waybill_number} in the exceptions queue",
        "/en/ops/fulfilment/parcelexception/",
    )


def _stuck_parcel(shopper, demo):
    from .models import Parcel
    from .services.stuck import stuck_detect
    from .services.tracking import tracking_events_record

    code, merchant, owner = STUCK_SKU
    sku = _direct_mail_sku(code, merchant)
    if sku is None:
        return
    now = timezone.now()
    packed_at = now - timedelta(hours=STUCK_PACKED_HOURS)
    checkout = _buy(shopper, sku, key=STUCK_KEY, paid_at=packed_at - timedelta(hours=6))
    parcel = _pack(checkout, owner, demo)
    # Booked back then (so the outbox's booking, finding it booked, sends nothing and the
    # simulator never hears of it): the carrier took it and went quiet.
    Parcel.objects.filter(pk=parcel.pk).update(booked_at=packed_at)
    tracking_events_record(
        carrier=parcel.carrier,
        events=[
            {
                "waybill": parcel.waybill_number,
                "status": status,
                "time": (now - timedelta(hours=hours)).isoformat(),
                "location": location,
                "text": text,
            }
            for status, hours, location, text in STUCK_SCANS
        ],
        source="webhook",
    )
    stuck_detect(now=now)
    return parcel


DEMO_STEPS = [
    DemoStep("fulfilment.feeds", seed_tracking_demo, after=("logistics.shipping",)),
    DemoStep(
        "fulfilment.tracked_parcel",
        seed_tracked_parcel,
        after=("fulfilment.feeds", "orders.shopper", "catalog.stock", "customs.rates"),
    ),
    DemoStep(
        "fulfilment.stuck_parcel",
        seed_stuck_parcel,
        after=("fulfilment.feeds", "orders.shopper", "catalog.stock", "fulfilment.tracked_parcel"),
    ),
]
