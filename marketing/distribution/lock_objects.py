"""Distribution's row locks (docs/ARCHITECTURE.md, "Lock order", slot 13's tail: marketing
ledgers). Every ledger entry and every change of a commission row or a withdrawal is written
under the lock of the reward account it belongs to; several accounts are locked in
primary-key order. Nothing is locked after them."""

from __future__ import annotations

from collections.abc import Iterable

from marketplace.locking import for_update

from .models import CommissionRate, RewardAccount


def lock_reward_accounts(account_ids: Iterable[int]) -> dict[int, RewardAccount]:
    """Lock the reward accounts ``account_ids`` in primary-key order (those that exist)."""
    ids = sorted({int(pk) for pk in account_ids})
    rows = for_update(RewardAccount.objects).filter(pk__in=ids).order_by("pk")
    return {row.pk: row for row in rows}


def lock_commission_rate(*, merchant, category, product) -> CommissionRate | None:
    """Lock the commission-rate row of one scope, if it exists: taken alone, in a transaction
    that holds no other row (``rates.commission_rate_set``)."""
    return (
        for_update(CommissionRate.objects)
        .filter(merchant=merchant, category=category, product=product)
        .first()
    )
