"""The OpenAPI schema's part of the kernel: the error format as a component, and the error
answers every operation can give, so the schema says what the API really answers.

``ErrorSerializer`` is the body of every 4xx (``marketplace.api.errors``). The
schema class ``AutoSchema`` adds to each operation the answers it can give whatever its view
says: 400 (a body or query that breaks a rule, or cannot be parsed),
401/403 (not signed in, not allowed), 404 (a path with an id, or a page past the end of a
list), 413 (a body over the upload limit), 415 (a body in a media type the operation does not
take), 429 (throttled). An operation that documents one of them itself keeps its own.
"""

from __future__ import annotations

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from marketplace.api import fields as api_fields


class ErrorItemSerializer(serializers.Serializer):
    field = serializers.CharField(
        allow_null=True, help_text="Path in the request (skus[0].hs_code); null: the whole request."
    )
    code = serializers.CharField(help_text="The rule's machine code (docs/API.md lists them).")
    message = serializers.CharField(help_text="In the request's language.")


class ErrorBodySerializer(serializers.Serializer):
    status = api_fields.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(
        required=False,
        help_text="Validation errors only: messages by field (nested as in the request).",
    )
    errors = ErrorItemSerializer(
        many=True, required=False, help_text="Validation errors only: one item per broken rule."
    )
    retry_after = api_fields.IntegerField(required=False, help_text="429 only: seconds.")


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()


_DESCRIPTIONS = {
    "400": "The request breaks a rule or cannot be parsed.",
    "401": "Not signed in.",
    "403": "Signed in, but not allowed (or the CSRF token is missing).",
    "404": "No such object (or another merchant's).",
    "413": "The request body is over the upload limit.",
    "415": "The body's Content-Type is not one this operation takes.",
    "429": "Too many requests: slow down (see retry_after).",
}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema for a view, with the error answers every operation can give
    (see the module docstring). ``DEFAULT_SCHEMA_CLASS`` names it."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ["400", "401", "403", "429"]
        if "{" in self.path or (self._is_list_view() and self._get_paginator()):
            codes.append("404")  # no such object, or a page past the end
        if self.method in ("POST", "PUT", "PATCH"):
            codes += ["413", "415"]
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=_DESCRIPTIONS[code]),
                    code,
                    direction=direction,
                )
        return responses
