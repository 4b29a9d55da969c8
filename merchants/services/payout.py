"""Payout details: where the merchant's money goes. Owners only (``MANAGE_PAYOUT``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from merchants.lock_objects import lock_merchant, lock_payout_details
from merchants.models import Merchant, PayoutDetails
from merchants.roles import Capability
from merchants.validators import normalise_account_number

from ._common import merchant_note, require_capability

# The model's columns by the names this service (and so every door) takes them under.
_ARGUMENTS = {
    "payout_bank_name": "bank_name",
    "payout_account_holder": "account_holder",
    "payout_account_number": "account_number",
    "payout_swift": "swift",
}


@transaction.atomic
def payout_details_set(
    *,
    by,
    merchant: Merchant,
    bank_name: str,
    account_holder: str,
    swift: str,
    account_number: str = "",
) -> PayoutDetails:
    """Change the merchant's payout account. An empty ``account_number`` keeps the stored one
    (it is only ever shown masked). The change is written to the merchant's history with
    the masked number, never the number itself. Errors name the arguments
    (``account_number``, ``swift`` …)."""
    require_capability(by=by, merchant=merchant, capability=Capability.MANAGE_PAYOUT)
    details = lock_payout_details(merchant.pk)
    if details is None:
        # The first details of a merchant: two first saves queue on the merchant's row.
        lock_merchant(merchant.pk)
        details = lock_payout_details(merchant.pk) or PayoutDetails(merchant=merchant)
    if details.pk is None and not account_number:
        raise ValidationError(
            {
                "account_number": ValidationError(
                    _("Enter the account number or IBAN."), code="account_number_required"
                )
            }
        )
    before = str(details) if details.pk else None
    details.payout_bank_name = (bank_name or "").strip()
    details.payout_account_holder = (account_holder or "").strip()
    details.payout_swift = (swift or "").replace(" ", "").upper()
    if account_number:
        details.payout_account_number = normalise_account_number(account_number)
    details.updated_by = by
    try:
        details.full_clean()
    except ValidationError as exc:
        raise ValidationError(
            {_ARGUMENTS.get(name, name): errors for name, errors in exc.error_dict.items()}
        ) from exc
    details.save()
    merchant_note(
        merchant=merchant,
        action="payout_change",
        by=by,
        details={"old": before, "new": str(details)},
    )
    return details
