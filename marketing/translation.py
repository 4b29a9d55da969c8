from modeltranslation.translator import TranslationOptions, register

from .models import Coupon, GiftPromotion


@register(Coupon)
class CouponTranslation(TranslationOptions):
    fields = ("title",)


@register(GiftPromotion)
class GiftPromotionTranslation(TranslationOptions):
    fields = ("title",)
