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
