"""Marketing tables (docs/MARKETING.md).

Flash sales (秒杀): a ``FlashSale`` of one merchant's SKUs (``FlashSaleItem``: flash price and
quantity per SKU), scheduled by the merchant or by an operator for it, with a per-shopper
cap and a window. A shopper who gets past the Redis gate (``marketing.flash.gate``) holds a
``FlashAdmission``: PostgreSQL's record of the units they may buy at the flash price, with a
short expiry. The gate is a fast copy of what the admissions say; reconciliation rebuilds it
from them (``marketing.flash.services.flash_gates_reconcile``).
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.tenancy import MerchantOwned, MerchantScopedQuerySet
from marketplace.transitions import TransitionEvent


class FlashSale(MerchantOwned):
    """A flash sale of one merchant's SKUs inside a window (秒杀活动)."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(_("title"), max_length=120)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    per_shopper_limit = models.PositiveIntegerField(
        _("units per shopper"),
        validators=[MinValueValidator(1)],
        help_text=_("The most units of each SKU in the sale one shopper may buy."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SCHEDULED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("scheduled by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("flash sale")
        verbose_name_plural = _("flash sales")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="flash_sale_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(per_shopper_limit__gte=1), name="flash_sale_limit_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_live(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.SCHEDULED and self.starts_at <= now < self.ends_at

    def phase(self, now=None) -> str:
        """``upcoming``, ``live``, ``ended`` or ``cancelled`` (for pages)."""
        now = now or timezone.now()
        if self.status == self.Status.CANCELLED:
            return "cancelled"
        if now < self.starts_at:
            return "upcoming"
        return "live" if now < self.ends_at else "ended"


class FlashSaleEvent(TransitionEvent):
    subject = models.ForeignKey(FlashSale, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("flash sale event")
        verbose_name_plural = _("flash sale events")


class FlashSaleItem(MerchantOwned):
    """One SKU of a flash sale: its flash price (listing currency) and the units on offer.

    ``gate_generation`` counts the gate's rebuilds (reconciliations); a unit given back to
    the gate names the generation it was counted in, so a rebuild that already counted it
    is not given it twice (``marketing.flash.gate``)."""

    sale = models.ForeignKey(FlashSale, on_delete=models.CASCADE, related_name="items")
    sku = models.ForeignKey("catalog.SKU", on_delete=models.CASCADE, related_name="+")
    flash_price = models.DecimalField(
        _("flash price"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    quantity = models.PositiveIntegerField(_("units on offer"), validators=[MinValueValidator(1)])
    gate_generation = models.PositiveIntegerField(_("gate generation"), default=0)

    class Meta:
        verbose_name = _("flash sale item")
        verbose_name_plural = _("flash sale items")
        ordering = ["sale_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["sale", "sku"], name="one_flash_item_per_sku"),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="flash_item_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(flash_price__gt=0), name="flash_item_price_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sale} · {self.sku_id}"


class FlashAdmission(models.Model):
    """Units of a flash-sale SKU a shopper got through the gate for (PostgreSQL's truth).

    ``admitted`` until it expires (``expires_at``), the shopper's checkout uses it
    (``used``, with the checkout's number), or it is given up (``cancelled``); a used one whose
    checkout expires unpaid or whose order is cancelled before payment is ``returned``.
    Admitted and used admissions hold units; the others gave theirs back to the gate."""

    class Status(models.TextChoices):
        ADMITTED = "admitted", _("Admitted")
        USED = "used", _("Used at checkout")
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled")
        RETURNED = "returned", _("Returned")

    HOLDING = (Status.ADMITTED, Status.USED)

    item = models.ForeignKey(FlashSaleItem, on_delete=models.CASCADE, related_name="admissions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("shopper"),
    )
    quantity = models.PositiveIntegerField(_("units"), validators=[MinValueValidator(1)])
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ADMITTED
    )
    expires_at = models.DateTimeField(_("expires"))
    checkout_number = models.CharField(_("checkout"), max_length=20, blank=True, db_index=True)
    created_at = models.DateTimeField(_("admitted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("flash-sale admission")
        verbose_name_plural = _("flash-sale admissions")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["item", "status"], name="flash_adm_item_status"),
            models.Index(fields=["status", "expires_at"], name="flash_adm_status_expiry"),
            models.Index(fields=["user", "status"], name="flash_adm_user_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="flash_admission_positive"),
        ]

    def __str__(self) -> str:
        return f"admission #{self.pk}"


class FlashAdmissionEvent(TransitionEvent):
    subject = models.ForeignKey(FlashAdmission, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("flash-sale admission event")
        verbose_name_plural = _("flash-sale admission events")


# ---------------------------------------------------------------------------- coupons


class Coupon(models.Model):
    """A coupon campaign (优惠券) or, with ``automatic``, a spend-and-save promotion (满减)
    applied without a claim. ``merchant`` empty: the platform's. Priced by
    ``marketing.pricing`` (``marketing.coupons.services.checkout_promotions`` builds it)."""

    class Kind(models.TextChoices):
        FIXED = "fixed", _("Amount off")
        PERCENT = "percent", _("Percentage off")
        TIERS = "tiers", _("Spend and save tiers")
        FREE_SHIPPING = "free_shipping", _("Free shipping")

    class ScopeKind(models.TextChoices):
        PLATFORM = "platform", _("Everything")
        MERCHANT = "merchant", _("The merchant's products")
        CATEGORY = "category", _("Categories")
        BRAND = "brand", _("Brands")
        PRODUCT = "product", _("Products")

    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("Everyone")
        NEW = "new", _("New shoppers")
        LIST = "list", _("Listed shoppers")

    merchant = models.ForeignKey(
        "merchants.Merchant",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("merchant"),
    )
    title = models.CharField(_("title"), max_length=120)
    code = models.CharField(
        _("code"),
        max_length=32,
        blank=True,
        help_text=_("Shoppers may type it at checkout; empty: claimed from the coupon centre."),
    )
    automatic = models.BooleanField(
        _("applied automatically"),
        default=False,
        help_text=_("A spend-and-save promotion: applies to every order that qualifies."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    amount = models.DecimalField(_("amount off"), max_digits=14, decimal_places=2, default=0)
    percent = models.DecimalField(_("percent off"), max_digits=5, decimal_places=2, default=0)
    cap = models.DecimalField(
        _("at most off"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    tiers = models.JSONField(
        _("tiers"), default=list, blank=True, help_text=_('[["299", "30"], ["599", "80"]]')
    )
    threshold = models.DecimalField(_("minimum spend"), max_digits=14, decimal_places=2, default=0)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    scope = models.CharField(
        _("applies to"), max_length=20, choices=ScopeKind.choices, default=ScopeKind.PLATFORM
    )
    scope_ids = models.JSONField(_("scope ids"), default=list, blank=True)
    starts_at = models.DateTimeField(_("valid from"))
    ends_at = models.DateTimeField(_("valid until"))
    issue_limit = models.PositiveIntegerField(
        _("coupons to issue"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    issued = models.PositiveIntegerField(_("issued"), default=0)
    per_shopper_limit = models.PositiveIntegerField(_("per shopper"), default=1)
    audience = models.CharField(
        _("who may use it"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE
    )
    allowed_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("listed shoppers")
    )
    stackable = models.BooleanField(_("combines with other promotions"), default=True)
    cuts_price = models.BooleanField(
        _("real price cut"),
        default=True,
        help_text=_("Off: a voucher, a non-cash deduction that does not lower the taxable price."),
    )
    platform_percent = models.PositiveSmallIntegerField(
        _("platform bears (%)"), default=0, help_text=_("The merchant bears the rest.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = MerchantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="coupon_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(issue_limit__isnull=True) | Q(issued__lte=models.F("issue_limit")),
                name="coupon_issued_within_limit",
            ),
            models.CheckConstraint(
                condition=Q(platform_percent__lte=100), name="coupon_platform_percent"
            ),
            models.UniqueConstraint(
                fields=["code"], condition=~Q(code=""), name="coupon_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_valid_at(self, now) -> bool:
        return self.is_active and self.starts_at <= now < self.ends_at


class GiftPromotion(MerchantOwned):
    """A gift with purchase (满赠): an order of the merchant whose goods reach ``threshold``
    (what the buyer pays for them after sale prices, spend-and-save and coupons, in
    ``currency``) gets ``quantity`` of ``gift_sku`` free — a line at price 0, taken from
    stock like any line (it can run out), declared to customs at price 0. The merchant's own
    SKU: a gift ships in the order's parcel. ``platform_percent``: the share of the gift's
    cost the platform bears (operators only), the merchant the rest. Priced by
    ``marketing.pricing`` (the ``gift`` step)."""

    title = models.CharField(_("title"), max_length=120)
    gift_sku = models.ForeignKey(
        "catalog.SKU", on_delete=models.PROTECT, related_name="+", verbose_name=_("gift")
    )
    quantity = models.PositiveSmallIntegerField(
        _("gift quantity"), default=1, validators=[MinValueValidator(1)]
    )
    threshold = models.DecimalField(_("minimum spend"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    starts_at = models.DateTimeField(_("valid from"))
    ends_at = models.DateTimeField(_("valid until"))
    platform_percent = models.PositiveSmallIntegerField(
        _("platform bears (%)"), default=0, help_text=_("The merchant bears the rest.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = MerchantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("gift with purchase")
        verbose_name_plural = _("gifts with purchase")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="gift_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="gift_quantity_positive"),
            models.CheckConstraint(condition=Q(threshold__gt=0), name="gift_threshold_positive"),
            models.CheckConstraint(
                condition=Q(platform_percent__lte=100), name="gift_platform_percent"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CouponClaim(models.Model):
    """A coupon issued to a shopper (领取): ``available`` until a checkout uses it (``used``,
    with the checkout's number) or it lapses with its coupon; a used claim whose checkout
    ends unpaid or whose order is cancelled before payment is ``available`` again."""

    class Status(models.TextChoices):
        AVAILABLE = "available", _("Available")
        USED = "used", _("Used")

    coupon = models.ForeignKey(Coupon, on_delete=models.CASCADE, related_name="claims")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("shopper"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.AVAILABLE
    )
    checkout_number = models.CharField(_("checkout"), max_length=20, blank=True, db_index=True)
    claimed_at = models.DateTimeField(_("claimed"), auto_now_add=True)

    class Meta:
        verbose_name = _("claimed coupon")
        verbose_name_plural = _("claimed coupons")
        ordering = ["id"]
        indexes = [models.Index(fields=["user", "status"], name="coupon_claim_user_status")]

    def __str__(self) -> str:
        return f"{self.coupon} · {self.user_id}"


class CouponClaimEvent(TransitionEvent):
    subject = models.ForeignKey(CouponClaim, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("claimed coupon event")
        verbose_name_plural = _("claimed coupon events")


# ---------------------------------------------------------------------------- distribution


def new_distributor_code() -> str:
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


class Distributor(models.Model):
    """A shopper who signed up to share (分销员): their links carry ``code``."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="distributor",
        verbose_name=_("shopper"),
    )
    code = models.CharField(_("code"), max_length=16, unique=True, default=new_distributor_code)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("signed up"), auto_now_add=True)

    class Meta:
        verbose_name = _("distributor")
        verbose_name_plural = _("distributors")

    def __str__(self) -> str:
        return self.code


class ShareClick(models.Model):
    """Someone opened a distributor's link (``user`` once known: signed in, or at log-in)."""

    distributor = models.ForeignKey(Distributor, on_delete=models.CASCADE, related_name="clicks")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    path = models.CharField(_("page opened"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("share click")
        verbose_name_plural = _("share clicks")
        indexes = [models.Index(fields=["user", "created_at"], name="share_click_user_time")]

    def __str__(self) -> str:
        return f"{self.distributor} · {self.created_at:%Y-%m-%d %H:%M}"


class Referral(models.Model):
    """A checkout attributed to a distributor (last click inside the window): commission on
    what the buyer paid for the goods (after promotions, without duties and shipping),
    ``pending`` until the orders complete, then ``confirmed``; ``reversed`` on refunds.
    ``no_commission``: the checkout was paid but every rate that applied was 0 (no
    commission, level 2 or rebate row), so there is nothing to wait for: closed at payment
    (``referral_close_without_commission``); reversed still if every order is cancelled."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        CONFIRMED = "confirmed", _("Confirmed")
        REVERSED = "reversed", _("Reversed")
        NO_COMMISSION = "no_commission", _("No commission")

    distributor = models.ForeignKey(Distributor, on_delete=models.CASCADE, related_name="referrals")
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("buyer"),
    )
    checkout_number = models.CharField(_("checkout"), max_length=20, unique=True)
    paid = models.DecimalField(_("paid for goods"), max_digits=14, decimal_places=2)
    commission = models.DecimalField(_("commission"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    clicked_at = models.DateTimeField(_("link opened"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.distributor} · {self.checkout_number}"


# Distribution's money lives in its own module (rates, upline, commissions, ledger,
# withdrawals); imported here so Django finds the models.
from marketing.points.models import PointsAccount, PointsEntry, PointsRate  # noqa: E402, F401

from .distribution.models import (  # noqa: E402, F401
    Commission,
    CommissionRate,
    LedgerEntry,
    OrderRefundSeen,
    RewardAccount,
    Upline,
    Withdrawal,
    WithdrawalEvent,
)
from .o2o.models import OfflineStore, StoreOrder, StoreScan  # noqa: E402, F401
