"""Expiry: a checkout not paid by ``expires_at`` gives its stock back.

``checkouts_expire`` (the beat task ``orders.tasks.checkouts_expire``, every minute) takes
each overdue checkout in its own short transaction, in the lock order: the checkout (slot
6; a payment arriving at the same moment waits for it, or it for the payment), its orders
(slot 8), their stock rows (slot 9). The flash-sale admissions and claimed coupons it used
are given back right after the checkout's lock (marketing, slot 6). The unpaid orders are cancelled (``ORDER_FLOW``
"cancel", one event each, with the reason), their reservations released
(``stock_release``, allocations ``released``) and the checkout marked expired. A payment
that succeeds afterwards is handled by ``checkout_pay`` (docs/ORDERS.md, "Late payment").

The checkout's PaymentIntent is cancelled at Stripe after the expiry commits, through the
outbox (``CANCEL_INTENT``: ``orders.outbox.cancel_intent`` calls
``payments.services.payment_cancel``), never while the rows are locked; an intent that was
paid meanwhile stays paid and its payment takes the late-payment path.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_noop

from catalog.services.stock import StockLine, stock_release
from marketing.coupons.services import coupons_release
from marketing.distribution.services import referral_reverse
from marketing.flash.services import flash_admissions_release
from marketing.points.services import POINTS_CURRENCY, points_give_back
from marketing.pricing import Step
from marketplace.outbox import outbox_enqueue
from orders.flow import ORDER_FLOW
from orders.lock_objects import lock_checkout, lock_orders
from orders.models import Allocation, Checkout, LinePromotionShare, Order, OrderEvent, OrderLine

# The reason written on the cancelled orders' events (in English, like every event reason
# the system writes; pages translate it through the catalogue).
EXPIRED_REASON = gettext_noop("Not paid in time: the reservation expired.")
BATCH = 200
CANCEL_INTENT = "orders.cancel_intent"
GIVE_BACK = "orders.give_back"


def release_allocations(allocations, *, note: str) -> None:
    """Give reserved allocations' units back to stock and mark them released."""
    allocations = list(allocations)
    if not allocations:
        return
    stock_release(lines=[StockLine(a.stock_id, a.quantity) for a in allocations], note=note)
    Allocation.objects.filter(pk__in=[a.pk for a in allocations]).update(
        status=Allocation.Status.RELEASED, expires_at=None, updated_at=timezone.now()
    )


def promotions_give_back(checkout: Checkout, *, reason: str) -> None:
    """What an unpaid checkout used goes back (slot 6, right after the checkout's lock):
    flash-sale units to the gate, claimed coupons to their shopper, the referral's
    commission, the points redeemed (a credit row: no lock, docs/MARKETING.md). Expiry and a
    cancellation before payment both call it."""
    flash_admissions_release(checkout_number=checkout.number, reason=reason)
    coupons_release(checkout_number=checkout.number, reason=reason)
    referral_reverse(checkout_number=checkout.number)
    points_give_back(checkout_number=checkout.number)


def paid_order_give_back(checkout: Checkout, *, reason: str) -> None:
    """A paid checkout's order was cancelled (``order_cancel``): what no order of the
    checkout still uses goes back, the way ``promotions_give_back`` does for an unpaid one.
    Once every order is cancelled, everything (flash units, coupons, the referral). Before
    that, per rule (docs/MARKETING.md, "Giving back"): flash-sale units of SKUs no order
    still keeps (a kept order keeps its admission), and a merchant's coupons once no order
    of that merchant is kept, and the points the cancelled orders' lines took (their
    ``LinePromotionShare`` rows); a platform coupon and the referral stay while any order is
    kept. Caller holds the checkout's lock (slot 6): this takes the admissions and the
    claims after it. Idempotent."""
    orders = list(
        Order.objects.filter(checkout=checkout).only("pk", "number", "status", "merchant_id")
    )
    kept = [o for o in orders if o.status != Order.Status.CANCELLED]
    if not kept:
        promotions_give_back(checkout, reason=reason)
        return
    gone = [o for o in orders if o.status == Order.Status.CANCELLED]
    if not gone:
        return
    skus_of = {}
    for order_id, sku_id in OrderLine.objects.filter(order__checkout=checkout).values_list(
        "order_id", "sku_id"
    ):
        skus_of.setdefault(order_id, set()).add(sku_id)
    kept_skus = set().union(*(skus_of.get(o.pk, set()) for o in kept))
    gone_skus = set().union(*(skus_of.get(o.pk, set()) for o in gone)) - kept_skus
    kept_merchants = {o.merchant_id for o in kept}
    gone_merchants = {o.merchant_id for o in gone} - kept_merchants
    if gone_skus:
        flash_admissions_release(checkout_number=checkout.number, reason=reason, sku_ids=gone_skus)
    if gone_merchants:
        coupons_release(checkout_number=checkout.number, reason=reason, merchant_ids=gone_merchants)
    # the points the cancelled orders' lines took (each order once: its own reference)
    taken = dict(
        LinePromotionShare.objects.filter(
            line__order__in=gone, step=Step.POINTS, currency=POINTS_CURRENCY
        )
        .values_list("line__order__number")
        .annotate(amount=Sum("amount"))
    )
    for number, amount in sorted(taken.items()):
        points_give_back(checkout_number=checkout.number, order_number=number, amount=amount)


def _expire_one(checkout_id: int, now) -> bool:
    with transaction.atomic():
        checkout = lock_checkout(checkout_id)
        if checkout.status != Checkout.Status.AWAITING_PAYMENT or checkout.expires_at > now:
            return False  # paid or expired meanwhile
        promotions_give_back(checkout, reason=EXPIRED_REASON)
        order_ids = list(Order.objects.filter(checkout=checkout).values_list("pk", flat=True))
        orders = lock_orders(order_ids)
        for order in orders.values():
            if ORDER_FLOW.can(order, "cancel") and order.status == Order.Status.AWAITING_PAYMENT:
                ORDER_FLOW.apply(
                    order, "cancel", by=None, event_model=OrderEvent, reason=EXPIRED_REASON
                )
        release_allocations(
            Allocation.objects.filter(
                line__order_id__in=order_ids, status=Allocation.Status.RESERVED
            ).order_by("pk"),
            note=f"{checkout.number} expired",
        )
        checkout.status = Checkout.Status.EXPIRED
        checkout.save(update_fields=["status"])
        outbox_enqueue(
            kind=CANCEL_INTENT,
            payload={"checkout_id": checkout.pk, "reason": EXPIRED_REASON},
            key=f"cancel-intent:{checkout.number}",
        )
        return True


def checkouts_expire(*, now=None) -> int:
    """Expire every checkout whose reservation ran out by ``now`` (default: now); returns
    how many it expired. Safe to run twice at once: each checkout is re-checked under its
    lock."""
    now = now or timezone.now()
    expired, after = 0, 0
    while True:
        ids = list(
            Checkout.objects.filter(
                status=Checkout.Status.AWAITING_PAYMENT, expires_at__lte=now, pk__gt=after
            )
            .order_by("pk")
            .values_list("pk", flat=True)[:BATCH]
        )
        expired += sum(1 for pk in ids if _expire_one(pk, now))
        if len(ids) < BATCH:
            return expired
        after = ids[-1]
