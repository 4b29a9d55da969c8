from modeltranslation.translator import TranslationOptions, register

from .models import Coupon


@register(Coupon)
class CouponTranslation(TranslationOptions):
    fields = ("title",)
