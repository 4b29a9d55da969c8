"""Customs writes, one module per topic; everything is importable from here.

- ``rates``: operator edits of the rate tables (checked, then the cached RateBook dropped);
- ``quota``: the buyers' yearly quota ledger (usage, restore);
- ``identities``: the identities shoppers save on their accounts;
- ``quotes``: the synchronous duty quote for cart and checkout pages;
- ``assessments``: stored duty assessments and their lifecycle (``ASSESSMENT_FLOW``).
"""

from .assessments import (
    ASSESSMENT_FLOW,
    duty_assessment_compute,
    duty_assessment_fail,
    duty_assessment_freeze,
    duty_assessment_recompute,
    duty_assessment_request,
    duty_assessments_requeue,
)
from .identities import buyer_identity_delete, buyer_identity_save
from .quota import QuotaError, QuotaExceededError, quota_record_usage, quota_restore
from .quotes import PreparedQuote, duty_quote, duty_quote_prepare, fx_rates_into
from .rates import (
    RATE_MODELS,
    rate_data_delete,
    rate_data_save,
    rate_tables_seed,
    ratebook_check,
)

__all__ = [
    "ASSESSMENT_FLOW",
    "RATE_MODELS",
    "PreparedQuote",
    "QuotaError",
    "QuotaExceededError",
    "buyer_identity_delete",
    "buyer_identity_save",
    "duty_assessment_compute",
    "duty_assessment_fail",
    "duty_assessment_freeze",
    "duty_assessment_recompute",
    "duty_assessment_request",
    "duty_assessments_requeue",
    "duty_quote",
    "duty_quote_prepare",
    "fx_rates_into",
    "quota_record_usage",
    "quota_restore",
    "rate_data_delete",
    "rate_data_save",
    "rate_tables_seed",
    "ratebook_check",
]
