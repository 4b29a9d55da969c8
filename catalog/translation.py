from modeltranslation.translator import TranslationOptions, register

from .models import Brand, Category, Product


@register(Category)
class CategoryTranslation(TranslationOptions):
    fields = ("name",)


@register(Brand)
class BrandTranslation(TranslationOptions):
    fields = ("name",)


@register(Product)
class ProductTranslation(TranslationOptions):
    fields = ("name", "description")
