"""Value types of the duty & tax engine: enums, rate-table rows, requests, results, errors, money.

Everything the engine takes or returns is a frozen, slotted dataclass: a quote can be cached,
compared in tests and handed between threads without copies, and slots keep attribute access
and construction cheap on the hot path (one quote builds several of these per line).

No Django here (``marketplace.clearance``, the clearance modes, is standard library only). The Django layer builds the same row types from its tables and wraps the
bilingual texts of :class:`Message` in its own translation machinery.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from types import MappingProxyType

# The one vocabulary of clearance modes is the kernel's standard-library module (the engine
# imports nothing else of the project); re-exported here as the engine's own input type.
from marketplace.clearance import ClearanceMode

ZERO = Decimal(0)
ONE = Decimal(1)

# Product attribute flags a line may carry (LineItem.attributes). A flag selects the rate row
# written for it (see RateBook.rate_for); the catalogue decides whether an article qualifies
# because the test depends on facts the engine does not see (volume, unit price before tax).
FLAG_HIGH_END_COSMETIC = "high_end_cosmetic"  # 高档化妆品: >= 10 CNY/ml(g) or >= 15 CNY/piece
FLAG_HIGH_END_WATCH = "high_end_watch"  # 高档手表: >= 10,000 CNY per watch
FLAG_EXCISE = "excise"  # an excise good whatever its HS code says (alcohol, tobacco)
FLAG_CHILDRENS_CLOTHING = "childrens_clothing"  # zero-rated for UK VAT


# --------------------------------------------------------------------------------------------
# Enums
# --------------------------------------------------------------------------------------------


class TaxKind(StrEnum):
    """One kind of tax in a breakdown."""

    DUTY = "duty"  # 关税: ad valorem customs duty by HS rate
    FLAT_DUTY = "flat_duty"  # EU interim duty: a fixed amount per distinct tariff sub-heading
    CONSUMPTION_TAX = "consumption_tax"  # 消费税
    VAT = "vat"  # 增值税 / value added tax
    GST = "gst"  # goods and services tax (Australia, Singapore)
    POSTAL_TAX = "postal_tax"  # 行邮税


class Calculator(StrEnum):
    """The arithmetic a regime uses; regimes.py holds one function per member."""

    CN_CBEC = "cn_cbec"  # cross-border retail import: tariff 0, CT and VAT at 70 %
    CN_POSTAL = "cn_postal"  # personal parcel: one postal rate per article, 50 CNY waiver
    CN_GENERAL = "cn_general"  # general trade: D, CT on (P + D), VAT on (P + D + CT)
    LOW_VALUE = "low_value"  # VAT/GST charged at checkout on low-value consignments
    IMPORT = "import"  # normal import: duty on P, VAT/GST on (P + duty)


class LimitBasis(StrEnum):
    """Which value a regime's transaction limit is compared with."""

    GOODS = "goods"  # intrinsic value: goods after real price cuts, no freight or insurance
    DUTIABLE = "dutiable"  # goods + freight + insurance (the dutiable value, 完税价格)


class IndivisiblePolicy(StrEnum):
    """What a regime does with a single indivisible item over its transaction limit."""

    BLOCK = "block"  # treat it like any other order over the limit
    ALLOW = "allow"  # tax it normally in this regime (personal parcels)
    GENERAL_TRADE_RATES = "general_trade_rates"  # clear it here at full general-trade rates


class LowValueDuty(StrEnum):
    """Duty on consignments under a low-value regime."""

    NONE = "none"  # duty relief
    FLAT_PER_SUBHEADING = "flat_per_subheading"  # a fixed amount per distinct 6-digit heading
    HS_RATE = "hs_rate"  # ad valorem duty by the HS rate table


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


class EngineError(Exception):
    """Base class of every error the engine raises."""


class InvalidRequestError(EngineError, ValueError):
    """A request field breaks a rule; ``field`` names it so the caller can point at it."""

    def __init__(self, field_name: str, rule: str) -> None:
        super().__init__(f"{field_name}: {rule}")
        self.field = field_name
        self.rule = rule


class RateBookError(EngineError):
    """The rate data is inconsistent or incomplete (an operator must fix the tables)."""


class MissingFxRateError(EngineError, LookupError):
    """The request prices something in a currency it gives no rate for."""

    def __init__(self, currency: str, into: str) -> None:
        super().__init__(f"no FX rate given from {currency} into {into}")
        self.currency = currency
        self.into = into


class NoRegimeError(EngineError, LookupError):
    """No regime applies to the destination, clearance mode and date; carries a shopper text."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.en)
        self.message = message


# --------------------------------------------------------------------------------------------
# Money
# --------------------------------------------------------------------------------------------

# Minor units (digits after the decimal point) that are not 2: the same data as the money
# kernel's (CLDR through Babel, ``marketplace.money.minor_unit``), copied here so the engine
# imports neither Django nor Babel. tests/customs/test_engine_examples.py proves the two agree
# for every currency either knows (CLDR's list, historic codes included); when Babel's data
# changes that test names the currency to fix here.
MINOR_UNITS: Mapping[str, int] = MappingProxyType(
    {
        "ADP": 0,
        "AFN": 0,
        "ALL": 0,
        "BHD": 3,
        "BIF": 0,
        "BYR": 0,
        "CLF": 4,
        "CLP": 0,
        "DJF": 0,
        "ESP": 0,
        "GNF": 0,
        "IQD": 0,
        "IRR": 0,
        "ISK": 0,
        "ITL": 0,
        "JOD": 3,
        "JPY": 0,
        "KMF": 0,
        "KPW": 0,
        "KRW": 0,
        "KWD": 3,
        "LAK": 0,
        "LBP": 0,
        "LUF": 0,
        "LYD": 3,
        "MGA": 0,
        "MGF": 0,
        "MMK": 0,
        "MRO": 0,
        "OMR": 3,
        "PYG": 0,
        "RSD": 0,
        "RWF": 0,
        "SLL": 0,
        "SOS": 0,
        "STD": 0,
        "SYP": 0,
        "TMM": 0,
        "TND": 3,
        "TRL": 0,
        "UGX": 0,
        "UYI": 0,
        "UYW": 4,
        "VND": 0,
        "VUV": 0,
        "XAF": 0,
        "XOF": 0,
        "XPF": 0,
        "YER": 0,
        "ZMK": 0,
        "ZWD": 0,
    }  # fmt: skip
)
_QUANTA = {0: ONE, 2: Decimal("0.01"), 3: Decimal("0.001"), 4: Decimal("0.0001")}
_CENT = _QUANTA[2]


def quantum(currency: str) -> Decimal:
    """The minor unit of ``currency`` as a Decimal exponent for ``quantize`` (0.01, JPY 1)."""
    places = MINOR_UNITS.get(currency)
    return _CENT if places is None else _QUANTA[places]


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round ``amount`` half-up to the minor unit of ``currency``."""
    return amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)


def format_amount(amount: Decimal, currency: str) -> str:
    """``amount`` with thousands separators and the currency's decimals: 26,000.00."""
    places = MINOR_UNITS.get(currency, 2)
    return f"{amount:,.{places}f}"


# --------------------------------------------------------------------------------------------
# Rate data (the RateBook's rows; the seed files and the Django tables hold the same columns)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RegimeRow:
    """One dated version of a tax regime: who it applies to, its limits, and its arithmetic.

    A rule change is a new row with a later ``effective_from`` (and the old row closed with
    ``effective_to``), never a code change. Rows sharing a ``code`` are versions of one regime.
    ``modes`` may be empty: such a regime is reached only by switching from another one
    (``over_limit_regime``), e.g. normal import above a low-value threshold.
    """

    code: str
    calculator: Calculator
    destinations: frozenset[str]
    modes: frozenset[ClearanceMode]
    currency: str
    effective_from: date
    effective_to: date | None = None  # exclusive
    rate_table: str = ""
    vat_kind: TaxKind | None = None  # VAT, GST, or None where no VAT is due (US)
    tax_factor: Decimal = ONE  # 0.7 in China cross-border retail import
    transaction_limit: Decimal | None = None
    yearly_limit: Decimal | None = None
    limit_basis: LimitBasis = LimitBasis.GOODS
    over_limit_regime: str = ""  # regime code to switch to above the limit; "" blocks
    indivisible_over_limit: IndivisiblePolicy = IndivisiblePolicy.BLOCK
    waiver_threshold: Decimal | None = None  # total tax at or below this is waived
    base_includes_freight: bool = True  # whether P includes freight and insurance shares
    excise_allowed: bool = True
    requires_product_record: bool = False
    low_value_duty: LowValueDuty = LowValueDuty.NONE
    flat_duty_amount: Decimal = ZERO
    collected_at_checkout: bool = True
    notice: str = ""  # message code shown with every quote in this regime

    def applies_on(self, day: date) -> bool:
        """Whether this version is in force on ``day``."""
        return self.effective_from <= day and (self.effective_to is None or day < self.effective_to)


@dataclass(frozen=True, slots=True)
class RateRow:
    """Rates for HS codes starting with ``hs_prefix`` in one rate table.

    ``hs_prefix`` "" is the table's default row. A row with a ``flag`` applies only to lines
    carrying that attribute and is a complete row (all rates), not an overlay.
    ``vat_rate`` None means the destination's standard VAT/GST rate.
    """

    table: str
    hs_prefix: str
    flag: str = ""
    duty_rate: Decimal = ZERO
    vat_rate: Decimal | None = None
    ct_rate: Decimal = ZERO
    postal_category: str = ""
    excise: bool = False


@dataclass(frozen=True, slots=True)
class PostalCategoryRow:
    """A personal-parcel tax category (税目) and its rate."""

    code: str
    rate: Decimal
    description: str = ""


@dataclass(frozen=True, slots=True)
class VatRateRow:
    """A country's standard VAT/GST rate during a period (``effective_to`` exclusive)."""

    country: str
    rate: Decimal
    effective_from: date
    effective_to: date | None = None

    def applies_on(self, day: date) -> bool:
        """Whether this rate is in force on ``day``."""
        return self.effective_from <= day and (self.effective_to is None or day < self.effective_to)


# --------------------------------------------------------------------------------------------
# Request
# --------------------------------------------------------------------------------------------


def _check_amount(field_name: str, value: object, *, positive: bool = False) -> None:
    # Floats would smuggle binary rounding into money; one numeric type keeps every sum exact.
    if not isinstance(value, Decimal):
        raise InvalidRequestError(field_name, f"must be a Decimal, got {type(value).__name__}")
    if not value.is_finite():
        raise InvalidRequestError(field_name, "must be a finite number")
    if value < 0 or (positive and value == 0):
        raise InvalidRequestError(field_name, "must be positive" if positive else "must be >= 0")


def _is_code(value: object, length: int) -> bool:
    """Whether ``value`` is ``length`` ASCII capital letters (ISO country and currency codes)."""
    return (
        isinstance(value, str)
        and len(value) == length
        and value.isascii()
        and value.isalpha()
        and value.isupper()
    )


def _check_currency(field_name: str, value: object) -> None:
    if not _is_code(value, 3):
        raise InvalidRequestError(field_name, "must be an ISO 4217 code such as CNY")


def validate_hs_code(hs_code: str, field_name: str = "hs_code") -> None:
    """Raise InvalidRequestError unless ``hs_code`` is 4 to 10 ASCII digits."""
    # isdigit() alone accepts '²' and Arabic-Indic digits; customs codes are ASCII only.
    if not (
        isinstance(hs_code, str)
        and 4 <= len(hs_code) <= 10
        and hs_code.isascii()
        and hs_code.isdigit()
    ):
        raise InvalidRequestError(field_name, "must be 4 to 10 digits, no dots or spaces")


@dataclass(frozen=True, slots=True)
class LineItem:
    """One order line as the shopper buys it.

    Amounts are in ``currency``, tax-exclusive. ``discount`` is a real price cut on this line
    (total for the line, it lowers the dutiable value); points and vouchers are not discounts,
    they go in QuoteRequest.non_cash_deductions.
    """

    sku: str
    hs_code: str
    quantity: int
    unit_price: Decimal
    currency: str
    discount: Decimal = ZERO
    postal_category: str = ""  # overrides the rate row's personal-parcel category
    attributes: frozenset[str] = frozenset()
    # Bonded (1210) goods need a customs product record (备案); the caller passes the truth.
    has_product_record: bool = True

    def __post_init__(self) -> None:
        validate_hs_code(self.hs_code)
        if type(self.quantity) is not int or self.quantity < 1:
            raise InvalidRequestError("quantity", "must be a whole number >= 1")
        _check_amount("unit_price", self.unit_price)
        _check_amount("discount", self.discount)
        _check_currency("currency", self.currency)
        if self.discount > self.unit_price * self.quantity:
            raise InvalidRequestError("discount", "must not exceed quantity x unit price")
        if not isinstance(self.attributes, frozenset):
            object.__setattr__(self, "attributes", frozenset(self.attributes))


@dataclass(frozen=True, slots=True)
class QuoteRequest:
    """Everything the engine needs to quote duties and taxes for one order (one parcel).

    ``freight``, ``insurance``, ``order_discount`` (a real cut over the whole order) and
    ``non_cash_deductions`` (points, vouchers, virtual currency) are in ``currency``.
    ``buyer_year_to_date`` is the buyer's cross-border retail import total this calendar year,
    in the regime currency (CNY). ``fx_rates`` maps a currency to how many units of the regime
    currency one unit buys, frozen by the caller for this order.
    """

    destination: str
    mode: ClearanceMode
    order_date: date
    currency: str
    lines: tuple[LineItem, ...]
    freight: Decimal = ZERO
    insurance: Decimal = ZERO
    order_discount: Decimal = ZERO
    non_cash_deductions: Decimal = ZERO
    buyer_year_to_date: Decimal = ZERO
    fx_rates: Mapping[str, Decimal] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        if not _is_code(self.destination, 2):
            raise InvalidRequestError("destination", "must be an ISO 3166 alpha-2 code such as DE")
        if not isinstance(self.mode, ClearanceMode):
            object.__setattr__(self, "mode", _clearance_mode(self.mode))
        if not isinstance(self.order_date, date):
            raise InvalidRequestError("order_date", "must be a date")
        _check_currency("currency", self.currency)
        lines = tuple(self.lines)
        if not lines:
            raise InvalidRequestError("lines", "an order needs at least one line")
        if not all(isinstance(line, LineItem) for line in lines):
            raise InvalidRequestError("lines", "must be LineItem objects")
        object.__setattr__(self, "lines", lines)
        for name in ("freight", "insurance", "order_discount", "non_cash_deductions"):
            _check_amount(name, getattr(self, name))
        _check_amount("buyer_year_to_date", self.buyer_year_to_date)
        for cur, rate in self.fx_rates.items():
            _check_currency("fx_rates", cur)
            _check_amount(f"fx_rates[{cur}]", rate, positive=True)
        # A private read-only copy: the caller's dict may change after the quote is taken.
        object.__setattr__(self, "fx_rates", MappingProxyType(dict(self.fx_rates)))


def _clearance_mode(value: object) -> ClearanceMode:
    try:
        return ClearanceMode(value)
    except ValueError:
        allowed = ", ".join(member.value for member in ClearanceMode)
        raise InvalidRequestError("mode", f"must be one of {allowed}") from None


# --------------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Message:
    """A shopper-facing reason or notice: a stable code, its texts, and the values in them."""

    code: str
    en: str
    zh_hans: str
    params: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def text(self, language: str) -> str:
        """The text in ``language`` ("en" or "zh-hans"; anything else gets English)."""
        return self.zh_hans if language.lower().replace("_", "-") == "zh-hans" else self.en


@dataclass(frozen=True, slots=True)
class TaxLine:
    """One tax on one line.

    ``amount`` is computed from unrounded inputs and rounded half-up once. ``base`` is the value
    the rate applies to, rounded to the minor unit for display only; ``factor`` is the share
    of the statutory tax charged (0.7 in cross-border retail import, else 1). For FLAT_DUTY,
    ``base`` counts the tariff sub-headings charged on this line and ``rate`` is the amount per
    sub-heading. A waived tax keeps its amount and says ``waived``; what is owed is ``due``.
    """

    kind: TaxKind
    base: Decimal
    rate: Decimal
    factor: Decimal
    amount: Decimal
    waived: bool = False

    @property
    def due(self) -> Decimal:
        """What the buyer pays for this tax: 0 when waived."""
        return ZERO if self.waived else self.amount


@dataclass(frozen=True, slots=True)
class LineResult:
    """A line's values in the regime currency and its tax breakdown.

    ``goods_value`` is after real price cuts (this line's and its share of the order's);
    ``dutiable_value`` (P) adds the freight and insurance shares where the regime includes them.
    ``hs_prefix`` and ``rate_flag`` name the rate row used.
    """

    sku: str
    hs_code: str
    hs_prefix: str
    rate_flag: str
    goods_value: Decimal
    freight: Decimal
    insurance: Decimal
    dutiable_value: Decimal
    taxes: tuple[TaxLine, ...]
    tax_total: Decimal


@dataclass(frozen=True, slots=True)
class RegimeRef:
    """The regime version a quote applied, with its name in both languages."""

    code: str
    en: str
    zh_hans: str
    effective_from: date
    calculator: Calculator


@dataclass(frozen=True, slots=True)
class QuoteResult:
    """Duties and taxes of one order, in the regime currency.

    Tax totals add up the rounded line taxes that are due (waived ones are in
    ``waived_total``). A quote with ``blocking`` reasons carries no taxes: the order cannot be
    paid as it stands. ``collected_at_checkout`` False means the taxes shown are an estimate
    collected at import, not charged by the marketplace. ``yearly_remaining`` is the buyer's
    allowance left before this order (None where the regime has no yearly limit) and
    ``yearly_counted`` what this order adds to the yearly total.
    """

    regime: RegimeRef
    currency: str
    lines: tuple[LineResult, ...]
    totals: Mapping[TaxKind, Decimal]
    tax_total: Decimal
    waived_total: Decimal
    goods_value: Decimal
    freight: Decimal
    insurance: Decimal
    dutiable_value: Decimal
    non_cash_deductions: Decimal
    blocking: tuple[Message, ...]
    notices: tuple[Message, ...]
    collected_at_checkout: bool
    yearly_remaining: Decimal | None
    yearly_counted: Decimal
    switched_from: str = ""  # the regime code selected first, when a threshold switched it

    @property
    def blocked(self) -> bool:
        """Whether the order cannot be paid as it stands."""
        return bool(self.blocking)


@dataclass(frozen=True, slots=True)
class OrderMessageAmounts:
    """The amounts of the CEB311 order message (acturalPaid keeps customs' spelling there)."""

    goods_value: Decimal  # goodsValue: real transaction price, non-cash deductions included
    freight: Decimal  # freight: freight and insurance charged on top of the goods (运杂费)
    tax_total: Decimal  # taxTotal: tax the platform withholds
    discount: Decimal  # discount: non-cash deductions (points, vouchers)
    actual_paid: Decimal  # acturalPaid = goodsValue + freight + taxTotal - discount
