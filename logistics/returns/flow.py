"""A return's lifecycle, declared once (docs/LOGISTICS.md, "Returns").

requested ─approve→ approved ─receive→ received     (inspected, restocked or written
requested ─decline→ declined                          off per line, refunded)
"""

from __future__ import annotations

from marketplace.transitions import Transition, Workflow

from .models import ReturnRequest

S = ReturnRequest.Status

RETURN_FLOW = Workflow(
    field="status",
    transitions={
        "approve": Transition(sources={S.REQUESTED}, target=S.APPROVED),
        "decline": Transition(sources={S.REQUESTED}, target=S.DECLINED, reason_required=True),
        "receive": Transition(sources={S.APPROVED}, target=S.RECEIVED),
    },
)
