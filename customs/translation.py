from modeltranslation.translator import TranslationOptions, register

from .models import PostalCategory


@register(PostalCategory)
class PostalCategoryTranslation(TranslationOptions):
    fields = ("description",)
