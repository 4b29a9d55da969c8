"""The points ledger's lock (docs/ARCHITECTURE.md, slot 13's tail: after shipments and
parcels, the first of the marketing ledgers — nothing is locked after it).

Only **debits** lock the shopper's ``PointsAccount`` (a redemption, an expiry, a reversal):
they must see the balance and leave it ≥ 0. Credits (an earning, a give-back) only insert a
row (unique per reference), which cannot make a balance negative, so they take no lock and
may be written anywhere in the order (a give-back is written at slot 6, right after the
checkout's lock, with the other promotions given back).
"""

from __future__ import annotations

from marketplace.locking import for_update

from .models import PointsAccount, PointsRate


def lock_points_rate(*, merchant, category) -> PointsRate | None:
    """Lock the points-rate row of one scope, if it exists: taken alone, in a transaction
    that holds no other row (``points_rate_set``)."""
    return for_update(PointsRate.objects).filter(merchant=merchant, category=category).first()


def lock_points_account(user_id: int) -> PointsAccount:
    """Lock ``user_id``'s points account, creating it first if needed."""
    PointsAccount.objects.get_or_create(user_id=user_id)
    return for_update(PointsAccount.objects).get(user_id=user_id)
