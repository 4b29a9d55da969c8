"""Onboarding API: a signed-in person applies to sell on Silkway, follows the review and
answers a request for more information, like the /apply/ pages.

The input is checked by the pages' own ``ApplicationForm`` and written by the same services
(``application_submit``, ``application_update``), so every rule and every message is the
form's: there is no second copy. A licence is uploaded as ``multipart/form-data``. Each
person reaches only their own applications (another one's is a 404).
"""

from __future__ import annotations

from django import forms
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

from marketplace.api.parsers import JSONParser
from merchants import selectors, services
from merchants.apply_views import licence_response
from merchants.forms import ApplicationForm
from merchants.models import MerchantApplication
from merchants.validators import LICENCE_TYPES

from .serializers import MerchantApplicationSerializer


class ApplicationWriteThrottle(ScopedRateThrottle):
    """The "applications" scope (``THROTTLE_APPLICATIONS``), counted on submissions and
    updates only (each carries a licence upload); reading is the user throttle's."""

    scope_attr = "throttle_scope"

    def allow_request(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return super().allow_request(request, view)

    def get_rate(self):
        # read when the request comes, so a changed setting applies at once
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


def _form_errors(form: forms.Form) -> exceptions.ValidationError:
    """The form's errors in the API's shape (``__all__`` is DRF's ``non_field_errors``)."""
    return exceptions.ValidationError(
        {
            (api_settings.NON_FIELD_ERRORS_KEY if name == "__all__" else name): list(errors)
            for name, errors in form.errors.items()
        }
    )


def _bound_form(request, **kwargs) -> ApplicationForm:
    """The application form bound to the request's fields (multipart, form or a JSON
    object) and files."""
    if not hasattr(request.data, "get"):
        raise exceptions.ParseError(_("Send the application's fields as an object."))
    return ApplicationForm(request.data, request.FILES, **kwargs)


def _schema_type(field: forms.Field) -> dict:
    """An OpenAPI property for a form field (the request schema follows the form)."""
    if isinstance(field, forms.FileField):
        return {"type": "string", "format": "binary"}
    if isinstance(field, forms.ModelMultipleChoiceField):
        return {"type": "array", "items": {"type": "integer"}}
    if isinstance(field, forms.MultipleChoiceField):
        return {"type": "array", "items": {"type": "string", "enum": [c for c, _ in field.choices]}}
    if isinstance(field, forms.ChoiceField):
        return {"type": "string", "enum": [c for c, _ in field.choices if c]}
    schema = {"type": "string"}
    if getattr(field, "max_length", None):
        schema["maxLength"] = field.max_length
    if isinstance(field, forms.EmailField):
        schema["format"] = "email"
    return schema


def _request_schema(*, updating: bool, files: bool = True) -> dict:
    fields = {
        name: field
        for name, field in ApplicationForm(updating=updating).fields.items()
        if files or not isinstance(field, forms.FileField)
    }
    return {
        "type": "object",
        "properties": {name: _schema_type(field) for name, field in fields.items()},
        "required": [name for name, field in fields.items() if field.required],
    }


@extend_schema(tags=["onboarding"])
class ApplicationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Your merchant applications. ``POST`` applies (multipart, with the licence file);
    ``PUT`` answers a request for more information (the licence and the account number may
    be left out to keep the stored ones). Sign up or log in first: on approval the account
    that applied becomes the merchant's owner."""

    serializer_class = MerchantApplicationSerializer
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    throttle_classes = [ApplicationWriteThrottle, *api_settings.DEFAULT_THROTTLE_CLASSES]
    throttle_scope = "applications"

    def get_queryset(self):
        return selectors.applications_of(self.request.user)

    def get_object(self) -> MerchantApplication:
        try:
            pk = int(self.kwargs["pk"])
            return selectors.application_detail(self.get_queryset(), pk)
        except (ValueError, MerchantApplication.DoesNotExist) as exc:
            raise Http404 from exc

    def _answer(self, application: MerchantApplication, code: int) -> Response:
        application = selectors.application_detail(self.get_queryset(), application.pk)
        return Response(self.get_serializer(application).data, status=code)

    @extend_schema(
        request={"multipart/form-data": _request_schema(updating=False)},
        responses={201: MerchantApplicationSerializer},
    )
    def create(self, request):
        """Apply: the same fields, rules and messages as the application form."""
        form = _bound_form(request)
        if not form.is_valid():
            raise _form_errors(form)
        application = services.application_submit(applicant=request.user, details=form.details())
        return self._answer(application, status.HTTP_201_CREATED)

    @extend_schema(
        request={
            "multipart/form-data": _request_schema(updating=True),
            "application/json": _request_schema(updating=True, files=False),
        },
        responses=MerchantApplicationSerializer,
    )
    def update(self, request, pk=None):
        """Change the application and send it back for review (only after the operator
        asked for more information)."""
        application = self.get_object()
        form = _bound_form(request, instance=application, updating=True)
        if not form.is_valid():
            raise _form_errors(form)
        services.application_update(
            application=application, by=request.user, details=form.details()
        )
        return self._answer(application, status.HTTP_200_OK)

    @extend_schema(
        responses={
            (200, content_type): OpenApiResponse(
                response=OpenApiTypes.BINARY,
                description="The licence file, in the type found at upload.",
            )
            for content_type in LICENCE_TYPES.values()
        }
    )
    @action(detail=True, methods=["get"])
    def licence(self, request, pk=None):
        """The licence file you sent."""
        return licence_response(self.get_object())
