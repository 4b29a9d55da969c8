"""The points ledger (docs/MARKETING.md, "Points").

``PointsEntry`` rows are never updated or deleted: a shopper's balance is the sum of their
rows' ``points`` (earn and give-back rows are positive; redeem, expire and reverse rows
negative). ``PointsAccount`` is the one row per shopper that debits lock (slot 13's tail,
docs/ARCHITECTURE.md) so two redemptions of one balance take turns and it never goes below
zero. ``PointsRate`` is a merchant's or a category's own earning rate.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PointsAccount(models.Model):
    """The shopper's lock row for debits (holds no amount: the ledger is the truth)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="points_account"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("points account")

    def __str__(self) -> str:
        return f"points of {self.user_id}"


class PointsEntry(models.Model):
    class Kind(models.TextChoices):
        EARN = "earn", _("Earned")
        REDEEM = "redeem", _("Redeemed")
        GIVE_BACK = "give_back", _("Given back")
        EXPIRE = "expire", _("Expired")
        REVERSE = "reverse", _("Reversed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="points_entries"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    points = models.IntegerField(_("points"))
    # What the row is for: an order number (earn), a checkout number (redeem, give back), a
    # refund key (reverse), a run (expire). (kind, reference) is unique: a repeat writes nothing.
    reference = models.CharField(_("reference"), max_length=64)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)  # earn rows
    created_at = models.DateTimeField(_("date"), auto_now_add=True)

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="mkt_points_user_recent")]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "reference"], name="mkt_points_once_per_reference"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind__in=["earn", "give_back"], points__gt=0)
                    | Q(kind__in=["redeem", "expire", "reverse"], points__lt=0)
                ),
                name="mkt_points_sign_by_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.points} ({self.reference})"


class PointsRate(models.Model):
    """Points per yuan paid for the goods of a merchant, of a category, or of a merchant's
    category (the most specific one set wins; else ``settings.POINTS_EARN_PER_YUAN``).
    ``set_by``: an operator's row is the platform's (the merchant cannot change it,
    ``points_rate_set``); a merchant sets its own rows within the platform's bounds."""

    class SetBy(models.TextChoices):
        OPERATOR = "operator", _("Operator")
        MERCHANT = "merchant", _("Merchant")

    merchant = models.ForeignKey(
        "merchants.Merchant", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    category = models.ForeignKey(
        "catalog.Category", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    points_per_yuan = models.DecimalField(
        _("points per yuan"), max_digits=8, decimal_places=2, validators=[MinValueValidator(0)]
    )
    set_by = models.CharField(
        _("set by"), max_length=10, choices=SetBy.choices, default=SetBy.OPERATOR
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("points rate")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "category"],
                name="mkt_points_rate_once",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=Q(merchant__isnull=False) | Q(category__isnull=False),
                name="mkt_points_rate_scoped",
            ),
            models.CheckConstraint(condition=Q(points_per_yuan__gte=0), name="mkt_points_rate_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.points_per_yuan}/¥ ({self.merchant_id}, {self.category_id})"
