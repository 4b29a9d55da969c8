"""Coupons and spend-and-save promotions: creating them, claiming (atomic: never twice over
the per-shopper limit, never past the issue limit), the promotions a checkout may use, and
using / giving back claims with the checkout (docs/MARKETING.md, "Coupons").

The arithmetic is ``marketing.pricing``'s; this module only says which promotions a shopper
may use on an order and records what they used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import is_operator, require_operator
from catalog.models import Product
from marketplace.rules import RuleErrors, field_error
from merchants.roles import Capability
from merchants.services import require_capability

from .. import pricing
from ..bearer import platform_percent_refusal
from ..flow import COUPON_CLAIM_FLOW
from ..lock_objects import lock_coupon_claims
from ..models import Coupon, CouponClaim, CouponClaimEvent

K = Coupon.Kind
ZERO = Decimal("0")

# ---------------------------------------------------------------------------- creating


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None


def coupon_create(*, merchant, by, allowed_users=(), **fields) -> Coupon:
    """Create a coupon (or, ``automatic``, a spend-and-save promotion) of ``merchant``, or of
    the platform when ``merchant`` is None (operators only). Checks the kind's numbers, the
    window, the cost bearer (a merchant cannot make the platform pay) and that a merchant's
    product scope names its own products."""
    coupon = coupon_check(merchant=merchant, by=by, **fields)
    with transaction.atomic():
        coupon.save()
        if allowed_users:
            coupon.allowed_users.set(allowed_users)
    return coupon


def coupon_check(*, merchant, by, **fields) -> Coupon:
    """``coupon_create``'s rules without saving: the coupon it would create (unsaved), or the
    ValidationError (a back-office form shows it on its fields)."""
    if merchant is None:
        require_operator(by)
    else:
        require_capability(by=by, merchant=merchant, capability=Capability.MANAGE_CATALOG)
    errors = RuleErrors()
    kind = fields.get("kind")
    amount = _decimal(fields.get("amount", 0)) or ZERO
    percent = _decimal(fields.get("percent", 0)) or ZERO
    tiers = [(str(a), str(b)) for a, b in (fields.get("tiers") or [])]
    title = (
        fields.get("title") or fields.get("title_zh_hans") or fields.get("title_en") or ""
    ).strip()
    if not title:
        errors.add("title", _("Give the coupon a title."), "coupon_title_required")
    if kind == K.FIXED and amount <= 0:
        errors.add("amount", _("Say how much it takes off."), "coupon_amount_positive")
    if kind == K.PERCENT and not (0 < percent < 100):
        errors.add("percent", _("A percentage is between 0 and 100."), "coupon_percent_range")
    if kind == K.TIERS:
        parsed = [(_decimal(a), _decimal(b)) for a, b in tiers]
        good = (
            parsed
            and all(a is not None and b is not None and 0 < b < a for a, b in parsed)
            and [a for a, _b in parsed] == sorted({a for a, _b in parsed})
        )
        if not good:
            errors.add(
                "tiers",
                _("Tiers are rising spends, each taking off less than its spend."),
                "coupon_tiers_invalid",
            )
    starts_at, ends_at = fields.get("starts_at"), fields.get("ends_at")
    if not starts_at or not ends_at or ends_at <= starts_at:
        errors.add("ends_at", _("A coupon is valid until after it starts."), "coupon_window")
    platform_percent = int(fields.get("platform_percent") or 0)
    refusal = platform_percent_refusal(
        platform_percent, by_operator=merchant is None or is_operator(by), kind="coupon"
    )
    if refusal is not None:
        errors.add("platform_percent", refusal)
    scope = fields.get("scope") or Coupon.ScopeKind.PLATFORM
    scope_ids = [int(i) for i in fields.get("scope_ids") or []]
    if scope == Coupon.ScopeKind.PRODUCT and merchant is not None:
        own = set(
            Product.objects.for_merchant(merchant)
            .filter(pk__in=scope_ids)
            .values_list("pk", flat=True)
        )
        if own != set(scope_ids) or not scope_ids:
            errors.add("scope_ids", _("Name products of your own."), "coupon_scope_not_yours")
    code = (fields.get("code") or "").strip().upper()
    if code and Coupon.objects.filter(code=code).exists():
        errors.add("code", _("Another coupon has this code."), "coupon_code_taken")
    errors.raise_if_any()
    return Coupon(
        merchant=merchant,
        title_zh_hans=(fields.get("title_zh_hans") or title).strip(),
        title_en=(fields.get("title_en") or title).strip(),
        code=code,
        automatic=bool(fields.get("automatic")),
        kind=kind,
        amount=amount,
        percent=percent,
        cap=_decimal(fields.get("cap")) if fields.get("cap") not in (None, "") else None,
        tiers=tiers,
        threshold=_decimal(fields.get("threshold", 0)) or ZERO,
        currency=fields.get("currency") or "CNY",
        scope=scope,
        scope_ids=scope_ids,
        starts_at=starts_at,
        ends_at=ends_at,
        issue_limit=fields.get("issue_limit") or None,
        per_shopper_limit=int(fields.get("per_shopper_limit") or 1),
        audience=fields.get("audience") or Coupon.Audience.EVERYONE,
        stackable=fields.get("stackable", True),
        cuts_price=fields.get("cuts_price", True),
        platform_percent=platform_percent,
    )


# ---------------------------------------------------------------------------- eligibility


def coupon_who_refusal(coupon: Coupon, user, now) -> ValidationError | None:
    """Why ``user`` may not use ``coupon`` now (window, audience), or None."""
    if not coupon.is_valid_at(now):
        return field_error("coupon", _("This coupon is not valid now."), "coupon_not_valid")
    if coupon.audience == Coupon.Audience.NEW and (
        user.date_joined < now - timedelta(days=settings.COUPON_NEW_SHOPPER_DAYS)
    ):
        return field_error("coupon", _("This coupon is for new shoppers."), "coupon_new_only")
    if (
        coupon.audience == Coupon.Audience.LIST
        and not coupon.allowed_users.filter(pk=user.pk).exists()
    ):
        return field_error("coupon", _("This coupon is not offered to you."), "coupon_not_offered")
    return None


# ---------------------------------------------------------------------------- claiming


def coupon_claim(*, coupon: Coupon, user, now=None) -> CouponClaim:
    """Issue ``coupon`` to ``user``. Atomic: the issue counter rises with one conditional
    ``UPDATE`` (the limit is never passed), and that row lock makes two claims of the same
    coupon take turns, so the shopper's count read after it is exact (never twice over
    ``per_shopper_limit``). Refusals: ``coupon_not_valid``, ``coupon_new_only``,
    ``coupon_not_offered``, ``coupon_all_claimed``, ``coupon_claimed_already``."""
    now = now or timezone.now()
    refusal = coupon_who_refusal(coupon, user, now)
    if refusal:
        raise refusal
    with transaction.atomic():
        room = Q(issue_limit__isnull=True) | Q(issued__lt=F("issue_limit"))
        if not Coupon.objects.filter(room, pk=coupon.pk).update(issued=F("issued") + 1):
            raise field_error(
                "coupon", _("All of these coupons have been claimed."), "coupon_all_claimed"
            )
        if CouponClaim.objects.filter(coupon=coupon, user=user).count() >= coupon.per_shopper_limit:
            raise field_error(
                "coupon", _("You have claimed this coupon already."), "coupon_claimed_already"
            )
        return CouponClaim.objects.create(coupon=coupon, user=user)


def coupon_claim_by_code(*, code: str, user, now=None) -> CouponClaim:
    """A code typed at checkout: the shopper's available claim of it, else a new claim."""
    coupon = Coupon.objects.filter(code=(code or "").strip().upper()).first()
    if coupon is None:
        raise field_error("code", _("No coupon has this code."), "coupon_code_unknown")
    held = CouponClaim.objects.filter(
        coupon=coupon, user=user, status=CouponClaim.Status.AVAILABLE
    ).first()
    return held or coupon_claim(coupon=coupon, user=user, now=now)


# ---------------------------------------------------------------------------- checkout


def as_promotion(coupon: Coupon, ref: str) -> pricing.Promotion:
    """The coupon as the pricing pipeline's ``Promotion``."""
    scope_kind = pricing.ScopeKind(coupon.scope)
    return pricing.Promotion(
        ref=ref,
        step=pricing.Step.SPEND_AND_SAVE if coupon.automatic else pricing.Step.COUPON,
        kind=pricing.Kind(coupon.kind),
        scope=pricing.Scope(
            kind=scope_kind, ids=frozenset(coupon.scope_ids), merchant_id=coupon.merchant_id
        ),
        threshold=coupon.threshold,
        amount=coupon.amount,
        percent=coupon.percent,
        cap=coupon.cap,
        tiers=tuple((Decimal(a), Decimal(b)) for a, b in coupon.tiers),
        stackable=coupon.stackable,
        cuts_price=coupon.cuts_price,
        # the platform's coupons are the platform's; a merchant's, the merchant's unless an
        # operator agreed a share
        bearer=pricing.Bearer(100 if coupon.merchant_id is None else coupon.platform_percent),
        issuer_merchant_id=coupon.merchant_id,
    )


@dataclass(frozen=True)
class CheckoutPromotions:
    promotions: list[pricing.Promotion]
    claims: dict[str, int]  # pricing ref -> CouponClaim id


def checkout_promotions(
    *, user, claim_ids: Sequence[int] = (), currency: str = "CNY", now=None
) -> CheckoutPromotions:
    """The promotions ``user`` may use on an order now: every automatic spend-and-save
    promotion in force, then the shopper's chosen available claims that are valid for them
    (in the order chosen). Feed ``promotions`` to ``marketing.pricing.price_order``; after
    pricing, ``coupons_redeem`` the refs it applied."""
    now = now or timezone.now()
    automatic = Coupon.objects.filter(
        automatic=True, is_active=True, starts_at__lte=now, ends_at__gt=now, currency=currency
    ).order_by("id")
    promotions = [as_promotion(c, f"auto:{c.pk}") for c in automatic]
    claims = {}
    chosen = {
        c.pk: c
        for c in CouponClaim.objects.filter(
            pk__in=list(claim_ids), user=user, status=CouponClaim.Status.AVAILABLE
        ).select_related("coupon")
    }
    for pk in claim_ids:
        claim = chosen.get(pk)
        if claim is None or claim.coupon.currency != currency:
            continue
        if coupon_who_refusal(claim.coupon, user, now) is None:
            ref = f"claim:{claim.pk}"
            promotions.append(as_promotion(claim.coupon, ref))
            claims[ref] = claim.pk
    return CheckoutPromotions(promotions=promotions, claims=claims)


def coupons_redeem(*, user, claim_ids: Sequence[int], checkout_number: str) -> int:
    """Mark the claims the priced order applied as used by ``checkout_number`` (inside
    checkout's transaction; slot 6, after the checkout and the admissions)."""
    used = 0
    with transaction.atomic():
        for claim in lock_coupon_claims(claim_ids):
            if claim.user_id != user.pk or claim.status != CouponClaim.Status.AVAILABLE:
                raise field_error(
                    "coupon", _("This coupon has been used meanwhile."), "coupon_used_meanwhile"
                )
            COUPON_CLAIM_FLOW.apply(claim, "use", by=user, event_model=CouponClaimEvent)
            CouponClaim.objects.filter(pk=claim.pk).update(checkout_number=checkout_number)
            used += 1
    return used


def coupons_release(
    *, checkout_number: str, reason: str = "", merchant_ids: set[int] | None = None
) -> int:
    """Give back the claims a checkout used (it expired unpaid, or its order was cancelled):
    available again. With ``merchant_ids``, only those merchants' coupons (a paid
    checkout's cancelled orders: the caller names the merchants no order of the checkout
    keeps; a platform coupon then stays used). Idempotent."""
    ids = CouponClaim.objects.filter(
        checkout_number=checkout_number, status=CouponClaim.Status.USED
    )
    if merchant_ids is not None:
        ids = ids.filter(coupon__merchant_id__in=merchant_ids)
    ids = ids.values_list("pk", flat=True)
    back = 0
    with transaction.atomic():
        for claim in lock_coupon_claims(ids):
            if claim.status != CouponClaim.Status.USED:
                continue
            COUPON_CLAIM_FLOW.apply(
                claim, "give_back", by=None, event_model=CouponClaimEvent, reason=reason
            )
            CouponClaim.objects.filter(pk=claim.pk).update(checkout_number="")
            back += 1
    return back
