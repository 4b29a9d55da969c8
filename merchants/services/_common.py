"""Helpers the merchant services share: who may act, and the merchant's audit notes."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts.models import is_operator
from merchants.models import Membership, Merchant, MerchantEvent


def require_capability(*, by, merchant, capability: str) -> Membership | None:
    """Refuse (``PermissionDenied``) unless ``by`` may do ``capability`` for ``merchant`` (a
    merchant or its id): an operator, or an active member whose role has it
    (merchants/roles.py). Returns the acting membership (``None`` for operators and for the
    platform).

    This is where capabilities are enforced: every service that writes for a merchant on
    someone's behalf calls it first, so the portal, the API, the back office, the CSV import
    and tasks get the same answer (docs/ARCHITECTURE.md, "Capabilities"). ``by=None`` is the
    platform acting on its own (demo seeding, a task finishing what a person started, a
    test's arrangement): doors always pass the person, and ``tests/test_capabilities.py``
    proves it."""
    if by is None or is_operator(by):
        return None
    merchant_id = getattr(merchant, "pk", merchant)
    membership = (
        Membership.objects.filter(merchant_id=merchant_id, user=by, is_active=True).first()
        if by.is_authenticated
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
