"""Marketing lifecycles, declared once (docs/MARKETING.md, "Flash sales").

FlashSale:       scheduled ─cancel→ cancelled      (live / ended are read off the clock)
FlashAdmission:  admitted ─use→ used ─give_back→ returned   (checkout expired or order
                                                              cancelled before payment)
                 admitted ─expire→ expired
                 admitted ─cancel→ cancelled                (the shopper gave it up)
"""

from __future__ import annotations

from marketplace.transitions import Transition, Workflow

from .models import CouponClaim, FlashAdmission, FlashSale

A = FlashAdmission.Status

FLASH_SALE_FLOW = Workflow(
    field="status",
    transitions={
        "cancel": Transition(
            sources={FlashSale.Status.SCHEDULED}, target=FlashSale.Status.CANCELLED
        ),
    },
)

ADMISSION_FLOW = Workflow(
    field="status",
    transitions={
        "use": Transition(sources={A.ADMITTED}, target=A.USED),
        "expire": Transition(sources={A.ADMITTED}, target=A.EXPIRED),
        "cancel": Transition(sources={A.ADMITTED}, target=A.CANCELLED),
        "give_back": Transition(sources={A.USED}, target=A.RETURNED),
    },
)

C = CouponClaim.Status

COUPON_CLAIM_FLOW = Workflow(
    field="status",
    transitions={
        "use": Transition(sources={C.AVAILABLE}, target=C.USED),
        "give_back": Transition(sources={C.USED}, target=C.AVAILABLE),
    },
)
