"""The font every Silkway PDF embeds for Chinese (shipping labels, packing slips, store
posters): a TrueType font or collection with CJK glyphs, **embedded** in the PDF so a printer
or viewer without one shows no boxes.

``cjk_font_path()`` takes ``settings.LABELS_CJK_FONT`` or the first of ``FONT_CANDIDATES``
that exists (Debian's ``fonts-wqy-zenhei``, which ``scripts/ensure_label_tools.sh``
installs); none: ``CJKFontMissing`` naming the package. ``cjk_font()`` registers it with
reportlab once per process and returns its name. reportlab embeds TrueType outlines only (not
the CFF of Noto CJK) and subsets the font, so a page stays small.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

FONT = "SilkwayCJK"
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # Debian fonts-wqy-zenhei
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # Debian fonts-wqy-microhei
    "/usr/share/fonts/truetype/arphic/uming.ttc",  # Debian fonts-arphic-uming
)
FONT_PACKAGE = "fonts-wqy-zenhei"


class CJKFontMissing(ImproperlyConfigured):
    """No font with Chinese glyphs to embed: these PDFs cannot be made."""


def cjk_font_path() -> Path:
    """The TrueType font (or collection) with CJK glyphs that PDFs embed."""
    configured = getattr(settings, "LABELS_CJK_FONT", "")
    candidates = (configured,) if configured else FONT_CANDIDATES
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise CJKFontMissing(
        "Labels and posters need a TrueType font with Chinese glyphs to embed; none found at "
        f"{', '.join(c for c in candidates if c)}. Install it (Debian: apt-get install "
        f"{FONT_PACKAGE}) or set LABELS_CJK_FONT to a .ttf/.ttc file."
    )


@lru_cache(maxsize=4)
def _register(path: str) -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(FONT, path, subfontIndex=0))
    return FONT


def cjk_font() -> str:
    """The registered font's name (register it first if this process has not)."""
    return _register(str(cjk_font_path()))
