"""Gifts with purchase (满赠, docs/MARKETING.md "Gifts with purchase"): creating one, and the
offers in force that checkout gives the pricing pipeline (its ``gift`` step decides which
orders reach them). Who may create: the merchant (capability ``manage_catalog``, its own
SKU, bearing the whole cost) or an operator for it (who alone may give the platform a share
of the cost)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import is_operator
from catalog.models import SKU
from marketplace.rules import RuleErrors, field_error
from merchants.roles import Capability
from merchants.services import require_capability

from .. import pricing
from ..bearer import platform_percent_refusal
from ..lock_objects import lock_gift_promotion
from ..models import GiftPromotion


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None


def gift_promotion_check(*, merchant, by, **fields) -> GiftPromotion:
    """``gift_promotion_create``'s rules without saving: the promotion (unsaved) or the
    ValidationError naming each field and rule."""
    require_capability(by=by, merchant=merchant, capability=Capability.MANAGE_CATALOG)
    errors = RuleErrors()
    title = fields.get("title") or fields.get("title_zh_hans") or fields.get("title_en") or ""
    title = title.strip()
    if not title:
        errors.add("title", _("Give the gift a title."), "gift_title_required")
    sku = fields.get("gift_sku")
    sku_id = getattr(sku, "pk", sku)
    found = (
        SKU.objects.filter(pk=sku_id, product__merchant=merchant).select_related("product").first()
        if sku_id
        else None
    )
    if found is None:  # another merchant's SKU reads as unknown
        errors.add("gift_sku", _("Choose one of your own SKUs as the gift."), "gift_sku_unknown")
    quantity = fields.get("quantity", 1)
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= 99:
        errors.add("quantity", _("Give 1 to 99 units."), "gift_quantity_range")
    threshold = _decimal(fields.get("threshold"))
    if threshold is None or threshold <= 0 or threshold != threshold.quantize(Decimal("0.01")):
        errors.add(
            "threshold", _("Enter the minimum spend, above zero."), "gift_threshold_positive"
        )
    starts, ends = fields.get("starts_at"), fields.get("ends_at")
    if not starts or not ends or ends <= starts:
        errors.add("ends_at", _("The end must come after the start."), "gift_window")
    elif ends <= timezone.now():
        errors.add("ends_at", _("This window is already over."), "gift_window_over")
    platform_percent = fields.get("platform_percent", 0) or 0
    refusal = platform_percent_refusal(
        platform_percent, by_operator=by is not None and is_operator(by), kind="gift"
    )
    if refusal is not None:
        errors.add("platform_percent", refusal)
    errors.raise_if_any()
    return GiftPromotion(
        merchant=merchant,
        title=title,
        title_zh_hans=fields.get("title_zh_hans") or title,
        title_en=fields.get("title_en") or title,
        gift_sku=found,
        quantity=quantity,
        threshold=threshold,
        # the threshold is in the listing currency of the merchant's goods (the gift's)
        currency=fields.get("currency") or found.product.listing_currency,
        starts_at=starts,
        ends_at=ends,
        platform_percent=platform_percent,
    )


@transaction.atomic
def gift_promotion_create(*, merchant, by, **fields) -> GiftPromotion:
    """Create a gift with purchase for ``merchant`` (``gift_promotion_check``'s rules)."""
    gift = gift_promotion_check(merchant=merchant, by=by, **fields)
    gift.save()
    return gift


def gifts_in_force(*, currency: str, merchant_ids, now=None) -> list[GiftPromotion]:
    """The gift promotions in force now for ``merchant_ids``' goods listed in ``currency``,
    with their gift SKU and its product (one query), oldest first."""
    now = now or timezone.now()
    return list(
        GiftPromotion.objects.filter(
            merchant_id__in=list(merchant_ids),
            is_active=True,
            currency=currency,
            starts_at__lte=now,
            ends_at__gt=now,
        )
        .select_related("gift_sku__product")
        .order_by("id")
    )


def gift_offer(gift: GiftPromotion) -> pricing.GiftOffer:
    """``gift`` as the pipeline's ``GiftOffer`` (ref ``gift:<id>``), valued at its SKU's list
    price (the cost its bearer bears)."""
    return pricing.GiftOffer(
        ref=f"gift:{gift.pk}",
        merchant_id=gift.merchant_id,
        threshold=gift.threshold,
        sku_id=gift.gift_sku_id,
        quantity=gift.quantity,
        bearer=pricing.Bearer(gift.platform_percent),
        unit_value=gift.gift_sku.price,
    )


def checkout_gifts(*, currency: str, merchant_ids, now=None) -> list[pricing.GiftOffer]:
    """The gifts with purchase in force now for ``merchant_ids``' goods listed in
    ``currency``, as the pipeline's ``GiftOffer``s (refs ``gift:<id>``), oldest first."""
    return [
        gift_offer(g) for g in gifts_in_force(currency=currency, merchant_ids=merchant_ids, now=now)
    ]


def merchant_gift_promotions(merchant):
    """The merchant's gifts with purchase, newest start first, with the gift SKU and its
    product (one query): the portal's list and the seller API's."""
    return (
        GiftPromotion.objects.for_merchant(merchant)
        .select_related("gift_sku__product")
        .order_by("-starts_at", "-id")
    )


def gift_promotion_state(gift: GiftPromotion, now=None) -> str:
    """``upcoming``, ``live``, ``ended`` (its window is over) or ``stopped`` (ended by hand)."""
    now = now or timezone.now()
    if not gift.is_active:
        return "stopped"
    if now < gift.starts_at:
        return "upcoming"
    return "live" if now < gift.ends_at else "ended"


@transaction.atomic
def gift_promotion_edit(*, gift: GiftPromotion, by, **fields) -> GiftPromotion:
    """Change a gift with purchase still running or to come (``gift_promotion_check``'s
    rules; ``gift_ended`` once it is over or stopped). Only an operator changes the
    platform's share: the merchant's edit keeps it as it is."""
    gift = lock_gift_promotion(gift.pk)
    if gift_promotion_state(gift) in ("ended", "stopped"):
        raise field_error("gift", _("This gift with purchase is over."), "gift_ended")
    operator = by is not None and is_operator(by)
    wanted = {"platform_percent": gift.platform_percent} | fields
    if not operator:
        wanted["platform_percent"] = 0  # checked as the merchant's; kept below
    checked = gift_promotion_check(merchant=gift.merchant, by=by, **wanted)
    for name in (
        "title",
        "title_zh_hans",
        "title_en",
        "gift_sku",
        "quantity",
        "threshold",
        "currency",
        "starts_at",
        "ends_at",
    ):
        setattr(gift, name, getattr(checked, name))
    if operator:
        gift.platform_percent = checked.platform_percent
    gift.save()
    return gift


@transaction.atomic
def gift_promotion_end(*, gift: GiftPromotion, by) -> GiftPromotion:
    """Stop a gift with purchase now: checkouts from now on no longer get it (orders
    placed keep theirs). ``gift_ended`` when it is over already."""
    require_capability(by=by, merchant=gift.merchant, capability=Capability.MANAGE_CATALOG)
    gift = lock_gift_promotion(gift.pk)
    if gift_promotion_state(gift) in ("ended", "stopped"):
        raise field_error("gift", _("This gift with purchase is over."), "gift_ended")
    gift.is_active = False
    gift.save(update_fields=["is_active"])
    return gift
