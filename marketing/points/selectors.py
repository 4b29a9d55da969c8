"""What the shopper's points pages and API read (docs/MARKETING.md, "Points")."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from .models import PointsEntry
from .services import POINTS_CURRENCY, points_balance, points_value

HISTORY = 50


@dataclass(frozen=True)
class PointsSummary:
    balance: int
    value: Decimal  # what the balance is worth, in POINTS_CURRENCY
    currency: str
    max_share_percent: int
    expire_days: int
    history: list[PointsEntry]


def points_summary(user_id: int, *, history: bool = True) -> PointsSummary:
    balance = points_balance(user_id)
    return PointsSummary(
        balance=balance,
        value=(points_value() * balance).quantize(Decimal("0.01")),
        currency=POINTS_CURRENCY,
        max_share_percent=int(Decimal(settings.POINTS_MAX_SHARE) * 100),
        expire_days=settings.POINTS_EXPIRE_DAYS,
        history=list(PointsEntry.objects.filter(user_id=user_id)[:HISTORY]) if history else [],
    )
