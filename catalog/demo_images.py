"""Pictures for the demo products, drawn here with Pillow (nothing is downloaded).

Each picture is a card in its category's colour, with a glyph for the category (a jar for
beauty, a baby bottle, a capsule, a wine bottle, a handbag, a screen), the brand and the
product's English name, as printed on an import label. The same product always gets the same
picture: the colour's shade and the glyph's tilt come from a hash of the product's slug, and
the lettering uses the font that ships inside Pillow (not whatever the machine has).

``picture_add`` stores a product's picture with ``product_image_add``, the service merchants'
uploads go through, so the demo's images are re-encoded to WebP with thumbnails exactly like
theirs; ``catalog.demo`` calls it for each product it creates, before the product is
submitted, and ``picture_backfill`` for a demo product seeded before pictures existed.
"""

from __future__ import annotations

import colorsys
import hashlib
import io
import unicodedata
from functools import lru_cache

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFont

from catalog.models import Product, ProductImage, ProductRevisionImage
from catalog.services import moderation
from catalog.services.products import product_image_add

# Drawn at SIZE and delivered at PICTURE_SIZE: the shrink smooths the edges, and 480 px is
# what the product page shows (re-encoding bigger pictures was most of the seed's time).
SIZE = 640
PICTURE_SIZE = 480
MARGIN = 40
GLYPH_BOX = 360

# Hue (0–1) per top category; unknown categories get a hue from their slug.
CATEGORY_HUES = {
    "beauty": 0.93,
    "mother-baby": 0.55,
    "health": 0.33,
    "food-wine": 0.02,
    "fashion": 0.08,
    "electronics": 0.62,
}


@lru_cache(maxsize=4)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def _seed(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")


def _rgb(hue: float, lightness: float, saturation: float) -> tuple[int, int, int]:
    r, g, b = colorsys.hls_to_rgb(hue % 1.0, lightness, saturation)
    return round(r * 255), round(g * 255), round(b * 255)


def _jar(draw: ImageDraw.ImageDraw, cx: int, cy: int, ink, light) -> None:
    draw.rounded_rectangle((cx - 95, cy - 40, cx + 95, cy + 110), radius=28, fill=ink)
    draw.rounded_rectangle((cx - 80, cy - 95, cx + 80, cy - 40), radius=12, fill=light)
    draw.rounded_rectangle((cx - 60, cy + 10, cx + 60, cy + 60), radius=8, fill=light)


def _baby_bottle(draw: ImageDraw.ImageDraw, cx: int, cy: int, ink, light) -> None:
    draw.ellipse((cx - 28, cy - 135, cx + 28, cy - 75), fill=light)
    draw.rectangle((cx - 55, cy - 90, cx + 55, cy - 60), fill=ink)
    draw.rounded_rectangle((cx - 70, cy - 60, cx + 70, cy + 120), radius=30, fill=light)
    for step in range(4):  # measuring marks
        y = cy - 25 + step * 35
        draw.line((cx - 45, y, cx - 10, y), fill=ink, width=6)


def _capsule(draw: ImageDraw.ImageDraw, cx: int, cy: int, ink, light) -> None:
    box = (cx - 150, cy - 55, cx + 150, cy + 55)
    draw.rounded_rectangle(box, radius=55, fill=light)
    draw.ellipse((cx - 150, cy - 55, cx - 40, cy + 55), fill=ink)
    draw.rectangle((cx - 95, cy - 55, cx, cy + 55), fill=ink)
    draw.ellipse((cx + 60, cy - 30, cx + 90, cy - 10), fill=(255, 255, 255))


def _wine_bottle(draw: ImageDraw.ImageDraw, cx: int, cy: int, ink, light) -> None:
    draw.rectangle((cx - 18, cy - 150, cx + 18, cy - 70), fill=ink)
    draw.polygon(
        [(cx - 18, cy - 70), (cx + 18, cy - 70), (cx + 60, cy - 20), (cx + 60, cy),
         (cx - 60, cy), (cx - 60, cy - 20)],
        fill=ink,
    )  # fmt: skip
    draw.rounded_rectangle((cx - 60, cy - 25, cx + 60, cy + 130), radius=14, fill=ink)
    draw.rectangle((cx - 45, cy + 20, cx + 45, cy + 85), fill=light)


def _handbag(draw: ImageDraw.ImageDraw, cx: int, cy: int, ink, light) -> None:
    draw.arc((cx - 70, cy - 120, cx + 70, cy + 10), start=180, end=360, fill=ink, width=16)
    draw.polygon(
        [(cx - 105, cy - 50), (cx + 105, cy - 50), (cx + 135, cy + 115), (cx - 135, cy + 115)],
        fill=ink,
    )
    draw.rectangle((cx - 22, cy - 20, cx + 22, cy + 10), fill=light)


def _screen(draw: ImageDraw.ImageDraw, cx: int, cy: int, ink, light) -> None:
    draw.rounded_rectangle((cx - 150, cy - 110, cx + 150, cy + 70), radius=16, fill=ink)
    draw.rectangle((cx - 130, cy - 90, cx + 130, cy + 50), fill=light)
    draw.rectangle((cx - 15, cy + 70, cx + 15, cy + 105), fill=ink)
    draw.rounded_rectangle((cx - 70, cy + 100, cx + 70, cy + 118), radius=8, fill=ink)


GLYPHS = {
    "beauty": _jar,
    "mother-baby": _baby_bottle,
    "health": _capsule,
    "food-wine": _wine_bottle,
    "fashion": _handbag,
    "electronics": _screen,
}


def _lettering(text: str) -> str:
    """``text`` in the letters Pillow's own font has (ASCII: "Estée" is printed "Estee")."""
    folded = unicodedata.normalize("NFKD", text)
    return "".join(c for c in folded if c.isascii())


def _lines(text: str, font: ImageFont.FreeTypeFont, width: int, most: int) -> list[str]:
    """``text`` wrapped to ``width`` pixels, at most ``most`` lines (the last cut short with "...")."""
    lines: list[str] = []
    for word in text.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    if len(lines) > most:
        lines = lines[:most]
        last = lines[-1]
        while last and font.getlength(f"{last}...") > width:
            last = last[:-1]
        lines[-1] = f"{last.rstrip()}..."
    return lines


def draw_picture(*, slug: str, category: str, brand: str, name: str) -> Image.Image:
    """The demo picture of one product (the same arguments draw the same pixels)."""
    seed = _seed(slug)
    hue = CATEGORY_HUES.get(category, (_seed(category) % 360) / 360)
    hue += ((seed % 21) - 10) / 360  # a shade of its own, within the category's colour
    background = _rgb(hue, 0.90 - (seed >> 8) % 6 / 100, 0.55)
    ink = _rgb(hue, 0.32, 0.55)
    light = _rgb(hue, 0.78, 0.45)

    image = Image.new("RGB", (SIZE, SIZE), background)
    # the glyph is drawn on a 360 px square of its own, tilted, and laid on the card
    glyph = Image.new("RGBA", (GLYPH_BOX, GLYPH_BOX), (0, 0, 0, 0))
    GLYPHS.get(category, _jar)(ImageDraw.Draw(glyph), GLYPH_BOX // 2, GLYPH_BOX // 2, ink, light)
    tilt = (seed >> 16) % 17 - 8
    glyph = glyph.rotate(tilt, resample=Image.Resampling.BILINEAR)
    image.paste(glyph, ((SIZE - GLYPH_BOX) // 2, 230 - GLYPH_BOX // 2), glyph)

    draw = ImageDraw.Draw(image)
    label_top = 420
    draw.rounded_rectangle(
        (MARGIN, label_top, SIZE - MARGIN, SIZE - MARGIN), radius=18, fill=(255, 255, 255)
    )
    brand_font = _font(34)
    name_font = _font(27)
    text_width = SIZE - 4 * MARGIN
    draw.text((2 * MARGIN, label_top + 22), _lettering(brand).upper(), font=brand_font, fill=ink)
    for row, line in enumerate(_lines(_lettering(name), name_font, text_width, 3)):
        y = label_top + 70 + row * 34
        draw.text((2 * MARGIN, y), line, font=name_font, fill=(40, 44, 52))
    return image


def demo_picture(*, slug: str, category: str, brand: str, name: str) -> ContentFile:
    """``draw_picture`` as a PNG upload, named after the product."""
    out = io.BytesIO()
    picture = draw_picture(slug=slug, category=category, brand=brand, name=name)
    picture = picture.resize((PICTURE_SIZE, PICTURE_SIZE), Image.Resampling.BOX)
    # stored uncompressed: the image service re-encodes it to WebP at once
    picture.save(out, format="PNG", compress_level=0)
    return ContentFile(out.getvalue(), name=f"{slug}.png")


def picture_add(*, product: Product, by) -> None:
    """Store ``product``'s picture through the merchants' image service (drawn from its slug,
    top category, brand and English name)."""
    upload = demo_picture(
        slug=product.slug,
        category=product.category.slug,
        brand=product.brand.name_en if product.brand else "",
        name=product.name_en or product.name,
    )
    product_image_add(product=product, by=by, upload=upload)


def products_pictured(products) -> set[int]:
    """Ids of ``products`` that have a picture, live or proposed in a pending edit."""
    live = ProductImage.objects.filter(product__in=products).values_list("product_id", flat=True)
    proposed = ProductRevisionImage.objects.filter(revision__product__in=products).values_list(
        "revision__product_id", flat=True
    )
    return set(live) | set(proposed)


def picture_backfill(*, product: Product, seller, operator) -> None:
    """A picture for a demo product seeded before the demo had pictures. On a live product
    the picture is an edit waiting for review, as a merchant's would be; the operator
    approves it, unless the product already had edits waiting (the picture joins them)."""
    had_edits = moderation.pending_revision(product) is not None
    picture_add(product=product, by=seller)
    if product.status == Product.Status.APPROVED and not had_edits:
        moderation.revision_approve(revision=moderation.pending_revision(product), by=operator)
