"""The checkout page's coupon picker, as the page shows it: one row per claimed coupon with
what it saves on this checkout, or why it does not apply (docs/MARKETING.md, "Coupon picker
at checkout"). The decisions are ``marketing.coupons.selectors.coupon_choices`` (each coupon
priced alone through the one pipeline, the best pick) and the page's preview pricing (the
ticked ones together); this module only words them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from marketing.coupons.selectors import CouponChoice
from marketing.models import Coupon, CouponClaim
from marketplace.currency import money_text
from marketplace.i18n import page_language


@dataclass(frozen=True)
class CouponRow:
    claim: CouponClaim
    title: str
    issuer: str  # the merchant's name, or "" for the platform's
    applied: bool  # applied to this checkout as it is priced now
    saving: str  # what it saves, formatted ("" when it does not apply)
    reason: str  # why it does not apply ("" when it does)


def _minimum(coupon: Coupon) -> Decimal:
    if coupon.kind == Coupon.Kind.TIERS and coupon.tiers:
        return min(Decimal(str(spend)) for spend, _off in coupon.tiers)
    return coupon.threshold


def reason_text(code: str, coupon: Coupon, language: str) -> str:
    """A pricing refusal code or an eligibility code, as the shopper reads it."""
    match code:
        case "below_threshold" if coupon.kind == Coupon.Kind.FREE_SHIPPING:
            return _("Spend %(amount)s on the goods of an order it covers to use it.") % {
                "amount": money_text(_minimum(coupon), coupon.currency, language)
            }
        case "shipping_free":
            return _("Shipping of the orders it covers is free already.")
        case "below_threshold":
            return _("Spend %(amount)s on the goods it covers to use it.") % {
                "amount": money_text(_minimum(coupon), coupon.currency, language)
            }
        case "nothing_covered":
            return _("None of the goods in this checkout is covered by it.")
        case "not_stackable":
            return _("It cannot be combined with the other promotions on these goods.")
        case "coupon_stack_limit":
            return _(
                "One coupon per merchant and one platform coupon per order: another one is applied."
            )
        case "other_currency":
            return _("Only for goods priced in %(currency)s.") % {"currency": coupon.currency}
    return _("You cannot use this coupon now.")


def coupon_rows(promotions) -> list[CouponRow]:
    """The picker's rows for the page's preview ``promotions`` (``checkout_preview`` after
    ``cart_plan``): each claim once, applied ones first, in the picker's order."""
    language = page_language()
    applied = set(promotions.claims_used)
    best: dict[int, CouponChoice] = {}
    for picker in promotions.pickers.values():
        for choice in picker.choices:
            seen = best.get(choice.claim.pk)
            if (
                seen is None
                or (choice.applies and not seen.applies)
                or seen.reason == "other_currency"
                and choice.reason != "other_currency"
            ):
                best[choice.claim.pk] = choice
    rows = []
    for choice in best.values():
        coupon = choice.claim.coupon
        code = promotions.refused.get(choice.claim.pk) or choice.reason
        on = choice.claim.pk in applied
        rows.append(
            CouponRow(
                claim=choice.claim,
                title=coupon.title,
                issuer=coupon.merchant.name if coupon.merchant_id else "",
                applied=on,
                saving=money_text(choice.saving, coupon.currency, language)
                if choice.applies
                else "",
                reason=""
                if on or (choice.applies and not code)
                else reason_text(code or "nothing_covered", coupon, language),
            )
        )
    return sorted(rows, key=lambda row: not row.applied)
