"""Factories for the story a test tells: arrange with these, act through the real doors."""

import factory

from accounts.models import User
from catalog.models import Category
from merchants.models import Membership, Merchant
from merchants.roles import Role

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy signature
        if create:
            obj.save()


class OperatorFactory(UserFactory):
    is_staff = True
    is_superuser = True


class MerchantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Merchant

    name_en = factory.Sequence(lambda n: f"Merchant {n}")
    name_zh_hans = factory.Sequence(lambda n: f"商家{n}")
    slug = factory.Sequence(lambda n: f"merchant-{n}")
    kind = Merchant.Kind.THIRD_PARTY
    status = Merchant.Status.APPROVED
    country = "NZ"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    merchant = factory.SubFactory(MerchantFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.OWNER


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name_en = factory.Sequence(lambda n: f"Category {n}")
    name_zh_hans = factory.Sequence(lambda n: f"类目{n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


# --- catalog -------------------------------------------------------------------------------
from decimal import Decimal  # noqa: E402

from django.utils import timezone  # noqa: E402

from catalog.models import SKU, Brand, Product, Stock  # noqa: E402
from logistics.models import Warehouse  # noqa: E402


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand

    name_en = factory.Sequence(lambda n: f"Brand {n}")
    name_zh_hans = factory.Sequence(lambda n: f"品牌{n}")
    slug = factory.Sequence(lambda n: f"brand-{n}")
    country = "NZ"


class ProductFactory(factory.django.DjangoModelFactory):
    """An approved, visible product (status can be overridden)."""

    class Meta:
        model = Product

    merchant = factory.SubFactory(MerchantFactory)
    category = factory.SubFactory(CategoryFactory)
    brand = factory.SubFactory(BrandFactory)
    name_en = factory.Sequence(lambda n: f"Manuka Honey {n}")
    name_zh_hans = factory.Sequence(lambda n: f"麦卢卡蜂蜜{n}")
    description_en = "<p>Raw honey from New Zealand.</p>"
    description_zh_hans = "<p>新西兰原生蜂蜜。</p>"
    slug = factory.Sequence(lambda n: f"product-{n}")
    status = Product.Status.APPROVED
    published_at = factory.LazyFunction(timezone.now)


class SKUFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SKU

    product = factory.SubFactory(ProductFactory)
    merchant = factory.SelfAttribute("product.merchant")
    code = factory.Sequence(lambda n: f"SKU-{n:05d}")
    price = Decimal("199.00")
    hs_code = "0409000000"
    origin_country = "NZ"
    net_weight_kg = Decimal("0.500")
    gross_weight_kg = Decimal("0.600")
    attributes = factory.LazyFunction(lambda: {"size": "500g"})


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse

    code = factory.Sequence(lambda n: f"wh-{n}")
    name_en = factory.Sequence(lambda n: f"Warehouse {n}")
    name_zh_hans = factory.Sequence(lambda n: f"仓库{n}")
    kind = Warehouse.Kind.BONDED
    country = "CN"
    customs_area_code = factory.LazyAttribute(lambda w: "3105" if w.kind == "bonded" else "")
    merchant = None


class StockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stock

    sku = factory.SubFactory(SKUFactory)
    merchant = factory.SelfAttribute("sku.merchant")
    warehouse = factory.SubFactory(WarehouseFactory)
    on_hand = 20
    reserved = 0


# --- orders (created directly: the placing services write the same rows) ----------------------
from datetime import timedelta  # noqa: E402

from logistics.shipping.models import ShippingMethod  # noqa: E402
from orders.models import Allocation, Checkout, Order, OrderLine  # noqa: E402

CHINA_ADDRESS = {
    "name": "王小明",
    "phone": "13800138000",
    "country": "CN",
    "province": "上海市",
    "city": "上海市",
    "district": "浦东新区",
    "lines": "世纪大道 100 号",
    "postcode": "200120",
}


# The duty engine's stored result (customs.codec.result_to_json) for one honey line, the
# shape checkout freezes on the order.
def duties_for(sku_code: str, *, collected: bool = True) -> dict:
    return {
        "regime": {
            "code": "CN_CBEC",
            "en": "Cross-border e-commerce retail import tax",
            "zh_hans": "跨境电商零售进口税",
            "effective_from": "2019-01-01",
        },
        "currency": "CNY",
        "blocked": False,
        "collected_at_checkout": collected,
        "tax_total": "18.11",
        "totals": {"vat": "16.32", "duty": "0.00", "consumption_tax": "1.79"},
        "lines": [
            {
                "sku": sku_code,
                "hs_code": "0409000000",
                "tax_total": "18.11",
                "taxes": [
                    {
                        "kind": "vat",
                        "base": "199.00",
                        "rate": "0.091",
                        "factor": "0.7",
                        "amount": "16.32",
                        "waived": False,
                        "due": "16.32",
                    },
                    {
                        "kind": "consumption_tax",
                        "base": "199.00",
                        "rate": "0.009",
                        "factor": "1",
                        "amount": "1.79",
                        "waived": False,
                        "due": "1.79",
                    },
                ],
            }
        ],
    }


class CheckoutFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Checkout

    user = factory.SubFactory(UserFactory)
    email = factory.SelfAttribute("user.email")
    language = "zh-hans"
    idempotency_key = factory.Sequence(lambda n: f"key-{n}")
    currency = "CNY"
    total = Decimal("237.11")
    address = factory.LazyFunction(lambda: dict(CHINA_ADDRESS))
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(minutes=15))


class OrderFactory(factory.django.DjangoModelFactory):
    """A paid bonded order of one honey line (``lines`` = 0 for none; ``status``,
    ``paid_at`` override). The lines get an allocation in a stock row of ``warehouse``."""

    class Meta:
        model = Order
        skip_postgeneration_save = True

    checkout = factory.SubFactory(CheckoutFactory)
    user = factory.SelfAttribute("checkout.user")
    merchant = factory.SubFactory(MerchantFactory)
    warehouse = factory.SubFactory(WarehouseFactory)
    clearance_mode = "bonded"
    customs_code = "1210"
    status = Order.Status.PAID
    currency = "CNY"
    listing_currency = "CNY"
    goods_total = Decimal("199.00")
    shipping_total = Decimal("20.00")
    duty_total = Decimal("18.11")
    total = Decimal("237.11")
    shipping_method = factory.LazyFunction(lambda: ShippingMethod.objects.order_by("pk").first())
    shipping = factory.LazyFunction(
        lambda: {
            "method_name_en": "SF Standard",
            "method_name_zh_hans": "顺丰标快",
            "carrier_name": "SF Express",
            "min_days": 2,
            "max_days": 4,
            "price": "20.00",
        }
    )
    duties = factory.LazyFunction(dict)  # filled from the first line (below) when not given
    paid_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def lines(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy signature
        if not create:
            return
        made = [OrderLineFactory(order=obj) for _n in range(1 if extracted is None else extracted)]
        if made and not obj.duties:
            obj.duties = duties_for(made[0].sku_code)
            obj.save(update_fields=["duties"])


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine
        skip_postgeneration_save = True

    order = factory.SubFactory(OrderFactory, lines=0)
    sku = factory.LazyAttribute(lambda line: SKUFactory(product__merchant=line.order.merchant))
    sku_code = factory.LazyAttribute(lambda line: line.sku.code)
    name_en = "Manuka Honey 500g"
    name_zh_hans = "麦卢卡蜂蜜 500克"
    hs_code = "0409000000"
    quantity = 1
    unit_price = Decimal("199.00")
    unit_price_charged = Decimal("199.00")
    line_total = Decimal("199.00")
    duty = Decimal("18.11")

    @factory.post_generation
    def allocation(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy signature
        if not create or extracted is False:
            return
        stock = StockFactory(sku=obj.sku, warehouse=obj.order.warehouse, reserved=obj.quantity)
        Allocation.objects.create(
            line=obj, stock=stock, quantity=obj.quantity, status=Allocation.Status.ALLOCATED
        )
