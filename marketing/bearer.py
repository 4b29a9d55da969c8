"""Who bears a marketing cost (docs/MARKETING.md, "Who pays"): the platform
``platform_percent`` %, the merchant the rest (``marketing.pricing.Bearer``). One rule for
every cost a merchant's row can carry — a coupon, a gift with purchase, a distribution
commission rate: only operators make the platform bear a share, and a share is 0 to 100."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# the refusals' codes, by the kind of cost (each listed in docs/API.md)
BEARER_OPERATOR_ONLY_CODES = {
    "coupon": "coupon_bearer_operator_only",
    "gift": "gift_bearer_operator_only",
    "commission": "commission_bearer_operator_only",
}
BEARER_RANGE_CODES = {
    "coupon": "coupon_bearer_range",
    "gift": "gift_bearer_range",
    "commission": "commission_bearer_range",
}


def platform_percent_refusal(value, *, by_operator: bool, kind: str) -> ValidationError | None:
    """Why ``value`` may not be the platform's share of a ``kind`` cost (``coupon``, ``gift``,
    ``commission``: the codes above), or
    ``None``. ``by_operator``: the row is set by an operator (or is the platform's own)."""
    if value and not by_operator:
        return ValidationError(
            _("Only the platform's operators can make the platform bear a share."),
            code=BEARER_OPERATOR_ONLY_CODES[kind],
        )
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        return ValidationError(_("Enter 0 to 100."), code=BEARER_RANGE_CODES[kind])
    return None
