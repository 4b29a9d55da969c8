"""Logistics tables: warehouses (carriers, rates, shipments and tracking come later)."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from marketplace.countries import validate_country
from marketplace.tenancy import MerchantScopedQuerySet

# China customs area codes (关区代码) are four digits, e.g. the customs office of a bonded zone.
CUSTOMS_AREA_VALIDATOR = RegexValidator(
    r"^[0-9]{4}$", _("A customs area code has four digits (关区代码).")
)


class WarehouseQuerySet(MerchantScopedQuerySet):
    """``for_merchant`` = warehouses the merchant owns; ``usable_by`` adds the platform's."""

    def usable_by(self, merchant) -> WarehouseQuerySet:
        """Platform warehouses plus the merchant's own: where it may hold stock."""
        if merchant is None:
            return self.none()
        return self.filter(Q(merchant__isnull=True) | Q(merchant=merchant))

    def platform(self) -> WarehouseQuerySet:
        return self.filter(merchant__isnull=True)


class Warehouse(models.Model):
    """Where stock sits: a bonded warehouse in a Chinese bonded zone (保税仓), an overseas or
    a domestic warehouse. ``merchant`` empty = the platform's own, usable by every merchant."""

    class Kind(models.TextChoices):
        BONDED = "bonded", _("Bonded (China bonded zone)")
        OVERSEAS = "overseas", _("Overseas")
        DOMESTIC = "domestic", _("Domestic")

    merchant = models.ForeignKey(
        "merchants.Merchant",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner merchant"),
        help_text=_("Empty for a platform warehouse that every merchant may use."),
    )
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    country = models.CharField(_("country"), max_length=2, validators=[validate_country])
    customs_area_code = models.CharField(
        _("customs area code"),
        max_length=10,
        blank=True,
        validators=[CUSTOMS_AREA_VALIDATOR],
        help_text=_("For bonded warehouses: the bonded zone's customs code."),
    )
    address = models.TextField(_("address"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = WarehouseQuerySet.as_manager()

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["code"]
        constraints = [
            # Goods in a bonded zone are declared against its customs office: no code, no zone.
            models.CheckConstraint(
                condition=~Q(kind="bonded") | (Q(country="CN") & ~Q(customs_area_code="")),
                name="bonded_warehouse_in_china_with_customs_area",
                violation_error_message=_(
                    "A bonded warehouse lies in China (country CN) and needs its customs area code."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_platform(self) -> bool:
        return self.merchant_id is None


# The shipping network's tables live in their own module (logistics/shipping/models.py);
# importing it here registers them with the app.
from logistics.shipping import models as _shipping_models  # noqa: E402, F401
