"""One error format for the whole API, with translated messages.

Every error is::

    {"error": {"status": 400, "code": "invalid",
               "message": "…", "fields": {"amount": ["…"]},
               "errors": [{"field": "amount", "code": "invalid", "message": "…"}]}}

``fields`` is present for validation errors and names each offending field with the rule it
broke, in the request's language. ``errors`` says the same as a flat list with a stable
machine code per rule (``hs_code_digits``, ``last_owner``, ``required`` …, all listed in
docs/API.md); its ``field`` is the path in the request (``skus[0].hs_code``), ``null`` for an
error about the request as a whole.

Services raise Django's ``ValidationError`` (with a ``code`` per rule); this handler is the
one place that turns it into the format above. A view that must rename a service's fields
or nest them under an item (``skus[2]``) does it with ``api_validation_error``, never by
building messages itself.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.fields import get_error_detail
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"

    @property
    def default_detail(self):  # translated when raised, in the request's language
        return _("The request body is larger than this server accepts.")


def api_validation_error(
    exc: DjangoValidationError, names: dict[str, str] | None = None
) -> exceptions.ValidationError:
    """A service's ``ValidationError`` as DRF's, keeping each rule's ``code``.

    ``names`` maps a service's field name to the API's where they differ (several service
    fields may name one API field; a message said twice there is kept once)."""
    detail = get_error_detail(exc)
    if isinstance(detail, list):
        return exceptions.ValidationError({NON_FIELD: detail})
    names = names or {}
    fields: dict[str, list[ErrorDetail]] = {}
    for name, errors in detail.items():
        bucket = fields.setdefault(names.get(name, name), [])
        bucket.extend(e for e in errors if e not in bucket)
    return exceptions.ValidationError(fields)


def _flatten(detail):
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        flat = []
        for item in detail:
            value = _flatten(item)
            flat.extend(value if isinstance(value, list) else [value])
        return flat
    return str(detail)


def _path(prefix: str, key) -> str | None:
    if key == NON_FIELD:
        return prefix or None
    if isinstance(key, int) or (isinstance(key, str) and key.isascii() and key.isdigit()):
        return f"{prefix}[{key}]"
    return f"{prefix}.{key}" if prefix else str(key)


def error_list(detail, prefix: str = "") -> list[dict]:
    """``[{"field", "code", "message"}]`` for DRF error ``detail`` (nested dicts and lists)."""
    out: list[dict] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            out.extend(error_list(value, _path(prefix, key) or ""))
    elif isinstance(detail, list):
        for index, item in enumerate(detail):
            if isinstance(item, dict | list):
                out.extend(error_list(item, f"{prefix}[{index}]"))
            else:
                out.extend(error_list(item, prefix))
    else:
        out.append(
            {
                "field": prefix or None,
                "code": getattr(detail, "code", None) or "invalid",
                "message": str(detail),
            }
        )
    return out


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = api_validation_error(exc)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None

    body: dict = {"status": response.status_code}
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {NON_FIELD: exc.detail}
        body.update(
            code="invalid",
            message=_("Some fields are not valid. See the field errors."),
            fields=_flatten(detail),
            errors=error_list(detail),
        )
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        body.update(
            code=codes if isinstance(codes, str) else "error",
            message=_flatten(exc.detail) if not isinstance(exc.detail, dict) else str(exc),
        )
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            body["retry_after"] = int(exc.wait)
    response.data = {"error": body}
    return response


def error_response(code: str, message: str, http_status: int = status.HTTP_400_BAD_REQUEST):
    return Response(
        {"error": {"status": http_status, "code": code, "message": message}}, http_status
    )
