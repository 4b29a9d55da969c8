"""Logistics tables: warehouses (carriers, rates, shipments and tracking come later)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import COUNTRY_VALIDATOR


class Warehouse(models.Model):
    """Where stock sits: a bonded warehouse in a Chinese bonded zone, an overseas or a
    domestic warehouse. ``merchant`` empty = the platform's own, usable by every merchant."""

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
    country = models.CharField(_("country"), max_length=2, validators=[COUNTRY_VALIDATOR])
    customs_area_code = models.CharField(
        _("customs area code"),
        max_length=10,
        blank=True,
        help_text=_("For bonded warehouses: the bonded zone's customs code."),
    )
    address = models.TextField(_("address"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name
