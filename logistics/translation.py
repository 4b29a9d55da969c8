from modeltranslation.translator import TranslationOptions, register

from .models import Warehouse


@register(Warehouse)
class WarehouseTranslation(TranslationOptions):
    fields = ("name",)
