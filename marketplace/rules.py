"""Errors of business rules, each with a stable machine code.

Services raise Django's ``ValidationError``; every rule gives its own ``code``
(``hs_code_digits``, ``last_owner`` …) so the API can say which rule was broken
(``marketplace.api.errors``) and pages show the message (``marketplace.forms``). Every code
is listed in docs/API.md; ``tests/marketplace/test_error_codes.py`` keeps it so.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError


def field_error(field: str, message, code: str, params: dict | None = None) -> ValidationError:
    """``ValidationError({field: message})`` for the rule ``code``."""
    return ValidationError({field: ValidationError(message, code=code, params=params)})


class RuleErrors:
    """Collects the rules one input breaks, to refuse it once with all of them."""

    def __init__(self) -> None:
        self.errors: dict[str, list[ValidationError]] = {}

    def add(self, field: str, message, code: str | None = None) -> None:
        """Add one broken rule: a message and its code, or a ``ValidationError`` made by a
        rule that gives its own code."""
        error = message if isinstance(message, ValidationError) else None
        self.errors.setdefault(field, []).append(error or ValidationError(message, code=code))

    def extend(self, exc: ValidationError) -> None:
        """Add the errors of a ``full_clean()`` (or another service) as they are."""
        for field, errors in exc.update_error_dict({}).items():
            self.errors.setdefault(field, []).extend(errors)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)
