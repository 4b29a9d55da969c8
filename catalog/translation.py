from modeltranslation.translator import TranslationOptions, register

from .models import SKU, Brand, Category, Product


@register(Category)
class CategoryTranslation(TranslationOptions):
    fields = ("name",)


@register(Brand)
class BrandTranslation(TranslationOptions):
    fields = ("name",)


@register(Product)
class ProductTranslation(TranslationOptions):
    fields = ("name", "description")


@register(SKU)
class SKUTranslation(TranslationOptions):
    # A variant's attributes ({name: value}), written in each language: {"容量": "50毫升"} on
    # the Chinese page, {"Volume": "50 ml"} on the English one, each falling back to the other.
    fields = ("attributes",)
