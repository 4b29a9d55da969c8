"""Consolidating direct-mail (9610) parcels into master consignments, their arrival manifest
(CEB711) and their split for domestic delivery (docs/LOGISTICS.md, "Consolidation").

Rules of grouping (``consignment_add_parcels``), codes in docs/API.md:

- only an **open** consignment takes parcels (``consignment_not_open``);
- only **direct-mail** parcels (the order clears as 9610 ``direct``: bonded goods are already
  in China) (``not_direct_mail``);
- only parcels bound for the consignment's **arrival port**: the port customs office of the
  customs profile the parcel's order is declared under (``CustomsProfile.port_code``)
  (``port_mismatch``);
- a parcel is on **one** consignment at most (``parcel_on_consignment``; also a one-to-one
  column, so two operators adding it at once cannot both win);
- not a parcel already delivered (``parcel_delivered``).

Locks (docs/ARCHITECTURE.md, slot 13): the consignment, then the parcels in primary-key order.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customs.ceb import messages
from customs.ceb import types as t
from customs.ceb.messages import new_guid
from customs.profiles.services import NoCustomsProfile, party, profile_for, transfer_for
from logistics.shipping.waybills import waybill_allocate
from marketplace.clearance import ClearanceMode
from marketplace.digits import is_ascii_digits
from marketplace.outbox import outbox_enqueue
from marketplace.rules import RuleErrors, field_error

from ..consignments import (
    CONSIGNMENT_FLOW,
    ConsignmentEvent,
    ConsignmentParcel,
    MasterConsignment,
)
from ..lock_objects import lock_consignment, lock_parcels
from ..models import Parcel
from ..statuses import Status

# The outbox kinds between this app and the declarations (customs/declarations/manifests.py):
# neither imports the other.
MANIFEST = "declarations.manifest"
MANIFEST_ENTERED = "fulfilment.manifest_entered"


def parcel_arrival_port(parcel: Parcel) -> str:
    """Where ``parcel`` enters China: its merchant's customs profile's port office ('' if none)."""
    try:
        return profile_for(parcel.merchant).port_code
    except NoCustomsProfile:
        return ""


@transaction.atomic
def consignment_create(
    *, bill_number: str, carrier, vehicle: str, voyage: str, arrival_port: str, by, mode="5"
) -> MasterConsignment:
    bill_number, vehicle, voyage = bill_number.strip(), vehicle.strip(), voyage.strip()
    errors = RuleErrors()
    if not bill_number:
        errors.add("bill_number", _("Give the master bill number."), "bill_required")
    elif MasterConsignment.objects.filter(bill_number=bill_number).exists():
        errors.add("bill_number", _("This master bill is already a consignment."), "bill_taken")
    if not (len(arrival_port) == 4 and is_ascii_digits(arrival_port)):
        errors.add("arrival_port", _("The arrival port is a 4-digit customs code."), "port_code")
    if not vehicle or not voyage:
        errors.add("voyage", _("Give the flight or vessel and the voyage."), "voyage_required")
    errors.raise_if_any()
    return MasterConsignment.objects.create(
        bill_number=bill_number,
        carrier=carrier,
        vehicle=vehicle,
        voyage=voyage,
        arrival_port=arrival_port,
        transport_mode=mode,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )


@transaction.atomic
def consignment_add_parcels(*, consignment: MasterConsignment, parcel_ids, by) -> int:
    """Put parcels ``parcel_ids`` on ``consignment`` (all or none); returns how many."""
    consignment = lock_consignment(consignment.pk)
    if consignment.status != MasterConsignment.Status.OPEN:
        raise field_error(
            "consignment", _("Only an open consignment takes parcels."), "consignment_not_open"
        )
    locked = lock_parcels(parcel_ids)
    parcels = list(
        Parcel.objects.filter(pk__in=locked).select_related("order", "merchant").order_by("pk")
    )
    errors = RuleErrors()
    taken = set(
        ConsignmentParcel.objects.filter(parcel_id__in=locked).values_list("parcel_id", flat=True)
    )
    for parcel in parcels:
        if parcel.order.clearance_mode != ClearanceMode.DIRECT:
            errors.add(
                "parcels",
                _("%(waybill)s is not direct mail (9610).") % {"waybill": parcel.waybill_number},
                "not_direct_mail",
            )
        elif parcel_arrival_port(parcel) != consignment.arrival_port:
            errors.add(
                "parcels",
                _("%(waybill)s is bound for another port.") % {"waybill": parcel.waybill_number},
                "port_mismatch",
            )
        if parcel.pk in taken:
            errors.add(
                "parcels",
                _("%(waybill)s is on a consignment already.") % {"waybill": parcel.waybill_number},
                "parcel_on_consignment",
            )
        if parcel.status == Status.DELIVERED:
            errors.add(
                "parcels",
                _("%(waybill)s was delivered.") % {"waybill": parcel.waybill_number},
                "parcel_delivered",
            )
    if len(parcels) != len(set(parcel_ids)):
        errors.add("parcels", _("Some parcels do not exist."), "parcel_unknown")
    errors.raise_if_any()
    try:
        with transaction.atomic():
            ConsignmentParcel.objects.bulk_create(
                ConsignmentParcel(consignment=consignment, parcel=p) for p in parcels
            )
    except IntegrityError:
        raise field_error(
            "parcels", _("A parcel is on a consignment already."), "parcel_on_consignment"
        ) from None
    return len(parcels)


def consignment_move(*, consignment: MasterConsignment, name: str, by) -> MasterConsignment:
    """``close`` (needs a parcel), ``reopen``, ``arrive`` through ``CONSIGNMENT_FLOW``."""
    with transaction.atomic():
        consignment = lock_consignment(consignment.pk)
        if name == "close" and not consignment.members.exists():
            raise field_error("parcels", _("A consignment needs a parcel."), "consignment_empty")
        CONSIGNMENT_FLOW.apply(consignment, name, by=by, event_model=ConsignmentEvent)
        if name == "close":
            # the arrival manifest goes to customs once this commits (customs/declarations/
            # manifests.py stores and sends it on the one send path)
            profile = profile_for(None)
            manifest = consignment_manifest(consignment)
            outbox_enqueue(
                kind=MANIFEST,
                payload={
                    "consignment_id": consignment.pk,
                    "manifest": messages.to_bytes(
                        messages.build([manifest], transfer=transfer_for(profile))
                    ).decode(),
                },
                key=f"manifest:{consignment.pk}",
            )
    return consignment


def consignment_entered(*, cop_no: str, rkd_no: str = "") -> bool:
    """Customs entered the manifest ``cop_no`` (CEB712 120): the consignment has arrived."""
    if not (cop_no.startswith("MC") and is_ascii_digits(cop_no[2:])):
        return False
    with transaction.atomic():
        consignment = MasterConsignment.objects.filter(pk=int(cop_no[2:])).first()
        if consignment is None or not CONSIGNMENT_FLOW.can(consignment, "arrive"):
            return False
        consignment = lock_consignment(consignment.pk)
        if not CONSIGNMENT_FLOW.can(consignment, "arrive"):
            return False
        CONSIGNMENT_FLOW.apply(
            consignment,
            "arrive",
            by=None,
            event_model=ConsignmentEvent,
            reason=f"customs entry {rkd_no}".strip(),
        )
    return True


def consignment_manifest(consignment: MasterConsignment, *, app_time=None) -> t.ManifestDoc:
    """The CEB711 arrival manifest (入库明细单) of ``consignment``: its parcels' waybills in the
    order they were added, declared by the supervised site's operator (the platform profile's
    bonded-zone company) with the profile's logistics company, into the arrival port."""
    profile = profile_for(None)
    operator = party(profile.bonded_zone) or party(profile.logistics)
    members = consignment.members.select_related("parcel").order_by("pk")
    return t.ManifestDoc(
        guid=new_guid(),
        app_time=(app_time or timezone.now()).replace(microsecond=0),
        customs_code=consignment.arrival_port,
        cop_no=f"MC{consignment.pk:010d}",
        operator=operator,
        traf_mode=consignment.transport_mode,
        traf_no=consignment.vehicle,
        voyage_no=consignment.voyage,
        bill_no=consignment.bill_number,
        logistics=party(profile.logistics),
        lines=tuple(
            t.ManifestLine(gnum=n, logistics_no=m.parcel.waybill_number)
            for n, m in enumerate(members, start=1)
        ),
    )


@transaction.atomic
def consignment_split(*, consignment: MasterConsignment, domestic_carrier, by) -> int:
    """At the bonded warehouse of the port: each parcel gets its domestic leg (a waybill of
    ``domestic_carrier``) and the consignment is ``split``. Returns how many legs."""
    consignment = lock_consignment(consignment.pk)
    CONSIGNMENT_FLOW.apply(consignment, "split", by=by, event_model=ConsignmentEvent)
    members = list(consignment.members.order_by("pk"))
    lock_parcels([m.parcel_id for m in members])
    for member in members:
        member.domestic_carrier = domestic_carrier
        member.domestic_waybill = waybill_allocate(carrier=domestic_carrier)
    ConsignmentParcel.objects.bulk_update(members, ["domestic_carrier", "domestic_waybill"])
    MasterConsignment.objects.filter(pk=consignment.pk).update(split_at=timezone.now())
    return len(members)
