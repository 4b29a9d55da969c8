"""The customs app's row locks (docs/ARCHITECTURE.md, "Lock order").

In the global order the buyer's quota ledger comes after the order and its stock rows (a paid
order records its usage last, holding the busiest row for the shortest time), then duty
assessments: an estimate before the final assessments made from it. Declarations, receipts
and their messages will take their place after those. Locks are taken with
``marketplace.locking.for_update``; call these inside ``transaction.atomic``.
"""

from __future__ import annotations

from customs.models import DutyAssessment, QuotaLedger
from marketplace.locking import for_update


def lock_quota_ledger(digest: str) -> QuotaLedger | None:
    """Lock the ledger row of the buyer whose identity digest is ``digest``, if it exists."""
    return for_update(QuotaLedger.objects).filter(id_digest=digest).first()


def lock_assessment(assessment_id: int) -> DutyAssessment | None:
    """Lock one duty assessment (``None`` when it does not exist)."""
    return for_update(DutyAssessment.objects).filter(pk=assessment_id).first()
