"""Distribution's money (docs/MARKETING.md, "Distribution"): commission rates by scope, the
distributors' upline (two levels), one commission row per order line and beneficiary, the
append-only ledger of reward accounts, and withdrawal requests.

Imported by ``marketing.models`` (Django finds the app's models there)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from marketplace.transitions import TransitionEvent

PERCENT = {
    "max_digits": 5,
    "decimal_places": 2,
    "validators": [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
}
MONEY = {"max_digits": 14, "decimal_places": 2}


class CommissionRate(models.Model):
    """Commission rates for a merchant's goods, a category of them or one product; the most
    specific row wins (product > category, nearest first > merchant > the settings)."""

    class SetBy(models.TextChoices):
        OPERATOR = "operator", _("Operator")
        MERCHANT = "merchant", _("Merchant")

    merchant = models.ForeignKey(
        "merchants.Merchant",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("merchant"),
    )
    category = models.ForeignKey(
        "catalog.Category",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("product"),
    )
    rate = models.DecimalField(_("commission %"), **PERCENT)
    level2_rate = models.DecimalField(_("level-2 commission %"), **PERCENT)
    rebate_rate = models.DecimalField(_("buyer rebate %"), **PERCENT)
    platform_percent = models.PositiveSmallIntegerField(
        _("platform bears (%)"), default=0, help_text=_("The merchant bears the rest.")
    )
    set_by = models.CharField(_("set by"), max_length=10, choices=SetBy.choices)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("distribution commission rate")
        verbose_name_plural = _("distribution commission rates")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "category", "product"],
                name="one_distribution_rate_per_scope",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=Q(category__isnull=True) | Q(product__isnull=True),
                name="distribution_rate_one_scope",
            ),
            models.CheckConstraint(
                condition=Q(platform_percent__lte=100), name="distribution_rate_platform_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merchant_id} · {self.product_id or self.category_id or '*'} · {self.rate}%"


class Upline(models.Model):
    """Who recruited a distributor (level 2 earns on the level-1 distributor's sales)."""

    distributor = models.OneToOneField(
        "marketing.Distributor", on_delete=models.CASCADE, related_name="upline"
    )
    parent = models.ForeignKey(
        "marketing.Distributor", on_delete=models.CASCADE, related_name="recruits"
    )
    created_at = models.DateTimeField(_("recruited"), auto_now_add=True)

    class Meta:
        verbose_name = _("distributor upline")
        verbose_name_plural = _("distributor uplines")

    def __str__(self) -> str:
        return f"{self.parent} → {self.distributor}"


class RewardAccount(models.Model):
    """A user's commission and rebate balance: the sum of its ledger entries. Its row is the
    lock every ledger write takes (docs/ARCHITECTURE.md, slot 13's tail)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reward_account",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(_("opened"), auto_now_add=True)

    class Meta:
        verbose_name = _("reward account")
        verbose_name_plural = _("reward accounts")

    def __str__(self) -> str:
        return str(self.user)


class Commission(models.Model):
    """What one beneficiary earns on one order line: ``frozen`` until the order completes (its
    merchant's return window after delivery passed with no return open), then
    ``confirmed``; ``reversed`` (whole or in part) by refunds before.

    Who bears it is frozen when the row is made, from the winning rate's
    ``platform_percent``: ``platform_bears`` + ``merchant_bears`` = ``amount`` to the fen.
    A reversal takes from both in proportion (``platform_reversed`` of ``reversed``; the
    merchant's part is the rest). Settlement charges the merchant
    ``merchant_bears - merchant_reversed`` of every row not reversed whole."""

    class Role(models.TextChoices):
        LEVEL1 = "level1", _("Commission")
        LEVEL2 = "level2", _("Level-2 commission")
        REBATE = "rebate", _("Shopping rebate")

    class Status(models.TextChoices):
        FROZEN = "frozen", _("Frozen")
        CONFIRMED = "confirmed", _("Confirmed")
        REVERSED = "reversed", _("Reversed")

    account = models.ForeignKey(RewardAccount, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("for"), max_length=10, choices=Role.choices)
    checkout_number = models.CharField(_("checkout"), max_length=20, db_index=True)
    order_id = models.BigIntegerField(_("order"), db_index=True)
    order_line_id = models.BigIntegerField(_("order line"))
    merchant_id = models.BigIntegerField(_("merchant"), db_index=True)
    base = models.DecimalField(_("paid for the line"), **MONEY)
    rate = models.DecimalField(_("rate %"), max_digits=5, decimal_places=2)
    amount = models.DecimalField(_("amount"), **MONEY)
    reversed = models.DecimalField(_("reversed"), **MONEY, default=Decimal("0"))
    platform_bears = models.DecimalField(_("the platform bears"), **MONEY, default=Decimal("0"))
    merchant_bears = models.DecimalField(_("the merchant bears"), **MONEY, default=Decimal("0"))
    platform_reversed = models.DecimalField(
        _("reversed of the platform's part"), **MONEY, default=Decimal("0")
    )
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.FROZEN
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("commission")
        verbose_name_plural = _("commissions")
        constraints = [
            models.UniqueConstraint(
                fields=["order_line_id", "role"], name="one_commission_per_line_and_role"
            ),
            models.CheckConstraint(
                condition=Q(platform_bears__gte=0)
                & Q(merchant_bears__gte=0)
                & Q(amount=models.F("platform_bears") + models.F("merchant_bears")),
                name="commission_bearers_sum_to_amount",
            ),
            models.CheckConstraint(
                condition=Q(platform_reversed__gte=0)
                & Q(platform_reversed__lte=models.F("platform_bears"))
                & Q(platform_reversed__lte=models.F("reversed")),
                name="commission_platform_reversed_within",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.checkout_number} · {self.role} · {self.amount} {self.currency}"

    @property
    def merchant_reversed(self) -> Decimal:
        return self.reversed - self.platform_reversed

    @property
    def platform_net(self) -> Decimal:
        """What the platform still bears (after reversals)."""
        return self.platform_bears - self.platform_reversed

    @property
    def merchant_net(self) -> Decimal:
        """What settlement charges the merchant (after reversals)."""
        return self.merchant_bears - self.merchant_reversed


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError("The ledger is append-only.", code="ledger_append_only")

    def delete(self):
        raise ValidationError("The ledger is append-only.", code="ledger_append_only")


class LedgerEntry(models.Model):
    """One movement of a reward account, never changed nor deleted. Two buckets: ``pending``
    (frozen commission) and ``available`` (confirmed, withdrawable); a confirmation moves an
    amount from one to the other with two entries."""

    class Bucket(models.TextChoices):
        PENDING = "pending", _("Pending")
        AVAILABLE = "available", _("Available")

    class Kind(models.TextChoices):
        ACCRUE = "accrue", _("Earned (frozen)")
        REVERSE = "reverse", _("Reversed by a refund")
        CONFIRM = "confirm", _("Confirmed")
        WITHDRAW = "withdraw", _("Withdrawal requested")
        WITHDRAW_BACK = "withdraw_back", _("Withdrawal rejected")

    account = models.ForeignKey(RewardAccount, on_delete=models.PROTECT, related_name="entries")
    bucket = models.CharField(_("bucket"), max_length=10, choices=Bucket.choices)
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3)
    commission = models.ForeignKey(
        Commission, on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    withdrawal = models.ForeignKey(
        "marketing.Withdrawal",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("The ledger is append-only.", code="ledger_append_only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("The ledger is append-only.", code="ledger_append_only")


class OrderRefundSeen(models.Model):
    """A refund of an order that reversed commission (once per refund reference)."""

    order_id = models.BigIntegerField(db_index=True)
    reference = models.CharField(max_length=60, unique=True)
    amount = models.DecimalField(**MONEY)
    order_total = models.DecimalField(**MONEY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("refund seen by distribution")
        verbose_name_plural = _("refunds seen by distribution")

    def __str__(self) -> str:
        return self.reference


class Withdrawal(models.Model):
    """A request to be paid ``amount`` of the confirmed balance: ``requested`` → ``approved``
    (the platform owes it) → ``paid`` (once: the payout's reference and time recorded by an
    operator), or ``rejected`` (the amount back). Rejected and paid are final
    (``marketing.distribution.flow``)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        PAID = "paid", _("Paid")

    account = models.ForeignKey(RewardAccount, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    payout_reference = models.CharField(
        _("payout reference"),
        max_length=100,
        blank=True,
        help_text=_("The bank transfer's or the WeChat Pay transfer's reference."),
    )
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)

    class Meta:
        verbose_name = _("withdrawal")
        verbose_name_plural = _("withdrawals")
        ordering = ["-id"]
        constraints = [
            # a paid withdrawal names its payout (reference and time)
            models.CheckConstraint(
                condition=~models.Q(status="paid")
                | (models.Q(paid_at__isnull=False) & ~models.Q(payout_reference="")),
                name="withdrawal_paid_has_payout",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} · {self.amount} {self.currency}"


class WithdrawalEvent(TransitionEvent):
    subject = models.ForeignKey(Withdrawal, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("withdrawal event")
        verbose_name_plural = _("withdrawal events")
