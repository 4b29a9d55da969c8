"""Shipping labels and packing slips as PDF (docs/LOGISTICS.md, "Labels and packing slips").

One page per parcel, any number of parcels in one PDF (a batch prints as one document):

- ``labels_pdf(parcels)``: the **shipping label**, 100 × 150 mm (the 4 × 6 inch thermal
  label): carrier, the waybill number as a **Code 128** barcode with the number under it,
  ship-to and ship-from, order, parcel *i of n*, weight and dimensions.
- ``slips_pdf(parcels)``: the **packing slip**, A4: the same waybill barcode, ship-to, and
  the order lines in the parcel (SKU, the name in Chinese and English, units).

Both languages are on the same page (the warehouse abroad reads English, the courier in China
Chinese), so the captions are fixed pairs (``CAPTIONS``) rather than the request's language.
Chinese needs a font with CJK glyphs **embedded** in the PDF: ``marketplace.pdf`` finds and
registers it (``cjk_font_path``; none: ``CJKFontMissing``, also known here as
``LabelFontMissing``, naming the Debian package).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from logistics.shipping.regions import place_name
from marketplace.pdf import CJKFontMissing, cjk_font

from .models import Parcel

LABEL_SIZE = (100 * mm, 150 * mm)

# (Chinese, English): both are printed, Chinese first.
CAPTIONS = {
    "label": ("运单", "Shipping label"),
    "slip": ("装箱单", "Packing slip"),
    "waybill": ("运单号", "Waybill"),
    "to": ("收件人", "Ship to"),
    "from": ("发件人", "Ship from"),
    "order": ("订单", "Order"),
    "parcel": ("包裹", "Parcel"),
    "weight": ("重量", "Weight"),
    "size": ("尺寸", "Dimensions"),
    "sku": ("货号", "SKU"),
    "item": ("品名", "Item"),
    "qty": ("数量", "Qty"),
    "of": ("共", "of"),
    "units": ("件数合计", "Units in this parcel"),
}


# The one CJK font rule (marketplace.pdf); the old name stays for callers of labels.
LabelFontMissing = CJKFontMissing


def caption(key: str) -> str:
    zh, en = CAPTIONS[key]
    return f"{zh} {en}"


def for_printing(parcels):
    """``parcels`` (a queryset already narrowed to the caller's merchant) with what a label and
    a slip print, in two queries plus one per prefetch."""
    return (
        parcels.select_related("carrier", "order__checkout", "shipment__warehouse")
        .prefetch_related("lines__line", "shipment__parcels")
        .order_by("pk")
    )


def address_lines(address: dict) -> list[str]:
    """The destination as printed: name and phone, then the street to the country."""
    province = address.get("province", "") or ""
    if province:
        province = place_name(province, "zh-hans")
    country = address.get("country", "") or ""
    place = " ".join(
        part for part in (province, address.get("city"), address.get("district")) if part
    )
    lines = [
        " ".join(part for part in (address.get("name"), address.get("phone")) if part),
        address.get("lines", "") or "",
        place,
        " ".join(
            part
            for part in (
                address.get("postcode"),
                place_name(country, "zh-hans") if country else "",
                place_name(country, "en") if country else "",
            )
            if part
        ),
    ]
    return [line for line in lines if line.strip()]


def _position(parcel: Parcel) -> tuple[int, int]:
    ids = sorted(p.pk for p in parcel.shipment.parcels.all())
    return ids.index(parcel.pk) + 1, len(ids)


def wrap(canvas: Canvas, text: str, x: float, y: float, width: float, size: float) -> float:
    """Write ``text`` wrapped to ``width`` from ``y`` down; returns the next line's y."""
    for line in simpleSplit(text, cjk_font(), size, width) or [""]:
        canvas.setFont(cjk_font(), size)
        canvas.drawString(x, y, line)
        y -= size * 1.25
    return y


def _barcode(canvas: Canvas, value: str, x: float, y: float, width: float, height: float):
    """The waybill number as Code 128, fitted into ``width``, with the number under it."""
    bar = Code128(value, barHeight=height, barWidth=0.4 * mm, humanReadable=False, quiet=True)
    if bar.width > width:
        bar = Code128(
            value,
            barHeight=height,
            barWidth=0.4 * mm * width / bar.width,
            humanReadable=False,
            quiet=True,
        )
    bar.drawOn(canvas, x + (width - bar.width) / 2, y)
    canvas.setFont(cjk_font(), 11)
    canvas.drawCentredString(x + width / 2, y - 13, value)


def _dims(parcel: Parcel) -> str:
    sizes = (parcel.length_cm, parcel.width_cm, parcel.height_cm)
    if not all(sizes):
        return "—"
    return " × ".join(f"{s.normalize():f}" for s in sizes) + " cm"


def draw_label_head(canvas: Canvas, *, carrier, title: str, waybill_title: str, waybill: str):
    """The top of a 100 × 150 mm label, shipping or return: the carrier and the label's
    title, then the waybill's caption and Code 128 barcode between two rules. Returns the y
    of the lower rule."""
    width, height = LABEL_SIZE
    margin = 5 * mm
    font = cjk_font()
    y = height - margin - 12
    canvas.setFont(font, 12)
    canvas.drawString(margin, y, f"{carrier.name_zh_hans or ''} {carrier.name_en}")
    canvas.setFont(font, 8)
    canvas.drawRightString(width - margin, y, title)
    y -= 8
    canvas.line(margin, y, width - margin, y)
    canvas.drawString(margin, y - 10, waybill_title)
    _barcode(canvas, waybill, margin, y - 42 * mm + 14, width - 2 * margin, 26 * mm)
    y -= 44 * mm
    canvas.line(margin, y, width - margin, y)
    return y


def _draw_label(canvas: Canvas, parcel: Parcel) -> None:
    width, height = LABEL_SIZE
    margin = 5 * mm
    inner = width - 2 * margin
    font = cjk_font()
    y = draw_label_head(
        canvas,
        carrier=parcel.carrier,
        title=caption("label"),
        waybill_title=caption("waybill"),
        waybill=parcel.waybill_number,
    )
    y -= 11
    canvas.setFont(font, 8)
    canvas.drawString(margin, y, caption("to"))
    y -= 13
    for line in address_lines(parcel.order.checkout.address or {}):
        y = wrap(canvas, line, margin, y, inner, 11)
    y -= 4
    canvas.line(margin, y, width - margin, y)
    y -= 10
    warehouse = parcel.shipment.warehouse
    canvas.setFont(font, 8)
    canvas.drawString(margin, y, caption("from"))
    y -= 11
    sender = f"{warehouse.name}, {place_name(warehouse.country, 'en')}"
    y = wrap(canvas, sender, margin, y, inner, 9)
    if warehouse.address:
        y = wrap(canvas, warehouse.address, margin, y, inner, 8)
    y -= 4
    canvas.line(margin, y, width - margin, y)
    i, n = _position(parcel)
    facts = [
        (caption("order"), parcel.order.number),
        (caption("parcel"), f"{i} / {n}"),
        (caption("weight"), f"{parcel.weight_kg.normalize():f} kg" if parcel.weight_kg else "—"),
        (caption("size"), _dims(parcel)),
    ]
    for name, value in facts:
        y -= 12
        canvas.setFont(font, 8)
        canvas.drawString(margin, y, name)
        canvas.setFont(font, 10)
        canvas.drawRightString(width - margin, y, value)


def _draw_slip(canvas: Canvas, parcel: Parcel) -> None:
    width, height = A4
    margin = 18 * mm
    inner = width - 2 * margin
    font = cjk_font()
    y = height - margin - 18
    canvas.setFont(font, 18)
    canvas.drawString(margin, y, caption("slip"))
    i, n = _position(parcel)
    canvas.setFont(font, 10)
    canvas.drawRightString(
        width - margin, y, f"{caption('order')} {parcel.order.number} · {caption('parcel')} {i}/{n}"
    )
    y -= 16
    canvas.drawString(margin, y, f"{caption('waybill')}: {parcel.carrier.name_en}")
    _barcode(canvas, parcel.waybill_number, margin, y - 30 * mm, inner / 2, 22 * mm)
    y -= 30 * mm + 30
    canvas.setFont(font, 9)
    canvas.drawString(margin, y, caption("to"))
    y -= 14
    for line in address_lines(parcel.order.checkout.address or {}):
        y = wrap(canvas, line, margin, y, inner, 11)
    y -= 12
    columns = (margin, margin + 40 * mm, width - margin)
    canvas.setFont(font, 9)
    canvas.drawString(columns[0], y, caption("sku"))
    canvas.drawString(columns[1], y, caption("item"))
    canvas.drawRightString(columns[2], y, caption("qty"))
    y -= 4
    canvas.line(margin, y, width - margin, y)
    units = 0
    for parcel_line in parcel.lines.all():
        line = parcel_line.line
        y -= 14
        if y < margin + 40:
            canvas.showPage()
            y = height - margin - 14
        canvas.setFont(font, 9)
        canvas.drawString(columns[0], y, line.sku_code)
        canvas.drawRightString(columns[2], y, str(parcel_line.quantity))
        name = " / ".join(n for n in (line.name_zh_hans, line.name_en) if n)
        y = wrap(canvas, name, columns[1], y, columns[2] - columns[1] - 20 * mm, 10) + 12.5
        units += parcel_line.quantity
    y -= 8
    canvas.line(margin, y, width - margin, y)
    y -= 14
    canvas.setFont(font, 10)
    canvas.drawString(columns[1], y, caption("units"))
    canvas.drawRightString(columns[2], y, str(units))


def _render(parcels: Iterable[Parcel], draw, pagesize: Sequence[float], title: str) -> bytes:
    cjk_font()  # fail before the first page if there is no font to embed
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=pagesize, pageCompression=1)
    canvas.setTitle(title)
    canvas.setCreator("Silkway")
    pages = 0
    for parcel in parcels:
        draw(canvas, parcel)
        canvas.showPage()
        pages += 1
    if not pages:
        raise ValueError("no parcel to print")
    canvas.save()
    return out.getvalue()


def labels_pdf(parcels: Iterable[Parcel]) -> bytes:
    """One shipping label per parcel, in one PDF."""
    return _render(parcels, _draw_label, LABEL_SIZE, caption("label"))


def slips_pdf(parcels: Iterable[Parcel]) -> bytes:
    """One packing slip per parcel, in one PDF."""
    return _render(parcels, _draw_slip, A4, caption("slip"))


DOCUMENTS = {"label": labels_pdf, "slip": slips_pdf}
