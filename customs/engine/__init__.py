"""The duty & tax engine: pure Python (standard library and Decimal), no Django, no database.

``quote(request, ratebook)`` prices the duties and taxes of one order under the regime its
destination, clearance mode and date select; ``load_ratebook()`` builds the RateBook from the
shipped seed files. docs/TAXES.md describes inputs, outputs, regimes and rounding.
"""

from .calculate import allocate, order_message_amounts, quote
from .loader import SEED_DIR, load_ratebook
from .messages import LANGUAGES, MESSAGES, REGIME_NAMES, TAX_KIND_NAMES, make_message, regime_name
from .rates import RateBook
from .types import (
    FLAG_CHILDRENS_CLOTHING,
    FLAG_EXCISE,
    FLAG_HIGH_END_COSMETIC,
    FLAG_HIGH_END_WATCH,
    MINOR_UNITS,
    Calculator,
    ClearanceMode,
    EngineError,
    IndivisiblePolicy,
    InvalidRequestError,
    LimitBasis,
    LineItem,
    LineResult,
    LowValueDuty,
    Message,
    MissingFxRateError,
    NoRegimeError,
    OrderMessageAmounts,
    PostalCategoryRow,
    QuoteRequest,
    QuoteResult,
    RateBookError,
    RateRow,
    RegimeRef,
    RegimeRow,
    TaxKind,
    TaxLine,
    VatRateRow,
    format_amount,
    quantum,
    round_money,
    validate_hs_code,
)

# Stored duty assessments record the engine version that computed them: bump it whenever a
# change to this package can change a figure, so old and new results can be told apart.
ENGINE_VERSION = "1.0.0"

__all__ = [
    "ENGINE_VERSION",
    "FLAG_CHILDRENS_CLOTHING",
    "FLAG_EXCISE",
    "FLAG_HIGH_END_COSMETIC",
    "FLAG_HIGH_END_WATCH",
    "LANGUAGES",
    "MESSAGES",
    "MINOR_UNITS",
    "REGIME_NAMES",
    "SEED_DIR",
    "TAX_KIND_NAMES",
    "Calculator",
    "ClearanceMode",
    "EngineError",
    "IndivisiblePolicy",
    "InvalidRequestError",
    "LimitBasis",
    "LineItem",
    "LineResult",
    "LowValueDuty",
    "Message",
    "MissingFxRateError",
    "NoRegimeError",
    "OrderMessageAmounts",
    "PostalCategoryRow",
    "QuoteRequest",
    "QuoteResult",
    "RateBook",
    "RateBookError",
    "RateRow",
    "RegimeRef",
    "RegimeRow",
    "TaxKind",
    "TaxLine",
    "VatRateRow",
    "allocate",
    "format_amount",
    "load_ratebook",
    "make_message",
    "order_message_amounts",
    "quantum",
    "quote",
    "regime_name",
    "round_money",
    "validate_hs_code",
]
