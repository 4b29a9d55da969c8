"""Public catalog API (read-only, anonymous allowed, throttled): what the storefront shows,
for apps. Only visible products (approved, from an approved merchant) ever appear.

Money is sent as strings. ``currency`` picks the display currency (default: the one for the
request's language); every price carries the listing-currency amount too.
"""

from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from catalog.selectors import storefront as sf
from marketplace.api import fields as api_fields
from marketplace.clearance_labels import sku_mode_choices
from marketplace.currency import currencies_displayable, default_display_currency, price_in
from marketplace.money import Money, format_money
from marketplace.selectors import fx_rates_current


class PublicView(APIView):
    permission_classes = [permissions.AllowAny]
    throttle_classes = [AnonRateThrottle, UserRateThrottle]
    http_method_names = ["get", "head", "options"]


class MoneySerializer(serializers.Serializer):
    amount = serializers.CharField(help_text=_("Decimal amount as a string"))
    currency = serializers.CharField()
    display = serializers.CharField(help_text=_("Formatted for the request's language"))


class CategorySerializer(serializers.Serializer):
    id = api_fields.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    name_zh_hans = serializers.CharField()
    children = serializers.ListField(child=serializers.DictField())


class RefSerializer(serializers.Serializer):
    id = api_fields.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()


class MerchantRefSerializer(RefSerializer):
    self_operated = serializers.BooleanField()


class ProductSummarySerializer(serializers.Serializer):
    id = api_fields.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    name_zh_hans = serializers.CharField()
    url = serializers.CharField(help_text=_("The product page in the request's language"))
    category_id = api_fields.IntegerField()
    merchant = MerchantRefSerializer()
    brand = RefSerializer(allow_null=True)
    listing_price = MoneySerializer(allow_null=True, help_text=_("Lowest price, as listed"))
    price = MoneySerializer(allow_null=True, help_text=_("Lowest price, display currency"))
    trade_modes = serializers.ListField(child=serializers.ChoiceField(sku_mode_choices()))
    thumbnail = serializers.CharField()


class TierSerializer(serializers.Serializer):
    min_quantity = api_fields.IntegerField()
    unit_price = MoneySerializer()
    listing_unit_price = MoneySerializer()


class SkuSerializer(serializers.Serializer):
    id = api_fields.IntegerField()
    code = serializers.CharField()
    attributes = serializers.DictField(help_text=_("In the request's language, else the other one"))
    attributes_en = serializers.DictField()
    attributes_zh_hans = serializers.DictField()
    price = MoneySerializer()
    listing_price = MoneySerializer()
    min_order_quantity = api_fields.IntegerField()
    trade_modes = serializers.ListField(child=serializers.ChoiceField(sku_mode_choices()))
    origin_country = serializers.CharField()
    availability = serializers.ChoiceField(
        ["in_stock", "low_stock", "out_of_stock"], help_text=_("From live stock")
    )
    tiers = TierSerializer(many=True)


class ProductDetailSerializer(ProductSummarySerializer):
    description = serializers.CharField(help_text=_("Sanitised HTML"))
    description_en = serializers.CharField()
    description_zh_hans = serializers.CharField()
    min_order_quantity = api_fields.IntegerField()
    images = serializers.ListField(child=serializers.DictField())
    availability = serializers.ChoiceField(["in_stock", "low_stock", "out_of_stock"])
    ships_from = serializers.ListField(child=serializers.DictField())
    skus = SkuSerializer(many=True)


class CurrencyQuery(serializers.Serializer):
    currency = serializers.CharField(
        required=False, min_length=3, max_length=3, help_text=_("Display currency, ISO 4217")
    )

    def validate_currency(self, value: str) -> str:
        code = value.upper()
        if code not in currencies_displayable():
            raise serializers.ValidationError(
                _("No exchange rate is set for this currency."), code="no_fx_rate"
            )
        return code


class ProductQuery(CurrencyQuery):
    q = serializers.CharField(required=False, max_length=100, help_text=_("Search words"))
    category = serializers.SlugField(
        required=False, help_text=_("Category slug (with subcategories)")
    )
    brand = serializers.SlugField(required=False)
    merchant = serializers.SlugField(required=False)
    trade_mode = serializers.ChoiceField(sku_mode_choices(), required=False)
    origin_country = serializers.RegexField(r"^[A-Za-z]{2}$", required=False)
    price_min = api_fields.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal(0), required=False
    )
    price_max = api_fields.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal(0), required=False
    )
    in_stock = serializers.BooleanField(required=False, default=False)
    self_operated = serializers.BooleanField(required=False, default=False)
    sort = serializers.ChoiceField(sf.Sort.ALL, required=False)
    page = api_fields.IntegerField(min_value=1, max_value=100000, required=False, default=1)
    page_size = api_fields.IntegerField(min_value=1, max_value=100, required=False, default=24)

    def validate_category(self, value):
        node = sf.category_tree().by_slug(value)
        if node is None:
            raise serializers.ValidationError(
                _("There is no category with this slug."), code="unknown_category"
            )
        return node

    def validate_brand(self, value):
        brand = next((b for b in sf.brands_active().values() if b.slug == value), None)
        if brand is None:
            raise serializers.ValidationError(
                _("There is no brand with this slug."), code="unknown_brand"
            )
        return brand

    def validate_merchant(self, value):
        merchant = sf.merchant_public(value)
        if merchant is None:
            raise serializers.ValidationError(
                _("There is no merchant with this slug."), code="unknown_merchant"
            )
        return merchant

    def validate(self, attrs):
        low, high = attrs.get("price_min"), attrs.get("price_max")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError(
                {"price_max": _("The highest price must not be below the lowest.")},
                code="price_range",
            )
        return attrs


class _Pricing:
    """Turns listing-currency amounts into the API's money objects for one request."""

    def __init__(self, currency: str | None):
        self.language = get_language() or "en"
        self.display = currency or default_display_currency(self.language)
        if self.display not in currencies_displayable():
            self.display = settings.BASE_CURRENCY
        self.rates = fx_rates_current()

    def listed(self, amount: Decimal | None, currency: str) -> dict | None:
        if amount is None:
            return None
        money = Money(amount, currency).rounded()
        return self._out(money)

    def shown(self, amount: Decimal | None, currency: str) -> dict | None:
        if amount is None:
            return None
        money = price_in(amount, currency, display=self.display, rates=self.rates)
        return self._out(money) if money is not None else None

    def _out(self, money) -> dict:
        return {
            "amount": str(money.amount),
            "currency": money.currency,
            "display": format_money(money, self.language),
        }


def _ref(ref: sf.NamedRef | None) -> dict | None:
    if ref is None:
        return None
    return {"id": ref.id, "slug": ref.slug, "name": ref.name}


def _summary(card, pricing: _Pricing) -> dict:
    return {
        "id": card.id,
        "slug": card.slug,
        "name": card.name,
        "name_en": card.name_en,
        "name_zh_hans": card.name_zh_hans,
        "url": reverse("storefront:product", args=[card.id, card.slug]),
        "category_id": card.category_id,
        "merchant": {**_ref(card.merchant), "self_operated": card.merchant.self_operated},
        "brand": _ref(card.brand),
        "listing_price": pricing.listed(card.min_price, card.listing_currency),
        "price": pricing.shown(card.min_price, card.listing_currency),
        "trade_modes": list(card.trade_modes),
        "thumbnail": card.thumbnail,
    }


def _category(node, tree) -> dict:
    return {
        "id": node.id,
        "slug": node.slug,
        "name": node.name,
        "name_en": node.name_en,
        "name_zh_hans": node.name_zh_hans,
        "children": [_category(child, tree) for child in tree.children(node.id)],
    }


class CategoryListView(PublicView):
    """The active category tree, top level first, children nested."""

    @extend_schema(responses=CategorySerializer(many=True), tags=["catalog"])
    @method_decorator(sf.pin_version)
    def get(self, request):
        tree = sf.category_tree()
        return Response([_category(node, tree) for node in tree.roots])


class ProductListView(PublicView):
    """Visible products: filters, search (``q``, Chinese or English), sorting, pages."""

    @extend_schema(
        parameters=[ProductQuery],
        responses=inline_serializer(
            "ProductPage",
            {
                "count": api_fields.IntegerField(),
                "page": api_fields.IntegerField(),
                "pages": api_fields.IntegerField(),
                "next": serializers.CharField(allow_null=True),
                "previous": serializers.CharField(allow_null=True),
                "currency": serializers.CharField(),
                "results": ProductSummarySerializer(many=True),
            },
        ),
        tags=["catalog"],
        operation_id="v1_products_list",
    )
    @method_decorator(sf.pin_version)
    def get(self, request):
        query = ProductQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        pricing = _Pricing(data.get("currency"))
        node = data.get("category")
        search = (data.get("q") or "").strip()
        filters = sf.ListingFilters(
            category_ids=tuple(sf.category_tree().subtree_ids(node.id)) if node else (),
            brand_id=data["brand"].id if data.get("brand") else None,
            merchant_id=data["merchant"].id if data.get("merchant") else None,
            trade_mode=data.get("trade_mode") or "",
            origin_country=(data.get("origin_country") or "").upper(),
            price_min=data.get("price_min"),
            price_max=data.get("price_max"),
            currency=pricing.display,
            in_stock=data["in_stock"],
            self_operated=data["self_operated"],
            sort=data.get("sort") or (sf.Sort.RELEVANCE if search else sf.Sort.NEWEST),
        )
        page, size = data["page"], data["page_size"]
        if search:
            id_page = sf.search_product_ids(
                search, filters, page=page, per_page=size, rates=pricing.rates
            )
        else:
            if filters.sort == sf.Sort.RELEVANCE:
                filters = sf.ListingFilters(**{**filters.__dict__, "sort": sf.Sort.NEWEST})
            id_page = sf.listing_product_ids(filters, page=page, per_page=size, rates=pricing.rates)
        cards = sf.product_cards(id_page.ids)

        def link(number):
            params = request.query_params.copy()
            params["page"] = number
            return request.build_absolute_uri(request.path + "?" + params.urlencode())

        return Response(
            {
                "count": id_page.total,
                "page": page,
                "pages": id_page.pages,
                "next": link(page + 1) if page < id_page.pages else None,
                "previous": link(page - 1) if page > 1 else None,
                "currency": pricing.display,
                "results": [_summary(card, pricing) for card in cards],
            }
        )


class ProductDetailView(PublicView):
    """One visible product with SKUs, wholesale tiers, images and live availability."""

    @extend_schema(
        parameters=[CurrencyQuery],
        responses={200: ProductDetailSerializer, 404: OpenApiResponse(description="Not visible")},
        tags=["catalog"],
    )
    @method_decorator(sf.pin_version)
    def get(self, request, pk: int):
        query = CurrencyQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        detail = sf.product_detail(pk)
        if detail is None:
            raise NotFound()
        pricing = _Pricing(query.validated_data.get("currency"))
        stock = sf.product_stock(detail)
        card = sf.ProductCard(
            id=detail.id,
            slug=detail.slug,
            name_en=detail.name_en,
            name_zh_hans=detail.name_zh_hans,
            listing_currency=detail.listing_currency,
            min_price=detail.min_price,
            merchant=detail.merchant,
            brand=detail.brand,
            thumbnail=detail.images[0]["thumbnail"] if detail.images else "",
            image_alt="",
            trade_modes=detail.trade_modes,
            category_id=detail.category_id,
        )
        currency = detail.listing_currency
        body = _summary(card, pricing)
        body.update(
            description=detail.description,
            description_en=detail.description_en,
            description_zh_hans=detail.description_zh_hans,
            min_order_quantity=detail.min_order_quantity,
            images=detail.images,
            availability=stock.state,
            ships_from=stock.warehouses,
            skus=[
                {
                    "id": sku.id,
                    "code": sku.code,
                    "attributes": sku.attributes,
                    "attributes_en": sku.attributes_en,
                    "attributes_zh_hans": sku.attributes_zh_hans,
                    "price": pricing.shown(sku.price, currency),
                    "listing_price": pricing.listed(sku.price, currency),
                    "min_order_quantity": sku.min_order_quantity,
                    "trade_modes": sku.trade_modes,
                    "origin_country": sku.origin_country,
                    "availability": stock.state_by_sku[sku.id],
                    "tiers": [
                        {
                            "min_quantity": qty,
                            "unit_price": pricing.shown(unit_price, currency),
                            "listing_unit_price": pricing.listed(unit_price, currency),
                        }
                        for qty, unit_price in sku.tiers
                    ],
                }
                for sku in detail.skus
            ],
        )
        return Response(body)
