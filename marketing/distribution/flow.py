"""A withdrawal's lifecycle: requested ─approve→ approved ─pay→ paid (once, with the payout's
reference and time); requested ─reject→ rejected (reason). Rejected and paid are final."""

from __future__ import annotations

from marketplace.transitions import Transition, Workflow

from .models import Withdrawal

W = Withdrawal.Status

WITHDRAWAL_FLOW = Workflow(
    field="status",
    transitions={
        "approve": Transition(sources={W.REQUESTED}, target=W.APPROVED),
        "reject": Transition(sources={W.REQUESTED}, target=W.REJECTED, reason_required=True),
        "pay": Transition(sources={W.APPROVED}, target=W.PAID),
    },
)
