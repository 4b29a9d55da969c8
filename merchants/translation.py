from modeltranslation.translator import TranslationOptions, register

from .models import Merchant


@register(Merchant)
class MerchantTranslation(TranslationOptions):
    fields = ("name",)
