"""Stuck parcels (docs/LOGISTICS.md, "Operations"): the operator's thresholds per route or
shipping method, and the exceptions queue that ``stuck_detect`` fills and operators work
through (contact the carrier, reship, refund).

Imported by ``models.py`` so Django loads them with the app's other tables.
"""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from marketplace.tenancy import MerchantOwned
from marketplace.transitions import Transition, TransitionEvent, Workflow


class Route(models.TextChoices):
    """The kinds of journey of tracking.md's transit-time table (``outbox.route_key``)."""

    EXPRESS = "express", _("Express")
    DEDICATED_LINE = "dedicated_line", _("Dedicated line")
    RUSSIA_SOUTH_AMERICA = "russia_south_america", _("Russia / South America")
    POSTAL = "postal", _("Postal")
    BONDED_DOMESTIC = "bonded_domestic", _("Bonded warehouse to a shopper in China")
    DIRECT_CHINA = "direct_china", _("Direct mail into China")


class TransitThreshold(models.Model):
    """How long a parcel may go without news before it is stuck, and how many days past the
    promised window it may still be on its way. A row for a shipping method overrides the
    row of its route."""

    route = models.CharField(_("route"), max_length=30, choices=Route.choices, blank=True)
    shipping_method = models.OneToOneField(
        "logistics.ShippingMethod",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("shipping method"),
    )
    quiet_hours = models.PositiveIntegerField(
        _("stuck after (hours without news)"), validators=[MinValueValidator(1)]
    )
    grace_days = models.PositiveSmallIntegerField(_("days past the promised window"), default=0)

    class Meta:
        verbose_name = _("stuck-parcel threshold")
        verbose_name_plural = _("stuck-parcel thresholds")
        ordering = ["route", "shipping_method_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["route"],
                condition=Q(shipping_method__isnull=True),
                name="fulfilment_threshold_one_per_route",
            ),
            models.CheckConstraint(
                condition=Q(shipping_method__isnull=False) | ~Q(route=""),
                name="fulfilment_threshold_route_or_method",
            ),
        ]

    def __str__(self) -> str:
        return str(self.shipping_method or self.get_route_display())


class ParcelException(MerchantOwned):
    """A parcel that needs someone: no news for too long, late, or the carrier reported a
    problem. One open exception per parcel at most."""

    class Reason(models.TextChoices):
        QUIET = "quiet", _("No news from the carrier for too long")
        LATE = "late", _("Past the promised delivery window")
        CARRIER = "carrier_exception", _("The carrier reported a problem")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESHIPPED = "reshipped", _("Reshipped")
        REFUNDED = "refunded", _("Refunded")
        CLOSED = "closed", _("Closed")

    parcel = models.ForeignKey(
        "fulfilment.Parcel",
        on_delete=models.CASCADE,
        related_name="exceptions",
        verbose_name=_("parcel"),
    )
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="+", verbose_name=_("order")
    )
    reason = models.CharField(_("reason"), max_length=30, choices=Reason.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    replacement = models.ForeignKey(
        "fulfilment.Parcel",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replacement parcel"),
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True, db_index=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("parcel exception")
        verbose_name_plural = _("parcel exceptions")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["parcel"], condition=Q(status="open"), name="fulfilment_one_open_exception"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.parcel_id} {self.reason} ({self.status})"


class ParcelExceptionEvent(TransitionEvent):
    """What was done about an exception: notes to and from the carrier (``contact``, no
    status move), reship, refund, close."""

    subject = models.ForeignKey(ParcelException, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("parcel exception event")
        verbose_name_plural = _("parcel exception events")


_OPEN = {ParcelException.Status.OPEN}
EXCEPTION_FLOW = Workflow(
    field="status",
    transitions={
        "reship": Transition(sources=_OPEN, target=ParcelException.Status.RESHIPPED),
        "refund": Transition(sources=_OPEN, target=ParcelException.Status.REFUNDED),
        "close": Transition(sources=_OPEN, target=ParcelException.Status.CLOSED),
    },
)
