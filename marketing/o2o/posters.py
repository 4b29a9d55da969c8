"""A store's printable poster (A4 PDF): its QR code large in the middle, what scanning it does
in Chinese and English, the store's name, address and opening hours, the merchant, and the
link written out for whoever cannot scan (docs/MARKETING.md, "O2O store codes").

Bilingual on one page, like the shipping labels: a shop's customers read either language.
The QR code is drawn from segno's module matrix (the one QR library), as vector squares, so
it prints sharp at any size; the Chinese text is in the embedded CJK font
(``marketplace.pdf``).
"""

from __future__ import annotations

import io

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from marketplace.pdf import cjk_font

# (Chinese, English), printed one above the other.
SCAN_TO_SHOP = ("扫码进店，在线下单", "Scan to shop this store online")
SCAN_FOR_PRODUCT = ("扫码购买此商品", "Scan to buy this product")
SHIPS = ("保税仓或海外仓直发，正品保障", "Ships from bonded or overseas stock")
HOURS = ("营业时间", "Opening hours")


def _draw_qr(canvas: Canvas, url: str, *, x: float, y: float, size: float) -> None:
    rows = list(segno.make(url, error="m").matrix_iter(border=2))
    cell = size / len(rows)
    canvas.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(rows):
        for c, dark in enumerate(row):
            if dark:
                canvas.rect(x + c * cell, y + size - (r + 1) * cell, cell, cell, stroke=0, fill=1)


def _centred(canvas: Canvas, text: str, y: float, size: float, font: str) -> float:
    width = A4[0] - 40 * mm
    for line in simpleSplit(text, font, size, width) or [""]:
        canvas.setFont(font, size)
        canvas.drawCentredString(A4[0] / 2, y, line)
        y -= size * 1.3
    return y


def store_poster_pdf(
    *,
    url: str,
    store_name: str,
    merchant_name: str,
    address: str = "",
    opening_hours: str = "",
    product_name: str = "",
) -> bytes:
    """One A4 page for ``url`` (the store's scan link, or one product's)."""
    font = cjk_font()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    title = f"{store_name} · {product_name}" if product_name else store_name
    canvas.setTitle(title)
    canvas.setAuthor(merchant_name)
    top = A4[1] - 30 * mm
    y = _centred(canvas, merchant_name, top, 16, font)
    y = _centred(canvas, store_name, y - 4 * mm, 28, font)
    if product_name:
        y = _centred(canvas, product_name, y - 2 * mm, 18, font)
    qr = 110 * mm
    qr_y = y - 8 * mm - qr
    _draw_qr(canvas, url, x=(A4[0] - qr) / 2, y=qr_y, size=qr)
    zh, en = SCAN_FOR_PRODUCT if product_name else SCAN_TO_SHOP
    y = _centred(canvas, zh, qr_y - 14 * mm, 24, font)
    y = _centred(canvas, en, y, 16, font)
    y = _centred(canvas, f"{SHIPS[0]} · {SHIPS[1]}", y - 4 * mm, 11, font)
    if address:
        y = _centred(canvas, address, y - 6 * mm, 12, font)
    if opening_hours:
        y = _centred(canvas, f"{HOURS[0]} {HOURS[1]}: {opening_hours}", y, 12, font)
    canvas.setFillColorRGB(0.3, 0.3, 0.3)
    _centred(canvas, url, 18 * mm, 9, font)
    canvas.showPage()
    canvas.save()
    return out.getvalue()
