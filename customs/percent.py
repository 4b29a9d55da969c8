"""Rates as people read them: stored as a fraction (``0.130000``, what the engine and the seed
files use), shown and typed as a percentage (``13%``) in the back office."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

HUNDRED = Decimal(100)


def percent_number(rate: Decimal) -> Decimal:
    """``0.130000`` → ``13``; ``0.091`` → ``9.1`` (no trailing zeros, never an exponent)."""
    value = (rate * HUNDRED).normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def rate_percent(rate: Decimal | None) -> str:
    """A stored rate as a percentage to show: ``13%``, ``9.1%``; empty for no rate."""
    return "" if rate is None else f"{percent_number(rate)}%"


class PercentRateField(forms.DecimalField):
    """A form field for a fraction-stored rate that the operator types as a percentage
    (``13`` for 13 %). Its cleaned value is the fraction the model stores."""

    def __init__(self, *, max_digits=None, decimal_places=None, **kwargs):
        # a fraction with 6 decimals is a percentage with 4, from 0 to 100
        places = (decimal_places or 6) - 2
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 100)
        hint = _("In percent: 13 means 13 %.")
        own = kwargs.get("help_text")
        kwargs["help_text"] = format_lazy("{} {}", own, hint) if own else hint
        super().__init__(max_digits=max_digits, decimal_places=places, **kwargs)

    def prepare_value(self, value):
        return percent_number(value) if isinstance(value, Decimal) else value

    def clean(self, value):
        percent = super().clean(value)
        return None if percent is None else percent / HUNDRED

    def has_changed(self, initial, data):
        initial = percent_number(initial) if isinstance(initial, Decimal) else initial
        return super().has_changed(initial, data)
