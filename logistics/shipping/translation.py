from modeltranslation.translator import TranslationOptions, register

from .models import Carrier, ShippingMethod, ShippingZone


@register(Carrier)
class CarrierTranslation(TranslationOptions):
    fields = ("name",)


@register(ShippingMethod)
class ShippingMethodTranslation(TranslationOptions):
    fields = ("name", "description")


@register(ShippingZone)
class ShippingZoneTranslation(TranslationOptions):
    fields = ("name",)
