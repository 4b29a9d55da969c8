"""The merchants app's row locks: one helper per aggregate, rows always taken in one order.

The project's lock order (docs/ARCHITECTURE.md, "Lock order") starts here: a merchant
application, then the merchant, then the merchant's own rows — invitations, memberships
(primary-key order), payout details, category commission rates. Every lock is taken with
``marketplace.locking.for_update``, so a ``select_related`` join never locks the other
table's row. Call these inside ``transaction.atomic``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from marketplace.locking import for_update
from merchants.models import (
    CategoryCommission,
    Invitation,
    Membership,
    Merchant,
    MerchantApplication,
    MerchantApplicationEvent,
    PayoutDetails,
)
from merchants.roles import Role


def lock_application(application_id: int) -> MerchantApplication:
    """Lock a merchant application (it comes before the merchant it may become)."""
    return for_update(MerchantApplication.objects).get(pk=application_id)


def lock_application_event(event_id: int) -> MerchantApplicationEvent:
    """Lock one event of an application (alone: when its email is sent and marked)."""
    return (
        for_update(MerchantApplicationEvent.objects)
        .select_related("subject__applicant")
        .get(pk=event_id)
    )


def lock_merchant(merchant_id: int) -> Merchant:
    """Lock the merchant row: its status, names and default commission change under it, and
    so does the creation of rows that must stay unique per merchant (category rates)."""
    return for_update(Merchant.objects).get(pk=merchant_id)


def lock_invitation(invitation_id: int) -> Invitation:
    """Lock one invitation (before any membership it creates)."""
    return for_update(Invitation.objects).select_related("merchant").get(pk=invitation_id)


def lock_team(
    merchant_id: int, *, membership_ids: Iterable[int] = (), owners: bool = False
) -> dict[int, Membership]:
    """Lock memberships of one merchant in primary-key order, in one statement: those in
    ``membership_ids`` and, with ``owners``, every active owner.

    Owners are locked with the membership being changed whenever the change could leave the
    merchant without an owner, so two owners demoting or removing each other at the same
    moment queue and the second one is refused.
    """
    wanted = Q(pk__in=[int(pk) for pk in membership_ids])
    if owners:
        wanted |= Q(role=Role.OWNER, is_active=True)
    rows = (
        for_update(Membership.objects)
        .select_related("user", "merchant")
        .filter(wanted, merchant_id=merchant_id)
        .order_by("pk")
    )
    return {row.pk: row for row in rows}


def lock_payout_details(merchant_id: int) -> PayoutDetails | None:
    """Lock the merchant's payout details, if it has any."""
    return for_update(PayoutDetails.objects).filter(merchant_id=merchant_id).first()


def lock_category_commission(merchant_id: int, category_id: int) -> CategoryCommission | None:
    """Lock the merchant's rate for one category, if set. Take ``lock_merchant`` first when
    the row may be created, so two first settings queue instead of colliding."""
    return (
        for_update(CategoryCommission.objects)
        .filter(merchant_id=merchant_id, category_id=category_id)
        .first()
    )
