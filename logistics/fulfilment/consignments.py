"""Master consignments: direct-mail (9610) parcels consolidated for the international leg
(docs/LOGISTICS.md, "Consolidation").

A ``MasterConsignment`` is one master bill (空运总单 / 海运提单) on one flight or voyage into
one arrival port; its ``ConsignmentParcel`` rows are the parcels on it (a parcel is on at most
one consignment: a one-to-one column). Its parcel list is the arrival manifest (CEB711,
``consignment_manifest``); at the bonded warehouse of the port it is **split**: each parcel
gets its domestic leg (a waybill of the domestic carrier, ``domestic_waybill``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketplace.transitions import Transition, TransitionEvent, Workflow


class MasterConsignment(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open: grouping parcels")
        CLOSED = "closed", _("Closed: manifest ready")
        ARRIVED = "arrived", _("Arrived at the port")
        SPLIT = "split", _("Split for domestic delivery")

    class Mode(models.TextChoices):
        # JGS-20 transport-mode codes, as CEB711's trafMode takes them
        AIR = "5", _("Air")
        SEA = "2", _("Sea")
        ROAD = "4", _("Road")
        RAIL = "3", _("Rail")

    bill_number = models.CharField(_("master bill number"), max_length=37, unique=True)
    transport_mode = models.CharField(
        _("transport mode"), max_length=1, choices=Mode.choices, default=Mode.AIR
    )
    vehicle = models.CharField(
        _("flight or vessel"), max_length=100, help_text=_("e.g. the airline's flight, NZ289")
    )
    voyage = models.CharField(_("flight date or voyage number"), max_length=32)
    arrival_port = models.CharField(
        _("arrival port (customs code)"),
        max_length=4,
        help_text=_("The port customs office where the parcels enter China (4 digits)."),
    )
    carrier = models.ForeignKey(
        "logistics.Carrier",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("international carrier"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    split_at = models.DateTimeField(_("split"), null=True, blank=True)

    class Meta:
        app_label = "fulfilment"
        verbose_name = _("master consignment")
        verbose_name_plural = _("master consignments")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.bill_number} → {self.arrival_port}"


class ConsignmentParcel(models.Model):
    consignment = models.ForeignKey(
        MasterConsignment,
        on_delete=models.CASCADE,
        related_name="members",
        verbose_name=_("consignment"),
    )
    parcel = models.OneToOneField(
        "fulfilment.Parcel",
        on_delete=models.PROTECT,
        related_name="consignment_member",
        verbose_name=_("parcel"),
    )
    domestic_carrier = models.ForeignKey(
        "logistics.Carrier",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("domestic carrier"),
    )
    domestic_waybill = models.CharField(_("domestic waybill"), max_length=40, blank=True)
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        app_label = "fulfilment"
        verbose_name = _("consignment parcel")
        verbose_name_plural = _("consignment parcels")
        ordering = ["consignment_id", "id"]

    def __str__(self) -> str:
        return f"{self.parcel_id} on {self.consignment_id}"


class ConsignmentEvent(TransitionEvent):
    """One move of a consignment through ``CONSIGNMENT_FLOW`` (who, when, from, to)."""

    subject = models.ForeignKey(MasterConsignment, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        app_label = "fulfilment"
        verbose_name = _("consignment event")
        verbose_name_plural = _("consignment events")


S = MasterConsignment.Status
CONSIGNMENT_FLOW = Workflow(
    field="status",
    transitions={
        "close": Transition(sources={S.OPEN}, target=S.CLOSED),
        "arrive": Transition(sources={S.CLOSED}, target=S.ARRIVED),
        "split": Transition(sources={S.ARRIVED}, target=S.SPLIT),
    },
)
