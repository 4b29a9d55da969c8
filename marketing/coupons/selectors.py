"""Coupon reads: the coupon centre, a shopper's coupons, a merchant's coupons, and the
checkout's coupon picker (which of the shopper's coupons apply, and the best pick)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from marketplace.money import minor_unit

from .. import pricing
from ..models import Coupon, CouponClaim
from .services import CheckoutPromotions, as_promotion, checkout_promotions, coupon_who_refusal

ZERO = Decimal("0")


def coupon_centre(*, now=None) -> QuerySet[Coupon]:
    """Coupons a shopper may claim now (not the automatic spend-and-save promotions, which
    need no claim; not the list-only ones), soonest ending first."""
    now = now or timezone.now()
    return (
        Coupon.objects.filter(automatic=False, is_active=True, starts_at__lte=now, ends_at__gt=now)
        .exclude(audience=Coupon.Audience.LIST)
        .select_related("merchant")
        .order_by("ends_at", "id")
    )


def shopper_coupons(user, *, now=None) -> QuerySet[CouponClaim]:
    """The shopper's claimed coupons still usable."""
    now = now or timezone.now()
    if not user.is_authenticated:
        return CouponClaim.objects.none()
    return (
        CouponClaim.objects.filter(
            user=user,
            status=CouponClaim.Status.AVAILABLE,
            coupon__is_active=True,
            coupon__ends_at__gt=now,
        )
        .select_related("coupon__merchant")
        .order_by("coupon__ends_at", "id")
    )


def merchant_coupons(merchant) -> QuerySet[Coupon]:
    return (
        Coupon.objects.for_merchant(merchant)
        .select_related("merchant")
        .order_by("-starts_at", "-id")
    )


# ---------------------------------------------------------------------------- checkout picker


@dataclass(frozen=True)
class CouponChoice:
    """One of the shopper's claimed coupons against a checkout's lines: whether it applies
    alone (with the automatic spend-and-save promotions), what it saves, and else why not
    (``reason``: a pricing refusal code, or ``other_currency`` / ``coupon_*`` eligibility)."""

    claim: CouponClaim
    saving: Decimal
    reason: str = ""

    @property
    def applies(self) -> bool:
        return not self.reason

    @property
    def issuer(self) -> int | None:
        return self.claim.coupon.merchant_id


@dataclass(frozen=True)
class CouponPicker:
    choices: list[CouponChoice]
    best: list[int]  # claim ids: the best coupon of each issuer (merchant, platform)
    automatic: list[pricing.Promotion]
    usable: dict[int, CouponClaim]  # claim id -> the shopper's claims valid for this currency
    currency: str = ""

    def promotions(self, claim_ids: Sequence[int]) -> CheckoutPromotions:
        """What ``checkout_promotions`` gives for ``claim_ids``, from what the picker read
        (no query): the automatic promotions, then those of the claims usable here."""
        promotions = list(self.automatic)
        claims = {}
        for pk in claim_ids:
            if pk in self.usable and f"claim:{pk}" not in claims:
                ref = f"claim:{pk}"
                promotions.append(as_promotion(self.usable[pk].coupon, ref))
                claims[ref] = pk
        return CheckoutPromotions(promotions=promotions, claims=claims)

    def priced(
        self, lines: Sequence[pricing.Line], shipping: dict[str, Decimal] | None
    ) -> CouponPicker:
        """The same claims priced again (no query) on ``lines`` with each order's
        ``shipping``: what free-shipping coupons save is known only then."""
        priced = {
            c.claim.pk: c
            for c in _priced(
                list(self.usable.values()), self.automatic, lines, self.currency, shipping
            )
        }
        choices = [priced.get(c.claim.pk, c) for c in self.choices]
        return CouponPicker(
            choices=choices,
            best=_best(choices),
            automatic=self.automatic,
            usable=self.usable,
            currency=self.currency,
        )

    def best_with_free_shipping(self) -> list[int]:
        """The pick a checkout page shows first, on choices ``priced`` with the shipping: for
        each issuer (the stacking rule's one coupon per merchant, one platform coupon), its
        best price-cutting coupon or its best free-shipping coupon, whichever saves the
        shopper more (the price cut against the shipping taken off, both in the listing
        currency to the fen); on a tie the price cut, which leaves the shipping quoted as it
        was. When a free-shipping coupon wins over a price cut, the goods cost more than
        ``cut`` priced them, and the checkout plans again with the pick
        (``orders.services.checkout.checkout_preview_plan``)."""
        cutting = [c for c in self.choices if c.claim.coupon.kind != Coupon.Kind.FREE_SHIPPING]
        free = [c for c in self.choices if c.claim.coupon.kind == Coupon.Kind.FREE_SHIPPING]
        by_claim = {c.claim.pk: c for c in self.choices}
        pick: dict[int | None, CouponChoice] = {}
        for pk in _best(cutting) + _best(free):
            choice = by_claim[pk]
            if choice.issuer not in pick or choice.saving > pick[choice.issuer].saving:
                pick[choice.issuer] = choice
        return [c.claim.pk for c in sorted(pick.values(), key=lambda c: c.issuer is None)]


def _priced(claims, automatic, lines, currency, shipping) -> list[CouponChoice]:
    """Each usable claim priced alone through the pipeline with the automatic promotions."""
    choices = []
    for claim in claims:
        ref = f"claim:{claim.pk}"
        result = pricing.price_order(
            lines=lines,
            currency=currency,
            promotions=[*automatic, as_promotion(claim.coupon, ref)],
            shipping=shipping,
            minor_digits=minor_unit(currency),
        )
        applied = next((a for a in result.applied if a.ref == ref), None)
        if applied is not None:
            choices.append(CouponChoice(claim, applied.amount))
        else:
            code = next((r.code for r in result.refused if r.ref == ref), "nothing_covered")
            choices.append(CouponChoice(claim, ZERO, code))
    return choices


def _best(choices: Sequence[CouponChoice]) -> list[int]:
    """The largest saving of each issuer (the earlier choice on a tie), merchants' coupons
    first and the platform's last: the order the pipeline sees them in."""
    best: dict[int | None, CouponChoice] = {}
    for choice in choices:  # soonest ending first: a tie keeps the earlier
        if choice.applies and (
            choice.issuer not in best or choice.saving > best[choice.issuer].saving
        ):
            best[choice.issuer] = choice
    picked = sorted(best.values(), key=lambda c: c.issuer is None)
    return [c.claim.pk for c in picked]


def coupon_choices(
    *,
    user,
    lines: Sequence[pricing.Line],
    currency: str,
    now=None,
    shipping: dict[str, Decimal] | None = None,
) -> CouponPicker:
    """The shopper's claimed coupons for a checkout's ``lines`` (one listing ``currency``):
    each priced alone through ``marketing.pricing.price_order`` with the automatic promotions
    in force (and each order's ``shipping``, for free-shipping coupons) — the one pipeline
    decides whether it applies and what it saves — and the best pick under the stacking rule
    (one coupon of each merchant and one platform coupon per order): the largest saving of
    each issuer, the soonest ending on a tie. Read only."""
    now = now or timezone.now()
    claims = list(shopper_coupons(user, now=now))
    automatic = checkout_promotions(user=user, claim_ids=(), currency=currency, now=now)
    refused: dict[int, CouponChoice] = {}
    usable: dict[int, CouponClaim] = {}
    for claim in claims:
        coupon = claim.coupon
        if coupon.currency != currency:
            refused[claim.pk] = CouponChoice(claim, ZERO, "other_currency")
            continue
        refusal = coupon_who_refusal(coupon, user, now)
        if refusal is not None:
            code = refusal.error_dict["coupon"][0].code
            refused[claim.pk] = CouponChoice(claim, ZERO, code)
            continue
        usable[claim.pk] = claim
    priced = {
        c.claim.pk: c
        for c in _priced(list(usable.values()), automatic.promotions, lines, currency, shipping)
    }
    choices = [priced.get(c.pk) or refused[c.pk] for c in claims]  # soonest ending first
    return CouponPicker(
        choices=choices,
        best=_best(choices),
        automatic=automatic.promotions,
        usable=usable,
        currency=currency,
    )
