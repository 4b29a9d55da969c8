"""Shipping network tables: carriers, their shipping methods, zones, routes (origin zone ->
destination zone, with the route's rate table and promised delivery window) and each
merchant's free-shipping threshold.

Operators edit carriers, methods, zones and routes in the back office; every write goes
through ``logistics.shipping.services`` so the cached network (``selectors``) is replaced
once the change commits. docs/SHIPPING.md explains each rule.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from logistics.models import Warehouse
from marketplace.rules import field_error
from marketplace.tenancy import MerchantOwned

from .regions import is_zone_member

NON_NEGATIVE = [MinValueValidator(Decimal("0"))]
POSITIVE_KG = [MinValueValidator(Decimal("0.001"))]


class Carrier(models.Model):
    """A company that carries parcels (China Post, DHL, SF Express…)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)  # translated: name_en, name_zh_hans
    website = models.URLField(_("website"), blank=True)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("An inactive carrier's methods are not offered.")
    )

    class Meta:
        verbose_name = _("carrier")
        verbose_name_plural = _("carriers")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name or self.code


class ShippingMethod(models.Model):
    """A service of a carrier (EMS, DHL Express Worldwide, SF Standard…), priced in one
    currency, with its own volumetric divisor and weight limit."""

    class Kind(models.TextChoices):
        EXPRESS = "express", _("Express")
        DEDICATED_LINE = "dedicated_line", _("Dedicated line")
        POSTAL = "postal", _("Postal")
        DOMESTIC = "domestic", _("Domestic China")

    carrier = models.ForeignKey(
        Carrier, on_delete=models.PROTECT, related_name="methods", verbose_name=_("carrier")
    )
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)  # translated
    description = models.CharField(
        _("description"),
        max_length=300,
        blank=True,
        help_text=_("One line shoppers see under the method's name."),
    )  # translated
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    currency = models.ForeignKey(
        "marketplace.Currency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("currency"),
        help_text=_("Every rate of this method is in this currency."),
    )
    volumetric_divisor = models.PositiveIntegerField(
        _("volumetric divisor (cm³/kg)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Volumetric weight = length × width × height in cm ÷ this number (5000 and 6000 "
            "are usual). Empty: the method charges actual weight only."
        ),
    )
    max_weight_kg = models.DecimalField(
        _("weight limit per parcel (kg)"),
        max_digits=7,
        decimal_places=3,
        null=True,
        blank=True,
        validators=POSITIVE_KG,
        help_text=_("Heavier parcels are not offered this method. Empty: no limit."),
    )
    free_shipping_eligible = models.BooleanField(
        _("covered by free shipping"),
        default=True,
        help_text=_(
            "A merchant's free-shipping threshold makes this method free; when unticked the "
            "shopper always pays for it (usual for express)."
        ),
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Breaks ties between options of equal price.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("shipping method")
        verbose_name_plural = _("shipping methods")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name or self.code


def zone_members(text: str) -> list[str]:
    """The members of a zone as written (``"fr de  cn-xj"`` -> ``["FR", "DE", "CN-XJ"]``),
    upper-cased, duplicates dropped, in order."""
    seen: dict[str, None] = {}
    for token in (text or "").replace(",", " ").split():
        seen.setdefault(token.strip().upper(), None)
    return list(seen)


class ShippingZone(models.Model):
    """A named set of places: countries (``FR``) and, for China, provinces (``CN-XJ``).

    Used as a route's destination and as its origin (for origins only countries count:
    a warehouse is placed by its country)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)  # translated
    members = models.TextField(
        _("countries and provinces"),
        help_text=_(
            "ISO codes separated by spaces: countries (FR DE GB) and, for mainland China, "
            "provinces (CN-XJ CN-XZ). A province is more specific than its country."
        ),
    )

    class Meta:
        verbose_name = _("shipping zone")
        verbose_name_plural = _("shipping zones")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name or self.code

    @property
    def member_list(self) -> list[str]:
        return zone_members(self.members)

    def clean(self) -> None:
        tokens = zone_members(self.members)
        if not tokens:
            raise field_error("members", _("Name at least one country."), "zone_members_required")
        unknown = [token for token in tokens if not is_zone_member(token)]
        if unknown:
            raise field_error(
                "members",
                _(
                    "Not a country or Chinese province code: %(codes)s. Countries use "
                    "ISO 3166-1 (GB, not UK); provinces ISO 3166-2 (CN-XJ)."
                )
                % {"codes": ", ".join(unknown)},
                "zone_member_unknown",
            )
        self.members = " ".join(tokens)


class ShippingRoute(models.Model):
    """Where a method goes and what it costs there: from warehouses in the origin zone
    (optionally of one kind) to addresses in the destination zone, with the rate table and
    the delivery window promised to shoppers."""

    method = models.ForeignKey(
        ShippingMethod, on_delete=models.CASCADE, related_name="routes", verbose_name=_("method")
    )
    origin_zone = models.ForeignKey(
        ShippingZone,
        on_delete=models.PROTECT,
        related_name="routes_from",
        verbose_name=_("from (zone)"),
    )
    origin_kind = models.CharField(
        _("from warehouses of kind"),
        max_length=10,
        choices=Warehouse.Kind.choices,
        blank=True,
        help_text=_("Empty: warehouses of any kind in the origin zone."),
    )
    destination_zone = models.ForeignKey(
        ShippingZone,
        on_delete=models.PROTECT,
        related_name="routes_to",
        verbose_name=_("to (zone)"),
    )
    min_days = models.PositiveSmallIntegerField(_("delivery from (days)"))
    max_days = models.PositiveSmallIntegerField(_("delivery up to (days)"))
    working_days = models.BooleanField(
        _("working days"),
        default=False,
        help_text=_("Count Monday to Friday only (public holidays are not counted out)."),
    )
    first_weight_kg = models.DecimalField(
        _("first weight (kg)"), max_digits=7, decimal_places=3, validators=POSITIVE_KG
    )
    first_weight_price = models.DecimalField(
        _("first weight price"), max_digits=12, decimal_places=2, validators=NON_NEGATIVE
    )
    step_kg = models.DecimalField(
        _("additional weight step (kg)"), max_digits=7, decimal_places=3, validators=POSITIVE_KG
    )
    step_price = models.DecimalField(
        _("price per additional step"), max_digits=12, decimal_places=2, validators=NON_NEGATIVE
    )
    minimum_charge = models.DecimalField(
        _("minimum charge"),
        max_digits=12,
        decimal_places=2,
        default=Decimal(0),
        validators=NON_NEGATIVE,
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("shipping route")
        verbose_name_plural = _("shipping routes")
        ordering = ["method_id", "origin_zone_id", "destination_zone_id", "origin_kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["method", "origin_zone", "origin_kind", "destination_zone"],
                name="one_route_per_method_origin_destination",
                violation_error_message=_(
                    "This method already has a route between these zones for these warehouses."
                ),
            ),
            models.CheckConstraint(
                condition=Q(min_days__lte=F("max_days")) & Q(max_days__gte=1),
                name="route_delivery_window_ordered",
                violation_error_message=_(
                    "The delivery window runs from the smaller number of days to the larger "
                    "(and ends on day 1 or later)."
                ),
            ),
            models.CheckConstraint(
                condition=Q(first_weight_kg__gt=0) & Q(step_kg__gt=0),
                name="route_weights_positive",
                violation_error_message=_("First weight and weight step must be above zero."),
            ),
            models.CheckConstraint(
                condition=Q(first_weight_price__gte=0)
                & Q(step_price__gte=0)
                & Q(minimum_charge__gte=0),
                name="route_prices_not_negative",
                violation_error_message=_("Prices cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method} · {self.origin_zone} → {self.destination_zone}"


class MerchantShipping(MerchantOwned):
    """A merchant's shipping terms: the goods subtotal from which shipping is free.

    The threshold covers the methods marked "covered by free shipping"; empty means the
    merchant offers no free shipping."""

    free_shipping_threshold = models.DecimalField(
        _("free shipping from"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
        help_text=_("Goods subtotal of an order from which shipping is free. Empty: never."),
    )
    currency = models.ForeignKey(
        "marketplace.Currency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("currency"),
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )

    class Meta:
        verbose_name = _("merchant shipping terms")
        verbose_name_plural = _("merchant shipping terms")
        constraints = [
            models.UniqueConstraint(fields=["merchant"], name="one_shipping_terms_per_merchant")
        ]

    def __str__(self) -> str:
        return str(self.merchant)


class WaybillCounter(models.Model):
    """A carrier's waybill numbering (the customs ``logisticsNo``): ``prefix`` + the next
    value, zero-padded. ``logistics.shipping.waybills.waybill_allocate`` is the one writer;
    a number is never handed out twice (one atomic ``UPDATE … RETURNING`` per number)."""

    carrier = models.OneToOneField(
        Carrier, on_delete=models.CASCADE, related_name="waybill_counter", verbose_name=_("carrier")
    )
    prefix = models.CharField(_("prefix"), max_length=8)
    digits = models.PositiveSmallIntegerField(_("digits"), default=10)
    last_value = models.PositiveBigIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("waybill numbering")
        verbose_name_plural = _("waybill numberings")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.carrier_id})"
