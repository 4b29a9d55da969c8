"""Helpers the merchant services share: who may act, and the merchant's audit notes."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts.models import is_operator
from merchants.models import Membership, Merchant, MerchantEvent


def require_capability(*, by, merchant: Merchant, capability: str) -> Membership | None:
    """Refuse unless ``by`` is an operator or an active member of ``merchant`` whose role has
    ``capability`` (merchants/roles.py). Returns the acting membership (``None`` for
    operators). Services check this themselves so every door (portal, API, admin) gets the
    same answer."""
    if is_operator(by):
        return None
    membership = (
        Membership.objects.filter(merchant=merchant, user=by, is_active=True).first()
        if by is not None and by.is_authenticated
        else None
    )
    if membership is None or not membership.can(capability):
        raise PermissionDenied(_("Your role may not do this."))
    return membership


def merchant_note(*, merchant: Merchant, action: str, by, details: dict) -> MerchantEvent:
    """Write an audit row for a change that is not a status move (payout details, commission,
    team). It shares the merchant's history with the status events so one page shows all.
    ``details`` holds the facts as data; ``MerchantEvent.summary`` words them per language."""
    return MerchantEvent.objects.create(
        subject=merchant,
        transition=action,
        from_state=merchant.status,
        to_state=merchant.status,
        actor=by if getattr(by, "is_authenticated", False) else None,
        details=details,
    )
