"""Stripe's webhook endpoint: ``POST /payments/stripe/webhook/``.

No session, no CSRF (Stripe is not a browser: the signature is the authentication),
throttled per client address (scope ``stripe_webhook``), JSON answers. The body is read as
the exact bytes Stripe signed and handed to ``payments.services.stripe_webhook_receive``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from .services import WebhookRejected, stripe_webhook_receive


class WebhookSignatureInvalid(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "webhook_signature"
    default_detail = _("The webhook's signature does not verify.")


class PaymentProviderUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "payment_unavailable"
    default_detail = _("The payment service did not answer. Please try again in a moment.")


class StripeWebhookView(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = (ScopedRateThrottle,)
    throttle_scope = "stripe_webhook"
    schema = None  # Stripe's door, not part of the public API

    def post(self, request):
        try:
            event = stripe_webhook_receive(
                payload=request.body, signature=request.headers.get("Stripe-Signature", "")
            )
        except WebhookRejected as exc:
            raise WebhookSignatureInvalid() from exc
        except ValidationError as exc:  # Stripe could not be read: Stripe sends it again
            raise PaymentProviderUnavailable() from exc
        return Response(
            {
                "received": True,
                "event": event.event_id,
                "deliveries": event.deliveries,
                "outcome": event.outcome,
            }
        )
