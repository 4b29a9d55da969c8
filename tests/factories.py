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
