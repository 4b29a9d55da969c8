from modeltranslation.translator import TranslationOptions, register

from .models import Warehouse


@register(Warehouse)
class WarehouseTranslation(TranslationOptions):
    fields = ("name",)


from logistics.shipping import translation as _shipping_translation  # noqa: E402, F401
