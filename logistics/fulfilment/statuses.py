"""The normalised parcel statuses and each carrier vocabulary's map onto them
(``/shared/reference/tracking.md``; standard library and gettext only).

Carriers speak their own vocabulary (AfterShip, 17TRACK, Kuaidi100 codes, or ours); every
event keeps the carrier's raw status and is stored with the normalised one. A raw status no
table knows is stored too, with the empty status ``UNMAPPED``: it is shown to operators and
never moves a parcel.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    PENDING = "pending", _("Label created")
    INFO_RECEIVED = "info_received", _("Carrier has the parcel's details")
    IN_TRANSIT = "in_transit", _("In transit")
    CUSTOMS = "customs", _("At customs")
    CUSTOMS_RELEASED = "customs_released", _("Released by customs")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    AVAILABLE_FOR_PICKUP = "available_for_pickup", _("Ready for pickup")
    ATTEMPT_FAILED = "attempt_failed", _("Delivery attempt failed")
    DELIVERED = "delivered", _("Delivered")
    EXCEPTION = "exception", _("Problem with the parcel")
    EXPIRED = "expired", _("No news from the carrier")


UNMAPPED = ""

# Before the carrier scans the parcel, it has not left: these do not ship the order.
NOT_SCANNED = frozenset({Status.PENDING, Status.INFO_RECEIVED, UNMAPPED})
# Polling stops once a parcel is here.
FINAL = frozenset({Status.DELIVERED, Status.EXPIRED})

# How far along each status is: breaks ties between events of the same time.
PROGRESS = {
    UNMAPPED: -1,
    Status.PENDING: 0,
    Status.INFO_RECEIVED: 1,
    Status.IN_TRANSIT: 2,
    Status.CUSTOMS: 3,
    Status.CUSTOMS_RELEASED: 4,
    Status.ATTEMPT_FAILED: 5,
    Status.EXCEPTION: 5,
    Status.AVAILABLE_FOR_PICKUP: 6,
    Status.OUT_FOR_DELIVERY: 6,
    Status.EXPIRED: 7,
    Status.DELIVERED: 8,
}


class Vocabulary(models.TextChoices):
    SILKWAY = "silkway", _("Silkway's statuses")
    AFTERSHIP = "aftership", "AfterShip"
    TRACK17 = "17track", "17TRACK"
    KUAIDI100 = "kuaidi100", _("Kuaidi100 (China domestic)")


S = Status
VOCABULARIES: dict[str, dict[str, str]] = {
    Vocabulary.SILKWAY: {s.value: s.value for s in Status},
    Vocabulary.AFTERSHIP: {
        "Pending": S.PENDING,
        "InfoReceived": S.INFO_RECEIVED,
        "InTransit": S.IN_TRANSIT,
        "Exception_004": S.CUSTOMS,
        "OutForDelivery": S.OUT_FOR_DELIVERY,
        "AvailableForPickup": S.AVAILABLE_FOR_PICKUP,
        "AttemptFail": S.ATTEMPT_FAILED,
        "Delivered": S.DELIVERED,
        "Exception": S.EXCEPTION,
        "Expired": S.EXPIRED,
    },
    Vocabulary.TRACK17: {
        "NotFound": S.PENDING,
        "InfoReceived": S.INFO_RECEIVED,
        "InTransit": S.IN_TRANSIT,
        "InTransit_CustomsProcessing": S.CUSTOMS,
        "CustomsRequiringInformation": S.CUSTOMS,
        "InTransit_CustomsReleased": S.CUSTOMS_RELEASED,
        "OutForDelivery": S.OUT_FOR_DELIVERY,
        "AvailableForPickup": S.AVAILABLE_FOR_PICKUP,
        "DeliveryFailure": S.ATTEMPT_FAILED,
        "Delivered": S.DELIVERED,
        "Exception": S.EXCEPTION,
        "Expired": S.EXPIRED,
    },
    Vocabulary.KUAIDI100: {
        "0": S.IN_TRANSIT,
        "1": S.IN_TRANSIT,
        "7": S.IN_TRANSIT,
        "8": S.CUSTOMS,
        "10": S.CUSTOMS,
        "11": S.CUSTOMS,
        "12": S.CUSTOMS,
        "13": S.CUSTOMS,
        "5": S.OUT_FOR_DELIVERY,
        "3": S.DELIVERED,
        "2": S.EXCEPTION,
        "4": S.EXCEPTION,
        "6": S.EXCEPTION,
        "14": S.EXCEPTION,
    },
}


def normalise(vocabulary: str, raw: str) -> str:
    """The normalised status of ``raw`` in ``vocabulary`` (``UNMAPPED`` when unknown)."""
    return VOCABULARIES.get(vocabulary, {}).get((raw or "").strip(), UNMAPPED)
