"""Languages: zh-hans and en, language-prefixed URLs, modeltranslation with fallback."""

from django.utils.translation import gettext_lazy as _

from .base import BASE_DIR

LANGUAGE_CODE = "en"
LANGUAGES = [("zh-hans", _("Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"

MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("zh-hans", "en")
# A missing translation falls back to the other language rather than showing nothing.
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("en", "zh-hans")}
