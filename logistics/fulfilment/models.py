"""Shipments, parcels, parcel lines, tracking events and the carriers' tracking feeds
(docs/LOGISTICS.md).

order → shipment (the merchant packs it) → parcels (one parcel = one waybill number, the
customs ``logisticsNo``) → parcel lines (order line, quantity). A parcel's ``status`` is a
projection of its events: that of its latest event **by event time** (never by arrival), so
late and out-of-order events never move it back. Events are append-only and de-duplicated by
(parcel, status, event time, location).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from marketplace.crypto import EncryptedTextField
from marketplace.tenancy import MerchantOwned

from .statuses import Status, Vocabulary

KG = {"max_digits": 8, "decimal_places": 3}
CM = {"max_digits": 6, "decimal_places": 1}


class CarrierFeed(models.Model):
    """How a carrier tells us where its parcels are: it pushes signed webhooks
    (``POST /tracking/webhooks/<carrier code>/``, HMAC-SHA256 of the raw body with
    ``webhook_secret``), or we poll it through an adapter (``adapters.ADAPTERS``)."""

    class Delivery(models.TextChoices):
        PUSH = "push", _("The carrier pushes webhooks")
        POLL = "poll", _("We poll the carrier")

    carrier = models.OneToOneField(
        "logistics.Carrier",
        on_delete=models.CASCADE,
        related_name="tracking_feed",
        verbose_name=_("carrier"),
    )
    delivery = models.CharField(
        _("delivery"), max_length=10, choices=Delivery.choices, default=Delivery.PUSH
    )
    vocabulary = models.CharField(
        _("status vocabulary"),
        max_length=20,
        choices=Vocabulary.choices,
        default=Vocabulary.SILKWAY,
        help_text=_("Which carrier statuses the feed speaks; mapped onto ours."),
    )
    # Encrypted at rest (marketplace.crypto); read only to check a signature.
    webhook_secret = EncryptedTextField(_("webhook secret"), blank=True)
    booking_url = models.URLField(
        _("booking address"),
        blank=True,
        help_text=_(
            "Where a packed parcel is booked with the carrier (its label). Empty: not booked."
        ),
    )
    adapter = models.CharField(_("polling adapter"), max_length=40, blank=True)
    poll_url = models.URLField(_("polling address"), blank=True)
    poll_every_minutes = models.PositiveSmallIntegerField(
        _("poll every (minutes)"), default=30, validators=[MinValueValidator(1)]
    )
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("carrier tracking feed")
        verbose_name_plural = _("carrier tracking feeds")

    def __str__(self) -> str:
        return f"{self.carrier_id} ({self.delivery})"


class Shipment(MerchantOwned):
    """An order, packed by its merchant (or the platform's warehouse staff) into parcels."""

    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="shipments", verbose_name=_("order")
    )
    warehouse = models.ForeignKey(
        "logistics.Warehouse",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("ships from"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("packed by"),
    )
    created_at = models.DateTimeField(_("packed"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"shipment #{self.pk} of {self.order_id}"


class Parcel(MerchantOwned):
    """One box on one waybill of one carrier."""

    shipment = models.ForeignKey(
        Shipment, on_delete=models.CASCADE, related_name="parcels", verbose_name=_("shipment")
    )
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="parcels", verbose_name=_("order")
    )
    carrier = models.ForeignKey(
        "logistics.Carrier", on_delete=models.PROTECT, related_name="+", verbose_name=_("carrier")
    )
    waybill_number = models.CharField(_("waybill number"), max_length=40)
    weight_kg = models.DecimalField(_("weight (kg)"), **KG, null=True, blank=True)
    length_cm = models.DecimalField(_("length (cm)"), **CM, null=True, blank=True)
    width_cm = models.DecimalField(_("width (cm)"), **CM, null=True, blank=True)
    height_cm = models.DecimalField(_("height (cm)"), **CM, null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=30, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    status_at = models.DateTimeField(_("status since (carrier time)"), null=True, blank=True)
    last_event_received_at = models.DateTimeField(_("last news"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("first scan"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    booked_at = models.DateTimeField(_("booked with the carrier"), null=True, blank=True)
    # the kind of journey (stuck_models.Route, ``outbox.route_key``), fixed when packed
    route = models.CharField(_("route"), max_length=30, blank=True, db_index=True)
    # a parcel given up on (lost, stuck) and sent again: the replacement is what the order
    # waits for
    replaced_by = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaces",
        verbose_name=_("replaced by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("parcel")
        verbose_name_plural = _("parcels")
        ordering = ["order_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["carrier", "waybill_number"], name="fulfilment_one_parcel_per_waybill"
            ),
            models.CheckConstraint(
                condition=Q(weight_kg__isnull=True) | Q(weight_kg__gt=0),
                name="fulfilment_parcel_weight_positive",
            ),
        ]
        indexes = [models.Index(fields=["carrier", "status"], name="fulfilment_parcel_carrier")]

    def __str__(self) -> str:
        return self.waybill_number


class ParcelLine(models.Model):
    """Units of an order line in a parcel (written only with the parcel, under the order's lock)."""

    parcel = models.ForeignKey(Parcel, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("parcel line")
        verbose_name_plural = _("parcel lines")
        ordering = ["parcel_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["parcel", "line"], name="fulfilment_one_line_per_parcel"
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="fulfilment_line_quantity"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} of line {self.line_id}"


class TrackingEvent(models.Model):
    """One carrier event, as it came (``payload``), with its normalised ``status``
    (empty: a raw status no vocabulary knows). Never edited, never deleted."""

    class Source(models.TextChoices):
        WEBHOOK = "webhook", _("Webhook")
        POLL = "poll", _("Polling")

    parcel = models.ForeignKey(Parcel, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(_("status"), max_length=30, choices=Status.choices, blank=True)
    raw_status = models.CharField(_("carrier status"), max_length=60)
    text = models.CharField(_("carrier text"), max_length=500, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    occurred_at = models.DateTimeField(_("event time"), db_index=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    payload = models.JSONField(_("as received"))

    class Meta:
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")
        ordering = ["parcel_id", "occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["parcel", "status", "occurred_at", "location"],
                name="fulfilment_event_once",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.parcel_id} {self.status or self.raw_status} @ {self.occurred_at:%Y-%m-%d %H:%M}"
        )


from .consignments import ConsignmentEvent, ConsignmentParcel, MasterConsignment  # noqa: E402, F401 - the app's tables

# The stuck-parcel thresholds and the exceptions queue live in their own module.
from .stuck_models import (  # noqa: E402, F401
    ParcelException,
    ParcelExceptionEvent,
    TransitThreshold,
)
