"""The identities shoppers save on their accounts (the buyers of their declarations).

A saved identity is what makes a number the shopper's own: only then does a quote they ask
for read that number's yearly quota (``customs.selectors.quota_visible_to``).
"""

from __future__ import annotations

from django.db import transaction

from customs.identity import validate_id_number
from customs.models import BuyerIdentity
from customs.selectors import quota_digest
from marketplace.crypto import mask


@transaction.atomic
def buyer_identity_save(*, user, name: str, id_number: str) -> BuyerIdentity:
    """Save (or rename) an identity on ``user``'s account; the number is checked first
    (ValidationError) and stored encrypted, keyed by the quota ledger's digest."""
    number = validate_id_number(id_number)
    identity, _ = BuyerIdentity.objects.update_or_create(
        user=user,
        id_digest=quota_digest(number),
        defaults={"name": name.strip(), "id_number": number, "id_masked": mask(number)},
    )
    return identity


@transaction.atomic
def buyer_identity_delete(*, identity: BuyerIdentity) -> None:
    """Remove a saved identity from its owner's account (the quota ledger stays: it is the
    customs record of what that person bought)."""
    identity.delete()
