"""The API's number fields: DRF's, with digits that mean ASCII 0-9 (``marketplace.digits``).

Python's ``int()`` and ``Decimal()`` read ``"３"`` and ``"٣"`` as 3, so DRF's own fields took
a quantity or a price written in full-width or Arabic-Indic digits. These refuse it with
DRF's ``invalid`` answer ("A valid integer is required."). Every API serializer uses them;
``tests/marketplace/test_digits.py`` fails on one that uses DRF's directly.
"""

from __future__ import annotations

from rest_framework import serializers

from marketplace.digits import has_foreign_digits


class _AsciiDigits:
    def to_internal_value(self, data):
        if isinstance(data, str) and has_foreign_digits(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class IntegerField(_AsciiDigits, serializers.IntegerField):
    """``serializers.IntegerField`` that takes ASCII digits only."""


class DecimalField(_AsciiDigits, serializers.DecimalField):
    """``serializers.DecimalField`` that takes ASCII digits only."""
