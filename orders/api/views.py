"""The shopper's cart API: ``/api/v1/cart/`` (read, with the split plan) and its lines.

Anonymous shoppers use their session (the cart token is kept there, as on the pages);
signed-in shoppers use the session or a token. Another shopper's line is simply not in the
caller's cart: a 404, as for a line that does not exist. Writes by anonymous session users
are CSRF-checked like the pages' forms (the cart GET sets the CSRF cookie).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from logistics.shipping.regions import province_code
from marketplace.api import fields as api_fields
from marketplace.countries import is_country
from marketplace.currency import currencies_displayable, display_currency
from orders.api.presenters import cart_json
from orders.plan import cart_plan
from orders.selectors import cart_view
from orders.services import MAX_QUANTITY, cart_add, cart_remove, cart_set_quantity
from orders.services.checkout import cart_gifts_preview
from orders.shoppers import cart_for_write, cart_of_request, destination_of, province_of

PARAMETERS = [
    OpenApiParameter(
        "country",
        OpenApiTypes.STR,
        description="Destination country (ISO 3166-1 alpha-2). Default: the session's "
        "last choice, else CN.",
    ),
    OpenApiParameter(
        "province",
        OpenApiTypes.STR,
        description="For China: the province (ISO 3166-2, e.g. CN-ZJ) domestic carriers "
        "price by. Default: the session's last choice.",
    ),
    OpenApiParameter(
        "currency",
        OpenApiTypes.STR,
        description="Currency to show prices in (an offered one). Default: the display "
        "currency cookie, else the language's.",
    ),
]
CART = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="The cart: `lines` (each with `problem` when it cannot be checked out and "
    "`price_was` when its price changed since it was added) and `groups`, the future orders "
    "(merchant × clearance mode × warehouse) with `shipping.options`, `duties`, and the "
    "gifts with purchase each reaches (`gifts`) or would reach with `short` more spent "
    "(`gifts_short`).",
)


class AddLineSerializer(serializers.Serializer):
    sku = api_fields.IntegerField(min_value=1)
    quantity = api_fields.IntegerField(min_value=1, max_value=MAX_QUANTITY)


class QuantitySerializer(serializers.Serializer):
    quantity = api_fields.IntegerField(min_value=0, max_value=MAX_QUANTITY)


class _CsrfForAnonymous(SessionAuthentication):
    def check(self, request) -> None:
        self.enforce_csrf(request)


class CartAPIMixin:
    permission_classes = [permissions.AllowAny]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method not in permissions.SAFE_METHODS and not request.user.is_authenticated:
            _CsrfForAnonymous().check(request)

    def destination(self, request) -> str:
        chosen = (request.query_params.get("country") or "").upper()
        return chosen if is_country(chosen) else destination_of(request)

    def province(self, request) -> str:
        if "province" in request.query_params:
            return province_code("CN", request.query_params["province"])
        return province_of(request)

    def currency(self, request) -> str:
        chosen = (request.query_params.get("currency") or "").upper()
        return chosen if chosen in currencies_displayable() else display_currency(request)

    def cart_response(self, request, http_status=status.HTTP_200_OK) -> Response:
        currency = self.currency(request)
        view = cart_view(cart_of_request(request), self.destination(request))
        plan = cart_plan(
            view,
            currency=currency,
            province=self.province(request),
            promote=cart_gifts_preview(user=request.user),  # the cart page's gifts
        )
        return Response(cart_json(plan, currency=currency), http_status)


@method_decorator(ensure_csrf_cookie, name="get")
class CartView(CartAPIMixin, APIView):
    @extend_schema(tags=["cart"], parameters=PARAMETERS, responses={200: CART})
    def get(self, request):
        """The caller's cart and its split plan (an empty cart when there is none)."""
        return self.cart_response(request)


class CartLinesView(CartAPIMixin, APIView):
    @extend_schema(
        tags=["cart"], parameters=PARAMETERS, request=AddLineSerializer, responses={201: CART}
    )
    def post(self, request):
        """Add units of a SKU (to its line if the cart has one); 400 with the reason
        (`insufficient_stock`, `below_minimum`, `delisted`, `merchant_suspended`…)."""
        data = AddLineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cart_add(
            cart=cart_for_write(request),
            sku_id=data.validated_data["sku"],
            quantity=data.validated_data["quantity"],
            destination=self.destination(request),
        )
        return self.cart_response(request, status.HTTP_201_CREATED)


class CartLineView(CartAPIMixin, APIView):
    def _cart(self, request):
        cart = cart_of_request(request)
        if cart is None:
            raise NotFound()
        return cart

    @extend_schema(
        tags=["cart"], parameters=PARAMETERS, request=QuantitySerializer, responses={200: CART}
    )
    def patch(self, request, line_id: int):
        """Set a line's quantity (0 removes it)."""
        data = QuantitySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            cart_set_quantity(
                cart=self._cart(request),
                line_id=line_id,
                quantity=data.validated_data["quantity"],
                destination=self.destination(request),
            )
        except ValidationError as exc:
            if "line" in getattr(exc, "error_dict", {}):
                raise NotFound() from exc
            raise
        return self.cart_response(request)

    @extend_schema(tags=["cart"], responses={204: None})
    def delete(self, request, line_id: int):
        """Remove a line."""
        cart = self._cart(request)
        if not cart.lines.filter(pk=line_id).exists():
            raise NotFound()
        cart_remove(cart=cart, line_id=line_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
