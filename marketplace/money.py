"""Money kernel: Decimal amounts with ISO 4217 currencies.

Rules (DESIGN.md, "Money"):
- never float; amounts are ``Decimal`` and carry their currency;
- rounding is explicit, ROUND_HALF_UP to the currency's minor unit, done once, at the step
  the caller documents (``round_money``); arithmetic in between keeps full precision;
- conversion goes through the operator's base currency with rates frozen by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from babel.numbers import format_currency, get_currency_precision

ZERO = Decimal(0)


class MoneyError(ValueError):
    """Raised for a bad amount, an unknown currency or a missing rate."""


class CurrencyMismatch(MoneyError):
    pass


@lru_cache(maxsize=64)
def minor_unit(currency: str) -> int:
    """Digits after the decimal point for ``currency`` (ISO 4217 via CLDR: CNY 2, JPY 0)."""
    code = currency.upper()
    if len(code) != 3 or not code.isalpha():
        raise MoneyError(f"not an ISO 4217 currency code: {currency!r}")
    return get_currency_precision(code)


@lru_cache(maxsize=64)
def _exponent(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_unit(currency))


def to_decimal(value: Decimal | int | str) -> Decimal:
    """Parse an amount. Floats are refused: they cannot hold money exactly."""
    if isinstance(value, float):
        raise MoneyError("floats are not accepted for money; pass a Decimal or a string")
    try:
        result = Decimal(value)
    except (InvalidOperation, TypeError) as exc:
        raise MoneyError(f"not an amount: {value!r}") from exc
    if not result.is_finite():
        raise MoneyError(f"not a finite amount: {value!r}")
    return result


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round half-up to the currency's minor unit (0.005 CNY -> 0.01, 0.5 JPY -> 1)."""
    return amount.quantize(_exponent(currency), rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in one currency. Arithmetic keeps full precision; call ``rounded()``."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", to_decimal(self.amount))
        code = self.currency.upper()
        minor_unit(code)  # validates the code
        object.__setattr__(self, "currency", code)

    def _check(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError("can only combine Money with Money")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency} and {other.currency} cannot be combined")

    def __add__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        if isinstance(factor, float):
            raise MoneyError("multiply money by a Decimal, not a float")
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def rounded(self) -> Money:
        return Money(round_money(self.amount, self.currency), self.currency)

    def format(self, locale: str = "en") -> str:
        return format_money(self, locale)

    def __str__(self) -> str:
        return f"{self.rounded().amount} {self.currency}"


def convert(money: Money, to: str, rates: dict[str, Decimal], *, base: str) -> Money:
    """Convert ``money`` into ``to`` and round half-up once, at the end.

    ``rates`` maps a currency code to the number of ``base`` units one unit of it is worth
    (the operator's FX table, frozen by the caller: an order passes the rates it froze).
    Cross rates go through the base currency without intermediate rounding.
    """
    target = to.upper()
    if money.currency == target:
        return money.rounded()

    def rate_of(code: str) -> Decimal:
        if code == base:
            return Decimal(1)
        try:
            rate = rates[code]
        except KeyError as exc:
            raise MoneyError(f"no exchange rate for {code}") from exc
        if rate <= 0:
            raise MoneyError(f"exchange rate for {code} must be positive")
        return rate

    in_base = money.amount * rate_of(money.currency)
    return Money(round_money(in_base / rate_of(target), target), target)


_BABEL_LOCALES = {"zh-hans": "zh_Hans_CN", "zh_hans": "zh_Hans_CN", "en": "en_US"}


def format_money(money: Money, locale: str = "en") -> str:
    """Locale-aware display (``¥1,234.50``, ``US$12.00`` in Chinese, ``$12.00`` in English)."""
    babel_locale = _BABEL_LOCALES.get(locale.lower(), locale.replace("-", "_"))
    return format_currency(
        round_money(money.amount, money.currency), money.currency, locale=babel_locale
    )
