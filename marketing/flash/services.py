"""Flash-sale writes: scheduling, admission through the gate, giving units back, rebuilding
the gate (docs/MARKETING.md, "Flash sales"; the gate's reasoning is in ``gate.py``).

Checkout calls two of these inside its own transaction (docs/MARKETING.md, "What checkout
calls"): ``flash_admissions_consume`` while a checkout is placed (the flash price for the
admitted units) and ``flash_admissions_release`` when a checkout expires unpaid or its order
is cancelled before payment.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.lock_objects import lock_skus
from catalog.models import SKU, Stock
from marketplace.cacheversion import storefront_version
from marketplace.rules import RuleErrors, field_error
from merchants.roles import Capability
from merchants.services import require_capability

from ..flow import ADMISSION_FLOW, FLASH_SALE_FLOW
from ..lock_objects import lock_admissions, lock_flash_sale
from ..models import FlashAdmission, FlashAdmissionEvent, FlashSale, FlashSaleEvent, FlashSaleItem
from . import gate, selectors

logger = logging.getLogger(__name__)

HOLDING = FlashAdmission.HOLDING


# ---------------------------------------------------------------------------- scheduling


def _sale_check(
    *,
    merchant,
    title: str,
    starts_at,
    ends_at,
    per_shopper_limit: int,
    items: list[dict],
    now,
    sale_id: int | None = None,
) -> list[int]:
    """The rules a sale's terms must follow, for scheduling and editing alike (``sale_id``:
    the sale being edited, which does not overlap itself). Locks the merchant's SKUs named
    (the caller holds a transaction). Raises the refusals together; returns the SKU ids in
    ``items``' order."""
    errors = RuleErrors()
    if not (title or "").strip():
        errors.add("title", _("Give the sale a title."), "flash_title_required")
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        errors.add("ends_at", _("The sale must end after it starts."), "flash_window_inverted")
    elif ends_at <= now:
        errors.add("ends_at", _("The sale would already be over."), "flash_window_over")
    if not per_shopper_limit or per_shopper_limit < 1:
        errors.add(
            "per_shopper_limit", _("Allow each shopper at least one unit."), "flash_limit_positive"
        )
    if not items:
        errors.add("items", _("Put at least one SKU in the sale."), "flash_items_required")
    errors.raise_if_any()

    sku_ids = [int(getattr(i["sku"], "pk", i["sku"])) for i in items]
    # The SKUs' rows are locked before the overlap is read: two schedulings (or changes) of
    # one SKU at the same moment take turns, and the second sees the first's items (READ
    # COMMITTED: each statement reads what has committed before it). Lock order: the sale
    # (when editing), then the SKUs in pk order (docs/ARCHITECTURE.md, slot 5).
    skus = lock_skus(SKU.objects.for_merchant(merchant), sku_ids)
    available = dict(
        Stock.objects.filter(sku_id__in=skus, warehouse__is_active=True)
        .values("sku_id")
        .annotate(n=Sum("on_hand") - Sum("reserved"))
        .values_list("sku_id", "n")
    )
    overlapping = set(
        FlashSaleItem.objects.filter(
            sku_id__in=sku_ids,
            sale__status=FlashSale.Status.SCHEDULED,
            sale__starts_at__lt=ends_at,
            sale__ends_at__gt=starts_at,
        )
        .exclude(sale_id=sale_id)
        .values_list("sku_id", flat=True)
    )
    seen: set[int] = set()
    for n, (sku_id, item) in enumerate(zip(sku_ids, items, strict=True)):
        field = f"items.{n}"
        sku = skus.get(sku_id)
        if sku is None:
            # Another merchant's SKU reads as one that does not exist (tenancy).
            errors.add(field, _("No such SKU in your catalogue."), "flash_sku_unknown")
            continue
        if sku_id in seen:
            errors.add(field, _("This SKU is in the sale twice."), "flash_sku_twice")
        seen.add(sku_id)
        price = Decimal(item["flash_price"])
        if price <= 0 or price >= sku.price:
            errors.add(
                field,
                _("The flash price of %(code)s must be above zero and below its price %(price)s.")
                % {"code": sku.code, "price": sku.price},
                "flash_price_not_lower",
            )
        quantity = int(item["quantity"])
        if quantity < 1:
            errors.add(field, _("Offer at least one unit."), "flash_quantity_positive")
        elif quantity > (available.get(sku_id) or 0):
            errors.add(
                field,
                _("%(code)s has only %(n)s units available to sell.")
                % {"code": sku.code, "n": available.get(sku_id) or 0},
                "flash_quantity_over_stock",
            )
        if sku_id in overlapping:
            errors.add(
                field,
                _("%(code)s is already in a flash sale at that time.") % {"code": sku.code},
                "flash_sku_overlap",
            )
    errors.raise_if_any()
    return sku_ids


def _put_items(sale: FlashSale, sku_ids: list[int], items: list[dict]) -> None:
    made = FlashSaleItem.objects.bulk_create(
        FlashSaleItem(
            sale=sale,
            merchant_id=sale.merchant_id,
            sku_id=sku_id,
            flash_price=Decimal(item["flash_price"]),
            quantity=int(item["quantity"]),
        )
        for sku_id, item in zip(sku_ids, items, strict=True)
    )
    ids = [i.pk for i in made]
    # Open the gates now (a rebuild from the empty admissions) so the first shoppers do not
    # wait for beat's reconciliation; a Redis that is down is beat's to catch up.
    transaction.on_commit(lambda: [_reconcile_quietly(i) for i in ids])


def _forget_offers() -> None:
    """The product pages' index of sales changes: forget it now and when the transaction
    commits (a reader between the two may have cached the old rows: the second forget
    retires them, as the storefront version's double bump does). The flash page's cached
    copy lists the sales too: the storefront version is bumped the same way (a sale is
    scheduled or changed rarely; the product pages it also retires re-render once)."""
    selectors.flash_offers_forget()
    transaction.on_commit(selectors.flash_offers_forget)
    storefront_version.bump_for_write()


@transaction.atomic
def flash_sale_schedule(
    *,
    merchant,
    by,
    title: str,
    starts_at,
    ends_at,
    per_shopper_limit: int,
    items: list[dict],
    now=None,
) -> FlashSale:
    """Schedule a flash sale of ``merchant``'s SKUs (a merchant's staff in the portal or the
    API, an operator in the back office). ``items``: ``{"sku": SKU or id, "flash_price":
    Decimal, "quantity": int}``. Refuses a window that is over or inverted, a SKU of another
    merchant, a flash price not below the SKU's price, more units than the SKU has available,
    and a SKU already in a sale whose window overlaps (``_sale_check``)."""
    require_capability(by=by, merchant=merchant, capability=Capability.MANAGE_CATALOG)
    now = now or timezone.now()
    sku_ids = _sale_check(
        merchant=merchant,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        per_shopper_limit=per_shopper_limit,
        items=items,
        now=now,
    )
    sale = FlashSale.objects.create(
        merchant=merchant,
        title=title.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        per_shopper_limit=per_shopper_limit,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    _put_items(sale, sku_ids, items)
    _forget_offers()
    return sale


def flash_sale_edit(
    *,
    sale: FlashSale,
    by,
    title: str,
    starts_at,
    ends_at,
    per_shopper_limit: int,
    items: list[dict],
    now=None,
    reason: str = "",
) -> FlashSale:
    """Change a sale's terms before it starts: the same rules as scheduling (its own SKUs do
    not overlap it), its items replaced by ``items``. Once it has started (or was cancelled)
    it is refused (``flash_sale_started``): shoppers may hold units at the old terms.

    The one door for every changer: the merchant's staff (portal, API) and operators (the
    back office's *Change this upcoming sale*). Each change writes a ``FlashSaleEvent``
    (``change``, or ``operator_change`` when an operator changed a merchant's sale) naming
    who and why (``reason``), and forgets the gates' and the pages' indexes."""
    membership = require_capability(
        by=by, merchant=sale.merchant_id, capability=Capability.MANAGE_CATALOG
    )
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_flash_sale(sale.pk)
        if locked.status != FlashSale.Status.SCHEDULED or locked.starts_at <= now:
            raise field_error(
                "starts_at",
                _("This flash sale has started or was cancelled: it can no longer be changed."),
                "flash_sale_started",
            )
        sku_ids = _sale_check(
            merchant=locked.merchant,
            title=title,
            starts_at=starts_at,
            ends_at=ends_at,
            per_shopper_limit=per_shopper_limit,
            items=items,
            now=now,
            sale_id=locked.pk,
        )
        old = list(locked.items.values_list("pk", flat=True))
        # Nobody is admitted before the start, so the old items hold no admission.
        FlashSaleItem.objects.filter(pk__in=old).delete()
        locked.title = title.strip()
        locked.starts_at = starts_at
        locked.ends_at = ends_at
        locked.per_shopper_limit = per_shopper_limit
        locked.save(update_fields=["title", "starts_at", "ends_at", "per_shopper_limit"])
        by_operator = membership is None and getattr(by, "is_authenticated", False)
        FlashSaleEvent.objects.create(
            subject=locked,
            transition="operator_change" if by_operator else "change",
            from_state=locked.status,
            to_state=locked.status,
            actor=by if getattr(by, "is_authenticated", False) else None,
            reason=reason.strip(),
        )
        transaction.on_commit(lambda: [gate.gate_drop(item_id=i) for i in old])
        _put_items(locked, sku_ids, items)
        _forget_offers()
    return locked


def flash_sale_cancel(*, sale: FlashSale, by, reason: str = "") -> FlashSale:
    """Cancel a scheduled sale: nobody more is admitted, its gates are dropped. Admissions
    already held keep their units until they expire or their checkout ends (the shopper was
    promised the price)."""
    require_capability(by=by, merchant=sale.merchant_id, capability=Capability.MANAGE_CATALOG)
    with transaction.atomic():
        locked = lock_flash_sale(sale.pk)
        if not FLASH_SALE_FLOW.can(locked, "cancel"):
            raise field_error(
                "sale", _("This flash sale is already cancelled."), "flash_sale_cancelled"
            )
        if locked.ends_at <= timezone.now():
            raise field_error("sale", _("This flash sale is over."), "flash_sale_ended")
        FLASH_SALE_FLOW.apply(locked, "cancel", by=by, event_model=FlashSaleEvent, reason=reason)
        ids = list(locked.items.values_list("pk", flat=True))
        transaction.on_commit(lambda: [gate.gate_drop(item_id=i) for i in ids])
        # This process forgets the terms it kept; the others see it at their next admission.
        transaction.on_commit(lambda: selectors.flash_terms_forget(ids))
        _forget_offers()
    sale.status = locked.status
    return sale


# ---------------------------------------------------------------------------- admission


class _NotLoaded(Exception):
    pass


def flash_admit(
    *,
    item: FlashSaleItem | selectors.FlashTerms,
    user=None,
    user_id: int | None = None,
    quantity: int = 1,
    now=None,
) -> FlashAdmission:
    """Let a shopper (``user``, or only their id ``user_id``: the storefront's "grab it"
    knows it from the session, ``accounts.menu.menu_of``) through the gate for ``quantity``
    units of ``item`` (a sale item with its sale, or its terms as
    ``selectors.flash_item_terms`` keeps them): an admission row that expires in
    ``FLASH_ADMISSION_MINUTES``. Refusals (codes): ``flash_sale_not_live``,
    ``flash_over_limit`` (the per-shopper cap), ``flash_sold_out``,
    ``flash_gate_unavailable`` (Redis unreachable or the gate not loaded: the sale stops).

    Terms kept per process are checked against PostgreSQL inside the admission's
    transaction (``selectors.flash_terms_hold``): a sale cancelled meanwhile admits nobody."""
    now = now or timezone.now()
    terms = item if isinstance(item, selectors.FlashTerms) else selectors.FlashTerms.of(item)
    if user_id is None:
        user_id = user.pk
    if not terms.is_live(now):
        raise _not_live()
    if quantity < 1 or quantity > terms.per_shopper_limit:
        raise _over_limit(terms)
    for attempt in range(2):
        try:
            return _admit_once(user_id=user_id, terms=terms, quantity=quantity, now=now)
        except _TermsGone:
            selectors.flash_terms_forget([terms.item_id])
            raise _not_live() from None
        except _NotLoaded:
            if attempt == 0 and flash_gate_reconcile(item_id=terms.item_id, wait=False):
                continue
        except gate.GateUnavailable:
            logger.warning("flash gate %s unreachable: admission refused", terms.item_id)
        break
    raise field_error(
        "item",
        _("The flash sale is paused for a moment. Please try again shortly."),
        "flash_gate_unavailable",
    )


def _not_live() -> ValidationError:
    return field_error("item", _("This flash sale is not on now."), "flash_sale_not_live")


def flash_sold_out(item_id: int) -> bool:
    """True when the gate says no unit of ``item_id`` is left: the rush after the last unit
    is refused from one Redis read, before any row is read or locked (bench/bench_flash.py).
    No gate (unknown item, not loaded yet) or Redis unreachable: False, and the admission
    itself decides. Units given back raise the gate's count again, so this follows them."""
    return gate.gate_left([item_id]).get(item_id) == 0


def sold_out_error() -> ValidationError:
    return field_error("item", _("Sold out: every unit has been taken."), "flash_sold_out")


def _over_limit(terms):
    return field_error(
        "quantity",
        _("Each shopper may buy at most %(n)s of this item in the flash sale.")
        % {"n": terms.per_shopper_limit},
        "flash_over_limit",
    )


class _TermsGone(Exception):
    pass


@transaction.atomic
def _admit_once(*, user_id, terms, quantity, now) -> FlashAdmission:
    gate.hold_gate([terms.item_id], exclusive=False)
    if not selectors.flash_terms_hold(terms, now):
        raise _TermsGone
    answer, _left = gate.gate_admit(
        item_id=terms.item_id, user_id=user_id, quantity=quantity, limit=terms.per_shopper_limit
    )
    if answer == gate.NOT_LOADED:
        raise _NotLoaded
    if answer == gate.SOLD_OUT:
        raise sold_out_error()
    if answer == gate.OVER_LIMIT:
        raise _over_limit(terms)
    try:
        with transaction.atomic():
            return FlashAdmission.objects.create(
                item_id=terms.item_id,
                user_id=user_id,
                quantity=quantity,
                expires_at=now + timedelta(minutes=settings.FLASH_ADMISSION_MINUTES),
            )
    except Exception:
        # Still under the shared lock: no rebuild has counted these units yet.
        generation = FlashSaleItem.objects.values_list("gate_generation", flat=True).get(
            pk=terms.item_id
        )
        gate.gate_give_back(
            item_id=terms.item_id, user_id=user_id, quantity=quantity, generation=generation
        )
        raise


# ---------------------------------------------------------------------------- giving back


def _free(admissions: list[FlashAdmission], transition: str, *, by, reason: str) -> int:
    """Move held admissions out of holding and give their units back after commit, naming
    the gate generation read under the shared lock (gate.py). Caller holds a transaction."""
    if not admissions:
        return 0
    item_ids = {a.item_id for a in admissions}
    gate.hold_gate(item_ids, exclusive=False)
    generations = dict(
        FlashSaleItem.objects.filter(pk__in=item_ids).values_list("pk", "gate_generation")
    )
    freed = []
    for admission in lock_admissions(a.pk for a in admissions):
        if not ADMISSION_FLOW.can(admission, transition):
            continue  # moved meanwhile (used, expired): nothing to give back twice
        ADMISSION_FLOW.apply(
            admission, transition, by=by, event_model=FlashAdmissionEvent, reason=reason
        )
        freed.append((admission.item_id, admission.user_id, admission.quantity))

    def give_back():
        for item_id, user_id, quantity in freed:
            gate.gate_give_back(
                item_id=item_id,
                user_id=user_id,
                quantity=quantity,
                generation=generations[item_id],
            )

    transaction.on_commit(give_back)
    return len(freed)


@transaction.atomic
def flash_admission_cancel(*, admission: FlashAdmission, by) -> None:
    """The shopper gives up an admission they hold (their units go back)."""
    if by is None or admission.user_id != by.pk:
        raise field_error("admission", _("This is not your admission."), "flash_not_yours")
    _free([admission], "cancel", by=by, reason="")


def flash_admissions_expire(*, now=None) -> int:
    """Expire admissions past their time that no checkout used; returns how many."""
    now = now or timezone.now()
    stale = list(
        FlashAdmission.objects.filter(
            status=FlashAdmission.Status.ADMITTED, expires_at__lte=now
        ).order_by("pk")[:1000]
    )
    with transaction.atomic():
        return _free(stale, "expire", by=None, reason="")


def flash_admissions_release(
    *, checkout_number: str, reason: str = "", sku_ids: set[int] | None = None
) -> int:
    """Give back the admissions a checkout used (it expired unpaid, or its order was
    cancelled), or only those for ``sku_ids`` (a paid checkout's cancelled order: the
    caller says which SKUs no order of the checkout keeps). Called by checkout inside its
    transaction; idempotent."""
    used = FlashAdmission.objects.filter(
        checkout_number=checkout_number, status=FlashAdmission.Status.USED
    )
    if sku_ids is not None:
        used = used.filter(item__sku_id__in=sku_ids)
    used = list(used)
    with transaction.atomic():
        return _free(used, "give_back", by=None, reason=reason)


# ---------------------------------------------------------------------------- checkout


@dataclass(frozen=True)
class FlashUse:
    """What a checkout line gets from the shopper's admissions: ``units`` at ``unit_price``
    (the SKU's listing currency); the rest of the line pays the normal price."""

    sku_id: int
    units: int
    unit_price: Decimal
    sale_id: int
    item_id: int


def _live_admissions(user, sku_ids, now):
    """The shopper's admissions a checkout may use now: admitted, unexpired, inside their
    sale's window, for ``sku_ids``."""
    return FlashAdmission.objects.filter(
        user=user,
        status=FlashAdmission.Status.ADMITTED,
        expires_at__gt=now,
        item__sku_id__in=list(sku_ids),
    ).filter(
        Q(item__sale__status=FlashSale.Status.SCHEDULED)
        & Q(item__sale__starts_at__lte=now)
        & Q(item__sale__ends_at__gt=now)
    )


def _fit(admissions, items, wanted, use=None) -> dict[int, FlashUse]:
    """Admissions taken whole, oldest first, as long as they fit in the line's quantity."""
    uses: dict[int, FlashUse] = {}
    for admission in admissions:
        item = items[admission.item_id]
        taken = uses.get(item.sku_id)
        units = (taken.units if taken else 0) + admission.quantity
        if units > wanted[item.sku_id]:
            continue  # does not fit: it stays admitted and expires back to the gate
        if use is not None:
            use(admission)
        uses[item.sku_id] = FlashUse(
            sku_id=item.sku_id,
            units=units,
            unit_price=item.flash_price,
            sale_id=item.sale_id,
            item_id=item.pk,
        )
    return uses


def flash_admissions_consume(
    *, user, lines: list[tuple[int, int]], checkout_number: str, now=None
) -> dict[int, FlashUse]:
    """Use ``user``'s live admissions for the checkout's ``lines`` (``(sku_id, quantity)``):
    admissions are taken whole, oldest first, as long as they fit in the line's quantity;
    each becomes ``used`` by ``checkout_number``. Only inside the sale's window and before the
    admission expires: the flash price applies nowhere else. Locks the admissions (slot 6,
    after the checkout). Returns the flash units and price per SKU."""
    now = now or timezone.now()
    wanted = {int(sku_id): int(qty) for sku_id, qty in lines}
    live = _live_admissions(user, wanted, now).values_list("pk", flat=True)

    def use(admission):
        ADMISSION_FLOW.apply(admission, "use", by=user, event_model=FlashAdmissionEvent)
        FlashAdmission.objects.filter(pk=admission.pk).update(checkout_number=checkout_number)

    with transaction.atomic():
        admissions = [
            a
            for a in lock_admissions(live)
            if a.status == FlashAdmission.Status.ADMITTED and a.expires_at > now
        ]
        items = {
            i.pk: i for i in FlashSaleItem.objects.filter(pk__in={a.item_id for a in admissions})
        }
        return _fit(admissions, items, wanted, use)


def flash_admissions_fitting(
    *, user, lines: list[tuple[int, int]], now=None
) -> dict[int, FlashUse]:
    """What ``flash_admissions_consume`` would use for ``lines``, read only (the checkout
    page's preview): no lock, nothing written."""
    now = now or timezone.now()
    wanted = {int(sku_id): int(qty) for sku_id, qty in lines}
    admissions = list(_live_admissions(user, wanted, now).select_related("item").order_by("pk"))
    return _fit(admissions, {a.item_id: a.item for a in admissions}, wanted)


# ---------------------------------------------------------------------------- reconciliation


def _reconcile_quietly(item_id: int) -> None:
    try:
        flash_gate_reconcile(item_id=item_id)
    except gate.GateUnavailable:
        logger.warning("flash gate %s: not loaded (Redis unreachable)", item_id)


@transaction.atomic
def flash_gate_reconcile(*, item_id: int, wait: bool = True) -> bool:
    """Rebuild the gate of ``item_id`` from PostgreSQL: units left = units on offer − units
    held by admitted and used admissions; per shopper the same. Holds the gate's lock
    exclusively (no admission is between its gate step and its row). ``wait=False``: give up
    (False) if a rebuild or admissions hold it. Raises ``GateUnavailable``."""
    if not gate.hold_gate([item_id], exclusive=True, wait=wait):
        return False
    item = FlashSaleItem.objects.select_related("sale").get(pk=item_id)
    now = timezone.now()
    if item.sale.status == FlashSale.Status.CANCELLED or item.sale.ends_at <= now:
        gate.gate_drop(item_id=item_id)
        selectors.flash_terms_forget([item_id])
        return True
    held = dict(
        FlashAdmission.objects.filter(item_id=item_id, status__in=HOLDING)
        .values("user_id")
        .annotate(n=Sum("quantity"))
        .values_list("user_id", "n")
    )
    generation = item.gate_generation + 1
    FlashSaleItem.objects.filter(pk=item_id).update(gate_generation=generation)
    ttl = int((item.sale.ends_at - now).total_seconds()) + 3600
    gate.gate_load(
        item_id=item_id,
        left=item.quantity - sum(held.values()),
        shoppers=held,
        generation=generation,
        ttl=ttl,
    )
    return True


def flash_gates_reconcile(*, now=None) -> int:
    """Rebuild the gates of every sale that is on or starts within the hour (beat, every
    minute); returns how many were rebuilt. A Redis that is down is skipped, and tried again
    next time."""
    now = now or timezone.now()
    ids = FlashSaleItem.objects.filter(
        sale__status=FlashSale.Status.SCHEDULED,
        sale__starts_at__lte=now + timedelta(hours=1),
        sale__ends_at__gt=now,
    ).values_list("pk", flat=True)
    done = 0
    for item_id in ids:
        try:
            done += bool(flash_gate_reconcile(item_id=item_id))
        except gate.GateUnavailable:
            logger.warning("flash gates: Redis unreachable, reconciliation skipped")
            break
    return done
