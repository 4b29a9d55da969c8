"""The API's JSON parser: DRF's, with a limit on how deeply a body may nest.

Python's ``json`` module recurses once per level, so ``[`` × 1,500 raised ``RecursionError``
(a 500) on every JSON endpoint, anonymous ones included. No request of this API nests
more than a few levels (a product's SKUs' tiers is the deepest), so a body nested deeper
than ``API_JSON_MAX_DEPTH`` is refused with 400 ``parse_error`` in the error format, and
the same answer stands if the decoder itself runs out of stack.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.parsers import get_encoding
from rest_framework.utils import json as drf_json

DEFAULT_MAX_DEPTH = 32


def max_depth() -> int:
    return getattr(settings, "API_JSON_MAX_DEPTH", DEFAULT_MAX_DEPTH)


def json_depth(value) -> int:
    """How deeply ``value`` (decoded JSON) nests: ``1`` for ``[]``, ``0`` for a scalar.

    Iterative, so it cannot itself run out of stack."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children)
    return deepest


class TooDeep(ParseError):
    default_code = "json_too_deep"


def refuse_too_deep() -> TooDeep:
    return TooDeep(
        _("The JSON body nests more than %(depth)s levels deep.") % {"depth": max_depth()}
    )


def loads_limited(text: str | bytes, **options):
    """``json.loads`` that refuses bodies nested deeper than ``max_depth()`` (``TooDeep``)."""
    try:
        data = json.loads(text, **options)
    except RecursionError:
        raise refuse_too_deep() from None
    if json_depth(data) > max_depth():
        raise refuse_too_deep()
    return data


class JSONParser(parsers.JSONParser):
    """``application/json`` with the depth limit (``DEFAULT_PARSER_CLASSES`` uses it)."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = get_encoding(parser_context or {})
        options = {"parse_constant": drf_json.strict_constant} if self.strict else {}
        try:
            return loads_limited(stream.read().decode(encoding), **options)
        except ValueError as exc:  # also a body that is not valid in its encoding
            raise ParseError(_("The body is not valid JSON: %(detail)s") % {"detail": exc}) from exc
