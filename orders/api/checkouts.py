"""``/api/v1/checkouts/``: place the signed-in shopper's cart as a checkout, and read one.

``POST`` needs an ``Idempotency-Key`` header (a retried or doubled request with the same key
returns the first checkout, 200 instead of 201). It places the checkout
(``orders.services.checkout_place``, one transaction), then starts its payment
(``checkout_payment``: a PaymentIntent, after the placing committed) and answers with the
checkout, its orders and totals, and what Stripe.js needs to confirm the payment (the
client secret and the publishable key). If the payment service cannot be reached the
checkout stays placed: the answer is a 503 ``payment_unavailable``, and the same request
again (same key) returns the checkout and starts its payment.

Only the shopper who placed a checkout reads it; anyone else gets a 404.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import APIException, NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api import fields as api_fields
from marketplace.api.errors import api_validation_error
from marketplace.currency import display_currency
from marketplace.i18n import page_language, pick
from orders.models import ADDRESS_FIELDS, Checkout, Order
from orders.selectors import checkout_of
from orders.services import cart_for_user, checkout_payment, checkout_place
from payments.models import Payment

IDEMPOTENCY_HEADER = "Idempotency-Key"


class PaymentUnavailable(APIException):
    """Placed, but the payment service did not answer: send the same request again."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "payment_unavailable"
    default_detail = _(
        "Your orders are placed, but the payment service did not answer. Send the same "
        "request again in a moment to pay."
    )


class AddressSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60)
    phone = serializers.CharField(max_length=30)
    country = serializers.CharField(max_length=2, help_text="ISO 3166-1 alpha-2")
    province = serializers.CharField(
        max_length=60, required=False, allow_blank=True, help_text="China: `CN-ZJ` or its name"
    )
    city = serializers.CharField(max_length=60)
    district = serializers.CharField(max_length=60, required=False, allow_blank=True)
    lines = serializers.CharField(max_length=200, help_text="street address")
    postcode = serializers.CharField(max_length=12, required=False, allow_blank=True)


class IdentitySerializer(serializers.Serializer):
    saved_id = api_fields.IntegerField(
        required=False, help_text="a saved identity (`/api/v1/account/identities/`)"
    )
    name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    id_number = serializers.CharField(max_length=40, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)


class PlaceSerializer(serializers.Serializer):
    address = AddressSerializer()
    points = api_fields.IntegerField(
        required=False,
        min_value=0,
        default=0,
        help_text="Points to redeem (a non-cash deduction: the duties do not fall; "
        "at most POINTS_MAX_SHARE of the goods listed in yuan).",
    )
    identity = IdentitySerializer(
        required=False,
        allow_null=True,
        help_text="The payer's customs identity: required for imports into China.",
    )
    shipping = serializers.DictField(
        child=serializers.CharField(max_length=64),
        required=False,
        help_text="Group key (the cart's `groups[].key`) -> shipping method code; "
        "a group without a choice ships with its cheapest option.",
    )
    currency = serializers.CharField(
        max_length=3,
        required=False,
        help_text="The display currency (default: the display currency cookie); an "
        "address in China is always charged in CNY.",
    )


CHECKOUT = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="The checkout: `number`, `status`, `currency`, `totals` (goods, shipping, "
    "duties, total), `expires_at`, `address`, `payer` (name, masked identity number), "
    "`orders` (each with merchant, `mode`, `customs_code`, lines, shipping, duties, "
    "totals, status; a line's `is_gift`: a gift with purchase at price 0), "
    "`gifts_ran_out` (gifts the orders reached that ran out: order, sku, name, quantity) "
    "and `payment` (`status`, `client_secret`, `publishable_key`).",
)

# The service's field names as the API names them (nested under ``address``).
ADDRESS_NAMES = {key: f"address.{key}" for key in ADDRESS_FIELDS}


def _money(amount, currency: str) -> dict:
    return {"amount": str(amount), "currency": currency}


def _order_json(order: Order, language: str) -> dict:
    shipping = order.shipping or {}
    duties = order.duties or {}
    regime = duties.get("regime") or {}
    return {
        "number": order.number,
        "status": order.status,
        "merchant": {"id": order.merchant_id, "name": order.merchant.name},
        "mode": order.clearance_mode,
        "customs_code": order.customs_code,
        "warehouse": {"id": order.warehouse_id, "country": order.warehouse.country},
        "lines": [
            {
                "id": line.pk,
                "sku": line.sku_code,
                "name": line.name,
                "quantity": line.quantity,
                "unit_price": _money(line.unit_price, order.listing_currency),
                "unit_price_charged": _money(line.unit_price_charged, order.currency),
                "line_total": _money(line.line_total, order.currency),
                "duty": _money(line.duty, order.currency),
                "refunded_quantity": line.refunded_quantity,
                "is_gift": line.is_gift,
            }
            for line in order.lines.all()
        ],
        "shipping": {
            "method_code": shipping.get("method_code"),
            "method_name": pick(
                shipping.get("method_name_en", ""), shipping.get("method_name_zh_hans", "")
            ),
            "carrier_name": pick(
                shipping.get("carrier_name_en", ""), shipping.get("carrier_name_zh_hans", "")
            ),
            "price": shipping.get("price"),
            "min_days": shipping.get("min_days"),
            "max_days": shipping.get("max_days"),
            "earliest": shipping.get("earliest"),
            "latest": shipping.get("latest"),
        },
        "duties": {
            "regime": pick(regime.get("en", ""), regime.get("zh_hans", "")),
            "collected_at_checkout": duties.get("collected_at_checkout", False),
            "charged": _money(order.duty_total, order.currency),
            "estimate": _money(duties.get("tax_total", "0"), duties.get("currency", "")),
        },
        "goods": _money(order.goods_total, order.currency),
        "shipping_total": _money(order.shipping_total, order.currency),
        "shipping_discount": _money(order.shipping_discount, order.currency),
        "duty_total": _money(order.duty_total, order.currency),
        "total": _money(order.total, order.currency),
        "refunded_total": _money(order.refunded_total, order.currency),
    }


def checkout_json(checkout: Checkout, payment: Payment | None) -> dict:
    """The checkout as the API answers it (texts in the request's language)."""
    language = page_language()
    orders = list(checkout.orders.all())
    currency = checkout.currency

    def total(field: str) -> dict:
        return _money(sum((getattr(o, field) for o in orders), 0), currency)

    return {
        "number": checkout.number,
        "status": checkout.status,
        "currency": currency,
        "expires_at": checkout.expires_at,
        "address": checkout.address,
        "payer": {"name": checkout.payer_name, "id_number": checkout.payer_id_masked}
        if checkout.payer_name
        else None,
        "orders": [_order_json(order, language) for order in orders],
        # gifts with purchase the orders reached but that ran out (placed without them)
        "gifts_ran_out": [
            {
                "order": gift["order"],
                "sku": gift["sku_code"],
                "name": pick(gift["name_en"], gift["name_zh_hans"]),
                "quantity": gift["quantity"],
            }
            for gift in checkout.gifts_ran_out
        ],
        "totals": {
            "goods": total("goods_total"),
            "shipping": total("shipping_total"),
            "shipping_discount": total("shipping_discount"),
            "duties": total("duty_total"),
            "total": _money(checkout.total, currency),
        },
        "payment": {
            "status": payment.status,
            "client_secret": payment.client_secret
            if checkout.status == Checkout.Status.AWAITING_PAYMENT
            else None,
            "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
        }
        if payment is not None
        else None,
    }


class CheckoutsView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["checkout"],
        request=PlaceSerializer,
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                OpenApiTypes.STR,
                location=OpenApiParameter.HEADER,
                required=True,
                description="One value per checkout attempt (up to 100 characters): the "
                "same value again returns the first checkout instead of placing another.",
            )
        ],
        responses={
            201: CHECKOUT,
            200: OpenApiResponse(description="The checkout this key placed before."),
            503: OpenApiResponse(
                description="`payment_unavailable`: placed, but the payment could not be "
                "started; send the same request again."
            ),
        },
    )
    def post(self, request):
        """Place the caller's cart as a checkout (one order per merchant × clearance mode
        × warehouse) and start its payment. Refusals (400) carry the rule's code:
        `identity_required`, `cbec_yearly_limit`, `insufficient_stock`, … (docs/API.md)."""
        key = request.headers.get(IDEMPOTENCY_HEADER, "")
        data = PlaceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        body = data.validated_data
        user = request.user
        seen = (
            bool(key.strip())
            and Checkout.objects.filter(user=user, idempotency_key=key.strip()).exists()
        )
        try:
            checkout = checkout_place(
                user=user,
                cart=cart_for_user(user=user),
                address=dict(body["address"]),
                identity=dict(body["identity"]) if body.get("identity") else None,
                shipping=dict(body.get("shipping") or {}),
                currency=body.get("currency") or display_currency(request),
                language=page_language(get_language()),
                idempotency_key=key,
                points=body.get("points") or 0,
            )
        except ValidationError as exc:
            raise api_validation_error(exc, ADDRESS_NAMES) from exc
        try:
            payment = checkout_payment(checkout=checkout)
        except ValidationError as exc:
            raise PaymentUnavailable() from exc
        checkout = checkout_of(user=user, number=checkout.number)
        return Response(
            checkout_json(checkout, payment),
            status=status.HTTP_200_OK if seen else status.HTTP_201_CREATED,
        )


class CheckoutView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(tags=["checkout"], responses={200: CHECKOUT})
    def get(self, request, number: str):
        """One of the caller's checkouts, with its orders and its payment."""
        checkout = checkout_of(user=request.user, number=number)
        if checkout is None:
            raise NotFound()
        payment = Payment.objects.filter(reference=checkout.number).first()
        return Response(checkout_json(checkout, payment))
